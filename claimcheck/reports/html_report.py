"""The HTML report: one self-contained page (inline CSS, no script, no external asset, no network).

Every piece of data goes through ``_esc`` (``html.escape`` with ``quote=True``); the page's Content
Security Policy forbids scripts and remote loads as a second line of defence. "Show only flagged and
unverified claims" is a CSS-only checkbox.
"""

from __future__ import annotations

import html

from claimcheck.model import ClaimResult, DiffOp, Fact, Finding, Quote, Report
from claimcheck.reports._common import (
    DOCS_URL,
    TOOL_NAME,
    citation,
    diff_runs,
    docs_url,
    pubmed_url,
    record_for,
    sorted_findings,
    summary_line,
    tool_version,
    visible_controls,
)

__all__ = ["DOCS_URL", "render"]

_CSS = """
:root { color-scheme: light dark; --fg: #1f2328; --bg: #ffffff; --muted: #59636e; --line: #d1d9e0;
  --panel: #f6f8fa; --red: #cf222e; --red-bg: #ffebe9; --green: #1a7f37; --green-bg: #dafbe1;
  --amber: #9a6700; --amber-bg: #fff8c5; --blue: #0969da; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1;
  --line: #3d444d; --panel: #151b23; --red: #ff7b72; --red-bg: #4a1f1f; --green: #3fb950;
  --green-bg: #1b3a24; --amber: #d29922; --amber-bg: #3b2e0f; --blue: #4493f8; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 70rem; padding: 1.5rem; font: 15px/1.5 system-ui, sans-serif;
  color: var(--fg); background: var(--bg); }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
h2 { font-size: 1.15rem; margin: 0 0 .25rem; }
h3 { font-size: .8rem; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); margin: 1rem 0 .3rem; }
code { font-family: ui-monospace, monospace; font-size: .92em; }
a { color: var(--blue); }
.summary { font-size: 1.1rem; font-weight: 600; }
.counts { display: flex; gap: .5rem; flex-wrap: wrap; list-style: none; padding: 0; }
.badge { display: inline-block; padding: .05rem .55rem; border-radius: 1rem; font-size: .85rem; font-weight: 600; }
.verified .badge, .badge.verified { color: var(--green); background: var(--green-bg); }
.flagged .badge, .badge.flagged, .badge.error { color: var(--red); background: var(--red-bg); }
.unverified .badge, .badge.unverified, .badge.warning { color: var(--amber); background: var(--amber-bg); }
.badge.info, .badge.accepted { color: var(--blue); background: var(--panel); }
.toggle-label { display: inline-block; margin: .5rem 0 1rem; cursor: pointer; }
#only-attention:checked ~ main .claim.verified { display: none; }
.claim { border: 1px solid var(--line); border-left: .35rem solid var(--green); border-radius: .4rem;
  padding: 1rem 1.2rem; margin: 0 0 1rem; }
.claim.flagged { border-left-color: var(--red); }
.claim.unverified { border-left-color: var(--amber); }
.where { color: var(--muted); margin: 0; }
blockquote { margin: .3rem 0; padding: .4rem .8rem; background: var(--panel); border-left: 3px solid var(--line); }
.quote { margin: 0 0 .8rem; }
.against { color: var(--muted); font-size: .9rem; margin: .3rem 0 0; }
.diff { font-family: ui-monospace, monospace; font-size: .9rem; white-space: pre-wrap; padding: .4rem .8rem;
  border: 1px dashed var(--line); border-radius: .3rem; }
del { color: var(--red); background: var(--red-bg); text-decoration: line-through; }
ins { color: var(--green); background: var(--green-bg); text-decoration: none; font-weight: 600; }
.findings { padding-left: 1.2rem; }
.findings li { margin-bottom: .6rem; }
.accepted-reason { color: var(--muted); font-style: italic; }
table.facts { border-collapse: collapse; }
table.facts td, table.facts th { border: 1px solid var(--line); padding: .15rem .6rem; text-align: left; }
footer { color: var(--muted); font-size: .85rem; margin-top: 2rem; }
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def render(report: Report, *, color: bool = False) -> str:
    """The report as one self-contained HTML page."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_esc(_CSP)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>claimcheck report</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        *_header(report),
        '<input type="checkbox" id="only-attention">',
        '<label class="toggle-label" for="only-attention">Show only flagged and unverified claims</label>',
        "<main>",
    ]
    for index, result in enumerate(report.results, start=1):
        parts.extend(_claim(result, index))
    parts.append("</main>")
    parts.append(f"<footer>{_esc(TOOL_NAME)} {_esc(tool_version())}</footer>")
    parts.extend(["</body>", "</html>", ""])
    return "\n".join(parts)


def _esc(text: str) -> str:
    return html.escape(visible_controls(text), quote=True)


def _header(report: Report) -> list[str]:
    summary = report.summary
    notes = report.notes
    counts = [
        ("verified", summary.verified),
        ("flagged", summary.flagged),
        ("unverified", summary.unverified),
        ("accepted", summary.accepted),
    ]
    items = "".join(f'<li><span class="badge {name}">{count} {name}</span></li>' for name, count in counts)
    return [
        "<header>",
        "<h1>claimcheck report</h1>",
        f'<p class="summary">{_esc(summary_line(summary))}</p>',
        f'<ul class="counts">{items}</ul>',
        *(f'<p class="note">{_esc(note)}</p>' for note in notes),
        "</header>",
    ]


