"""The data model: claims, PubMed records, findings and reports, as plain frozen dataclasses."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from functools import cached_property


class Severity(enum.IntEnum):
    """How serious a finding is; ordered so that ``severity >= fail_on`` reads naturally."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        """The lower-case name used in reports and options (``info``, ``warning``, ``error``)."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Read ``info``, ``warning`` or ``error`` (any case); raise ValueError otherwise."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (use info, warning or error)") from None


class Status(enum.Enum):
    """The verdict on one claim."""

    VERIFIED = "verified"
    FLAGGED = "flagged"
    UNVERIFIED = "unverified"


# --- claims files -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Article:
    """The article a claims file records (all optional)."""

    title: str | None = None
    url: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Reference:
    """One entry of the article's reference list, under the article's own label."""

    key: str
    line: int
    citation: str | None = None
    pmid: str | None = None
    doi: str | None = None


@dataclass(frozen=True)
class Quote:
    """A passage the article presents as the source's own words."""

    text: str
    line: int


@dataclass(frozen=True)
class Stated:
    """Facts a claim asserts that are not in its text (``stated:`` in the claims file)."""

    journal: str | None = None
    date: str | None = None
    institution: str | None = None
    country: str | None = None
    sample_size: int | None = None
    author: str | None = None
    design: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Claim:
    """One claim of an article about one or more of its references."""

    id: str
    refs: tuple[str, ...]
    file: str
    line: int
    text: str | None = None
    quotes: tuple[Quote, ...] = ()
    stated: Stated = field(default_factory=Stated)
    accept: tuple[tuple[str, str], ...] = ()
    accept_lines: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class ClaimsFile:
    """A parsed and validated claims file."""

    path: str
    version: int
    article: Article
    references: tuple[Reference, ...]
    claims: tuple[Claim, ...]

    def reference(self, key: str) -> Reference | None:
        """The reference with this label, or None."""
        return self._references_by_key.get(key)

    @cached_property
    def _references_by_key(self) -> dict[str, Reference]:
        # Every claim asks for its references several times; a file may list hundreds.
        by_key: dict[str, Reference] = {}
        for reference in self.references:
            by_key.setdefault(reference.key, reference)
        return by_key


# --- PubMed records ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PartialDate:
    """A PubMed date that may lack its month or day; ``raw`` keeps MedlineDate and Season text."""

    year: int | None
    month: int | None = None
    day: int | None = None
    raw: str = ""


@dataclass(frozen=True)
class AbstractSection:
    """One labelled part of an abstract (a single unlabelled part has label "")."""

    label: str
    category: str
    text: str


@dataclass(frozen=True)
class Author:
    """An author: a person (last name, fore name, initials) or a collective name."""

    last_name: str = ""
    fore_name: str = ""
    initials: str = ""
    collective_name: str = ""
    affiliations: tuple[str, ...] = ()

    @property
    def display_name(self) -> str:
        """"Last FM" for a person, the collective name otherwise."""
        if self.collective_name:
            return self.collective_name
        return f"{self.last_name} {self.initials}".strip()


@dataclass(frozen=True)
class CommentCorrection:
    """A link to a related notice: RetractionIn, ErratumIn, ExpressionOfConcernIn, ..."""

    ref_type: str
    ref_source: str = ""
    pmid: str | None = None


@dataclass(frozen=True)
class Record:
    """A PubMed record, as read from PubmedArticle or PubmedBookArticle XML."""

    pmid: str
    title: str
    abstract_sections: tuple[AbstractSection, ...] = ()
    journal_title: str = ""
    iso_abbreviation: str = ""
    medline_ta: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    pub_date: PartialDate | None = None
    article_date: PartialDate | None = None
    authors: tuple[Author, ...] = ()
    publication_types: tuple[str, ...] = ()
    mesh_headings: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    doi: str | None = None
    pmcid: str | None = None
    comments_corrections: tuple[CommentCorrection, ...] = ()
    is_book: bool = False

    @cached_property
    def abstract(self) -> str:
        """The abstract as plain text: its sections joined by single spaces (joined once: every check reads it)."""
        return " ".join(section.text for section in self.abstract_sections)

    @property
    def affiliations(self) -> tuple[str, ...]:
        """Every distinct affiliation of every author, in order."""
        seen: dict[str, None] = {}
        for author in self.authors:
            for affiliation in author.affiliations:
                seen.setdefault(affiliation, None)
        return tuple(seen)


