"""The Markdown report, for pull-request comments and CI step summaries (GitHub-flavoured Markdown).

A summary table, then one collapsible ``<details>`` block per flagged or unverified claim. The blocks
are pure HTML with no blank line inside, so Markdown never interprets the data in them, and every piece
of data is HTML-escaped with the characters Markdown or tables give meaning to written as entities.
"""

from __future__ import annotations

import html

from claimcheck.model import ClaimResult, DiffOp, Finding, Report, Status
from claimcheck.reports._common import (
    diff_runs,
    facts_text,
    one_line,
    pubmed_url,
    relative_docs_url,
    sorted_findings,
    summary_line,
    visible_controls,
)

# Characters that Markdown (or a table) would read as syntax, even after HTML escaping.
_MARKDOWN_ENTITIES = {
    "|": "&#124;",
    "`": "&#96;",
    "*": "&#42;",
    "_": "&#95;",
    "[": "&#91;",
    "]": "&#93;",
    "\\": "&#92;",
    "~": "&#126;",
}
_STATUS_ICONS = {Status.FLAGGED: "❌", Status.UNVERIFIED: "⚠️", Status.VERIFIED: "✅"}


def render(report: Report, *, color: bool = False) -> str:
    """The report as GitHub-flavoured Markdown."""
    attention = [result for result in report.results if result.status is not Status.VERIFIED]
    parts = ["## claimcheck report", "", f"**{summary_line(report.summary)}**", ""]
    parts.extend(f"> {escape(note)}" for note in report.notes)
    if report.notes:
        parts.append("")
    if not attention:
        parts.extend(["All claims verified.", ""])
        return "\n".join(parts)
    parts.extend(_table(attention))
    parts.append("")
    for result in attention:
        parts.extend(_details(result))
        parts.append("")
    return "\n".join(parts)


def escape(text: str) -> str:
    """Data made safe for a table cell, inline code or an HTML block: one line, HTML and Markdown inert."""
    escaped = html.escape(visible_controls(one_line(text)), quote=True)
    return "".join(_MARKDOWN_ENTITIES.get(char, char) for char in escaped)


def _table(results: list[ClaimResult]) -> list[str]:
    rows = ["| Status | Claim | Where | PMID | Findings |", "| :-- | :-- | :-- | :-- | :-- |"]
    for result in results:
        claim = result.claim
        codes = sorted({finding.rule.code for finding in result.findings if finding.accepted is None})
        cells = [
            f"{_STATUS_ICONS[result.status]} {result.status.value}",
            f"<code>{escape(claim.id)}</code>",
            f"{escape(claim.file)}:{claim.line}",
            ", ".join(escape(pmid) for pmid in result.pmids) or "none",
            ", ".join(codes) or "none",
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def _details(result: ClaimResult) -> list[str]:
    claim = result.claim
    pmids = ", ".join(_pmid_link(pmid) for pmid in result.pmids) or "no PMID"
    lines = [
        "<details>",
        f"<summary><strong>{result.status.value}</strong> <code>{escape(claim.id)}</code> "
        f"{escape(claim.file)}:{claim.line} ({pmids})</summary>",
    ]
    if claim.text:
        lines.append(f"<blockquote>{escape(claim.text)}</blockquote>")
    lines.append("<ul>")
    for finding in sorted_findings(result):
        lines.append(f"<li>{_finding(finding)}</li>")
    lines.append("</ul>")
    if result.facts:
        lines.append(f"<p>Facts read: {escape(facts_text(result.facts))}</p>")
    lines.append("</details>")
    return lines


def _finding(finding: Finding) -> str:
    rule = finding.rule
    link = f'<a href="{escape(relative_docs_url(rule))}"><code>{rule.code}</code> {rule.name}</a>'
    place = f"{escape(finding.file)}:{finding.line}"
    text = f"<strong>{finding.severity.label}</strong> {link} {place}: {escape(finding.message)}"
    if finding.accepted is not None:
        text += f" <em>(accepted: {escape(finding.accepted)})</em>"
    diff = finding.evidence.diff
    if diff:
        text += f"<br>source: {_diff_side(diff, '-')}<br>quote: {_diff_side(diff, '+')}"
    elif finding.evidence.source_text:
        text += f"<br>closest source passage: {escape(finding.evidence.source_text)}"
    return text


def _diff_side(diff: tuple[DiffOp, ...], side: str) -> str:
    tag = "del" if side == "-" else "ins"
    runs = diff_runs(diff, "=" + side)
    return " ".join(escape(text) if op == "=" else f"<{tag}>{escape(text)}</{tag}>" for op, text in runs)


def _pmid_link(pmid: str) -> str:
    return f'<a href="{escape(pubmed_url(pmid))}">PMID {escape(pmid)}</a>'
