"""Metadata checks: the journal, date, institutions, countries, authors, counts and design a claim gives (M2xx)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from functools import lru_cache

from rapidfuzz import fuzz

from claimcheck import rules
from claimcheck.facts import (
    COUNTRIES,
    DESIGN_FAMILIES,
    MONTHS,
    canonical_design,
    counts_in,
    country_for,
    fold,
    month_number,
    parse_count,
    parse_date,
    read_facts,
    surname_of,
)
from claimcheck.model import CheckSettings, Claim, Evidence, Fact, Finding, PartialDate, Record, Rule, Severity
from claimcheck.text import extract_numbers

_SMALL_WORDS = {"of", "and", "the", "for", "in", "on", "de", "la", "et", "y"}
_ARTICLE_TYPES = {
    "review", "reviews", "systematic", "research", "original", "article", "paper", "study", "letter",
    "editorial", "commentary", "report", "brief", "communication", "meta", "analysis",
}  # fmt: skip
_GENERIC_WORDS = {"journal", "international", "american", "british", "european", "annals", "archives", "bmc", "plos"}
_MISSPELLING_SCORE = 80.0
_SEASONS = {"spring": (3, 4, 5), "summer": (6, 7, 8), "fall": (9, 10, 11), "autumn": (9, 10, 11), "winter": (12, 1, 2)}
_INSTITUTION_FORMS = {
    "univ": "university", "universitetet": "university", "universite": "university", "universitat": "university",
    "universidad": "university", "universidade": "university", "universita": "university",
    "universiteit": "university", "universitaire": "university", "universitair": "university",
    "hosp": "hospital", "inst": "institute", "institutet": "institute", "centre": "center", "ctr": "center",
}  # fmt: skip
_US_STATES = (
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware", "Florida",
    "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine", "Maryland",
    "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada",
    "New Hampshire", "New Jersey", "New York", "North Carolina", "North Dakota", "Ohio", "Oklahoma", "Oregon",
    "Pennsylvania", "Rhode Island", "South Carolina", "South Dakota", "Tennessee", "Texas", "Utah", "Vermont",
    "Virginia", "Washington", "Wisconsin", "Wyoming",
)  # fmt: skip
# Places whose names contain a country's name: "New South Wales" is in Australia, not the UK.
_MISLEADING_PLACES = ("New South Wales", "New Mexico", "New England", "Guinea-Bissau", "Papua New Guinea")


def check_metadata(claim: Claim, record: Record, settings: CheckSettings) -> Iterator[Finding]:
    """Flag each fact the claim states (journal, date, place, author, count, design) that the record contradicts."""
    facts = read_facts(claim)
    for fact in facts:
        if fact.kind == "journal":
            yield from _check_journal(claim, fact, record)
        elif fact.kind == "date":
            yield from _check_date(claim, fact, record)
        elif fact.kind == "author":
            yield from _check_author(claim, fact, record)
        elif fact.kind == "count":
            yield from _check_count(claim, fact, record)
        elif fact.kind == "design":
            yield from _check_design(claim, fact, record)
    yield from _check_institutions(claim, [fact for fact in facts if fact.kind == "institution"], record)
    yield from _check_countries(claim, [fact for fact in facts if fact.kind == "country"], record)


def _not_checkable(rule: Rule, claim: Claim, record: Record, facts: list[Fact], reason: str) -> Finding:
    """An info finding: the record gives nothing to check these facts against, so nothing is flagged."""
    kinds = {rules.INSTITUTION_MISMATCH.code: "institutions", rules.COUNTRY_MISMATCH.code: "countries"}
    names = ", ".join(fact.value for fact in facts)
    message = f"The {kinds.get(rule.code, 'facts')} the claim names ({names}) could not be checked: {reason}."
    return _finding(
        rule, claim, record, facts[0], message, field="affiliations", record_value="", severity=Severity.INFO, article_text=names
    )


def _finding(
    rule: Rule,
    claim: Claim,
    record: Record,
    fact: Fact | None,
    message: str,
    *,
    field: str,
    record_value: str,
    severity: Severity | None = None,
    article_text: str = "",
) -> Finding:
    """A finding placed at the claim, or at its ``stated:`` block when the fact came from there."""
    line = claim.line
    if fact is not None and fact.origin == "stated" and claim.stated.line:
        line = claim.stated.line
    evidence = Evidence(field=field, record_value=record_value, article_text=article_text or (fact.value if fact else ""))
    return Finding.about(claim, rule, message, line=line, pmid=record.pmid, evidence=evidence, severity=severity)


# --- M201 journal ---------------------------------------------------------------------------


def journal_names(record: Record) -> list[str]:
    """The names PubMed gives the record's journal: title, ISO abbreviation, MEDLINE abbreviation."""
    names = [record.journal_title, record.iso_abbreviation, record.medline_ta]
    return [name for name in dict.fromkeys(names) if name]


