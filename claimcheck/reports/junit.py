"""JUnit XML: one testsuite per claims file, one testcase per claim (classname = file, name = claim id).

A flagged claim fails (message = the first finding that flags it, body = all its findings), an
unverified claim is skipped, a verified claim passes (its info or accepted findings in system-out).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from claimcheck.model import ClaimResult, Finding, Report, Severity, Status
from claimcheck.reports._common import TOOL_NAME, one_line, results_by_file, sorted_findings, visible_controls
from claimcheck.reports.text import finding_lines

# Characters XML 1.0 cannot carry at all, even escaped; ElementTree would write them and break the file.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def render(report: Report, *, color: bool = False) -> str:
    """The report as a JUnit XML document."""
    root = ET.Element("testsuites", {"name": TOOL_NAME})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for file, results in results_by_file(report).items():
        suite = _suite(file, results)
        root.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(file: str, results: list[ClaimResult]) -> ET.Element:
    failures = sum(1 for result in results if result.status is Status.FLAGGED)
    skipped = sum(1 for result in results if result.status is Status.UNVERIFIED)
    suite = ET.Element(
        "testsuite",
        {
            "name": _xml(file),
            "tests": str(len(results)),
            "failures": str(failures),
            "errors": "0",
            "skipped": str(skipped),
        },
    )
    for result in results:
        suite.append(_case(result))
    return suite


def _case(result: ClaimResult) -> ET.Element:
    claim = result.claim
    case = ET.Element(
        "testcase",
        {"classname": _xml(claim.file), "name": _xml(claim.id), "file": _xml(claim.file), "line": str(claim.line)},
    )
    findings = sorted_findings(result)
    body = _body(findings)
    if result.status is Status.FLAGGED:
        cause = _cause(findings)
        failure = ET.SubElement(case, "failure", _headline(cause))
        failure.text = body
    elif result.status is Status.UNVERIFIED:
        cause = _cause(findings)
        skipped = ET.SubElement(case, "skipped", {"message": _headline(cause)["message"]} if cause else {})
        skipped.text = body
    elif findings:
        ET.SubElement(case, "system-out").text = body
    return case


def _cause(findings: list[Finding]) -> Finding | None:
    """The first finding that decides the claim's status (not accepted, warning or worse)."""
    for finding in findings:
        if finding.accepted is None and finding.severity >= Severity.WARNING:
            return finding
    return findings[0] if findings else None


def _headline(finding: Finding | None) -> dict[str, str]:
    if finding is None:
        return {"message": "flagged"}
    return {"message": _xml(one_line(f"{finding.rule.title}: {finding.message}")), "type": finding.rule.code}


def _body(findings: list[Finding]) -> str | None:
    if not findings:
        return None
    lines: list[str] = []
    for finding in findings:
        lines.extend(finding_lines(finding))
    return _xml("\n".join(lines))


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", visible_controls(text))
