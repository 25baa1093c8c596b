"""Quote checks per second on real abstracts: verbatim sentences and the same sentences altered.

Run from the repository root: python bench/quotes.py [ABSTRACTS]   (default 5000)

For each abstract of pubmed21n1298.xml.gz (fetched once into the test-data cache, see tests/corpus.py)
one sentence is quoted verbatim and, where it can be, with a number changed, a negation inserted and a
hedge dropped. Every quote is checked with ``verify_quote`` against its record, record by record as a
claims file would be, so each record's text is prepared once for its few quotes. Parsing the file is
not timed. The verdicts are counted too, as a sanity check of what was timed.
"""

from __future__ import annotations

import itertools
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from claimcheck.matching import Verdict, verify_quote
from claimcheck.model import Record
from claimcheck.records import iter_pubmed_file
from bench._corpus import CORPUS_FILE, corpus_file
from bench._machine import print_machine
from tests.test_checks_quotes import changed_number, negated, quoted_sentence, without_hedge


def main(argv: list[str]) -> int:
    """Print the machine, then checks per second overall and per kind of quote."""
    count = int(argv[0]) if argv else 5000
    path = corpus_file()
    if path is None:
        return 2
    print_machine()
    started = time.perf_counter()
    work = quotes_by_record(path, count)
    checks = sum(len(quotes) for _, quotes in work)
    parsed = time.perf_counter() - started
    print(f"corpus: {len(work)} abstracts of {CORPUS_FILE}, {checks} quotes (parsed in {parsed:.1f} s)")
    verdicts: Counter[tuple[str, Verdict]] = Counter()
    seconds: dict[str, float] = dict.fromkeys(("verbatim", "number", "negation", "hedge"), 0.0)
    wall_start, cpu_start = time.perf_counter(), time.process_time()
    for record, quotes in work:
        for kind, quote in quotes:
            before = time.process_time()
            match = verify_quote(quote, record)
            seconds[kind] += time.process_time() - before
            verdicts[(kind, match.verdict)] += 1
    wall, cpu = time.perf_counter() - wall_start, time.process_time() - cpu_start
    print(f"all quotes: {checks / wall:,.0f} checks/s wall clock, {checks / cpu:,.0f} checks/s CPU time, one core")
    for kind in ("verbatim", "number", "negation", "hedge"):
        total = sum(count for (each, _), count in verdicts.items() if each == kind)
        if total:
            counted = sorted((verdict.value, n) for (each, verdict), n in verdicts.items() if each == kind)
            spread = ", ".join(f"{verdict} {n}" for verdict, n in counted)
            rate = total / seconds[kind] if seconds[kind] else float("inf")
            print(f"  {kind:9} {total:6} quotes  {rate:8,.0f} checks/s CPU time   verdicts: {spread}")
    return 0


def quotes_by_record(path: Path, count: int) -> list[tuple[Record, list[tuple[str, str]]]]:
    """For the first ``count`` abstracts: a middle sentence, verbatim and altered where it can be."""
    records = (item for item in iter_pubmed_file(path) if isinstance(item, Record) and item.abstract.strip())
    work: list[tuple[Record, list[tuple[str, str]]]] = []
    for record in itertools.islice(records, count):
        sentence = quoted_sentence(record)
        if sentence is None:
            continue
        candidates = [
            ("verbatim", sentence),
            ("number", changed_number(sentence)),
            ("negation", negated(sentence)),
            ("hedge", without_hedge(sentence)),
        ]
        work.append((record, [(kind, quote) for kind, quote in candidates if quote is not None]))
    return work


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
