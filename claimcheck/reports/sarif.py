"""SARIF 2.1.0, for GitHub code scanning and other static-analysis dashboards.

``tool.driver.rules`` is generated from the rule table (claimcheck.rules.RULES), in code order, so a
result's ``ruleIndex`` is the rule's place in that table. An accepted finding carries an external
suppression whose justification is the claim's reason.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from claimcheck.model import Finding, Report, Rule, Severity
from claimcheck.reports._common import INFORMATION_URI, TOOL_NAME, docs_url, sorted_findings, tool_version
from claimcheck.rules import RULES

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render(report: Report, *, color: bool = False) -> str:
    """The report as a SARIF 2.1.0 log with one run."""
    findings = [finding for result in report.results for finding in sorted_findings(result)]
    rules = _rules(findings)
    index = {rule.code: position for position, rule in enumerate(rules)}
    run = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": tool_version(),
                "semanticVersion": tool_version(),
                "informationUri": INFORMATION_URI,
                "rules": [_rule(rule) for rule in rules],
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": [_result(finding, index[finding.rule.code]) for finding in findings],
    }
    log = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _rules(findings: list[Finding]) -> list[Rule]:
    """Every rule of the table, then any rule a finding carries that the table lacks."""
    rules = list(RULES)
    known = {rule.code for rule in rules}
    for finding in findings:
        if finding.rule.code not in known:
            known.add(finding.rule.code)
            rules.append(finding.rule)
    return rules


def _rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.explanation},
        "help": {"text": rule.fix},
        "helpUri": docs_url(rule),
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
    }


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule.code,
        "ruleIndex": rule_index,
        "level": _LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [_location(finding)],
        "partialFingerprints": {"claimcheck/v1": _fingerprint(finding)},
        "properties": {"claimId": finding.claim_id, "pmid": finding.pmid},
    }
    if finding.accepted is not None:
        result["suppressions"] = [{"kind": "external", "justification": finding.accepted}]
    return result


def _location(finding: Finding) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": finding.file}}
    if finding.line > 0:
        physical["region"] = {"startLine": finding.line}
    return {"physicalLocation": physical}


def _fingerprint(finding: Finding) -> str:
    # Independent of the line, so a finding keeps its identity when lines above it move.
    parts = (finding.file, finding.claim_id, finding.rule.code, finding.pmid or "", finding.evidence.article_text)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
