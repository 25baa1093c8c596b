"""NCBI E-utilities over HTTP: EFetch (records as bytes), ESearch and ECitMatch, paced and retried.

The client knows URLs, pacing, retries and the API key; it has never heard of a claim. Every request
is a form POST, so the API key travels in the body and never in a URL, a log line or an error message.
"""

from __future__ import annotations

import email.utils
import enum
import logging
import os
import random
import re
import threading
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import NoReturn, TypeVar
from urllib.parse import quote_plus

import requests

from claimcheck.errors import ConfigError, MalformedXMLError, ServiceError
from claimcheck.records import ErrorAnswerError, split_pubmed_set

__all__ = [
    "DEFAULT_EUTILS_URL",
    "ECITMATCH_BATCH_SIZE",
    "EFETCH_BATCH_SIZE",
    "CitationMatch",
    "CitationQuery",
    "EutilsClient",
    "FetchResult",
    "MatchStatus",
    "SearchNote",
    "SearchResult",
]

DEFAULT_EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
EFETCH_BATCH_SIZE = 200
ECITMATCH_BATCH_SIZE = 100
MAX_ANSWER_BYTES = 64 * 1024 * 1024
"""The largest answer read (after decompression); 200 PubMed records are a few MB, so more is hostile."""
RATE_WITHOUT_KEY = 3.0
RATE_WITH_KEY = 10.0

_log = logging.getLogger(__name__)
_T = TypeVar("_T")
_PMID = re.compile(r"[0-9]+")
_EMPTY_ID_LIST = ("id list is empty", "no correct ids")
# ESearch <ERROR> texts that come from NCBI's plumbing rather than from the query; worth a retry.
_TRANSIENT_ERROR_MARKERS = ("c++ exception", "proxy_stream", "pubone", "ctxrawclient", "closed connection",
                            "connection reset", "timed out", "timeout", "temporarily", "try again", "unavailable")
# Statuses that say the request itself is wrong (a bad base URL, a refused client); retrying cannot help.
_PERMANENT_STATUSES = frozenset(range(401, 500)) - {408, 429}
_TRANSIENT_EXCEPTIONS = (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
                         requests.exceptions.ContentDecodingError)
_PMIDS_IN_MESSAGE = 10
# The pause between tries; a module attribute so tests can watch the delays chosen without waiting them out.
_sleep_between_tries = time.sleep
_CAUSE_LENGTH = 300


# --- results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchResult:
    """What EFetch gave: one-article PubmedArticleSet bytes per PMID, and the PMIDs PubMed did not return."""

    records: dict[str, bytes]
    missing: tuple[str, ...]


@dataclass(frozen=True)
class SearchNote:
    """One entry of ESearch's ErrorList or WarningList: its element name and its text."""

    kind: str
    text: str


@dataclass(frozen=True)
class SearchResult:
    """An ESearch answer: the hit count, the first PMIDs, and how PubMed read the query."""

    term: str
    count: int
    ids: tuple[str, ...]
    query_translation: str
    translations: tuple[tuple[str, str], ...] = ()
    errors: tuple[SearchNote, ...] = ()
    warnings: tuple[SearchNote, ...] = ()

    @property
    def truncated(self) -> bool:
        """True when PubMed matched more PMIDs than ``ids`` holds."""
        return self.count > len(self.ids)


@dataclass(frozen=True)
class CitationQuery:
    """One citation for ECitMatch; ``key`` is echoed back and matches the answer to the question."""

    key: str
    journal: str = ""
    year: str = ""
    volume: str = ""
    first_page: str = ""
    author: str = ""


class MatchStatus(enum.Enum):
    """What ECitMatch made of a citation."""

    FOUND = "found"
    NOT_FOUND = "not_found"
    INVALID_JOURNAL = "invalid_journal"
    AMBIGUOUS = "ambiguous"


@dataclass(frozen=True)
class CitationMatch:
    """ECitMatch's answer for one citation; ``raw`` is its result text ("" when NCBI gave no line)."""

    query: CitationQuery
    status: MatchStatus
    pmid: str | None = None
    candidates: tuple[str, ...] = ()
    candidate_count: int | None = None
    raw: str = ""

    @property
    def key(self) -> str:
        """The key of the citation this answers."""
        return self.query.key


# --- pacing ---------------------------------------------------------------------------------------