# --- findings and reports ---------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One entry of the rule table: everything claimcheck can report."""

    code: str
    name: str
    severity: Severity
    summary: str
    explanation: str
    example: str
    fix: str

    @property
    def title(self) -> str:
        """"Q102 quote-altered"."""
        return f"{self.code} {self.name}"

    def __reduce__(self) -> str | tuple[object, ...]:
        # A rule of the table unpickles as the table's own object, so `finding.rule is rules.X`
        # still holds for findings made in a worker process (--jobs).
        from claimcheck import rules

        if rules.rule_by_code(self.code) is self:
            return (rules.rule_by_code, (self.code,))
        return (Rule, (self.code, self.name, self.severity, self.summary, self.explanation, self.example, self.fix))


DiffOp = tuple[str, str]
"""One step of a word diff: ("=", word), ("-", word from the source) or ("+", word of the article)."""


@dataclass(frozen=True)
class Evidence:
    """What justifies a finding: the words compared, where they are, how well they matched."""

    field: str = ""
    section: str = ""
    article_text: str = ""
    source_text: str = ""
    start: int | None = None
    end: int | None = None
    score: float | None = None
    diff: tuple[DiffOp, ...] = ()
    record_value: str = ""


@dataclass(frozen=True)
class Finding:
    """One problem found with one claim, with the evidence an editor needs to judge it."""

    rule: Rule
    severity: Severity
    message: str
    file: str
    line: int
    claim_id: str
    pmid: str | None = None
    evidence: Evidence = field(default_factory=Evidence)
    accepted: str | None = None

    @classmethod
    def about(
        cls,
        claim: Claim,
        rule: Rule,
        message: str,
        *,
        line: int | None = None,
        pmid: str | None = None,
        evidence: Evidence | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        """A finding on ``claim`` (at its line unless another is given), at the rule's severity unless overridden."""
        return cls(
            rule=rule,
            severity=rule.severity if severity is None else severity,
            message=message,
            file=claim.file,
            line=claim.line if line is None else line,
            claim_id=claim.id,
            pmid=pmid,
            evidence=evidence if evidence is not None else Evidence(),
        )

    def sort_key(self) -> tuple[str, int, str, str]:
        """Order findings by place, then code, then message."""
        return (self.file, self.line, self.rule.code, self.message)


@dataclass(frozen=True)
class Fact:
    """A fact read from a claim (or its ``stated:``) and checked against the record."""

    kind: str
    value: str
    origin: str


@dataclass(frozen=True)
class ClaimResult:
    """The audit of one claim."""

    claim: Claim
    pmids: tuple[str, ...]
    status: Status
    findings: tuple[Finding, ...]
    facts: tuple[Fact, ...] = ()
    records: tuple[Record, ...] = ()
    """The cited records that could be had, so reports can show their citations."""


@dataclass(frozen=True)
class Summary:
    """Counts over a whole report."""

    claims: int
    verified: int
    flagged: int
    unverified: int
    accepted: int


@dataclass(frozen=True)
class Report:
    """The audit of one or more claims files."""

    results: tuple[ClaimResult, ...]
    files: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    """What the run left out and why (e.g. claims skipped by --changed-since), shown with the summary."""

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Every finding of every claim, in report order."""
        return tuple(finding for result in self.results for finding in result.findings)

    @property
    def summary(self) -> Summary:
        """How many claims were verified, flagged and unverified, and how many findings accepted."""
        counts = {status: 0 for status in Status}
        for result in self.results:
            counts[result.status] += 1
        accepted = sum(1 for finding in self.findings if finding.accepted is not None)
        return Summary(
            claims=len(self.results),
            verified=counts[Status.VERIFIED],
            flagged=counts[Status.FLAGGED],
            unverified=counts[Status.UNVERIFIED],
            accepted=accepted,
        )


@dataclass(frozen=True)
class CheckSettings:
    """Knobs the pure checks read; the CLI and configuration fill them in."""

    quote_match_threshold: float = 0.80
    """Below this alignment score (0-1) a quote counts as not found (Q101)."""

    quote_splice_min_words: int = 4
    """The shortest run of words that may count as one piece of a spliced quote (Q105)."""
