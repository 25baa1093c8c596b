"""Reference checks: a PMID to check against, a citation that agrees with it, no retraction or notice (R4xx)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from claimcheck import rules
from claimcheck.checks.metadata import journal_matches, journal_names, record_dates
from claimcheck.facts import MONTHS, fold
from claimcheck.model import Author, Claim, Evidence, Finding, Record, Reference, Rule

_TITLE_SCORE = 90.0
_MONTH_WORD = r"(?:" + "|".join(name[:3].title() for name in MONTHS) + r")[a-z]*\.?"
# "2016 Jun 1;96(6):818-27": the date, volume, issue and pages that end a Vancouver-style citation.
_SOURCE = re.compile(
    rf"\.\s+(?P<year>(?:19|20)\d{{2}})(?:\s+{_MONTH_WORD}(?:\s+\d{{1,2}})?(?:-{_MONTH_WORD})?)?"
    r"(?:\s*;\s*(?P<volume>[\w-]+(?:\s+Suppl\s*\w*)?)?\s*(?:\((?P<issue>[^)]*)\))?"
    r"\s*(?::\s*(?P<pages>[A-Za-z]?\d+(?:[.\w]*\w)?(?:\s*-\s*[\w.]*\w)?))?)?"
    r"(?=[\s.;,]|$)"
)
_NOTICES = {"ErratumIn": "an erratum", "ExpressionOfConcernIn": "an expression of concern"}


@dataclass(frozen=True)
class Citation:
    """What a reference list's citation text says, as far as it could be read."""

    first_author: str = ""
    title_and_journal: str = ""
    """The text between the authors and the date, for checks that cannot trust where the title ends."""
    title: str = ""
    journal: str = ""
    year: int | None = None
    volume: str = ""
    pages: str = ""


def check_reference(claim: Claim, reference: Reference, record: Record | None) -> Iterator[Finding]:
    """Flag a reference with no PMID, a citation at odds with its record, and a retracted or corrected record."""
    if not reference.pmid:
        yield _unresolved(claim, reference)
        return
    if record is None:
        return
    if reference.citation:
        yield from _check_citation(claim, reference, record)
    yield from _check_retraction(claim, record)
    yield from _check_notices(claim, record)


def _finding(rule: Rule, claim: Claim, line: int, message: str, pmid: str | None, evidence: Evidence) -> Finding:
    return Finding.about(claim, rule, message, line=line, pmid=pmid, evidence=evidence)


def _unresolved(claim: Claim, reference: Reference) -> Finding:
    named = f" ({_clip(reference.citation)})" if reference.citation else ""
    doi = f"; its DOI {reference.doi} may resolve it" if reference.doi else ""
    message = f"Reference {reference.key}{named} has no PMID, so the claim cannot be checked against it{doi}."
    evidence = Evidence(field="pmid", article_text=reference.citation or reference.key, record_value="")
    return _finding(rules.CITATION_UNRESOLVED, claim, reference.line or claim.line, message, None, evidence)


def _clip(text: str, limit: int = 80) -> str:
    """The text, or its first words up to ``limit`` characters and an ellipsis."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " ..."


# --- R402 citation --------------------------------------------------------------------------


_SPACES = re.compile(r"\s+")
_LEADING_PAGES = re.compile(r"\s*([\w.]+(?:\s*-\s*[\w.]+)?)")
_TITLE_BRACKETS = re.compile(r"^\[|\]\.?$")


# Every claim citing a reference checks its citation again; the citation, being frozen, can be shared.
@lru_cache(maxsize=1024)
def parse_citation(text: str) -> Citation:
    """Read a Vancouver-style citation ("Svege I, ... Title. Physical therapy. 2016 Jun 1;96(6):818-27.")."""
    text = _SPACES.sub(" ", text).strip()
    # A title may hold a year too ("[Tobramycin. 1978 review]"): the date with a volume is the source's.
    candidates = list(_SOURCE.finditer(text))
    with_volume = [candidate for candidate in candidates if candidate.group("volume")]
    if not candidates:
        return Citation(first_author=_first_author(text.split(". ", 1)[0]))
    source = with_volume[0] if with_volume else candidates[-1]
    head = text[: source.start()]
    authors, _, rest = head.partition(". ")
    title, journal = _split_title_journal(rest)
    return Citation(
        first_author=_first_author(authors),
        title_and_journal=rest,
        title=title,
        journal=journal,
        year=int(source.group("year")),
        volume=source.group("volume") or "",
        pages=source.group("pages") or "",
    )


def _first_author(authors: str) -> str:
    """The first author's surname: a citation writes "Surname Initials" ("Granelli Ad", "da Silva Landim EMBM")."""
    words = authors.split(",", 1)[0].split()
    if len(words) > 1 and len(words[-1]) <= 5 and words[-1][0].isupper():
        words = words[:-1]
    return " ".join(words)