@lru_cache(maxsize=4096)
def _journal_words(name: str) -> tuple[str, ...]:
    """A journal name as comparable words: no parentheses, accents, case, 'The', small words; BMC for BioMed Central."""
    bare = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", name)
    words = fold(bare).replace("biomed central", "bmc").split()
    return tuple(word for word in words if word not in _SMALL_WORDS)


def _same_journal_words(named: tuple[str, ...], known: tuple[str, ...]) -> bool:
    """True when the words are one name: equal, abbreviated word by word (ISO), an acronym, or its first half."""
    if not named or not known:
        return False
    if named == known or "".join(named) == "".join(known):
        return True
    if _is_acronym(named, known) or _is_acronym(known, named):
        return True
    if len(named) == len(known):
        return _abbreviates(named, known)
    # A name cut short ("Proceedings of the National Academy of Sciences" for "... of the United States of
    # America", "Pharmacological" for "Pharmacological reports") is taken as the journal: precision first.
    if len(named) == 1 and named[0] in _GENERIC_WORDS:
        return False
    return len(named) < len(known) and _abbreviates(named, known[: len(named)])


def _abbreviates(first: tuple[str, ...], second: tuple[str, ...]) -> bool:
    return all(a.startswith(b) or b.startswith(a) for a, b in zip(first, second, strict=True))


