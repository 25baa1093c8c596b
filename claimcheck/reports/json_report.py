"""The JSON report, schema ``claimcheck.report/1``: keys are only ever added, never renamed or removed."""

from __future__ import annotations

import json
import math
from typing import Any

from claimcheck.model import ClaimResult, Evidence, Finding, Report
from claimcheck.reports._common import TOOL_NAME, citation, pubmed_url, record_for, sorted_findings, tool_version

SCHEMA = "claimcheck.report/1"


def render(report: Report, *, color: bool = False) -> str:
    """The report as one JSON document: keys in a fixed order, the header indented, one claim per line.

    One claim per line keeps a report diffable claim by claim, and lets the C encoder write the bulk:
    the standard library indents only in pure Python, which is slower than the checks themselves.
    """
    document = report_document(report)
    claims = document.pop("claims")
    head = json.dumps(document, indent=2, ensure_ascii=False)
    encode = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    lines = [encode(claim) for claim in claims]
    body = "\n    " + ",\n    ".join(lines) + "\n  " if lines else ""
    return head[: -len("\n}")] + f',\n  "claims": [{body}]\n}}\n'



def report_document(report: Report) -> dict[str, Any]:
    """The report as plain JSON-ready data (tuples are written as arrays), in the documented key order."""
    summary = report.summary
    # Many claims cite the same record: each record's citation is written once (records are alive all along,
    # so their ids are theirs alone).
    citations: dict[int, str] = {}
    return {
        "schema": SCHEMA,
        "tool": {"name": TOOL_NAME, "version": tool_version()},
        "summary": {
            "claims": summary.claims,
            "verified": summary.verified,
            "flagged": summary.flagged,
            "unverified": summary.unverified,
            "accepted": summary.accepted,
        },
        "files": list(report.files),
        "notes": list(report.notes),
        "claims": [_claim(result, citations) for result in report.results],
    }


def _claim(result: ClaimResult, citations: dict[int, str]) -> dict[str, Any]:
    claim = result.claim
    return {
        "file": claim.file,
        "line": claim.line,
        "id": claim.id,
        "refs": list(claim.refs),
        "pmids": list(result.pmids),
        "status": result.status.value,
        "text": claim.text,
        "quotes": [{"text": quote.text, "line": quote.line} for quote in claim.quotes],
        "sources": [_source(result, pmid, citations) for pmid in result.pmids],
        "facts": [{"kind": fact.kind, "value": fact.value, "origin": fact.origin} for fact in result.facts],
        "findings": [_finding(finding) for finding in sorted_findings(result)],
    }


def _source(result: ClaimResult, pmid: str, citations: dict[int, str]) -> dict[str, Any]:
    record = record_for(result, pmid)
    cited = None
    if record is not None:
        cited = citations.get(id(record))
        if cited is None:
            cited = citations[id(record)] = citation(record)
    return {"pmid": pmid, "url": pubmed_url(pmid), "citation": cited}


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.rule.code,
        "name": finding.rule.name,
        "severity": finding.severity.label,
        "message": finding.message,
        "file": finding.file,
        "line": finding.line,
        "pmid": finding.pmid,
        "accepted": finding.accepted,
        "evidence": _evidence(finding.evidence),
    }


def _evidence(evidence: Evidence) -> dict[str, Any]:
    return {
        "field": evidence.field,
        "section": evidence.section,
        "article_text": evidence.article_text,
        "source_text": evidence.source_text,
        "start": evidence.start,
        "end": evidence.end,
        "score": _score(evidence.score),
        "diff": list(evidence.diff),  # (op, word) pairs, which json writes as arrays
        "record_value": evidence.record_value,
    }


def _score(score: float | None) -> float | None:
    # NaN and infinity are not JSON; four decimals are more than any reader needs.
    if score is None or not math.isfinite(score):
        return None
    return round(score, 4)
