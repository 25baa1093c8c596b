"""claimcheck resolve: find the PMID of every reference that has none, check it, and write it in.

Each reference without a PMID tries three routes, in order, until one of them gives exactly one
candidate that passes verification:

    doi        ESearch ``<doi>[aid]``
    ecitmatch  ECitMatch with journal|year|volume|first page|first author read from the citation
    title      ESearch on the title's words, the first author (``[1au]``) and the year (``[dp]``)

A candidate is verified against its PubMed record before it is accepted: the title must match the
citation's (rapidfuzz similarity on folded text, 90 by default), and the year, the first author and
the DOI must not disagree. ECitMatch's AMBIGUOUS candidates are verified the same way; when more than
one candidate passes, the reference is ambiguous and left for the editor. Candidate records are taken
from the record store when it has them and cached in it when fetched.

Writing is a text-level insertion, so the file stays byte-identical apart from the PMIDs added. In a
block mapping a ``pmid: "NNN"`` line goes right after the citation (or, without one, before the first
key), indented like its neighbours. In a flow mapping (``"9": {citation: ..., doi: ...}``) the pair
``pmid: "NNN"`` is inserted into that line, after the citation or before the first key, so the entry
keeps its style and only that line changes.
"""

from __future__ import annotations

import difflib
import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

from claimcheck.checks.references import Citation, citation_differences, expand_pages, parse_citation
from claimcheck.checks.metadata import record_dates
from claimcheck.errors import ClaimsFileError, MalformedXMLError, Problem, ServiceError
from claimcheck.facts import fold
from claimcheck.fileio import write_atomic
from claimcheck.model import ClaimsFile, Record, Reference
from claimcheck.pubmed import CitationQuery, EutilsClient, MatchStatus
from claimcheck.records import parse_record
from claimcheck.store import RecordStore

__all__ = [
    "Addition",
    "Candidate",
    "FileChange",
    "Resolution",
    "ResolutionStatus",
    "Route",
    "apply_resolutions",
    "citation_query",
    "doi_search_term",
    "plan_writes",
    "resolve_references",
    "title_score",
    "title_search_term",
    "verify_candidate",
    "write_resolutions",
]

