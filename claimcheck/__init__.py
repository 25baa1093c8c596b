"""claimcheck: check what an article says about its sources against the sources themselves.

The public API::

    report = claimcheck.check(["claims/"], offline=True)
    match = claimcheck.verify_quote("may increase strength slightly", abstract_text)
    claims_file = claimcheck.load_claims("claims/hip-pain-physical-therapy.yaml")
"""

from __future__ import annotations

__version__ = "0.1.0"

from claimcheck.claims_file import load_claims, load_claims_files
from claimcheck.errors import (
    ClaimcheckError,
    ClaimsFileError,
    ConfigError,
    InputError,
    MalformedXMLError,
    Problem,
    ServiceError,
    StoreError,
)
from claimcheck.matching import QuoteMatch, verify_quote
from claimcheck.model import (
    CheckSettings,
    Claim,
    ClaimResult,
    ClaimsFile,
    Evidence,
    Finding,
    Record,
    Report,
    Rule,
    Severity,
    Status,
)
from claimcheck.pipeline import check
from claimcheck.pubmed import EutilsClient, FetchResult
from claimcheck.records import parse_record, parse_records
from claimcheck.reports import render
from claimcheck.rules import RULES
from claimcheck.store import RecordStore

__all__ = [
    "CheckSettings",
    "Claim",
    "ClaimResult",
    "ClaimcheckError",
    "ClaimsFile",
    "ClaimsFileError",
    "ConfigError",
    "EutilsClient",
    "Evidence",
    "FetchResult",
    "Finding",
    "InputError",
    "MalformedXMLError",
    "Problem",
    "QuoteMatch",
    "RULES",
    "Record",
    "RecordStore",
    "Report",
    "Rule",
    "ServiceError",
    "Severity",
    "Status",
    "StoreError",
    "__version__",
    "check",
    "load_claims",
    "load_claims_files",
    "parse_record",
    "parse_records",
    "render",
    "verify_quote",
]
