"""Importing a PubMed file into the local mirror, against reading it with Bio.Entrez.read.

Run from the repository root: python bench/import.py [--no-entrez]

Three tasks, each in its own process so that its peak memory is its own (the child's VmHWM on
Linux, which includes the interpreter and the imported package): ``Bio.Entrez.read`` on the decompressed
pubmed21n1298.xml.gz (fetched once into the test-data cache, see tests/corpus.py); ``import_files``
of the same file into a fresh temporary record store; and the import of one file holding the file's
articles four times over, with the PMIDs of each copy renumbered so the store grows fourfold too.
Flat memory means the 4x import peaks where the 1x import does. The machine may be shared, so the
CPU time of each task is printed beside the wall time.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._corpus import CORPUS_FILE, corpus_file  # noqa: E402
from bench._machine import print_machine, verdict  # noqa: E402

COPIES = 4
_PMID = re.compile(rb"(<PMID\b[^>]*>)(\d+)(</PMID>)")
_SET_OPEN = re.compile(rb"<PubmedArticleSet\b[^>]*>")
_SET_CLOSE = b"</PubmedArticleSet>"


def main(argv: list[str]) -> int:
    """Run the three tasks in child processes and print the figures, the ratios and the machine."""
    options = _options(argv)
    if options.task:
        return _child(options.task, options.files)
    path = corpus_file()
    if path is None:
        return 2
    print_machine()
    with tempfile.TemporaryDirectory(prefix="claimcheck-bench-import-") as folder:
        work = Path(folder)
        xml = work / "pubmed21n1298.xml"
        xml.write_bytes(gzip.decompress(path.read_bytes()))
        fourfold = work / "pubmed21n1298-x4.xml.gz"
        _write_copies(xml.read_bytes(), fourfold, COPIES)
        print(f"input: {CORPUS_FILE}, {xml.stat().st_size / 1e6:,.0f} MB of XML; the 4x file holds {COPIES} renumbered copies")
        results: dict[str, dict[str, float]] = {}
        if not options.no_entrez:
            results["Bio.Entrez.read"] = _run("entrez", [xml])
        results["mirror import"] = _run("import", [path])
        results[f"mirror import, {COPIES}x input"] = _run("import", [fourfold])
    _print_table(results)
    _print_ratios(results)
    return 0


def _options(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-entrez", action="store_true", help="skip Bio.Entrez.read (about 30 s and 2 GB)")
    parser.add_argument("--task", choices=("entrez", "import"), help=argparse.SUPPRESS)
    parser.add_argument("files", nargs="*", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _write_copies(data: bytes, target: Path, copies: int) -> None:
    """One gzip file holding the set's content ``copies`` times, copy k's PMIDs prefixed with the digit k."""
    opening = _SET_OPEN.search(data)
    closing = data.rindex(_SET_CLOSE)
    if opening is None:
        raise SystemExit(f"{CORPUS_FILE} holds no <PubmedArticleSet>")
    body = data[opening.end() : closing]
    with gzip.open(target, "wb", compresslevel=1) as stream:
        stream.write(data[: opening.end()])
        for copy in range(copies):
            prefix = str(copy).encode() if copy else b""
            stream.write(_PMID.sub(lambda match: match[1] + prefix + match[2] + match[3], body))
        stream.write(data[closing:])


def _run(task: str, files: list[Path]) -> dict[str, float]:
    """Run one task in a child process and return what it measured."""
    command = [sys.executable, __file__, "--task", task, *map(str, files)]
    print(f"running {task} on {', '.join(file.name for file in files)} ...", flush=True)
    finished = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(finished.stdout.strip().splitlines()[-1])


def _child(task: str, files: list[Path]) -> int:
    """Do one task and print one JSON line: records, wall and CPU seconds, peak and starting RSS."""
    stored = 0
    if task == "entrez":
        from Bio import Entrez

        started_rss = _peak_rss_mb()
        wall, cpu = time.perf_counter(), time.process_time()
        with files[0].open("rb") as stream:
            answer = Entrez.read(stream)
        records = len(answer["PubmedArticle"]) + len(answer["PubmedBookArticle"])
    else:
        from claimcheck.mirror import import_files
        from claimcheck.store import RecordStore

        with tempfile.TemporaryDirectory(prefix="claimcheck-bench-store-") as folder:
            with RecordStore(cache_dir=Path(folder)) as store:
                started_rss = _peak_rss_mb()
                wall, cpu = time.perf_counter(), time.process_time()
                records = import_files(files, store=store).records
                stored = store.stats().records
    figures = {
        "records": records,
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "peak_rss_mb": _peak_rss_mb(),
        "start_rss_mb": started_rss,
    }
    if task == "import":
        figures["stored"] = stored
    print(json.dumps(figures))
    return 0


def _peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB.

    Linux's VmHWM belongs to the program the process runs. ru_maxrss (also as os.wait4 reports it)
    carries over the parent's peak through fork and exec, and this parent holds the whole file, so it
    is the fallback only (KB on Linux, bytes on macOS).
    """
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _print_table(results: dict[str, dict[str, float]]) -> None:
    print()
    print(f"{'task':<26} {'records':>8} {'wall s':>7} {'cpu s':>7} {'rec/s wall':>10} {'rec/s cpu':>10} {'peak RSS':>10}")
    for name, figures in results.items():
        print(
            f"{name:<26} {figures['records']:>8,.0f} {figures['wall']:>7.1f} {figures['cpu']:>7.1f} "
            f"{figures['records'] / figures['wall']:>10,.0f} {figures['records'] / figures['cpu']:>10,.0f} "
            f"{figures['peak_rss_mb']:>7,.0f} MB"
        )
    print("(peak RSS includes the interpreter and imports: "
          + ", ".join(f"{name} started at {figures['start_rss_mb']:,.0f} MB" for name, figures in results.items()) + ")")


def _print_ratios(results: dict[str, dict[str, float]]) -> None:
    """The ratios, each against its target: 5x the speed of Bio.Entrez.read, 1/20 of its memory, flat at 4x."""
    single = results["mirror import"]
    fourfold = results[f"mirror import, {COPIES}x input"]
    print()
    entrez = results.get("Bio.Entrez.read")
    if entrez is not None:
        ratio = (single["records"] / single["wall"]) / (entrez["records"] / entrez["wall"])
        print(f"import speed / Bio.Entrez.read speed (records/s, wall clock): {ratio:.1f}x (target 5x): "
              f"{verdict(ratio >= 5)}")
        per_cpu = (single["records"] / single["cpu"]) / (entrez["records"] / entrez["cpu"])
        print(f"  per CPU second: {per_cpu:.1f}x (not the target: the import compresses and hashes on every core)")
        share = entrez["peak_rss_mb"] / single["peak_rss_mb"]
        print(f"import peak RSS / Bio.Entrez.read peak RSS: 1/{share:.0f} (target 1/20): {verdict(share >= 20)}")
    growth = fourfold["peak_rss_mb"] / single["peak_rss_mb"]
    print(f"{COPIES}x input peak RSS / 1x input peak RSS: {growth:.2f} (target within 20%): {verdict(growth <= 1.2)}")
    print(f"records stored: 1x {single['stored']:,.0f}, {COPIES}x {fourfold['stored']:,.0f}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
