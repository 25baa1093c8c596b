"""What every report format shares: the version, the summary line, citations, links, word diffs."""

from __future__ import annotations

import importlib.metadata
import re

from claimcheck.model import ClaimResult, DiffOp, Fact, Finding, PartialDate, Record, Report, Rule, Summary

TOOL_NAME = "claimcheck"
INFORMATION_URI = "https://github.com/claimcheck/claimcheck"
DOCS_URL = "https://github.com/claimcheck/claimcheck/blob/main/docs/rules.md"
"""Where the rule docs live online; a rule's section is ``DOCS_URL#q102``."""
RELATIVE_DOCS = "docs/rules.md"
PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/"

_LINE_BREAKS = re.compile(r"\r\n|[\r\n\t\v\f\x85\u2028\u2029]")
# Control characters (other than tab and line breaks) and bidirectional overrides, which can drive a
# terminal or make a line read differently from what it contains ("Trojan source").
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def tool_version() -> str:
    """claimcheck's version: ``claimcheck.__version__``, else the installed distribution's."""
    import claimcheck  # here, not at the top: claimcheck/__init__.py imports this package

    version = getattr(claimcheck, "__version__", None)
    if isinstance(version, str) and version:
        return version
    try:
        return importlib.metadata.version("claimcheck")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


def summary_line(summary: Summary) -> str:
    """``36 claims: 30 verified, 5 flagged, 1 unverified`` (``, 2 accepted`` when any)."""
    line = (
        f"{summary.claims} claims: {summary.verified} verified, "
        f"{summary.flagged} flagged, {summary.unverified} unverified"
    )
    if summary.accepted:
        line += f", {summary.accepted} accepted"
    return line


def sorted_findings(result: ClaimResult) -> list[Finding]:
    """The claim's findings in report order (place, code, message; then PMID, so ties are ordered too)."""
    return sorted(result.findings, key=lambda finding: (finding.sort_key(), finding.pmid or "", finding.accepted or ""))


def results_by_file(report: Report) -> dict[str, list[ClaimResult]]:
    """The report's results grouped by claims file, files and claims in report order."""
    groups: dict[str, list[ClaimResult]] = {}
    for result in report.results:
        groups.setdefault(result.claim.file, []).append(result)
    return groups


def one_line(text: str) -> str:
    """The text with line breaks and tabs turned into spaces, for formats that are one line per item."""
    return _LINE_BREAKS.sub(" ", text)


def visible_controls(text: str) -> str:
    """The text with control and bidi characters written as ``\\x1b`` / ``\\u202e`` escapes."""
    return _INVISIBLE.sub(_escape_char, text)


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def docs_anchor(rule: Rule) -> str:
    """The rule's section anchor in docs/rules.md (``q102``)."""
    return rule.code.lower()


def docs_url(rule: Rule) -> str:
    """The absolute link to the rule's docs."""
    return f"{DOCS_URL}#{docs_anchor(rule)}"


def relative_docs_url(rule: Rule) -> str:
    """The link to the rule's docs relative to the repository root."""
    return f"{RELATIVE_DOCS}#{docs_anchor(rule)}"


def pubmed_url(pmid: str) -> str:
    """The record's page on PubMed."""
    # A PMID is digits; anything else is encoded so it stays inside one path segment.
    segment = pmid if pmid.isascii() and pmid.isdigit() else _percent_encode(pmid)
    return f"{PUBMED_URL}{segment}/"


_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _percent_encode(text: str) -> str:
    return "".join(char if char in _UNRESERVED else "".join(f"%{byte:02X}" for byte in char.encode()) for char in text)


def facts_text(facts: tuple[Fact, ...]) -> str:
    """``journal=Physical Therapy (text), date=2017-10 (stated)``."""
    return ", ".join(f"{fact.kind}={fact.value} ({fact.origin})" for fact in facts)


def diff_runs(diff: tuple[DiffOp, ...], ops: str = "=-+") -> list[tuple[str, str]]:
    """The diff's steps of the given kinds, consecutive words of one kind joined into one run."""
    runs: list[tuple[str, list[str]]] = []
    for op, word in diff:
        if op not in ops:
            continue
        if runs and runs[-1][0] == op:
            runs[-1][1].append(word)
        else:
            runs.append((op, [word]))
    return [(op, " ".join(words)) for op, words in runs]


def record_for(result: ClaimResult, pmid: str) -> Record | None:
    """The cited record with this PMID, if the report carries it."""
    for record in result.records:
        if record.pmid == pmid:
            return record
    return None


def citation(record: Record) -> str:
    """A short Vancouver-style citation: authors, title, journal, date, volume, pages, DOI."""
    parts: list[str] = []
    authors = _authors(record)
    if authors:
        parts.append(authors + ".")
    if record.title:
        title = record.title.strip()
        parts.append(title if title.endswith((".", "?", "!")) else title + ".")
    journal = record.iso_abbreviation or record.journal_title or record.medline_ta
    where = _volume_pages(record)
    year = _date_text(record.pub_date)
    tail = "".join(part for part in (year, where) if part)
    if journal:
        parts.append(f"{journal}." + (f" {tail}." if tail else ""))
    elif tail:
        parts.append(f"{tail}.")
    if record.doi:
        parts.append(f"doi:{record.doi}")
    return " ".join(parts)


def _authors(record: Record) -> str:
    names: list[str] = []
    for author in record.authors:
        name = author.display_name
        if not name:
            continue
        if len(names) == 3:
            return ", ".join(names) + ", et al"
        names.append(name)
    return ", ".join(names)


def _volume_pages(record: Record) -> str:
    text = ""
    if record.volume:
        text += f";{record.volume}"
    if record.issue:
        text += f"({record.issue})"
    if record.pages:
        text += f":{record.pages}"
    return text


def _date_text(date: PartialDate | None) -> str:
    if date is None:
        return ""
    if date.year is None:
        return date.raw
    return str(date.year)
