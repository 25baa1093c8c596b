"""The plain-text report: one ``file:line:`` line per finding, grouped by claim, for terminals and logs."""

from __future__ import annotations

from claimcheck.model import ClaimResult, DiffOp, Finding, Report, Severity, Status
from claimcheck.reports._common import diff_runs, facts_text, one_line, sorted_findings, summary_line, visible_controls

RESET = "\x1b[0m"
RED = "\x1b[31m"
GREEN = "\x1b[32m"
YELLOW = "\x1b[33m"
CYAN = "\x1b[36m"
BOLD = "\x1b[1m"

_SEVERITY_COLORS = {Severity.ERROR: RED, Severity.WARNING: YELLOW, Severity.INFO: CYAN}
_STATUS_COLORS = {Status.FLAGGED: RED, Status.UNVERIFIED: YELLOW, Status.VERIFIED: GREEN}


def render(report: Report, *, color: bool = False) -> str:
    """The report as text; ``color`` adds ANSI colours (red for the source's words, green for the quote's)."""
    blocks: list[str] = []
    for result in report.results:
        if _worth_showing(result):
            blocks.append(_claim_block(result, color))
    notes = "".join(f"note: {visible_controls(note)}\n" for note in report.notes)
    blocks.append(notes + summary_line(report.summary) + "\n")
    return "\n".join(blocks)


def _worth_showing(result: ClaimResult) -> bool:
    # A verified claim is silent unless it carries something an editor should still see (info, accepted).
    return result.status is not Status.VERIFIED or bool(result.findings)


def _claim_block(result: ClaimResult, color: bool) -> str:
    lines = [_header(result, color)]
    for finding in sorted_findings(result):
        lines.extend(finding_lines(finding, color=color))
    if result.facts:
        lines.append(f"  facts: {_clean(facts_text(result.facts))}")
    return "\n".join(lines) + "\n"


def _header(result: ClaimResult, color: bool) -> str:
    claim = result.claim
    status = _paint(result.status.value.upper(), BOLD + _STATUS_COLORS[result.status], color)
    refs = ", ".join(claim.refs)
    places = [f"{claim.file}:{claim.line}", f"{'ref' if len(claim.refs) == 1 else 'refs'} {refs}"]
    if result.pmids:
        places.append(f"{'PMID' if len(result.pmids) == 1 else 'PMIDs'} {', '.join(result.pmids)}")
    else:
        places.append("no PMID")
    return f"{status} {_clean(claim.id)} ({_clean('; '.join(places))})"


def finding_lines(finding: Finding, *, color: bool = False) -> list[str]:
    """The finding's ``file:line: CODE name: message [severity]`` line, then its evidence lines."""
    return [_finding_line(finding, color), *evidence_lines(finding, color=color)]


def _finding_line(finding: Finding, color: bool) -> str:
    severity = _paint(finding.severity.label, _SEVERITY_COLORS[finding.severity], color)
    line = f"{_clean(finding.file)}:{finding.line}: {finding.rule.title}: {_clean(finding.message)} [{severity}]"
    if finding.accepted is not None:
        line += f" (accepted: {_clean(finding.accepted)})"
    return line


def evidence_lines(finding: Finding, *, color: bool = False) -> list[str]:
    """The finding's evidence as indented ``- source:`` / ``+ quote:`` lines, differences marked."""
    evidence = finding.evidence
    if evidence.diff:
        return [
            f"    - source: {_diff_side(evidence.diff, '-', color)}",
            f"    + quote: {_diff_side(evidence.diff, '+', color)}",
        ]
    lines: list[str] = []
    if evidence.source_text:
        lines.append(f"    - source: {_clean(evidence.source_text)}")
    elif evidence.record_value and evidence.record_value not in finding.message:
        lines.append(f"    - record: {_clean(evidence.record_value)}")
    if evidence.article_text and evidence.article_text not in finding.message:
        label = "quote" if evidence.source_text else "article"
        lines.append(f"    + {label}: {_clean(evidence.article_text)}")
    return lines


def _diff_side(diff: tuple[DiffOp, ...], side: str, color: bool) -> str:
    """One side of a word diff: the shared words plus this side's own, runs of them marked."""
    runs = diff_runs(diff, "=" + side)
    return " ".join(_clean(text) if op == "=" else _mark(_clean(text), side, color) for op, text in runs)


def _mark(text: str, side: str, color: bool) -> str:
    if color:
        return _paint(text, RED if side == "-" else GREEN, True)
    return f"[-{text}-]" if side == "-" else f"{{+{text}+}}"


def _paint(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{RESET}" if color else text


def _clean(text: str) -> str:
    """One line of text with control characters made visible, so data cannot drive the terminal."""
    return visible_controls(one_line(text))