TITLE_THRESHOLD = 90.0
MAX_CANDIDATES = 5
TITLE_SEARCH_WORDS = 8
# ECitMatch may list many candidates for a vague citation; more than this is for the editor to sift.
MAX_ECITMATCH_CANDIDATES = 20
_STOPWORDS = frozenset(
    "a an and are as at be by for from in into is it its of on or than that the their these this those "
    "to versus via vs was were with within without".split()
)
_SAFE_DOI = re.compile(r"[A-Za-z0-9._/-]+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_BOM = "\ufeff"
_RESOLVE_AGAIN = "run claimcheck resolve again on the file as it is now"


class ResolutionStatus(enum.Enum):
    """What resolve made of one reference."""

    RESOLVED = "resolved"
    AMBIGUOUS = "ambiguous"
    NOT_FOUND = "not_found"
    REJECTED = "rejected"
    FAILED = "failed"


class Route(enum.Enum):
    """How a candidate PMID was found."""

    DOI = "doi"
    ECITMATCH = "ecitmatch"
    TITLE = "title"

    @property
    def label(self) -> str:
        """How messages name the route."""
        return {"doi": "its DOI", "ecitmatch": "ECitMatch", "title": "a title search"}[self.value]


@dataclass(frozen=True)
class Candidate:
    """A PMID one route proposed, and what its record says against the reference."""

    pmid: str
    route: Route
    title: str = ""
    year: str = ""
    first_author: str = ""
    title_score: float | None = None
    accepted: bool = False
    reasons: tuple[str, ...] = ()
    """Why the candidate was rejected (empty when accepted)."""

    @property
    def summary(self) -> str:
        """One line: the PMID, its title, year and first author, the score, and the verdict."""
        title = self.title if len(self.title) <= 90 else self.title[:89] + "…"
        facts = ", ".join(part for part in (self.year, self.first_author) if part)
        score = f", title similarity {self.title_score:.0f}" if self.title_score is not None else ""
        verdict = "accepted" if self.accepted else "rejected: " + "; ".join(self.reasons)
        if not self.title:
            return f"PMID {self.pmid} via {self.route.value}: {verdict}"
        return f'PMID {self.pmid} "{title}" ({facts or "no year or author"}{score}) via {self.route.value}: {verdict}'


@dataclass(frozen=True)
class Resolution:
    """The outcome for one reference that had no PMID."""

    file: str
    key: str
    line: int
    status: ResolutionStatus
    message: str
    pmid: str | None = None
    route: Route | None = None
    candidates: tuple[Candidate, ...] = ()
    steps: tuple[str, ...] = ()
    """What each route tried and found, in order."""


@dataclass(frozen=True)
class Addition:
    """One PMID written into a claims file: where, and the text added."""

    key: str
    pmid: str
    line: int
    """The line of the new text in the updated file (1-based)."""
    text: str


@dataclass(frozen=True)
class FileChange:
    """A claims file before and after its PMIDs are written in."""

    path: str
    original: str
    updated: str
    additions: tuple[Addition, ...]

    def diff(self) -> str:
        """The change as a unified diff."""
        lines = difflib.unified_diff(
            _LINE.findall(self.original),
            _LINE.findall(self.updated),
            fromfile=self.path,
            tofile=self.path,
        )
        return "".join(line if line.endswith(("\n", "\r")) else line + "\n" for line in lines)


# --- building queries (pure) ----------------------------------------------------------------


def doi_search_term(doi: str) -> str:
    """The ESearch term for a DOI: ``<doi>[aid]``, quoted when the DOI holds query syntax."""
    doi = doi.strip()
    if _SAFE_DOI.fullmatch(doi):
        return f"{doi}[aid]"
    return '"' + doi.replace('"', "") + '"[aid]'


def citation_query(citation: Citation, key: str) -> CitationQuery | None:
    """The ECitMatch question for a citation; None unless it names a journal and a volume or first page."""
    first_page = expand_pages(citation.pages)[0] if citation.pages else ""
    volume = citation.volume.split()[0] if citation.volume.split() else ""
    if not citation.journal or not (volume or first_page):
        return None
    return CitationQuery(
        key=key,
        journal=citation.journal,
        year=str(citation.year) if citation.year else "",
        volume=volume,
        first_page=first_page,
        author=citation.first_author,
    )


def title_search_term(citation: Citation, *, max_words: int = TITLE_SEARCH_WORDS) -> str | None:
    """``word[ti] AND ... AND surname[1au] AND year[dp]`` from the citation; None when it gives no title."""
    words = [word for word in dict.fromkeys(fold(citation.title).split()) if len(word) > 2 and word not in _STOPWORDS]
    if not words:
        return None
    parts = [f"{word}[ti]" for word in words[:max_words]]
    author = fold(citation.first_author)
    if author:
        parts.append(f"{author}[1au]")
    if citation.year:
        parts.append(f"{citation.year}[dp]")
    return " AND ".join(parts)


# --- verification (pure) --------------------------------------------------------------------


def title_score(citation_text: str, citation: Citation, record_title: str) -> float | None:
    """How alike (0-100) the record's title and the title the citation gives; None when either is missing."""
    recorded = fold(record_title)
    if not recorded:
        return None
    # Where the citation could not be read, the title is somewhere after the authors.
    whole = fold(citation.title_and_journal or citation_text.partition(". ")[2])
    texts = [text for text in (fold(citation.title), whole) if text]
    if not texts:
        return None
    best = max(fuzz.ratio(recorded, text) for text in texts)
    # The title may run on into the journal's name; a partial match counts only when the record's title
    # is most of that text, so that a short title cannot match a phrase of a longer one by chance.
    if len(recorded) >= 0.6 * len(whole):
        best = max(best, fuzz.partial_ratio(recorded, whole))
    return round(best, 1)


def verify_candidate(
    reference: Reference,
    record: Record,
    *,
    route: Route,
    title_threshold: float = TITLE_THRESHOLD,
) -> Candidate:
    """Judge a candidate record: accepted only if its title (or DOI) confirms it and nothing disagrees."""
    reasons: list[str] = []
    confirmed = False
    if reference.doi and record.doi:
        if record.doi.strip().lower() == reference.doi.strip().lower():
            confirmed = True
        else:
            reasons.append(f"its DOI is {record.doi}, the reference's is {reference.doi}")
    score: float | None = None
    if reference.citation:
        citation = parse_citation(reference.citation)
        score = title_score(reference.citation, citation, record.title)
        if score is not None and score >= title_threshold:
            confirmed = True
        elif score is not None:
            reasons.append(f"its title differs (similarity {score:.0f}, below {title_threshold:.0f})")
        for name, cited, known in citation_differences(citation, record):
            if name in ("year", "first author"):
                reasons.append(f'its {name} is "{known}", the citation says "{cited}"')
    if not confirmed and not reasons:
        reasons.append("nothing confirms it: the reference gives no title to compare and no DOI the record shares")
    return Candidate(
        pmid=record.pmid,
        route=route,
        title=record.title,
        year=_record_year(record),
        first_author=record.authors[0].display_name if record.authors else "",
        title_score=score,
        accepted=not reasons,
        reasons=tuple(reasons),
    )


def _record_year(record: Record) -> str:
    """The record's publication year (or its electronic one), as text."""
    for _name, date in record_dates(record):
        if date.year is not None:
            return str(date.year)
    return ""


# --- resolving --------------------------------------------------------------------------------


@dataclass
class _Work:
    """One reference on its way through the routes (mutable while resolve runs)."""

    file: str
    reference: Reference
    citation: Citation | None
    verdicts: dict[str, Candidate] = field(default_factory=dict)
    steps: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    ambiguous: bool = False
    chosen: Candidate | None = None

    def fail(self, text: str) -> None:
        """Note a route that E-utilities let down."""
        self.failures.append(text)
        self.steps.append(text)


class _Records:
    """Candidate records from the store, else from EFetch (kept in the store); remembered for the run."""

    def __init__(self, client: EutilsClient, store: RecordStore | None) -> None:
        self.client = client
        self.store = store
        self.known: dict[str, Record] = {}

    def get(self, pmids: Iterable[str]) -> dict[str, Record]:
        """The records PubMed has among these PMIDs; ServiceError when EFetch fails."""
        wanted = list(dict.fromkeys(pmids))
        missing = [pmid for pmid in wanted if pmid not in self.known]
        if missing and self.store is not None:
            for pmid, stored in self.store.get_many(missing).items():
                self._keep(pmid, stored.data)
        missing = [pmid for pmid in missing if pmid not in self.known]
        if missing:
            fetched = self.client.efetch(missing)
            for pmid, data in fetched.records.items():
                if self._keep(pmid, data) and self.store is not None and not self.store.read_only:
                    self.store.put(pmid, data)
        return {pmid: self.known[pmid] for pmid in wanted if pmid in self.known}

    def _keep(self, pmid: str, data: bytes) -> bool:
        """Parse and remember one record; False when the bytes are not a usable record."""
        try:
            self.known[pmid] = parse_record(data)
        except MalformedXMLError:
            return False
        return True


def resolve_references(
    claims_files: Sequence[ClaimsFile],
    *,
    client: EutilsClient,
    store: RecordStore | None = None,
    title_threshold: float = TITLE_THRESHOLD,
    max_candidates: int = MAX_CANDIDATES,
) -> list[Resolution]:
    """Look up and verify a PMID for every reference without one; one Resolution each, in file order.

    A service failure affects only the references it touched: they end as ``failed``. References that
    already have a PMID are left alone and get no Resolution.
    """
    works = [
        _Work(claims_file.path, reference, parse_citation(reference.citation) if reference.citation else None)
        for claims_file in claims_files
        for reference in claims_file.references
        if not reference.pmid
    ]
    records = _Records(client, store)
    verify = _Verifier(records, title_threshold)
    _by_doi([work for work in works if work.reference.doi], client, verify, max_candidates)
    _by_citation_match([work for work in works if work.chosen is None], client, verify)
    _by_title([work for work in works if work.chosen is None], client, verify, max_candidates)
    return [_resolution(work) for work in works]


class _Verifier:
    """Fetches a route's candidates in one go and judges them against each reference."""

    def __init__(self, records: _Records, title_threshold: float) -> None:
        self.records = records
        self.title_threshold = title_threshold

    def judge(self, route: Route, proposals: list[tuple[_Work, tuple[str, ...]]]) -> None:
        """Verify every proposed PMID; a reference with exactly one accepted candidate is resolved."""
        if not proposals:
            return
        try:
            found = self.records.get(pmid for _work, pmids in proposals for pmid in pmids)
        except ServiceError as error:
            for work, _pmids in proposals:
                work.fail(f"{route.value}: {error}")
            return
        for work, pmids in proposals:
            self._judge_one(route, work, pmids, found)

    def _judge_one(self, route: Route, work: _Work, pmids: tuple[str, ...], found: dict[str, Record]) -> None:
        for pmid in pmids:
            if pmid in work.verdicts:
                continue
            record = found.get(pmid)
            if record is None:
                work.verdicts[pmid] = Candidate(pmid, route, reasons=("PubMed returned no record for it",))
                continue
            work.verdicts[pmid] = verify_candidate(
                work.reference, record, route=route, title_threshold=self.title_threshold
            )
        accepted = [work.verdicts[pmid] for pmid in pmids if work.verdicts[pmid].accepted]
        if len(accepted) == 1:
            work.chosen = accepted[0]
        elif len(accepted) > 1:
            work.ambiguous = True
            work.steps.append(f"{route.value}: {len(accepted)} records fit the citation equally well")


def _by_doi(works: list[_Work], client: EutilsClient, verify: _Verifier, max_candidates: int) -> None:
    proposals: list[tuple[_Work, tuple[str, ...]]] = []
    for work in works:
        doi = work.reference.doi or ""
        try:
            result = client.esearch(doi_search_term(doi), retmax=max_candidates)
        except ServiceError as error:
            work.fail(f"doi: {error}")
            continue
        if not result.ids:
            work.steps.append(f"doi: PubMed has no record with DOI {doi}")
            continue
        work.steps.append(f"doi: PubMed gave PMID {', '.join(result.ids)} for DOI {doi}")
        proposals.append((work, result.ids))
    verify.judge(Route.DOI, proposals)


def _by_citation_match(works: list[_Work], client: EutilsClient, verify: _Verifier) -> None:
    asked: dict[str, _Work] = {}
    queries: list[CitationQuery] = []
    for index, work in enumerate(works):
        query = citation_query(work.citation, f"ref{index}") if work.citation else None
        if query is None:
            work.steps.append("ecitmatch: skipped, the citation gives no journal with a volume or first page")
            continue
        asked[query.key] = work
        queries.append(query)
    if not queries:
        return
    try:
        matches = client.ecitmatch(queries)
    except ServiceError as error:
        for work in asked.values():
            work.fail(f"ecitmatch: {error}")
        return
    proposals: list[tuple[_Work, tuple[str, ...]]] = []
    for match in matches:
        work = asked[match.key]
        if match.status is MatchStatus.FOUND and match.pmid:
            work.steps.append(f"ecitmatch: PMID {match.pmid}")
            proposals.append((work, (match.pmid,)))
        elif match.status is MatchStatus.AMBIGUOUS and match.candidates:
            shown = match.candidates[:MAX_ECITMATCH_CANDIDATES]
            work.steps.append(f"ecitmatch: ambiguous between PMIDs {', '.join(shown)}")
            proposals.append((work, shown))
        elif match.status is MatchStatus.AMBIGUOUS:
            count = f"{match.candidate_count} citations" if match.candidate_count else "several citations"
            work.steps.append(f"ecitmatch: ambiguous ({count} match, none named)")
            work.ambiguous = True
        elif match.status is MatchStatus.INVALID_JOURNAL:
            work.steps.append(f'ecitmatch: PubMed does not know the journal "{match.query.journal}"')
        else:
            work.steps.append("ecitmatch: no match")
    verify.judge(Route.ECITMATCH, proposals)


def _by_title(works: list[_Work], client: EutilsClient, verify: _Verifier, max_candidates: int) -> None:
    proposals: list[tuple[_Work, tuple[str, ...]]] = []
    for work in works:
        term = title_search_term(work.citation) if work.citation else None
        if term is None:
            work.steps.append("title: skipped, the citation gives no title to search for")
            continue
        try:
            result = client.esearch(term, retmax=max_candidates)
        except ServiceError as error:
            work.fail(f"title: {error}")
            continue
        if not result.ids:
            work.steps.append("title: no record matches the title, first author and year")
            continue
        more = f" (of {result.count} matches)" if result.truncated else ""
        work.steps.append(f"title: PMID {', '.join(result.ids)}{more}")
        proposals.append((work, result.ids))
    verify.judge(Route.TITLE, proposals)


def _resolution(work: _Work) -> Resolution:
    """The Resolution a reference's work adds up to."""
    reference = work.reference
    candidates = tuple(work.verdicts.values())
    steps = tuple(work.steps)
    name = f"reference {reference.key}"

    def resolution(status: ResolutionStatus, message: str, chosen: Candidate | None = None) -> Resolution:
        return Resolution(
            file=work.file,
            key=reference.key,
            line=reference.line,
            status=status,
            message=message,
            pmid=chosen.pmid if chosen else None,
            route=chosen.route if chosen else None,
            candidates=candidates,
            steps=steps,
        )

    chosen = work.chosen
    if chosen is not None:
        score = f"title similarity {chosen.title_score:.0f}, " if chosen.title_score is not None else ""
        facts = ", ".join(part for part in (chosen.year, chosen.first_author) if part)
        message = f"{name}: PMID {chosen.pmid}, found by {chosen.route.label} and confirmed ({score}{facts})"
        return resolution(ResolutionStatus.RESOLVED, message, chosen)
    if work.failures:
        message = f"{name}: E-utilities failed ({'; '.join(work.failures)}); run claimcheck resolve again later"
        return resolution(ResolutionStatus.FAILED, message)
    if work.ambiguous:
        fitting = [candidate.pmid for candidate in candidates if candidate.accepted]
        listed = f" (PMIDs {', '.join(fitting)})" if fitting else ""
        message = f"{name}: several PubMed records fit the citation{listed}; choose one and add its pmid by hand"
        return resolution(ResolutionStatus.AMBIGUOUS, message)
    if candidates:
        count = f"{len(candidates)} candidate{'s' if len(candidates) > 1 else ''}"
        message = f"{name}: {count} found, none matches the reference; check the citation or add the pmid by hand"
        return resolution(ResolutionStatus.REJECTED, message)
    message = f"{name}: no PubMed record found ({'; '.join(steps) or 'nothing to search with'})"
    return resolution(ResolutionStatus.NOT_FOUND, message)


# --- writing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Edit:
    offset: int
    text: str
    key: str
    pmid: str


def apply_resolutions(text: str, resolutions: Sequence[Resolution], *, file: str = "<claims file>") -> FileChange:
    """The claims file text with the PMID of every resolved reference added; nothing else changes.

    Raises ClaimsFileError when the text no longer matches what was resolved (a reference gone, or
    given a PMID meanwhile).
    """
    wanted = {resolution.key: resolution for resolution in resolutions
              if resolution.status is ResolutionStatus.RESOLVED and resolution.pmid}
    bom = _BOM if text.startswith(_BOM) else ""
    body = text[len(bom):]
    entries = _reference_entries(body, file)
    newline = _newline_of(body)
    edits: list[_Edit] = []
    problems: list[Problem] = []
    for key, resolution in wanted.items():
        pmid = resolution.pmid or ""
        entry = entries.get(key)
        if entry is None:
            gone = f"reference '{key}' is no longer in the file"
            problems.append(Problem(file, resolution.line, gone, _RESOLVE_AGAIN))
            continue
        if not isinstance(entry, MappingNode):
            problems.append(Problem(file, resolution.line, f"reference '{key}' is not a mapping", _RESOLVE_AGAIN))
            continue
        if any(_scalar(name) == "pmid" for name, _value in entry.value):
            problems.append(Problem(file, resolution.line, f"reference '{key}' has a pmid already", _RESOLVE_AGAIN))
            continue
        edit = _flow_edit(entry, key, pmid) if entry.flow_style else _block_edit(body, entry, key, pmid, newline)
        if edit is None:
            problems.append(Problem(file, resolution.line, f"cannot tell where to put the pmid of reference '{key}'",
                                    f'add  pmid: "{pmid}"  to it by hand'))
            continue
        edits.append(edit)
    if problems:
        raise ClaimsFileError(problems)
    updated, additions = _apply_edits(body, edits)
    _check_written(updated, wanted, file)
    return FileChange(path=file, original=text, updated=bom + updated, additions=additions)


def _reference_entries(text: str, file: str) -> dict[str, Node]:
    """The nodes under ``references``, by label."""
    try:
        root = YAML(typ="rt").compose(text)
    except YAMLError as error:
        message = " ".join(str(error).split())[:200]
        problem = Problem(file, 1, f"the file is no longer valid YAML: {message}", _RESOLVE_AGAIN)
        raise ClaimsFileError([problem]) from None
    references = _value_of(root, "references")
    if not isinstance(references, MappingNode):
        raise ClaimsFileError([Problem(file, 1, "the file has no 'references' mapping any more", _RESOLVE_AGAIN)])
    return {_label(key): value for key, value in references.value}


def _value_of(mapping: Node | None, name: str) -> Node | None:
    if not isinstance(mapping, MappingNode):
        return None
    for key, value in mapping.value:
        if _scalar(key) == name:
            return value
    return None


def _scalar(node: Node) -> str | None:
    return node.value if isinstance(node, ScalarNode) else None


def _label(node: Node) -> str:
    """A reference label as the claims loader reads it: ``2`` and ``"2"`` are the same label."""
    text = _scalar(node) or ""
    if node.tag.endswith(":int"):
        try:
            return str(int(text.replace("_", "")))
        except ValueError:
            return text
    return text.strip()


def _newline_of(text: str) -> str:
    """The file's line break (the first one it uses), ``\\n`` when it has none."""
    found = _LINE_BREAK.search(text)
    return found.group() if found else "\n"


def _line_start(text: str, index: int) -> int:
    """The offset where the line holding ``index`` starts."""
    return max(text.rfind("\n", 0, index), text.rfind("\r", 0, index)) + 1


def _next_line_start(text: str, index: int) -> int:
    """The offset of the line after the one holding ``index`` (the end of the text on the last line)."""
    found = _LINE_BREAK.search(text, index)
    return found.end() if found else len(text)


def _block_edit(text: str, entry: MappingNode, key: str, pmid: str, newline: str) -> _Edit | None:
    """A new ``pmid:`` line after the citation's value, or before the first key when there is no citation."""
    by_name = {_scalar(name): (name, value) for name, value in entry.value}
    if "citation" in by_name:
        name, value = by_name["citation"]
        offset = _end_of_value(text, value)
    else:
        name = entry.value[0][0]
        offset = _line_start(text, name.start_mark.index)
    indent = text[_line_start(text, name.start_mark.index) : name.start_mark.index]
    if indent.strip(" "):
        return None
    line = f'{indent}pmid: "{pmid}"'
    if offset == len(text) and text and not text.endswith(("\n", "\r")):
        return _Edit(offset, newline + line, key, pmid)
    return _Edit(offset, line + newline, key, pmid)


def _end_of_value(text: str, value: Node) -> int:
    """The offset of the line after the value's last line of content."""
    end = value.end_mark.index
    if isinstance(value, ScalarNode) and value.style in ("|", ">"):
        header = text[value.start_mark.index : _next_line_start(text, value.start_mark.index)]
        if "+" in header:
            # Kept trailing blank lines belong to the value; the new key goes after them.
            return end if value.end_mark.column == 0 else _next_line_start(text, end)
        start = value.start_mark.index
        end = start + len(text[start:end].rstrip())
    return _next_line_start(text, end)


def _flow_edit(entry: MappingNode, key: str, pmid: str) -> _Edit:
    """``, pmid: "N"`` after the citation in a flow mapping, or ``pmid: "N", `` before its first key."""
    for name, value in entry.value:
        if _scalar(name) == "citation":
            return _Edit(value.end_mark.index, f', pmid: "{pmid}"', key, pmid)
    return _Edit(entry.value[0][0].start_mark.index, f'pmid: "{pmid}", ', key, pmid)


def _apply_edits(text: str, edits: list[_Edit]) -> tuple[str, tuple[Addition, ...]]:
    """The text with every edit made, and where each addition ended up."""
    pieces: list[str] = []
    additions: list[Addition] = []
    done = 0
    for edit in sorted(edits, key=lambda edit: edit.offset):
        pieces.append(text[done : edit.offset])
        written = "".join(pieces)
        # A new line starts after the break it may begin with; an inline pair sits on the line it joins.
        leading_break = edit.text[: len(edit.text) - len(edit.text.lstrip("\r\n"))]
        line = len(_LINE_BREAK.findall(written + leading_break)) + 1
        additions.append(Addition(key=edit.key, pmid=edit.pmid, line=line, text=edit.text.strip("\r\n")))
        pieces.append(edit.text)
        done = edit.offset
    pieces.append(text[done:])
    return "".join(pieces), tuple(additions)


def _check_written(updated: str, wanted: dict[str, Resolution], file: str) -> None:
    """Make sure the updated text reads back with each PMID where it belongs before anything is written."""
    entries = _reference_entries(updated, file)
    problems: list[Problem] = []
    for key, resolution in wanted.items():
        value = _value_of(entries.get(key), "pmid")
        if value is None or _scalar(value) != resolution.pmid:
            problems.append(Problem(file, resolution.line, f"could not add the pmid of reference '{key}' safely",
                                    f'add  pmid: "{resolution.pmid}"  to it by hand'))
    if problems:
        raise ClaimsFileError(problems)


def plan_writes(resolutions: Sequence[Resolution]) -> list[FileChange]:
    """What ``--write`` would change: one FileChange per file with a resolved reference; nothing is written."""
    by_file: dict[str, list[Resolution]] = {}
    for resolution in resolutions:
        if resolution.status is ResolutionStatus.RESOLVED and resolution.pmid:
            by_file.setdefault(resolution.file, []).append(resolution)
    changes: list[FileChange] = []
    problems: list[Problem] = []
    for file, group in by_file.items():
        try:
            text = _read_text(file)
            changes.append(apply_resolutions(text, group, file=file))
        except ClaimsFileError as error:
            problems.extend(error.problems)
    if problems:
        raise ClaimsFileError(problems)
    return changes


def write_resolutions(resolutions: Sequence[Resolution]) -> list[FileChange]:
    """Write the resolved PMIDs into their claims files, each file atomically; return what changed."""
    changes = plan_writes(resolutions)
    for change in changes:
        try:
            write_atomic(change.path, change.updated)
        except OSError as error:
            reason = error.strerror or type(error).__name__
            hint = "check that you may write to it and its folder; the file is unchanged"
            raise ClaimsFileError([Problem(change.path, 1, f"cannot write the file: {reason}", hint)]) from None
    return changes


def _read_text(file: str) -> str:
    """The claims file as text, exactly as stored (line breaks untouched)."""
    try:
        data = Path(file).read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ClaimsFileError([Problem(file, 1, f"cannot read the file: {reason}", _RESOLVE_AGAIN)]) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ClaimsFileError([Problem(file, 1, "the file is not UTF-8 text any more", "save it as UTF-8")]) from None