class _RateLimiter:
    """Hands out request start times at least 1/rate apart, to every thread that asks."""

    # A hair slower than the nominal rate: NCBI counts arrivals, and network jitter can bunch two starts.
    _SAFETY = 1.02

    def __init__(self, rate: float) -> None:
        self._interval = self._SAFETY / rate
        self._lock = threading.Lock()
        self._next_start = 0.0

    def wait(self) -> None:
        """Block until this caller's turn."""
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + self._interval
        if start > now:
            time.sleep(start - now)


_LIMITERS: dict[float, _RateLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


def _limiter_for(rate: float) -> _RateLimiter:
    """The process-wide limiter for this rate: every client and thread at one rate shares it."""
    with _LIMITERS_LOCK:
        limiter = _LIMITERS.get(rate)
        if limiter is None:
            limiter = _LIMITERS[rate] = _RateLimiter(rate)
        return limiter


# --- failures inside one attempt ------------------------------------------------------------------


class _Retry(Exception):
    """This attempt failed in a way another attempt may not."""

    def __init__(self, cause: str, *, retry_after: float | None = None) -> None:
        self.cause = cause
        self.retry_after = retry_after
        super().__init__(cause)


class _GiveUp(Exception):
    """This request cannot succeed however often it is sent."""

    def __init__(self, cause: str) -> None:
        self.cause = cause
        super().__init__(cause)


class _Secret:
    """A value that never shows itself in repr() or str()."""

    def __init__(self, value: str) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "'***'"

    __str__ = __repr__


# --- the client -----------------------------------------------------------------------------------


class EutilsClient:
    """A paced, retrying client for PubMed's E-utilities (EFetch, ESearch, ECitMatch).

    Pacing is process-wide: every client at the same rate, in every thread, shares one limiter.
    Give each thread its own client (requests.Session does not promise thread safety).
    """

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_EUTILS_URL,
        tool: str = "claimcheck",
        email: str | None = None,
        api_key: str | None = None,
        timeout: float = 30.0,
        max_tries: int = 5,
        backoff: float = 1.0,
        max_backoff: float = 30.0,
        requests_per_second: float | None = None,
    ) -> None:
        self.base_url = _normalise_base_url(base_url)
        self.tool = _checked_tool(tool)
        self.email = (email or "").strip() or None
        key = (api_key or "").strip()
        self._api_key = _Secret(key) if key else None
        _check_positive("timeout", timeout)
        _check_positive("backoff", backoff, allow_zero=True)
        _check_positive("max_backoff", max_backoff, allow_zero=True)
        if max_tries < 1:
            raise ConfigError(f"max_tries must be at least 1, not {max_tries}")
        if requests_per_second is None:
            requests_per_second = RATE_WITH_KEY if self._api_key else RATE_WITHOUT_KEY
        _check_positive("requests_per_second", requests_per_second)
        self.timeout = float(timeout)
        self.max_tries = max_tries
        self.backoff = float(backoff)
        self.max_backoff = float(max_backoff)
        self.requests_per_second = float(requests_per_second)
        self._session = requests.Session()
        self._session.headers["User-Agent"] = f"{self.tool} (claimcheck E-utilities client; python-requests)"

    @classmethod
    def from_environment(
        cls,
        *,
        base_url: str | None = None,
        tool: str = "claimcheck",
        timeout: float = 30.0,
        max_tries: int = 5,
        backoff: float = 1.0,
        max_backoff: float = 30.0,
        requests_per_second: float | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> EutilsClient:
        """A client configured from CLAIMCHECK_EUTILS_URL, NCBI_EMAIL and NCBI_API_KEY (arguments win)."""
        env = os.environ if environ is None else environ
        return cls(
            base_url=base_url or env.get("CLAIMCHECK_EUTILS_URL", "").strip() or DEFAULT_EUTILS_URL,
            tool=tool,
            email=env.get("NCBI_EMAIL") or None,
            api_key=env.get("NCBI_API_KEY") or None,
            timeout=timeout,
            max_tries=max_tries,
            backoff=backoff,
            max_backoff=max_backoff,
            requests_per_second=requests_per_second,
        )

    @property
    def has_api_key(self) -> bool:
        """Whether requests carry an API key (the key itself is never exposed)."""
        return self._api_key is not None

    def __repr__(self) -> str:
        key = "set" if self._api_key else "none"
        return (f"EutilsClient(base_url={self.base_url!r}, tool={self.tool!r}, email={self.email!r}, "
                f"api_key={key}, requests_per_second={self.requests_per_second:g})")

    def close(self) -> None:
        """Close the HTTP session."""
        self._session.close()

    def __enter__(self) -> EutilsClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- EFetch -----------------------------------------------------------------------------------

    def efetch(
        self,
        pmids: Sequence[str],
        *,
        progress: Callable[[int, int], None] | None = None,
        on_batch: Callable[[dict[str, bytes]], None] | None = None,
    ) -> FetchResult:
        """Fetch PubMed records in batches of 200; every PMID ends up in ``records`` or ``missing``.

        ``on_batch`` receives each batch's records as soon as they arrive, so a caller can keep them
        even if a later batch fails or the run is interrupted.
        """
        wanted = _unique_pmids(pmids)
        records: dict[str, bytes] = {}
        missing: list[str] = []
        for start in range(0, len(wanted), EFETCH_BATCH_SIZE):
            batch = wanted[start:start + EFETCH_BATCH_SIZE]
            try:
                pieces = self._efetch_batch(batch)
            except ServiceError as error:
                raise self._efetch_failure(error, wanted[start:]) from None
            found = _keep_requested(pieces, batch)
            if on_batch is not None:
                on_batch(found)
            records.update(found)
            missing.extend(pmid for pmid in batch if pmid not in found)
            if progress is not None:
                progress(start + len(batch), len(wanted))
        return FetchResult(records=records, missing=tuple(missing))

    def _efetch_batch(self, batch: list[str]) -> list[tuple[str, bytes]]:
        """One EFetch POST for at most 200 PMIDs, retried until it gives a usable answer."""
        fields = [("db", "pubmed"), ("retmode", "xml"), ("id", ",".join(batch))]
        what = f"EFetch of {len(batch)} PMID{'' if len(batch) == 1 else 's'}"
        return self._request("efetch.fcgi", fields, what=what, read=_read_efetch)

    def _efetch_failure(self, error: ServiceError, unfetched: list[str]) -> ServiceError:
        """The one-line error naming every PMID this call could not deliver."""
        shown = ", ".join(unfetched[:_PMIDS_IN_MESSAGE])
        more = len(unfetched) - _PMIDS_IN_MESSAGE
        if more > 0:
            shown += f" and {more} more"
        return ServiceError(f"could not fetch PMIDs {shown} from PubMed: {error}", pmids=tuple(unfetched))

    # --- ESearch ----------------------------------------------------------------------------------

    def esearch(self, term: str, *, retmax: int = 20) -> SearchResult:
        """Search PubMed; the first ``retmax`` PMIDs, the count, and PubMed's reading of the query."""
        # An <ERROR> answer is NCBI's trouble (C++ exception, proxy, PubOne: retried like a 5xx) or the
        # query's (retstart past 9998, a bad field: ServiceError at once, since asking again cannot help).
        term = term.strip()
        if not term:
            raise ValueError("the search term is empty")
        if retmax < 0:
            raise ValueError(f"retmax must be 0 or more, not {retmax}")
        fields = [("db", "pubmed"), ("retmode", "xml"), ("term", term), ("retmax", str(retmax))]

        def read(response: requests.Response) -> SearchResult:
            return _read_esearch(response, term)

        return self._request("esearch.fcgi", fields, what=f"ESearch for {term!r}", read=read)

    # --- ECitMatch --------------------------------------------------------------------------------

    def ecitmatch(self, citations: Sequence[CitationQuery]) -> list[CitationMatch]:
        """Match citations to PMIDs; one answer per citation, in the order given."""
        _check_citation_keys(citations)
        matches: list[CitationMatch] = []
        for start in range(0, len(citations), ECITMATCH_BATCH_SIZE):
            batch = list(citations[start:start + ECITMATCH_BATCH_SIZE])
            matches.extend(self._ecitmatch_batch(batch))
        return matches

    def _ecitmatch_batch(self, batch: list[CitationQuery]) -> list[CitationMatch]:
        """One ECitMatch POST, answers matched back to the citations by key."""
        bdata = "\r".join(_citation_line(citation) for citation in batch)
        fields = [("db", "pubmed"), ("retmode", "xml"), ("bdata", bdata)]
        keys = ", ".join(citation.key for citation in batch[:_PMIDS_IN_MESSAGE])
        if len(batch) > _PMIDS_IN_MESSAGE:
            keys += f" and {len(batch) - _PMIDS_IN_MESSAGE} more"

        def read(response: requests.Response) -> list[CitationMatch]:
            return _read_ecitmatch(response, batch)

        return self._request("ecitmatch.cgi", fields, what=f"ECitMatch of citations {keys}", read=read)

    # --- one request, paced and retried -----------------------------------------------------------

    def _request(
        self,
        utility: str,
        fields: list[tuple[str, str]],
        *,
        what: str,
        read: Callable[[requests.Response], _T],
    ) -> _T:
        """POST to one utility until ``read`` accepts an answer; ServiceError after the last try."""
        url = self.base_url + utility
        body = self._form_body(fields)
        cause = ""
        for attempt in range(1, self.max_tries + 1):
            retry_after: float | None = None
            _limiter_for(self.requests_per_second).wait()
            _log.debug("%s: POST %s (try %d of %d)", what, url, attempt, self.max_tries)
            try:
                response = self._session.post(url, data=body, timeout=self.timeout, headers=_FORM_HEADERS, stream=True)
                with response:
                    _load_capped(response)
                    return read(response)
            except _Retry as retry:
                cause, retry_after = retry.cause, retry.retry_after
            except _GiveUp as give_up:
                self._fail(f"{what} failed: {give_up.cause}")
            except _TRANSIENT_EXCEPTIONS as error:
                cause = _describe_exception(error)
            except requests.RequestException as error:
                self._fail(f"{what} failed: {_describe_exception(error)}")
            if attempt < self.max_tries:
                delay = self._delay(attempt, retry_after)
                _log.warning("%s: try %d of %d failed (%s); retrying in %.2f s",
                             what, attempt, self.max_tries, self._redact(cause), delay)
                _sleep_between_tries(delay)
        self._fail(f"{what} failed after {self.max_tries} tries (last: {cause})")

    def _fail(self, message: str) -> NoReturn:
        """Raise the ServiceError for this message, with the key scrubbed out."""
        raise ServiceError(self._redact(message)) from None

    def _form_body(self, fields: list[tuple[str, str]]) -> bytes:
        """The form body with tool, email and api_key; ECitMatch's '|' stays literal, as NCBI expects."""
        fields = [*fields, ("tool", self.tool)]
        if self.email:
            fields.append(("email", self.email))
        if self._api_key:
            fields.append(("api_key", self._api_key.value))
        pairs = [f"{quote_plus(name)}={quote_plus(value, safe='|')}" for name, value in fields]
        return "&".join(pairs).encode("ascii")

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before the next try: Retry-After if given, else exponential with jitter."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_backoff)
        exponential = min(self.backoff * 2.0 ** (attempt - 1), self.max_backoff)
        return exponential * random.uniform(0.5, 1.0)

    def _redact(self, text: str) -> str:
        """The text with the API key replaced by ***."""
        if self._api_key:
            text = text.replace(self._api_key.value, "***")
            text = text.replace(quote_plus(self._api_key.value), "***")
        return text


_FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


# --- reading answers ------------------------------------------------------------------------------


def _load_capped(response: requests.Response) -> None:
    """Read the whole answer, refusing one larger than MAX_ANSWER_BYTES before it fills memory."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > MAX_ANSWER_BYTES:
        raise _GiveUp(f"the answer is larger than {MAX_ANSWER_BYTES // (1024 * 1024)} MB, which no E-utilities answer should be")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(chunk_size=1 << 16):
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise _GiveUp(f"the answer is larger than {MAX_ANSWER_BYTES // (1024 * 1024)} MB, which no E-utilities answer should be")
        chunks.append(chunk)
    # requests serves .content from _content once the body is read; the readers below use .content.
    response._content = b"".join(chunks)


def _check_status(response: requests.Response) -> None:
    """Raise _Retry for 429/5xx and _GiveUp for statuses that say the request itself is wrong."""
    status = response.status_code
    if status == 429 or status >= 500:
        raise _Retry(f"HTTP {status} {response.reason}".strip(), retry_after=_retry_after(response))
    if status in _PERMANENT_STATUSES:
        raise _GiveUp(f"HTTP {status} {response.reason} from {response.url} (check the E-utilities URL)")


def _read_efetch(response: requests.Response) -> list[tuple[str, bytes]]:
    """The (PMID, bytes) pieces of an EFetch answer; [] when NCBI says no ID in the batch is valid."""
    _check_status(response)
    body = response.content
    try:
        pieces = split_pubmed_set(body)
    except ErrorAnswerError as error:
        if any(marker in error.error_text.lower() for marker in _EMPTY_ID_LIST):
            return []
        raise _Retry(f"HTTP {response.status_code}, E-utilities error: {_short(error.error_text)}") from None
    except MalformedXMLError as error:
        raise _Retry(f"HTTP {response.status_code} with an unusable answer: {_short(str(error))}") from None
    if response.status_code != 200:
        raise _Retry(f"HTTP {response.status_code} {response.reason}")
    return pieces


def _read_esearch(response: requests.Response, term: str) -> SearchResult:
    """An eSearchResult as a SearchResult; an <ERROR> is retried only when it looks like NCBI's trouble."""
    _check_status(response)
    try:
        root = ElementTree.fromstring(response.content)
    except ElementTree.ParseError as error:
        raise _Retry(f"HTTP {response.status_code} with an answer that is not XML ({error})") from None
    if root.tag != "eSearchResult":
        raise _Retry(f"HTTP {response.status_code} with <{root.tag}> instead of <eSearchResult>")
    error_text = root.findtext("ERROR")
    if error_text is not None:
        _raise_search_error(" ".join(error_text.split()))
    count_text = (root.findtext("Count") or "").strip()
    ids = tuple((element.text or "").strip() for element in root.iterfind("IdList/Id"))
    if not count_text.isdigit() or not all(_PMID.fullmatch(pmid) for pmid in ids):
        raise _Retry(f"HTTP {response.status_code} with an eSearchResult lacking a Count or valid Ids")
    if response.status_code != 200:
        raise _Retry(f"HTTP {response.status_code} {response.reason}")
    return SearchResult(
        term=term,
        count=int(count_text),
        ids=ids,
        query_translation=(root.findtext("QueryTranslation") or "").strip(),
        translations=tuple(
            ((item.findtext("From") or "").strip(), (item.findtext("To") or "").strip())
            for item in root.iterfind("TranslationSet/Translation")
        ),
        errors=_notes(root, "ErrorList"),
        warnings=_notes(root, "WarningList"),
    )


def _raise_search_error(text: str) -> NoReturn:
    """Retry NCBI's transient ESearch errors; give up on errors about the query itself."""
    if any(marker in text.lower() for marker in _TRANSIENT_ERROR_MARKERS):
        raise _Retry(f"ESearch error: {_short(text)}")
    raise _GiveUp(f"PubMed refused the search: {_short(text)}")


def _notes(root: ElementTree.Element, list_tag: str) -> tuple[SearchNote, ...]:
    """The children of ErrorList or WarningList, in document order."""
    notes: list[SearchNote] = []
    for container in root.iterfind(list_tag):
        for child in container:
            notes.append(SearchNote(kind=child.tag, text=" ".join("".join(child.itertext()).split())))
    return tuple(notes)


def _read_ecitmatch(response: requests.Response, batch: list[CitationQuery]) -> list[CitationMatch]:
    """Plain-text ECitMatch lines matched back to the citations by key; a citation with no line is not found."""
    _check_status(response)
    text = response.content.decode("utf-8", errors="replace").strip()
    if response.status_code != 200 or not text or text[0] in "<{":
        raise _Retry(f"HTTP {response.status_code} with an answer that is not ECitMatch text: {_short(text)!r}")
    by_key = {citation.key: citation for citation in batch}
    answers: dict[str, CitationMatch] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if "|" not in line:
            raise _Retry(f"ECitMatch answered a line that is not a citation: {_short(line)!r}")
        echoed, result = line.rsplit("|", 1)
        key = echoed.rsplit("|", 1)[-1].strip()
        if key not in by_key:
            # Every answer line echoes one of our keys; a line without one is a cut-off or garbled body.
            raise _Retry(f"ECitMatch answered a line with no key it was sent: {_short(line)!r}")
        answers.setdefault(key, _citation_match(by_key[key], result.strip()))
    return [answers.get(citation.key) or CitationMatch(citation, MatchStatus.NOT_FOUND) for citation in batch]


_AMBIGUOUS_COUNT = re.compile(r"AMBIGUOUS\s*\(\s*(\d+)\s+citations?\s*\)", re.IGNORECASE)
_AMBIGUOUS_LIST = re.compile(r"AMBIGUOUS\s+(\d+(?:\s*,\s*\d+)*)\s*,?", re.IGNORECASE)


def _citation_match(query: CitationQuery, result: str) -> CitationMatch:
    """One ECitMatch result (a PMID, NOT_FOUND[;INVALID_JOURNAL], AMBIGUOUS (N citations) or AMBIGUOUS p,q)."""
    upper = result.upper()
    if _PMID.fullmatch(result):
        return CitationMatch(query, MatchStatus.FOUND, pmid=result, raw=result)
    if upper.startswith("NOT_FOUND"):
        status = MatchStatus.INVALID_JOURNAL if "INVALID_JOURNAL" in upper else MatchStatus.NOT_FOUND
        return CitationMatch(query, status, raw=result)
    counted = _AMBIGUOUS_COUNT.fullmatch(result)
    if counted:
        return CitationMatch(query, MatchStatus.AMBIGUOUS, candidate_count=int(counted.group(1)), raw=result)
    listed = _AMBIGUOUS_LIST.fullmatch(result)
    if listed:
        candidates = tuple(pmid.strip() for pmid in listed.group(1).split(","))
        return CitationMatch(query, MatchStatus.AMBIGUOUS, candidates=candidates,
                             candidate_count=len(candidates), raw=result)
    if upper == "AMBIGUOUS":
        return CitationMatch(query, MatchStatus.AMBIGUOUS, raw=result)
    raise _Retry(f"ECitMatch gave a result it does not document: {_short(result)!r}")


# --- small helpers --------------------------------------------------------------------------------


def _normalise_base_url(base_url: str) -> str:
    """The base URL with exactly one trailing slash; ConfigError unless it is http(s)."""
    url = base_url.strip()
    if not re.match(r"https?://[^/\s]+", url):
        raise ConfigError(f"the E-utilities URL {base_url!r} is not an http(s) URL "
                          f"(use e.g. {DEFAULT_EUTILS_URL})")
    return url.rstrip("/") + "/"


def _checked_tool(tool: str) -> str:
    """NCBI asks for a tool name without spaces."""
    tool = tool.strip()
    if not tool or any(char.isspace() for char in tool):
        raise ConfigError(f"the tool name {tool!r} must be one word without spaces (NCBI's rule)")
    return tool


def _check_positive(name: str, value: float, *, allow_zero: bool = False) -> None:
    """ConfigError unless value > 0 (or >= 0)."""
    if value < 0 or (value == 0 and not allow_zero):
        raise ConfigError(f"{name} must be {'0 or more' if allow_zero else 'more than 0'}, not {value}")


def _unique_pmids(pmids: Sequence[str]) -> list[str]:
    """The PMIDs in order without repeats; ValueError for anything that is not digits."""
    if isinstance(pmids, (str, bytes)):
        raise ValueError("pass a sequence of PMIDs, not a single string")
    unique: dict[str, None] = {}
    for pmid in pmids:
        if not isinstance(pmid, str) or not _PMID.fullmatch(pmid):
            raise ValueError(f"{pmid!r} is not a PMID (a PMID is digits only, e.g. 34943166)")
        unique.setdefault(pmid, None)
    return list(unique)


def _keep_requested(pieces: list[tuple[str, bytes]], batch: list[str]) -> dict[str, bytes]:
    """The pieces for PMIDs this batch asked for (the first, if one came twice)."""
    asked = set(batch)
    found: dict[str, bytes] = {}
    for pmid, data in pieces:
        if pmid in asked:
            found.setdefault(pmid, data)
        else:
            _log.debug("EFetch returned PMID %s, which was not asked for; ignored", pmid)
    return found


def _check_citation_keys(citations: Sequence[CitationQuery]) -> None:
    """ValueError unless every key is one non-empty word without '|' and no key repeats."""
    seen: set[str] = set()
    for citation in citations:
        key = citation.key
        if not key or "|" in key or any(char.isspace() for char in key):
            raise ValueError(f"citation key {key!r} must be one non-empty word without '|'")
        if key in seen:
            raise ValueError(f"citation key {key!r} is used twice; keys must be unique")
        seen.add(key)


def _citation_line(citation: CitationQuery) -> str:
    """journal|year|volume|first_page|author|key| with each field cleaned of '|' and line breaks."""
    fields = (citation.journal, citation.year, citation.volume, citation.first_page, citation.author, citation.key)
    return "|".join(" ".join(str(field).replace("|", " ").split()) for field in fields) + "|"


def _retry_after(response: requests.Response) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), if there is one."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when.timestamp() - time.time()


def _describe_exception(error: Exception) -> str:
    """A one-line description of a requests exception."""
    kind = "timed out" if isinstance(error, requests.Timeout) else type(error).__name__
    return _short(f"{kind}: {error}")


def _short(text: str) -> str:
    """The text on one line, cut to a readable length."""
    line = " ".join(text.split())
    return line if len(line) <= _CAUSE_LENGTH else line[:_CAUSE_LENGTH - 1] + "…"