def _is_acronym(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    """True for "JAMA" and "Journal of the American Medical Association"."""
    return len(short) == 1 and len(long) > 1 and short[0] == "".join(word[0] for word in long)


def _known_variants(record: Record) -> tuple[tuple[str, ...], ...]:
    """The record's journal names as words, also without a subtitle ("Journal of X : official journal of Y")
    and cut where an article's name would stop ("Circulation. Cardiovascular imaging", "Light, science & ...")."""
    return _variants_of_names(tuple(journal_names(record)))


# Keyed by the names rather than the record: many records share a journal, and the key is cheap to hash.
@lru_cache(maxsize=4096)
def _variants_of_names(names: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    variants: list[tuple[str, ...]] = []
    for known in names:
        cuts = (re.split(r"\s*:\s", known)[0], known.split(". ")[0], known.split(". ")[-1], known.split(", ")[0])
        for text in (known, *cuts):
            words = _journal_words(text)
            if words and words not in variants:
                variants.append(words)
    return tuple(variants)


def journal_matches(name: str, record: Record) -> bool:
    """True when ``name`` is the record's journal under any accepted variant."""
    named = _journal_words(name)
    variants = _known_variants(record)
    while named:
        if any(_same_journal_words(named, known) for known in variants):
            return True
        # An article-type word before the name ("Review Biology") is house style, not another journal.
        if named[0] not in _ARTICLE_TYPES:
            return False
        named = named[1:]
    return False


def closest_journal(name: str, record: Record) -> tuple[str, float]:
    """The record's journal name most like ``name``, and how alike they are (0-100)."""
    squeezed = "".join(_journal_words(name))
    best = ("", 0.0)
    for known in journal_names(record):
        score = fuzz.ratio(squeezed, "".join(_journal_words(known)))
        if score > best[1]:
            best = (known, score)
    return best


def _check_journal(claim: Claim, fact: Fact, record: Record) -> Iterator[Finding]:
    if not journal_names(record) or journal_matches(fact.value, record):
        return
    if set(_journal_words(fact.value)) <= _GENERIC_WORDS:
        return  # "Journal" alone says too little to be wrong
    known = record.journal_title or journal_names(record)[0]
    closest, score = closest_journal(fact.value, record)
    if score >= _MISSPELLING_SCORE:
        message = (
            f'The journal "{fact.value}" looks like a misspelling of "{closest}", the journal of PMID {record.pmid}.'
        )
    else:
        message = f'The claim names the journal "{fact.value}", but the journal of PMID {record.pmid} is "{known}".'
    yield _finding(rules.JOURNAL_MISMATCH, claim, record, fact, message, field="journal", record_value=known)


# --- M202 date ------------------------------------------------------------------------------


_DATE_NAMES = {"pub_date": "print date", "article_date": "electronic date"}


def record_dates(record: Record) -> list[tuple[str, PartialDate]]:
    """The record's print and electronic dates that have a year, labelled by field."""
    dates = [("pub_date", record.pub_date), ("article_date", record.article_date)]
    return [(field, date) for field, date in dates if date is not None and _years_of(date)]


_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_LETTERS = re.compile(r"[A-Za-z]+")


def _years_of(date: PartialDate) -> set[int]:
    years = {int(year) for year in _YEAR.findall(date.raw)}
    if date.year is not None:
        years.add(date.year)
    return years


def _months_of(date: PartialDate) -> set[int]:
    """The months a date stands for: its month, or those its raw text names ("Nov-Dec", "Spring")."""
    if date.month is not None:
        return {date.month}
    months: set[int] = set()
    for word in _LETTERS.findall(date.raw):
        lowered = word.lower()
        if lowered in _SEASONS:
            months.update(_SEASONS[lowered])
        month = month_number(word)
        if month is not None:
            months.add(month)
    return months


def date_matches(year: int, month: int | None, date: PartialDate) -> bool:
    """True when (year, month) fits the date; a date without a month fits any month of its year."""
    if year not in _years_of(date):
        return False
    months = _months_of(date)
    return month is None or not months or month in months


def format_date(date: PartialDate) -> str:
    """A record date as people read it: "2021 Dec", "2016 Jun 1", or its raw text."""
    if date.year is None:
        return date.raw
    parts = [str(date.year)]
    if date.month is not None:
        parts.append(list(MONTHS)[date.month - 1][:3].title())
        if date.day is not None:
            parts.append(str(date.day))
    elif date.raw:
        return date.raw
    return " ".join(parts)


def _check_date(claim: Claim, fact: Fact, record: Record) -> Iterator[Finding]:
    year, month = parse_date(fact.value)
    dates = record_dates(record)
    if year is None or not dates:
        return
    if any(date_matches(year, month, date) for _field, date in dates):
        return
    shown = " and ".join(f"{_DATE_NAMES[field]} {format_date(date)}" for field, date in dates)
    message = f'The claim dates the source "{fact.value}", but PMID {record.pmid} has {shown}.'
    field = ", ".join(field for field, _date in dates)
    yield _finding(rules.DATE_MISMATCH, claim, record, fact, message, field=field, record_value=shown)


# --- M203 institutions, M204 countries ------------------------------------------------------


# The same affiliations come back with every claim citing the record: their words are worth keeping.
@lru_cache(maxsize=8192)
def _institution_words(text: str) -> frozenset[str]:
    words = [_INSTITUTION_FORMS.get(word, word) for word in fold(text).split()]
    return frozenset(word for word in words if word not in _SMALL_WORDS and word != "at")


def institution_in(name: str, affiliation: str) -> bool:
    """True when every word of the institution is in the affiliation ("Oslo University" in "University of Oslo")."""
    wanted = _institution_words(name)
    return bool(wanted) and wanted <= _institution_words(affiliation)


def _short(texts: tuple[str, ...], limit: int = 2) -> str:
    shown = "; ".join(f'"{text}"' for text in texts[:limit])
    return shown + (f" and {len(texts) - limit} more" if len(texts) > limit else "")


def _check_institutions(claim: Claim, facts: list[Fact], record: Record) -> Iterator[Finding]:
    if not facts:
        return
    affiliations = record.affiliations
    if not affiliations:
        yield _not_checkable(rules.INSTITUTION_MISMATCH, claim, record, facts, f"PMID {record.pmid} lists no affiliations")
        return
    for fact in facts:
        if any(institution_in(fact.value, affiliation) for affiliation in affiliations):
            continue
        message = (
            f'The claim credits "{fact.value}", but no affiliation of the authors of PMID {record.pmid} names it '
            f"({_short(affiliations)})."
        )
        yield _finding(
            rules.INSTITUTION_MISMATCH,
            claim,
            record,
            fact,
            message,
            field="affiliations",
            record_value="; ".join(affiliations),
        )


def _affiliation_name_forms() -> tuple[list[tuple[str, re.Pattern[str]]], list[tuple[str, str]]]:
    """How each country name is sought in an affiliation: short capitals ("UK", "U.S.") as written, with a
    pattern; every other name folded, with a space either side, to be found among the affiliation's folded words."""
    as_written: list[tuple[str, re.Pattern[str]]] = []
    folded: list[tuple[str, str]] = []
    for country, aliases in COUNTRIES.items():
        for name in (country, *aliases):
            if len(name.replace(".", "")) <= 3 and name.isupper():
                as_written.append((country, re.compile(rf"(?<![\w.]){re.escape(name)}(?![\w])")))
            else:
                folded.append((country, f" {fold(name)} "))
    return as_written, folded


_COUNTRY_NAMES_AS_WRITTEN, _FOLDED_COUNTRY_NAMES = _affiliation_name_forms()
_FOLDED_US_STATES = tuple(f" {fold(state)} " for state in _US_STATES)
_US_ZIP_CODE = re.compile(r"\b[A-Z]{2}\s+\d{5}\b")


def countries_of_affiliation(affiliation: str) -> set[str]:
    """The countries an affiliation names, by name, other name or US state."""
    return set(_countries_named_in(affiliation))


# Records share affiliations, and every claim citing a record asks again: read each affiliation once.
@lru_cache(maxsize=8192)
def _countries_named_in(affiliation: str) -> frozenset[str]:
    text = affiliation
    for place in _MISLEADING_PLACES:
        text = text.replace(place, " ")
    folded = f" {fold(text)} "
    found: set[str] = set()
    for country, pattern in _COUNTRY_NAMES_AS_WRITTEN:
        if pattern.search(text):
            found.add(country)
    for country, name in _FOLDED_COUNTRY_NAMES:
        if name in folded:
            found.add(country)
    if any(state in folded for state in _FOLDED_US_STATES) or _US_ZIP_CODE.search(text):
        found.add("United States")
    return frozenset(found)


def _check_countries(claim: Claim, facts: list[Fact], record: Record) -> Iterator[Finding]:
    if not facts:
        return
    found: set[str] = set()
    for affiliation in record.affiliations:
        found |= _countries_named_in(affiliation)
    if not found:
        why = "names a country" if record.affiliations else "is listed"
        reason = f"no affiliation of PMID {record.pmid} {why}"
        yield _not_checkable(rules.COUNTRY_MISMATCH, claim, record, facts, reason)
        return
    for fact in facts:
        country = country_for(fact.value)
        if country in found:
            continue
        if country is None and any(fold(fact.value) in fold(affiliation) for affiliation in record.affiliations):
            continue
        listed = ", ".join(sorted(found))
        message = (
            f'The claim places the study in "{fact.value}", but the affiliations of PMID {record.pmid} '
            f"name only {listed}."
        )
        yield _finding(rules.COUNTRY_MISMATCH, claim, record, fact, message, field="affiliations", record_value=listed)


# --- M205 authors ---------------------------------------------------------------------------


def author_named(name: str, record: Record) -> bool:
    """True when the surname is one of the record's authors' (case, accents, hyphens and particles aside)."""
    wanted = fold(surname_of(name)).split()
    if not wanted:
        return True
    for author in record.authors:
        if author.collective_name and " ".join(wanted) in fold(author.collective_name):
            return True
        last = fold(author.last_name).split()
        if last and (wanted == last[-len(wanted) :] or "".join(wanted) == "".join(last)):
            return True
        # "Allaines" for "d'Allaines", "Donnell" for "O'Donnell": a short prefix glued to the surname.
        if last and "".join(last).endswith("".join(wanted)) and len("".join(last)) - len("".join(wanted)) <= 3:
            return True
    return False


def _check_author(claim: Claim, fact: Fact, record: Record) -> Iterator[Finding]:
    if not record.authors or author_named(fact.value, record):
        return
    names = ", ".join(author.display_name for author in record.authors[:6])
    more = " ..." if len(record.authors) > 6 else ""
    message = f'The claim names "{fact.value}" as an author, but the authors of PMID {record.pmid} are {names}{more}.'
    yield _finding(rules.AUTHOR_MISMATCH, claim, record, fact, message, field="authors", record_value=names + more)


# --- M206 counts ----------------------------------------------------------------------------


def numbers_in(text: str) -> list[int]:
    """The whole numbers a text gives, in digits or in words, in order."""
    return [int(mention.value) for mention in extract_numbers(text) if mention.value.is_integer()]


@lru_cache(maxsize=1024)
def _count_given(count: int, text: str) -> bool:
    """count_found over the numbers of ``text``, trying first the passages that write the count in digits."""
    # No number runs across a full stop and a space, so a passage between two of them that gives the count
    # shows that the text gives it, and its numbers are far quicker to read than a whole abstract's.
    digits = str(count)
    for passage in text.split(". "):
        if digits in passage and count in numbers_in(passage):
            return True
    return count_found(count, _numbers_of(text))


# A record's title and abstract are read for every claim that gives a count from it: read them once.
@lru_cache(maxsize=1024)
def _numbers_of(text: str) -> tuple[int, ...]:
    return tuple(numbers_in(text))


def count_found(count: int, numbers: Sequence[int]) -> bool:
    """True when the count is one of the numbers, or the sum of two given one after the other (12 and 7 -> 19)."""
    if count in numbers:
        return True
    return any(first + second == count for first, second in itertools.pairwise(numbers))


def _check_count(claim: Claim, fact: Fact, record: Record) -> Iterator[Finding]:
    count = parse_count(fact.value)
    if count is None or not record.abstract:
        return
    if _count_given(count, f"{record.title} {record.abstract}"):
        return
    found = list(dict.fromkeys(counts_in(record.abstract)))
    in_source = f' (it counts {", ".join(found)})' if found else ""
    message = (
        f'The claim gives "{fact.value}", but no count of {count} is in the title or abstract of PMID {record.pmid}'
        f"{in_source}."
    )
    # The counts the abstract gives are the evidence; the whole abstract would bury them.
    record_value = "; ".join(found) or record.abstract
    yield _finding(rules.COUNT_MISMATCH, claim, record, fact, message, field="abstract", record_value=record_value)


# --- M207 design ----------------------------------------------------------------------------

_TYPE_FAMILIES = (
    ("Randomized Controlled Trial", "trial"),
    ("Clinical Trial", "trial"),
    ("Controlled Clinical Trial", "trial"),
    ("Pragmatic Clinical Trial", "trial"),
    ("Equivalence Trial", "trial"),
    ("Adaptive Clinical Trial", "trial"),
    ("Meta-Analysis", "review"),
    ("Network Meta-Analysis", "review"),
    ("Systematic Review", "review"),
    ("Scoping Review", "review"),
    ("Review", "review"),
    ("Observational Study", "observational"),
    ("Twin Study", "observational"),
    ("Case Reports", "case report"),
)
_TITLE_FAMILY_TEXTS = (
    (r"systematic review|meta-?analys[ie]s|scoping review|narrative review|umbrella review|literature review|"
     r"\breview of\b|: a review\b", "review"),
    (r"randomi[sz]ed|clinical trial|controlled trial", "trial"),
    (r"cohort|cross-?sectional|case-?control|retrospective|prospective|observational|exploratory study|"
     r"registry", "observational"),
    (r"case report|a case of\b|case series", "case report"),
)  # fmt: skip
_TITLE_FAMILIES = tuple((re.compile(pattern, re.IGNORECASE), family) for pattern, family in _TITLE_FAMILY_TEXTS)
# Words in the abstract that confirm the claim's design even when the types and title suggest another.
_ABSTRACT_CONFIRMS = {
    "randomized trial": (
        r"(?:were|was|we) randomi[sz]ed|randomly (?:assigned|allocated)|"
        r"randomi[sz]ed (?:controlled |clinical )?trial\b(?!s)"
    ),
    "systematic review": r"systematic(?:ally)? (?:review|search)\b(?!s)|databases? (?:were|was) searched|we searched",
    "meta-analysis": r"meta-?analysis\b|(?:data|results|estimates) were pooled",
    "scoping review": r"scoping review\b(?!s)",
    "review": r"\breview of (?:the )?literature|(?:narrative|literature) review\b(?!s)",
    "chart review": r"(?:medical|health|patient|clinical|hospital|electronic) records|chart review|charts were",
    "cohort study": r"\bcohort\b(?! studies)",
    "case-control study": r"case-?control study\b(?!s)",
    "cross-sectional study": r"cross-?sectional (?:study|survey|analysis)\b(?!s)",
    "observational study": r"observational study\b(?!s)",
    "case report": r"case report\b(?!s)|we (?:report|describe|present) (?:a|the) case",
}


_FAMILY_NAMES = {
    "review": "a review",
    "trial": "a trial",
    "observational": "an observational study",
    "case report": "a case report",
}


def record_design_families(record: Record) -> set[str]:
    """The design families the record's publication types and title give (empty when they say nothing)."""
    return set(_design_families(record.publication_types, record.title))


# Every claim citing a record that names a design asks again; the types and title are all the answer needs.
@lru_cache(maxsize=1024)
def _design_families(publication_types: tuple[str, ...], title: str) -> frozenset[str]:
    families = set()
    for publication_type in publication_types:
        for known, family in _TYPE_FAMILIES:
            if publication_type == known or (known == "Clinical Trial" and publication_type.startswith(known)):
                families.add(family)
    for pattern, family in _TITLE_FAMILIES:
        if pattern.search(title):
            families.add(family)
    return frozenset(families)


def _check_design(claim: Claim, fact: Fact, record: Record) -> Iterator[Finding]:
    design = canonical_design(fact.value)
    family = DESIGN_FAMILIES.get(design or "")
    families = _design_families(record.publication_types, record.title)
    if family is None or not families or family in families:
        return
    if re.search(_ABSTRACT_CONFIRMS.get(design or "", r"(?!)"), record.abstract, flags=re.IGNORECASE):
        return
    shown = ", ".join(record.publication_types) or record.title
    kinds = " or ".join(_FAMILY_NAMES[family] for family in sorted(families))
    message = (
        f'The claim describes the study as "{fact.value}" ({design}), but the publication types and title of '
        f"PMID {record.pmid} make it {kinds} ({shown})."
    )
    yield _finding(rules.DESIGN_MISMATCH, claim, record, fact, message, field="publication_types", record_value=shown)