def _split_title_journal(text: str) -> tuple[str, str]:
    """The title and the journal: the journal is the last sentence before the date."""
    parts = text.rsplit(". ", 1)
    if len(parts) == 1:
        return "", parts[0].strip(" .")
    return parts[0].strip(" ."), parts[1].strip(" .")


def expand_pages(pages: str) -> tuple[str, str]:
    """First and last page of the first range, the last written out in full ("818-27, 830" -> ("818", "827"))."""
    leading = _LEADING_PAGES.match(pages)
    first, _, last = (leading.group(1) if leading else pages).replace(" ", "").lower().partition("-")
    if last and len(last) < len(first) and first[-len(last) :].isdigit() and last.isdigit():
        last = first[: len(first) - len(last)] + last
    return first, last or first


def citation_differences(citation: Citation, record: Record) -> list[tuple[str, str, str]]:
    """(field, cited, record) for every part of the citation that disagrees with the record."""
    differences: list[tuple[str, str, str]] = []
    years = {str(date.year) for _field, date in record_dates(record) if date.year is not None}
    if citation.year is not None and years and str(citation.year) not in years:
        differences.append(("year", str(citation.year), " or ".join(sorted(years))))
    if citation.journal and not _journal_cited(citation, record):
        differences.append(("journal", citation.journal, record.journal_title or record.iso_abbreviation))
    if citation.volume and record.volume and _volume_number(citation.volume) != _volume_number(record.volume):
        differences.append(("volume", citation.volume, record.volume))
    if citation.pages and record.pages and not _same_pages(citation.pages, record.pages):
        differences.append(("pages", citation.pages, record.pages))
    first_authors = _first_authors(record)
    if (
        citation.first_author
        and first_authors
        and not any(_same_author(citation.first_author, author) for author in first_authors)
    ):
        differences.append(("first author", citation.first_author, first_authors[0].display_name))
    if citation.title and record.title and not _title_cited(citation, record.title):
        differences.append(("title", citation.title, record.title))
    return differences


def _volume_number(volume: str) -> str:
    """The volume without leading zeros or a supplement ("56 Suppl 1" -> "56")."""
    return volume.split()[0].lstrip("0") if volume.split() else ""


def _same_pages(cited: str, recorded: str) -> bool:
    """True when the first pages agree and so do the last pages where both give one ("818-27", "818-827", "818")."""
    cited_first, cited_last = expand_pages(cited)
    recorded_first, recorded_last = expand_pages(recorded)
    if cited_first != recorded_first:
        return False
    ranges = "-" in cited and "-" in recorded
    return not ranges or cited_last == recorded_last


def _journal_cited(citation: Citation, record: Record) -> bool:
    """True when the cited journal is the record's, or the text before the date ends with one of its names."""
    if journal_matches(citation.journal, record):
        return True
    before_date = f" {fold(citation.title_and_journal)}"
    return any(before_date.endswith(f" {fold(name)}") for name in journal_names(record) if fold(name))


