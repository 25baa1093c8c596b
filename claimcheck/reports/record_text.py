"""A PubMed record as readable text, for ``claimcheck show``."""

from __future__ import annotations

from claimcheck.model import PartialDate, Record


def _date(date: PartialDate | None) -> str:
    if date is None:
        return ""
    if date.year is None:
        return date.raw
    parts = [f"{date.year:04d}"]
    if date.month:
        parts.append(f"{date.month:02d}")
        if date.day:
            parts.append(f"{date.day:02d}")
    return "-".join(parts)


def describe_record(record: Record) -> str:
    """The record's citation, identifiers, notices and abstract, one field a line."""
    lines = [f"PMID {record.pmid}: {record.title}"]
    journal = record.journal_title or record.medline_ta
    if record.iso_abbreviation and record.iso_abbreviation != journal:
        journal += f" ({record.iso_abbreviation})"
    fields = [
        ("Journal", journal),
        ("Volume", " ".join(part for part in (record.volume, f"({record.issue})" if record.issue else "") if part)),
        ("Pages", record.pages),
        ("Published", _date(record.pub_date)),
        ("Electronic", _date(record.article_date)),
        ("Authors", ", ".join(author.display_name for author in record.authors)),
        ("Types", "; ".join(record.publication_types)),
        ("DOI", record.doi or ""),
        ("PMCID", record.pmcid or ""),
    ]
    for label, value in fields:
        if value:
            lines.append(f"{label + ':':<12}{value}")
    for affiliation in record.affiliations:
        lines.append(f"{'Affiliation:':<12}{affiliation}")
    for notice in record.comments_corrections:
        if notice.ref_type.startswith(("Retraction", "Erratum", "ExpressionOfConcern")):
            target = f" PMID {notice.pmid}" if notice.pmid else ""
            lines.append(f"{'Notice:':<12}{notice.ref_type}{target} {notice.ref_source}".rstrip())
    lines.append("")
    if not record.abstract_sections:
        lines.append("(no abstract)")
    for section in record.abstract_sections:
        prefix = f"{section.label}: " if section.label else ""
        lines.append(f"{prefix}{section.text}")
    return "\n".join(lines) + "\n"
