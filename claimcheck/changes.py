"""Incremental CI: the claims a change touched since a git revision, read from ``git diff --unified=0``.

A claim's entry runs from its item line (``Claim.line``) to the line before the next claim; the last
claim's runs to the line before the next top-level key, or to the end of the file. References'
entries are read the same way from ``Reference.line``. A claim counts as changed when a changed or
added line falls in its entry, or in the entry of a reference it cites. Deleted lines count at the
line just above them: that line belongs to the entry they were part of (deleting a whole claim marks
the claim above it, which costs one extra check and misses nothing). Blank lines and comments cannot
change what a check finds, so adding, editing or deleting them selects nothing (inside a block
scalar they are the scalar's text, and count). A file that git does not track, or that the revision
does not have, counts as changed throughout.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, replace
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from claimcheck.errors import ConfigError
from claimcheck.model import ClaimsFile

_HUNK_HEADER = re.compile(r"@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_FETCH_HINT = (
    "use a branch, tag or commit this clone has; in CI fetch it first (git fetch origin main, or "
    "actions/checkout with fetch-depth: 0)"
)


@dataclass(frozen=True)
class ChangeSelection:
    """The claims of one file to check, and why the others are skipped."""

    claim_ids: frozenset[str]
    skipped: int
    reason: str


def changed_claims(claims_file: ClaimsFile, since: str, *, repo: Path | None = None) -> ChangeSelection:
    """The claims of ``claims_file`` whose entries (or cited references) changed since the git revision ``since``.

    ``repo`` is the folder git runs in (default: the claims file's folder). Raises ConfigError when
    git is missing, the file is not in a repository, or the revision is unknown.
    """
    path = Path(claims_file.path).resolve()
    folder = Path(repo) if repo is not None else path.parent
    if not since.strip() or since.startswith("-"):
        raise ConfigError(f"--changed-since {since!r} is not a git revision ({_FETCH_HINT})")
    if not folder.is_dir():
        raise ConfigError(f"--changed-since: {folder} is not a folder, so git cannot run in it")
    top = _toplevel(folder, claims_file.path)
    commit = _commit(top, since)
    relative = _relative(path, top, claims_file.path)
    every = frozenset(claim.id for claim in claims_file.claims)
    if not _tracked(top, relative) or not _exists_at(top, commit, relative):
        reason = f"{claims_file.path}: not in {since}, so all {len(every)} claims count as changed"
        return ChangeSelection(every, 0, reason)
    hunks = _diff_hunks(top, commit, relative)
    if hunks is None:
        reason = f"{claims_file.path}: git shows no line changes (binary?), so all {len(every)} claims count as changed"
        return ChangeSelection(every, 0, reason)
    text = path.read_text(encoding="utf-8-sig")
    selected = claims_touched_by(claims_file, text, lines_that_matter(text, hunks))
    skipped = len(every) - len(selected)
    reason = f"{claims_file.path}: {len(selected)} claims changed, {skipped} unchanged since {since}"
    return ChangeSelection(selected, skipped, reason)


def claims_touched_by(claims_file: ClaimsFile, text: str, changed_lines: Set[int]) -> frozenset[str]:
    """The ids of the claims whose entry, or a cited reference's entry, holds a changed line (pure)."""
    boundaries = _top_level_key_lines(text)
    last_line = max(len(text.splitlines()), 1)
    reference_spans = _spans([(ref.key, ref.line) for ref in claims_file.references], boundaries, last_line)
    changed_references = {key for key, span in reference_spans.items() if _touched(span, changed_lines)}
    claim_spans = _spans([(claim.id, claim.line) for claim in claims_file.claims], boundaries, last_line)
    selected: set[str] = set()
    for claim in claims_file.claims:
        if _touched(claim_spans[claim.id], changed_lines) or changed_references.intersection(claim.refs):
            selected.add(claim.id)
    return frozenset(selected)


def keep_claims(claims_file: ClaimsFile, claim_ids: Set[str]) -> ClaimsFile:
    """The file with only the given claims, and only the references they cite (so nothing else is fetched)."""
    claims = tuple(claim for claim in claims_file.claims if claim.id in claim_ids)
    cited = {key for claim in claims for key in claim.refs}
    references = tuple(reference for reference in claims_file.references if reference.key in cited)
    return replace(claims_file, claims=claims, references=references)


def select_changed(
    claims_files: Sequence[ClaimsFile], since: str, *, repo: Path | None = None
) -> tuple[list[ClaimsFile], str]:
    """Each file narrowed to its claims changed since ``since``, and one line saying how many were skipped."""
    narrowed: list[ClaimsFile] = []
    kept = 0
    total = 0
    for claims_file in claims_files:
        selection = changed_claims(claims_file, since, repo=repo)
        narrowed.append(keep_claims(claims_file, selection.claim_ids))
        kept += len(selection.claim_ids)
        total += len(claims_file.claims)
    skipped = total - kept
    return narrowed, f"{kept} of {total} claims changed since {since}; {skipped} unchanged claims skipped"


@dataclass(frozen=True)
class Hunk:
    """One hunk of ``git diff --unified=0``: ``count`` lines from ``start`` of the new file replace ``removed``.

    With ``count`` 0 the hunk only deletes, and ``start`` is the line just above the gap (0: the top).
    """

    start: int
    count: int
    removed: tuple[str, ...] = ()


def parse_hunks(diff: str) -> list[Hunk]:
    """The hunks of a ``git diff --unified=0`` output (pure)."""
    hunks: list[Hunk] = []
    start = count = 0
    removed: list[str] | None = None
    for line in diff.splitlines():
        match = _HUNK_HEADER.match(line)
        if match is not None:
            if removed is not None:
                hunks.append(Hunk(start, count, tuple(removed)))
            start = int(match.group(1))
            count = int(match.group(2)) if match.group(2) is not None else 1
            removed = []
        elif removed is not None and line.startswith("-"):
            removed.append(line[1:])
    if removed is not None:
        hunks.append(Hunk(start, count, tuple(removed)))
    return hunks


def lines_that_matter(text: str, hunks: Iterable[Hunk]) -> set[int]:
    """Lines of ``text`` (the new file) where a change can alter a check: not blank, not a comment (pure)."""
    spans = _content_spans(text)
    content = {line for first, last in spans for line in range(first, last + 1)} if spans is not None else None
    lines: set[int] = set()
    for hunk in hunks:
        if hunk.count > 0:
            added = range(hunk.start, hunk.start + hunk.count)
            lines.update(line for line in added if content is None or line in content)
        elif not _only_blank_or_comments(hunk.removed) or _within_multiline_value(hunk.start, spans):
            lines.add(max(hunk.start, 1))
    return lines


def _only_blank_or_comments(removed: Sequence[str]) -> bool:
    return all(not line.strip() or line.lstrip().startswith("#") for line in removed)


def _within_multiline_value(line: int, spans: Sequence[tuple[int, int]] | None) -> bool:
    """Whether ``line`` is part of a multi-line value, so blank or '#' lines removed after it may have been its text."""
    if spans is None:
        return True
    return any(first <= line <= last and last > first for first, last in spans)


def _content_spans(text: str) -> list[tuple[int, int]] | None:
    """(first, last) line of every scalar and the first line of every list or mapping; None if unreadable."""
    try:
        root = YAML().compose(text)
    except (YAMLError, ValueError, TypeError):
        return None
    lines = text.splitlines()
    spans: list[tuple[int, int]] = []
    stack: list[Node] = [root] if root is not None else []
    while stack:
        node = stack.pop()
        first = node.start_mark.line + 1
        if isinstance(node, ScalarNode):
            spans.append((first, _last_content_line(node, first, lines)))
            continue
        spans.append((first, first))
        if isinstance(node, MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return spans


def _last_content_line(node: ScalarNode, first: int, lines: Sequence[str]) -> int:
    """The scalar's last line; a block scalar's end mark lies past the blank lines that follow it."""
    end = node.end_mark
    last = end.line + 1 if end.column > 0 else end.line
    while last > first and last <= len(lines) and not lines[last - 1].strip():
        last -= 1
    return max(first, last)


# --- line spans ---------------------------------------------------------------------------------


def _spans(starts: Iterable[tuple[str, int]], boundaries: Sequence[int], last_line: int) -> dict[str, tuple[int, int]]:
    """(first, last) line of each entry: up to the next entry, else the next top-level key or the end."""
    ordered = sorted(starts, key=lambda item: item[1])
    spans: dict[str, tuple[int, int]] = {}
    for index, (name, start) in enumerate(ordered):
        if index + 1 < len(ordered):
            end = ordered[index + 1][1] - 1
        else:
            end = next((line - 1 for line in boundaries if line > start), last_line)
        # Flow style can put two entries on one line; each still owns its own line.
        spans[name] = (start, max(start, end))
    return spans


def _touched(span: tuple[int, int], changed_lines: Set[int]) -> bool:
    first, last = span
    return any(first <= line <= last for line in changed_lines)


def _top_level_key_lines(text: str) -> list[int]:
    """The line of every top-level key; the file loaded already, so a failure here only loses precision."""
    try:
        node = YAML().compose(text)
    except (YAMLError, ValueError, TypeError):
        return []
    if not isinstance(node, MappingNode):
        return []
    return sorted(key.start_mark.line + 1 for key, _ in node.value)


# --- git ----------------------------------------------------------------------------------------


def _git(arguments: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run git without a shell; paths are taken literally (a file may be named 'a*.yaml')."""
    try:
        return subprocess.run(
            ["git", "--literal-pathspecs", *arguments],
            cwd=cwd,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            check=False,
        )
    except FileNotFoundError:
        raise ConfigError("--changed-since needs git, which is not installed (or not on PATH)") from None
    except OSError as error:
        raise ConfigError(f"--changed-since: git could not be run ({error.strerror or error})") from None


def _message(result: subprocess.CompletedProcess[str]) -> str:
    text = " ".join(result.stderr.split()) or f"git exited with status {result.returncode}"
    return text if len(text) <= 300 else text[:297] + "..."


def _toplevel(folder: Path, shown: str) -> Path:
    result = _git(["rev-parse", "--show-toplevel"], folder)
    if result.returncode != 0:
        raise ConfigError(
            f"--changed-since: {shown} is not in a git repository (git: {_message(result)}); "
            "run in a clone, or drop --changed-since to check every claim"
        )
    return Path(result.stdout.strip()).resolve()


def _commit(top: Path, since: str) -> str:
    result = _git(["rev-parse", "--verify", f"{since}^{{commit}}"], top)
    if result.returncode != 0:
        raise ConfigError(f"--changed-since: git does not know the revision {since!r} (git: {_message(result)}); {_FETCH_HINT}")
    return result.stdout.strip()


def _relative(path: Path, top: Path, shown: str) -> str:
    try:
        return path.relative_to(top).as_posix()
    except ValueError:
        raise ConfigError(f"--changed-since: {shown} is outside the git repository at {top}") from None


def _tracked(top: Path, relative: str) -> bool:
    return _git(["ls-files", "--error-unmatch", "--", relative], top).returncode == 0


def _exists_at(top: Path, commit: str, relative: str) -> bool:
    return _git(["cat-file", "-e", f"{commit}:{relative}"], top).returncode == 0


def _diff_hunks(top: Path, commit: str, relative: str) -> list[Hunk] | None:
    """The hunks between ``commit`` and the working file; None when git shows a binary difference."""
    result = _git(
        ["diff", "--no-color", "--no-ext-diff", "--no-textconv", "--no-relative", "--unified=0", commit, "--", relative],
        top,
    )
    if result.returncode != 0:
        raise ConfigError(f"--changed-since: git diff failed for {relative} (git: {_message(result)})")
    hunks = parse_hunks(result.stdout)
    if not hunks and "Binary files" in result.stdout:
        return None
    return hunks
