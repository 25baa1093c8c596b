"""Data flows one way: checks are pure, the client never hears of claims, only the CLI prints."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "claimcheck"
IO_MODULES = {"requests", "sqlite3", "socket", "urllib", "http", "subprocess", "claimcheck.pubmed", "claimcheck.store",
              "claimcheck.claims_file", "claimcheck.fileio", "claimcheck.cli", "claimcheck.pipeline"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def calls_print(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(node, ast.Call) and getattr(node.func, "id", "") == "print" for node in ast.walk(tree))


def test_checks_import_no_io():
    for path in [*(PACKAGE / "checks").glob("*.py"), PACKAGE / "matching.py", PACKAGE / "text.py", PACKAGE / "facts.py"]:
        bad = {name for name in imported_modules(path) if name.split(".")[0] in IO_MODULES or name in IO_MODULES}
        assert not bad, f"{path.name} imports {bad}"


def test_reports_only_render():
    for path in (PACKAGE / "reports").glob("*.py"):
        bad = {name for name in imported_modules(path) if name.split(".")[0] in IO_MODULES or name in IO_MODULES}
        assert not bad, f"{path.name} imports {bad}"


def test_client_knows_nothing_of_claims():
    imports = imported_modules(PACKAGE / "pubmed.py")
    assert "claimcheck.claims_file" not in imports
    assert "claimcheck.pipeline" not in imports


def test_only_the_cli_prints():
    for path in PACKAGE.rglob("*.py"):
        if path.name in {"cli.py", "__main__.py"}:
            continue
        assert not calls_print(path), f"{path.relative_to(PACKAGE)} prints"