def _first_authors(record: Record) -> list[Author]:
    """The author a citation should name first: the first author, and the first person after a group name."""
    if not record.authors:
        return []
    people = [author for author in record.authors if not author.collective_name]
    if record.authors[0].collective_name and people:
        return [record.authors[0], people[0]]
    return [record.authors[0]]


def _same_author(cited: str, author: Author) -> bool:
    """True when the cited surname is the author's, allowing accents, case and a part of a compound surname."""
    wanted = fold(cited).split()
    if author.collective_name:
        return " ".join(wanted) in fold(author.collective_name)
    known = fold(author.last_name).split()
    if not wanted or not known:
        return False
    if "".join(wanted) == "".join(known) or wanted == known[-len(wanted) :] or wanted == known[: len(wanted)]:
        return True
    # A citation may keep a given name spelled out after the surname ("Maderka Martin").
    return wanted[: len(known)] == known


def _title_cited(citation: Citation, recorded: str) -> bool:
    """True when the cited title is the record's, allowing case, punctuation and a translated title's brackets."""
    bare = fold(_TITLE_BRACKETS.sub("", recorded.strip()))
    if fuzz.ratio(fold(citation.title), bare) >= _TITLE_SCORE:
        return True
    return fuzz.partial_ratio(bare, fold(citation.title_and_journal)) >= _TITLE_SCORE + 5


def _check_citation(claim: Claim, reference: Reference, record: Record) -> Iterator[Finding]:
    differences = _differences(reference.citation or "", record)
    if not differences:
        return
    listed = "; ".join(f'{field} (cited "{cited}", record "{known}")' for field, cited, known in differences)
    message = f"Reference {reference.key}'s citation disagrees with PMID {record.pmid} on {listed}."
    evidence = Evidence(
        field=", ".join(field for field, _cited, _known in differences),
        article_text=reference.citation or "",
        record_value="; ".join(f"{field}: {known}" for field, _cited, known in differences),
    )
    yield _finding(rules.CITATION_MISMATCH, claim, reference.line or claim.line, message, record.pmid, evidence)


# Every claim citing a reference asks the same question of the same record: it is answered once.
@lru_cache(maxsize=1024)
def _differences(citation_text: str, record: Record) -> tuple[tuple[str, str, str], ...]:
    return tuple(citation_differences(parse_citation(citation_text), record))


# --- R403 retraction, R404 notices ------------------------------------------------------------


def _check_retraction(claim: Claim, record: Record) -> Iterator[Finding]:
    notices = [link for link in record.comments_corrections if link.ref_type == "RetractionIn"]
    typed = "Retracted Publication" in record.publication_types
    if not notices and not typed:
        return
    notice_pmids = [link.pmid for link in notices if link.pmid]
    if notice_pmids:
        by = f"retraction notice PMID {', '.join(notice_pmids)}"
    else:
        by = "PubMed gives no PMID for the retraction notice"
    message = f"PMID {record.pmid} has been retracted ({by}); the claim rests on a withdrawn paper."
    field = "comments_corrections" if notices else "publication_types"
    shown = "; ".join(f"RetractionIn {link.ref_source} PMID {link.pmid or '?'}".strip() for link in notices)
    evidence = Evidence(field=field, record_value=shown or "Retracted Publication")
    yield _finding(rules.RETRACTED, claim, claim.line, message, record.pmid, evidence)


def _check_notices(claim: Claim, record: Record) -> Iterator[Finding]:
    for ref_type, kind in _NOTICES.items():
        notices = [link for link in record.comments_corrections if link.ref_type == ref_type]
        if not notices:
            continue
        pmids = ", ".join(link.pmid for link in notices if link.pmid) or "no PMID given"
        message = f"PMID {record.pmid} has {kind} (notice PMID {pmids}); read it before relying on the source."
        shown = "; ".join(f"{ref_type} {link.ref_source} PMID {link.pmid or '?'}" for link in notices)
        evidence = Evidence(field="comments_corrections", record_value=shown)
        yield _finding(rules.CORRECTION_NOTICE, claim, claim.line, message, record.pmid, evidence)
