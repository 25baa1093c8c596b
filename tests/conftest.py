"""Shared fixtures: each lives in its own module and is re-exported here so pytest finds it."""

from tests.corpus import pubmed_corpus  # noqa: F401
from tests.fake_eutils import fake_eutils  # noqa: F401