def _claim(result: ClaimResult, index: int) -> list[str]:
    claim = result.claim
    findings = sorted_findings(result)
    shown: set[int] = set()
    status = result.status.value
    parts = [
        f'<section class="claim {status}" id="claim-{index}">',
        f'<h2><span class="badge {status}">{status}</span> <code>{_esc(claim.id)}</code></h2>',
        f'<p class="where">{_esc(claim.file)}:{claim.line} · refs {_esc(", ".join(claim.refs))}</p>',
    ]
    if claim.text:
        parts.extend(["<h3>The article says</h3>", f'<blockquote class="article">{_esc(claim.text)}</blockquote>'])
    if claim.quotes:
        parts.append("<h3>Quotes</h3>")
        for quote in claim.quotes:
            parts.extend(_quote(quote, findings, shown))
    parts.extend(_sources(result))
    if findings:
        parts.append("<h3>Findings</h3>")
        parts.append('<ul class="findings">')
        for position, finding in enumerate(findings):
            parts.append(_finding(finding, evidence_shown=position in shown))
        parts.append("</ul>")
    if result.facts:
        parts.extend(_facts(result.facts))
    parts.append("</section>")
    return parts


def _quote(quote: Quote, findings: list[Finding], shown: set[int]) -> list[str]:
    """The quote, and the source passage it was matched to, with the word diff, when a finding has one."""
    parts = [
        '<div class="quote">',
        f'<p class="against">Quote, line {quote.line}:</p>',
        f'<blockquote class="quoted">{_esc(quote.text)}</blockquote>',
    ]
    position = _evidence_for(quote, findings)
    if position is None:
        parts.append('<p class="against">No finding for this quote.</p>')
    else:
        shown.add(position)
        parts.extend(_evidence_block(findings[position]))
    parts.append("</div>")
    return parts


def _evidence_for(quote: Quote, findings: list[Finding]) -> int | None:
    for position, finding in enumerate(findings):
        evidence = finding.evidence
        if not (evidence.diff or evidence.source_text):
            continue
        if evidence.article_text == quote.text or finding.line == quote.line:
            return position
    return None


def _evidence_block(finding: Finding) -> list[str]:
    evidence = finding.evidence
    parts: list[str] = []
    if evidence.source_text:
        parts.append(f'<p class="against">{_esc(_where_matched(finding))}</p>')
        parts.append(f'<blockquote class="source">{_esc(evidence.source_text)}</blockquote>')
    if evidence.diff:
        parts.append('<p class="against">Difference (<del>only in the source</del> <ins>only in the quote</ins>):</p>')
        parts.append(f'<p class="diff">{_merged_diff(evidence.diff)}</p>')
    return parts


def _where_matched(finding: Finding) -> str:
    evidence = finding.evidence
    place = [f"PMID {finding.pmid}"] if finding.pmid else []
    if evidence.field:
        place.append(evidence.field + (f" ({evidence.section})" if evidence.section else ""))
    if evidence.score is not None:
        place.append(f"score {evidence.score:.2f}")
    return "Source passage" + (f", {', '.join(place)}" if place else "") + ":"


def _merged_diff(diff: tuple[DiffOp, ...]) -> str:
    tags = {"-": "del", "+": "ins"}
    words: list[str] = []
    for op, text in diff_runs(diff):
        tag = tags.get(op)
        words.append(f"<{tag}>{_esc(text)}</{tag}>" if tag else _esc(text))
    return " ".join(words)


def _sources(result: ClaimResult) -> list[str]:
    if not result.pmids:
        return []
    parts = ["<h3>Sources</h3>", "<ul>"]
    for pmid in result.pmids:
        record = record_for(result, pmid)
        cited = f" {_esc(citation(record))}" if record is not None else ""
        parts.append(f'<li><a href="{_esc(pubmed_url(pmid))}">PMID {_esc(pmid)}</a>{cited}</li>')
    parts.append("</ul>")
    return parts


def _finding(finding: Finding, *, evidence_shown: bool) -> str:
    rule = finding.rule
    severity = finding.severity.label
    text = (
        f'<li class="finding {severity}"><span class="badge {severity}">{severity}</span> '
        f'<a href="{_esc(docs_url(rule))}"><code>{_esc(rule.code)}</code> {_esc(rule.name)}</a> '
        f"<code>{_esc(finding.file)}:{finding.line}</code>: {_esc(finding.message)}"
    )
    if finding.accepted is not None:
        reason = _esc(finding.accepted)
        text += f' <span class="badge accepted">accepted</span> <span class="accepted-reason">{reason}</span>'
    if not evidence_shown:
        text += _other_evidence(finding)
    return text + "</li>"


def _other_evidence(finding: Finding) -> str:
    evidence = finding.evidence
    if evidence.diff or evidence.source_text:
        return "".join(_evidence_block(finding))
    if evidence.record_value and evidence.record_value not in finding.message:
        return f'<p class="against">The record has: {_esc(evidence.record_value)}</p>'
    return ""


def _facts(facts: tuple[Fact, ...]) -> list[str]:
    rows = "".join(
        f"<tr><td>{_esc(fact.kind)}</td><td>{_esc(fact.value)}</td><td>{_esc(fact.origin)}</td></tr>" for fact in facts
    )
    return [
        "<h3>Facts read</h3>",
        f'<table class="facts"><tr><th>fact</th><th>value</th><th>read from</th></tr>{rows}</table>',
    ]

