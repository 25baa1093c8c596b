"""A fake NCBI E-utilities server on 127.0.0.1, for tests, CLI tests and benchmarks.

It serves invented PubMed records with NCBI's exact framing (EFetch, ESearch, ECitMatch), records
every request, and injects the failures NCBI is known for. Without pytest::

    with FakeEutils(latency=0.05, rate_limit=3) as server:
        server.add_record("30000001", make_article_xml("30000001", "A title."))
        client = EutilsClient(base_url=server.url)

With pytest, the ``fake_eutils`` fixture gives a started server that stops after the test.

Failure kinds for ``fail_next``/``always_fail``:

    "429"          429 with NCBI's small JSON body and no Retry-After (unless retry_after= is given)
    "500" "502" "503"  that status with an HTML page
    "html200"      200 with an HTML page (a maintenance or rate-limit page)
    "truncated"    200 whose body is the real answer cut in half
    "empty"        200 with an empty body
    "prolog_only"  200 with only the XML declaration and DOCTYPE
    "error_xml"    200 with <eFetchResult><ERROR>NCBI C++ Exception ...</ERROR>
                   (an eSearchResult ERROR on ESearch)
    "proxy400"     400 with the eFetchResult "proxy_stream() ... PubOne" error
    "slow"         the real answer, after sleeping ``delay`` seconds (default ``slow_delay``)
    "drop"         the real headers, half the body, then the connection is closed
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape, quoteattr

from claimcheck.model import Author, CommentCorrection
from claimcheck.records import split_pubmed_set

__all__ = [
    "EFETCH_ERROR_HEADER",
    "ESEARCH_HEADER",
    "FAILURE_KINDS",
    "PUBMED_HEADER",
    "FakeEutils",
    "Markup",
    "RecordedRequest",
    "fake_eutils",
    "make_article_xml",
    "make_book_article_xml",
    "pubmed_set_xml",
]

PUBMED_HEADER = (
    '<?xml version="1.0" ?>\n'
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
)
ESEARCH_HEADER = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n'
    '<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
)
EFETCH_ERROR_HEADER = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n'
    '<!DOCTYPE eEfetchResult PUBLIC "-//NLM//DTD efetch 20131226//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20131226/efetch.dtd">\n'
)
FAILURE_KINDS = frozenset({"429", "500", "502", "503", "html200", "truncated", "empty", "prolog_only",
                           "error_xml", "proxy400", "slow", "drop"})
ESEARCH_MAX = 9999

_EMPTY_IDS_ERROR = "ID list is empty! Possibly it has no correct IDs."
_CPP_ERROR = ("NCBI C++ Exception: Error: TXCLIENT(CException::eUnknown) "
              "\"CTxRawClientImpl::x_Read\": Connection closed by peer (EOF)")
_PROXY_ERROR = ("proxy_stream(): Failed to connect to PubOne service: "
                "upstream returned 502 Bad Gateway")
_HTML_PAGE = ("<!DOCTYPE html>\n<html><head><title>{title}</title></head>"
              "<body><h1>{title}</h1><p>The server is temporarily unable to service your request. "
              "Please try again later.</p></body></html>\n")
_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 429: "Too Many Requests",
            500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
_XML_TYPE = "text/xml; charset=UTF-8"
_TEXT_TYPE = "text/plain; charset=UTF-8"
_ENDPOINTS = {"efetch.fcgi": "efetch", "esearch.fcgi": "esearch", "ecitmatch.cgi": "ecitmatch"}


# --- building invented records --------------------------------------------------------------------


class Markup(str):
    """Text that is already XML (inline <i>, <sup>, MathML ...): make_article_xml inserts it unescaped."""


def _text(value: str) -> str:
    """Plain text escaped for XML; Markup passed through as written."""
    return str(value) if isinstance(value, Markup) else escape(str(value))


def _numeric_refs(xml: str) -> str:
    """Non-ASCII as hexadecimal character references, the way PubMed writes it."""
    return re.sub(r"[^\x00-\x7f]", lambda match: f"&#x{ord(match.group()):x};", xml)


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SEASONS = ("Spring", "Summer", "Autumn", "Fall", "Winter")
_CATEGORIES = ("BACKGROUND", "OBJECTIVE", "METHODS", "RESULTS", "CONCLUSIONS", "UNASSIGNED")
# Publication-type UIs verified against NCBI; anything else gets a placeholder UI.
_PUBLICATION_TYPE_UIS = {"Journal Article": "D016428", "Retracted Publication": "D016441",
                         "Retraction of Publication": "D016440", "Review": "D016454"}

AbstractSpec = str | Sequence[str | tuple[str, str] | tuple[str, str, str]] | None
AuthorSpec = str | Author


def _pub_date_xml(pub_date: str) -> str:
    """<PubDate> from "2018", "2018 Jul", "2018 Jul 5", "2018 07 05", "2018 Spring"; else a MedlineDate."""
    parts = pub_date.split()
    if not parts or not re.fullmatch(r"\d{4}", parts[0]) or len(parts) > 3:
        return f"<PubDate><MedlineDate>{escape(pub_date)}</MedlineDate></PubDate>"
    inner = f"<Year>{parts[0]}</Year>"
    if len(parts) >= 2:
        second = parts[1]
        if second.capitalize() in _SEASONS and len(parts) == 2:
            return f"<PubDate>{inner}<Season>{second.capitalize()}</Season></PubDate>"
        if second[:3].capitalize() not in _MONTHS and not (second.isdigit() and 1 <= int(second) <= 12):
            return f"<PubDate><MedlineDate>{escape(pub_date)}</MedlineDate></PubDate>"
        month = second[:3].capitalize() if not second.isdigit() else second.zfill(2)
        inner += f"<Month>{month}</Month>"
    if len(parts) == 3:
        if not parts[2].isdigit():
            return f"<PubDate><MedlineDate>{escape(pub_date)}</MedlineDate></PubDate>"
        inner += f"<Day>{parts[2].zfill(2)}</Day>"
    return f"<PubDate>{inner}</PubDate>"


def _article_date_xml(article_date: str) -> str:
    """<ArticleDate> from an ISO date "YYYY-MM-DD"."""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", article_date.strip())
    if match is None:
        raise ValueError(f"article_date must be YYYY-MM-DD, not {article_date!r}")
    year, month, day = match.groups()
    return (f'<ArticleDate DateType="Electronic"><Year>{year}</Year><Month>{month.zfill(2)}</Month>'
            f"<Day>{day.zfill(2)}</Day></ArticleDate>")


def _abstract_xml(abstract_sections: AbstractSpec, copyright_text: str | None) -> str:
    """<Abstract> from one string (unlabelled) or (label, text) / (label, category, text) sections."""
    if abstract_sections is None or (not isinstance(abstract_sections, str) and not abstract_sections):
        return ""
    sections = [abstract_sections] if isinstance(abstract_sections, str) else list(abstract_sections)
    parts: list[str] = []
    for section in sections:
        if isinstance(section, str):
            parts.append(f"<AbstractText>{_text(section)}</AbstractText>")
            continue
        if len(section) == 2:
            label, text = section
            category = label.upper() if label.upper() in _CATEGORIES else ""
        else:
            label, category, text = section
        attributes = f" Label={quoteattr(label)}"
        if category:
            attributes += f" NlmCategory={quoteattr(category)}"
        parts.append(f"<AbstractText{attributes}>{_text(text)}</AbstractText>")
    if copyright_text:
        parts.append(f"<CopyrightInformation>{_text(copyright_text)}</CopyrightInformation>")
    return "<Abstract>" + "".join(parts) + "</Abstract>"


def _author_xml(author: AuthorSpec) -> str:
    """<Author> from "Last, Fore Names", a collective name (no comma) or a claimcheck Author."""
    if isinstance(author, str):
        if "," in author:
            last, fore = (part.strip() for part in author.split(",", 1))
            author = Author(last_name=last, fore_name=fore)
        else:
            author = Author(collective_name=author.strip())
    if author.collective_name:
        name = f"<CollectiveName>{_text(author.collective_name)}</CollectiveName>"
    else:
        initials = author.initials or "".join(word[0] for word in re.split(r"[\s-]+", author.fore_name) if word)
        name = f"<LastName>{_text(author.last_name)}</LastName>"
        if author.fore_name:
            name += f"<ForeName>{_text(author.fore_name)}</ForeName>"
        if initials:
            name += f"<Initials>{_text(initials)}</Initials>"
    affiliations = "".join(f"<AffiliationInfo><Affiliation>{_text(affiliation)}</Affiliation></AffiliationInfo>"
                           for affiliation in author.affiliations)
    return f'<Author ValidYN="Y">{name}{affiliations}</Author>'


def _comment_xml(comment: CommentCorrection | tuple[str, str] | tuple[str, str, str | None]) -> str:
    """<CommentsCorrections> from a CommentCorrection or (ref_type, ref_source[, pmid])."""
    if not isinstance(comment, CommentCorrection):
        comment = CommentCorrection(*comment)
    pmid = f'<PMID Version="1">{comment.pmid}</PMID>' if comment.pmid else ""
    return (f"<CommentsCorrections RefType={quoteattr(comment.ref_type)}>"
            f"<RefSource>{_text(comment.ref_source)}</RefSource>{pmid}</CommentsCorrections>")


def make_article_xml(
    pmid: str,
    title: str = "An invented study of nothing in particular.",
    *,
    abstract_sections: AbstractSpec = "We invented this abstract for a test.",
    copyright_text: str | None = None,
    journal: str = "Journal of Invented Studies",
    iso_abbreviation: str | None = "J Invent Stud",
    medline_ta: str | None = None,
    issn: str | None = "1234-5678",
    volume: str | None = "12",
    issue: str | None = "3",
    pages: str | None = "101-110",
    year: int | str = 2020,
    pub_date: str | None = None,
    article_date: str | None = None,
    authors: Sequence[AuthorSpec] = ("Doe, Jane",),
    publication_types: Sequence[str] = ("Journal Article",),
    mesh_headings: Sequence[str] = (),
    keywords: Sequence[str] = (),
    doi: str | None = None,
    pmcid: str | None = None,
    comments_corrections: Sequence[CommentCorrection | tuple[str, str] | tuple[str, str, str | None]] = (),
    language: str = "eng",
    status: str = "MEDLINE",
    vernacular_title: str | None = None,
) -> str:
    """A realistic <PubmedArticle> with invented content, as PubMed would write it.

    Text values are escaped; wrap a value in ``Markup`` to keep inline XML (``<i>``, ``<sup>``, MathML).
    ``abstract_sections``: one string (an unlabelled abstract), a sequence of strings, of
    ``(label, text)`` (NlmCategory = the label when it is a category) or of ``(label, category, text)``;
    ``None`` or ``()`` for no abstract. ``pub_date`` ("2018", "2018 Jul", "2018 Jul 5", "2018 Spring",
    or free text such as "1998 Dec-1999 Jan" for a MedlineDate) overrides ``year``. ``article_date`` is
    "YYYY-MM-DD". ``authors``: "Last, Fore" strings, collective names (no comma) or
    ``claimcheck.model.Author`` (affiliations included). ``medline_ta`` defaults to the ISO abbreviation.
    ``pages`` "101-110" gives StartPage/EndPage/MedlinePgn; ``doi`` gives an ELocationID and an ArticleId.
    ``comments_corrections``: ``CommentCorrection`` or ``(ref_type, ref_source[, pmid])``. Non-ASCII
    comes out as numeric character references, as in real EFetch answers.
    """
    if not re.fullmatch(r"[0-9]+", pmid):
        raise ValueError(f"{pmid!r} is not a PMID")
    medline_ta = medline_ta if medline_ta is not None else (iso_abbreviation or journal)
    issn_xml = f'<ISSN IssnType="Electronic">{escape(issn)}</ISSN>' if issn else ""
    volume_xml = f"<Volume>{escape(volume)}</Volume>" if volume else ""
    issue_xml = f"<Issue>{escape(issue)}</Issue>" if issue else ""
    iso_xml = f"<ISOAbbreviation>{escape(iso_abbreviation)}</ISOAbbreviation>" if iso_abbreviation else ""
    journal_xml = (f'<Journal>{issn_xml}<JournalIssue CitedMedium="Internet">{volume_xml}{issue_xml}'
                   f"{_pub_date_xml(pub_date or str(year))}</JournalIssue>"
                   f"<Title>{_text(journal)}</Title>{iso_xml}</Journal>")
    pagination = ""
    if pages or not doi:
        pagination = f"<Pagination>{_pagination_xml(pages or '')}</Pagination>"
    elocation = f'<ELocationID EIdType="doi" ValidYN="Y">{escape(doi)}</ELocationID>' if doi else ""
    author_list = ""
    if authors:
        author_list = '<AuthorList CompleteYN="Y">' + "".join(_author_xml(a) for a in authors) + "</AuthorList>"
    type_list = "".join(f'<PublicationType UI="{_PUBLICATION_TYPE_UIS.get(kind, "D000000")}">{escape(kind)}'
                        "</PublicationType>" for kind in publication_types)
    vernacular = f"<VernacularTitle>{_text(vernacular_title)}</VernacularTitle>" if vernacular_title else ""
    article_dates = _article_date_xml(article_date) if article_date else ""
    pub_model = "Print-Electronic" if article_date else "Print"
    article_xml = (f'<Article PubModel="{pub_model}">{journal_xml}<ArticleTitle>{_text(title)}</ArticleTitle>'
                   f"{pagination}{elocation}{_abstract_xml(abstract_sections, copyright_text)}{author_list}"
                   f"<Language>{escape(language)}</Language><PublicationTypeList>{type_list}</PublicationTypeList>"
                   f"{vernacular}{article_dates}</Article>")
    journal_info = (f"<MedlineJournalInfo><Country>England</Country><MedlineTA>{escape(medline_ta)}</MedlineTA>"
                    f"<NlmUniqueID>101234567</NlmUniqueID></MedlineJournalInfo>")
    comments = ""
    if comments_corrections:
        comments = ("<CommentsCorrectionsList>" + "".join(_comment_xml(c) for c in comments_corrections)
                    + "</CommentsCorrectionsList>")
    mesh = ""
    if mesh_headings:
        mesh = "<MeshHeadingList>" + "".join(
            f'<MeshHeading><DescriptorName UI="D000000" MajorTopicYN="N">{escape(heading)}</DescriptorName>'
            "</MeshHeading>" for heading in mesh_headings) + "</MeshHeadingList>"
    keyword_list = ""
    if keywords:
        keyword_list = '<KeywordList Owner="NOTNLM">' + "".join(
            f'<Keyword MajorTopicYN="N">{_text(keyword)}</Keyword>' for keyword in keywords) + "</KeywordList>"
    ids = f'<ArticleId IdType="pubmed">{pmid}</ArticleId>'
    if doi:
        ids += f'<ArticleId IdType="doi">{escape(doi)}</ArticleId>'
    if pmcid:
        ids += f'<ArticleId IdType="pmc">{escape(pmcid)}</ArticleId>'
    pubmed_data = (f'<PubmedData><History><PubMedPubDate PubStatus="pubmed"><Year>{_year_of(pub_date, year)}</Year>'
                   "<Month>1</Month><Day>1</Day></PubMedPubDate></History><PublicationStatus>ppublish"
                   f"</PublicationStatus><ArticleIdList>{ids}</ArticleIdList></PubmedData>")
    citation = (f'<MedlineCitation Status="{escape(status)}" Owner="NLM"><PMID Version="1">{pmid}</PMID>'
                f"{article_xml}{journal_info}{comments}{mesh}{keyword_list}</MedlineCitation>")
    return _numeric_refs(f"<PubmedArticle>{citation}{pubmed_data}</PubmedArticle>")


def _pagination_xml(pages: str) -> str:
    """StartPage/EndPage/MedlinePgn from "101-110", "e123" or ""."""
    if not pages:
        return "<MedlinePgn></MedlinePgn>"
    start, _, end = pages.partition("-")
    inner = f"<StartPage>{escape(start)}</StartPage>"
    if end:
        inner += f"<EndPage>{escape(end)}</EndPage>"
    return inner + f"<MedlinePgn>{escape(pages)}</MedlinePgn>"


def _year_of(pub_date: str | None, year: int | str) -> str:
    """The first four-digit year in pub_date, else year."""
    match = re.search(r"\d{4}", pub_date or "")
    return match.group() if match else str(year)


def make_book_article_xml(
    pmid: str,
    title: str = "Invented Syndrome",
    *,
    book_title: str = "Invented Reviews",
    publisher: str = "University of Nowhere",
    year: int | str = 2010,
    abstract_sections: AbstractSpec = "An invented book chapter summary.",
    authors: Sequence[AuthorSpec] = ("Doe, Jane",),
    language: str = "eng",
) -> str:
    """A <PubmedBookArticle> (a book chapter, as in GeneReviews) with invented content."""
    author_list = ""
    if authors:
        author_list = '<AuthorList Type="authors">' + "".join(_author_xml(a) for a in authors) + "</AuthorList>"
    book = (f"<Book><Publisher><PublisherName>{_text(publisher)}</PublisherName></Publisher>"
            f"<BookTitle book=\"invented\">{_text(book_title)}</BookTitle><PubDate><Year>{year}</Year></PubDate>"
            "<Medium>Internet</Medium></Book>")
    document = (f'<BookDocument><PMID Version="1">{pmid}</PMID><ArticleIdList>'
                f'<ArticleId IdType="bookaccession">NBK{pmid[-6:]}</ArticleId></ArticleIdList>{book}'
                f"<ArticleTitle>{_text(title)}</ArticleTitle><Language>{escape(language)}</Language>{author_list}"
                f'<PublicationType UI="D016454">Review</PublicationType>'
                f"{_abstract_xml(abstract_sections, None)}</BookDocument>")
    book_data = (f'<PubmedBookData><PublicationStatus>ppublish</PublicationStatus><ArticleIdList>'
                 f'<ArticleId IdType="pubmed">{pmid}</ArticleId></ArticleIdList></PubmedBookData>')
    return _numeric_refs(f"<PubmedBookArticle>{document}{book_data}</PubmedBookArticle>")


def pubmed_set_xml(articles: Iterable[str], *, header: str = PUBMED_HEADER) -> bytes:
    """A whole EFetch answer around these articles, framed byte for byte as NCBI frames it."""
    body = "".join(articles)
    if not body:
        return (header + "<PubmedArticleSet></PubmedArticleSet>\n").encode("utf-8")
    return (header + "<PubmedArticleSet>\n" + body + "</PubmedArticleSet>").encode("utf-8")


# --- the server -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received: where, how, with which parameters, and when."""

    endpoint: str
    method: str
    path: str
    url_params: dict[str, str]
    form_params: dict[str, str]
    time: float
    status: int
    body: bytes = b""

    @property
    def params(self) -> dict[str, str]:
        """URL and form parameters together (form wins)."""
        return {**self.url_params, **self.form_params}


@dataclass
class _Failure:
    kind: str
    remaining: int | None  # None: forever
    endpoint: str | None
    delay: float | None
    retry_after: str | None


@dataclass
class _Search:
    ids: tuple[str, ...]
    count: int | None
    query_translation: str
    translations: tuple[tuple[str, str], ...]
    error: str | None
    phrase_not_found: tuple[str, ...]
    warnings: tuple[str, ...]


@dataclass
class _Answer:
    status: int
    body: bytes
    content_type: str = _XML_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False


class FakeEutils:
    """A fake E-utilities server (EFetch, ESearch, ECitMatch) with request log and failure injection."""

    def __init__(self, *, latency: float = 0.0, rate_limit: float | None = None, slow_delay: float = 5.0,
                 pubmed_header: str = PUBMED_HEADER) -> None:
        self.latency = latency
        self.rate_limit = rate_limit
        self.slow_delay = slow_delay
        self.pubmed_header = pubmed_header
        self._records: dict[str, str] = {}
        self._searches: dict[str, _Search] = {}
        self._citations: dict[str, tuple[str | None, str | None]] = {}
        self._failures: list[_Failure] = []
        self._raw_answers: deque[_Answer] = deque()
        self._requests: list[RecordedRequest] = []
        self._arrivals: deque[float] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> FakeEutils:
        """Listen on 127.0.0.1 at a free port and serve in a background thread."""
        if self._server is not None:
            return self
        handler = type("Handler", (_Handler,), {"fake": self})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        server.block_on_close = False  # slow answers must not hold up stop()
        self._stopping.clear()
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.01,), name="fake-eutils", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port; sleeping 'slow' answers wake up and give up."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeEutils:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The base URL to give the client (ends with /entrez/eutils/)."""
        if self._server is None:
            raise RuntimeError("the fake E-utilities server is not started")
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}/entrez/eutils/"

    # --- content --------------------------------------------------------------------------------

    def add_record(self, pmid: str, article_xml: str) -> None:
        """Serve this <PubmedArticle> or <PubmedBookArticle> for this PMID."""
        self._records[pmid] = article_xml

    def add_records_from_set(self, xml_bytes: bytes) -> list[str]:
        """Serve every article of a PubmedArticleSet; return their PMIDs."""
        pmids: list[str] = []
        for pmid, one_article_set in split_pubmed_set(xml_bytes):
            text = one_article_set.decode("utf-8")
            start = re.search(r"<Pubmed(?:Book)?Article\b", text)
            end = max(text.rfind("</PubmedArticle>") + len("</PubmedArticle>"),
                      text.rfind("</PubmedBookArticle>") + len("</PubmedBookArticle>"))
            if start is None:
                raise ValueError(f"PMID {pmid}: no article element found")
            self._records[pmid] = text[start.start():end]
            pmids.append(pmid)
        return pmids

    def add_search(
        self,
        term: str,
        ids: Sequence[str] = (),
        *,
        count: int | None = None,
        query_translation: str | None = None,
        translations: Sequence[tuple[str, str]] = (),
        error: str | None = None,
        phrase_not_found: Sequence[str] | None = None,
        warnings: Sequence[str] = (),
    ) -> None:
        """Answer ESearch for exactly this term: these ids (count defaults to len(ids)), or an <ERROR>.

        With no ids, the answer is NCBI's "no hits": ErrorList/PhraseNotFound (the term, unless
        ``phrase_not_found`` says otherwise) and WarningList/OutputMessage "No items found.".
        Terms never added get that "no hits" answer too.
        """
        translation = query_translation if query_translation is not None else f"{term}[All Fields]"
        not_found = tuple(phrase_not_found) if phrase_not_found is not None else (() if ids else (term,))
        self._searches[term.strip()] = _Search(tuple(ids), count, translation, tuple(translations), error,
                                               not_found, tuple(warnings))

    def add_citation_match(self, line_prefix_or_key: str, result: str | None, *, echo: str | None = None) -> None:
        """Answer ECitMatch citations with this key (or whose line starts with this prefix) with ``result``.

        ``result`` is a PMID, "NOT_FOUND", "NOT_FOUND;INVALID_JOURNAL", "AMBIGUOUS (5 citations)",
        "AMBIGUOUS 26315901,25768914", or None to leave the citation's line out (as NCBI sometimes does).
        ``echo`` replaces the echoed citation (NCBI's echo does not always match what was sent).
        Unmatched citations get NOT_FOUND.
        """
        self._citations[line_prefix_or_key] = (result, echo)

    # --- failures -------------------------------------------------------------------------------

    def fail_next(self, kind: str, times: int = 1, *, endpoint: str | None = None, delay: float | None = None,
                  retry_after: str | None = None) -> None:
        """Answer the next ``times`` requests (to ``endpoint``: "efetch", "esearch", "ecitmatch"; any if None) badly."""
        self._add_failure(kind, times, endpoint, delay, retry_after)

    def always_fail(self, kind: str, *, endpoint: str | None = None, delay: float | None = None,
                    retry_after: str | None = None) -> None:
        """Answer every request (to ``endpoint``) badly until ``clear_failures``."""
        self._add_failure(kind, None, endpoint, delay, retry_after)

    def serve_raw_next(self, body: bytes, status: int = 200, *, times: int = 1) -> None:
        """Answer the next ``times`` requests (any endpoint) with exactly these bytes, as XML (hostile bodies)."""
        if times < 1:
            raise ValueError(f"times must be 1 or more, not {times}")
        with self._lock:
            self._raw_answers.extend(_Answer(status, body) for _ in range(times))

    def _take_raw_answer(self) -> _Answer | None:
        with self._lock:
            return self._raw_answers.popleft() if self._raw_answers else None

    def clear_failures(self) -> None:
        """Forget every queued or permanent failure."""
        with self._lock:
            self._failures.clear()

    def _add_failure(self, kind: str, times: int | None, endpoint: str | None, delay: float | None,
                     retry_after: str | None) -> None:
        if times is not None and times < 1:
            raise ValueError(f"times must be 1 or more, not {times}")
        if kind not in FAILURE_KINDS:
            raise ValueError(f"unknown failure kind {kind!r}; use one of {sorted(FAILURE_KINDS)}")
        if endpoint is not None and endpoint not in _ENDPOINTS.values():
            raise ValueError(f"unknown endpoint {endpoint!r}; use efetch, esearch or ecitmatch")
        with self._lock:
            self._failures.append(_Failure(kind, times, endpoint, delay, retry_after))

    def _take_failure(self, endpoint: str) -> _Failure | None:
        with self._lock:
            for failure in self._failures:
                if failure.endpoint not in (None, endpoint):
                    continue
                if failure.remaining is not None:
                    failure.remaining -= 1
                    if failure.remaining <= 0:
                        self._failures.remove(failure)
                return failure
        return None

    # --- the request log ------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request so far, in arrival order."""
        with self._lock:
            return sorted(self._requests, key=lambda request: request.time)

    def requests_to(self, endpoint: str) -> list[RecordedRequest]:
        """The requests to one endpoint ("efetch", "esearch", "ecitmatch")."""
        return [request for request in self.requests if request.endpoint == endpoint]

    def count(self, endpoint: str | None = None) -> int:
        """How many requests (to one endpoint, or in all) the server received."""
        return len(self.requests) if endpoint is None else len(self.requests_to(endpoint))

    def reset_log(self) -> None:
        """Forget the requests received so far."""
        with self._lock:
            self._requests.clear()

    # --- answering ------------------------------------------------------------------------------

    def _answer(self, method: str, path: str, body: bytes, arrival: float) -> _Answer:
        url_params = _form(urlsplit(path).query.encode())
        form_params = _form(body) if method == "POST" else {}
        route = urlsplit(path).path
        utility = route.removeprefix("/entrez/eutils/") if route.startswith("/entrez/eutils/") else ""
        endpoint = _ENDPOINTS.get(utility, "unknown")
        params = {**url_params, **form_params}
        answer = self._rate_limited(params, arrival)
        if answer is None:
            answer = self._take_raw_answer()
        if answer is None:
            answer = self._inject(endpoint, params)
        if answer is None:
            answer = self._normal(endpoint, params)
        answer.delay += self.latency
        with self._lock:
            self._requests.append(RecordedRequest(endpoint, method, path, url_params, form_params, arrival,
                                                  answer.status, body))
        return answer

    def _rate_limited(self, params: dict[str, str], arrival: float) -> _Answer | None:
        if self.rate_limit is None:
            return None
        # A sliding one-second window of the requests it answered; refused ones do not count against the caller.
        with self._lock:
            while self._arrivals and self._arrivals[0] <= arrival - 1.0:
                self._arrivals.popleft()
            count = len(self._arrivals) + 1
            if count <= self.rate_limit:
                self._arrivals.append(arrival)
                return None
        return self._too_many(params, count, limit=self.rate_limit)

    def _too_many(self, params: dict[str, str], count: int, *, limit: float, retry_after: str | None = None) -> _Answer:
        # NCBI puts the key (or the caller's IP) in "api-key"; the client must not repeat it anywhere.
        body = json.dumps({"error": "API rate limit exceeded", "api-key": params.get("api_key", "127.0.0.1"),
                           "count": str(count), "limit": f"{limit:g}"}, separators=(",", ":"))
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        return _Answer(429, body.encode(), "application/json", headers)

    def _inject(self, endpoint: str, params: dict[str, str]) -> _Answer | None:
        failure = self._take_failure(endpoint)
        if failure is None:
            return None
        kind = failure.kind
        if kind == "429":
            return self._too_many(params, 5, limit=self.rate_limit or 3, retry_after=failure.retry_after)
        if kind in ("500", "502", "503"):
            status = int(kind)
            headers = {"Retry-After": failure.retry_after} if failure.retry_after is not None else {}
            page = _HTML_PAGE.format(title=f"{status} {_REASONS[status]}")
            return _Answer(status, page.encode(), "text/html; charset=UTF-8", headers)
        if kind == "html200":
            return _Answer(200, _HTML_PAGE.format(title="Service maintenance").encode(), "text/html; charset=UTF-8")
        if kind == "empty":
            return _Answer(200, b"")
        if kind == "prolog_only":
            header = ESEARCH_HEADER if endpoint == "esearch" else self.pubmed_header
            return _Answer(200, header.encode())
        if kind == "error_xml":
            return _Answer(200, _error_body(endpoint, _CPP_ERROR))
        if kind == "proxy400":
            return _Answer(400, _error_body("efetch", _PROXY_ERROR))
        normal = self._normal(endpoint, params)
        if kind == "truncated":
            normal.body = normal.body[: max(1, len(normal.body) // 2)]
        elif kind == "slow":
            normal.delay = failure.delay if failure.delay is not None else self.slow_delay
        elif kind == "drop":
            normal.drop = True
        return normal

    def _normal(self, endpoint: str, params: dict[str, str]) -> _Answer:
        if endpoint == "efetch":
            return self._efetch(params)
        if endpoint == "esearch":
            return self._esearch(params)
        if endpoint == "ecitmatch":
            return self._ecitmatch(params)
        return _Answer(404, b"Not Found\n", _TEXT_TYPE)

    def _efetch(self, params: dict[str, str]) -> _Answer:
        if not params.get("db"):
            return _Answer(400, b"Bad Request (400): Mandatory parameter: db - is omitted\n", _TEXT_TYPE)
        requested = [part.strip() for part in params.get("id", "").split(",")]
        valid = list(dict.fromkeys(pmid for pmid in requested if pmid.isdigit() and int(pmid) > 0))
        if not valid:
            return _Answer(400, _error_body("efetch", _EMPTY_IDS_ERROR))
        articles = [self._records[pmid] for pmid in valid if pmid in self._records]
        return _Answer(200, pubmed_set_xml(articles, header=self.pubmed_header))

    def _esearch(self, params: dict[str, str]) -> _Answer:
        term = params.get("term", "").strip()
        retmax = _int_param(params, "retmax", 20)
        retstart = _int_param(params, "retstart", 0)
        search = self._searches.get(term) or _Search((), None, f"{term}[All Fields]", (), None, (term,), ())
        if search.error is not None:
            return _Answer(200, _error_body("esearch", search.error))
        count = search.count if search.count is not None else len(search.ids)
        warnings = list(search.warnings)
        if retstart >= ESEARCH_MAX and count > ESEARCH_MAX:
            message = ("Search Backend failed: Exception:\n'retstart' cannot be larger than 9998. For PubMed, "
                       "ESearch can only retrieve the first 9,999 records matching the query.")
            return _Answer(200, _error_body("esearch", message))
        if retmax > ESEARCH_MAX or retstart + retmax > ESEARCH_MAX:
            retmax = max(0, min(retmax, ESEARCH_MAX - retstart))
            warnings.append(f"Restrictions achieved. start and count adjusted to {retstart}, {retmax}")
        ids = search.ids[retstart:retstart + retmax]
        if not search.ids and not warnings:
            warnings.append("No items found.")
        return _Answer(200, _esearch_body(search, count, ids, retstart, warnings, params))

    def _ecitmatch(self, params: dict[str, str]) -> _Answer:
        bdata = params.get("bdata", "")
        lines: list[str] = []
        for citation in re.split(r"[\r\n]+", bdata):
            citation = citation.strip()
            if not citation:
                continue
            fields = citation.rstrip("|").split("|")
            key = fields[5] if len(fields) > 5 else ""
            result, echo = self._citation_answer(key, citation)
            if result is None:
                continue
            echoed = echo if echo is not None else "|".join((fields + [""] * 6)[:6])
            lines.append(f"{echoed}|{result}")
        return _Answer(200, ("\n".join(lines) + "\n").encode("utf-8") if lines else b"", _TEXT_TYPE)

    def _citation_answer(self, key: str, citation: str) -> tuple[str | None, str | None]:
        if key and key in self._citations:
            return self._citations[key]
        for prefix, answer in self._citations.items():
            if citation.lower().startswith(prefix.lower()):
                return answer
        return "NOT_FOUND", None


def _int_param(params: dict[str, str], name: str, default: int) -> int:
    try:
        return int(params.get(name, default))
    except ValueError:
        return default


def _error_body(endpoint: str, message: str) -> bytes:
    """NCBI's error envelope: eSearchResult/ERROR on ESearch, eFetchResult/ERROR elsewhere."""
    if endpoint == "esearch":
        return f"{ESEARCH_HEADER}<eSearchResult>\n\t<ERROR>{escape(message)}</ERROR>\n</eSearchResult>\n".encode()
    return f"{EFETCH_ERROR_HEADER}<eFetchResult>\n\t<ERROR>{escape(message)}</ERROR>\n</eFetchResult>\n".encode()


def _esearch_body(search: _Search, count: int, ids: Sequence[str], retstart: int, warnings: list[str],
                  params: dict[str, str]) -> bytes:
    """An eSearchResult laid out as NCBI lays it out (almost one line, one Id per line)."""
    history = ""
    if params.get("usehistory") == "y":
        history = "<QueryKey>1</QueryKey><WebEnv>MCID_6927d6e7fee3e90f880ec190</WebEnv>"
    id_list = "<IdList>\n" + "".join(f"<Id>{pmid}</Id>\n" for pmid in ids) + "</IdList>" if ids else "<IdList/>"
    translation_set = "<TranslationSet/>"
    if search.translations:
        translation_set = "<TranslationSet>" + "".join(
            f"<Translation>     <From>{escape(source)}</From>     <To>{escape(target)}</To>    </Translation>"
            for source, target in search.translations) + "</TranslationSet>"
    error_list = ""
    if search.phrase_not_found:
        error_list = "<ErrorList>" + "".join(f"<PhraseNotFound>{escape(phrase)}</PhraseNotFound>"
                                             for phrase in search.phrase_not_found) + "</ErrorList>"
    warning_list = ""
    if warnings:
        warning_list = "<WarningList>" + "".join(f"<OutputMessage>{escape(message)}</OutputMessage>"
                                                 for message in warnings) + "</WarningList>"
    body = (f"<eSearchResult><Count>{count}</Count><RetMax>{len(ids)}</RetMax><RetStart>{retstart}</RetStart>"
            f"{history}{id_list}{translation_set}<QueryTranslation>{escape(search.query_translation)}"
            f"</QueryTranslation>{error_list}{warning_list}</eSearchResult>\n")
    return (ESEARCH_HEADER + body).encode("utf-8")


def _form(data: bytes) -> dict[str, str]:
    """A form-encoded body (or query string) as a dict; repeated names are joined with commas."""
    parsed = parse_qs(data.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {name: ",".join(values) for name, values in parsed.items()}


class _Handler(BaseHTTPRequestHandler):
    """Reads a GET or form POST, asks the FakeEutils for the answer, and sends it (or drops it)."""

    fake: FakeEutils
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes; don't let them wait on ACKs

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._serve("GET", b"")

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        self._serve("POST", self.rfile.read(length) if length else b"")

    def _serve(self, method: str, body: bytes) -> None:
        arrival = time.monotonic()
        answer = self.fake._answer(method, self.path, body, arrival)
        if answer.delay and self.fake._stopping.wait(answer.delay):
            self.close_connection = True
            return
        try:
            self._send(answer)
        except OSError:
            self.close_connection = True  # the client gave up (a timeout); nothing to tell it

    def _send(self, answer: _Answer) -> None:
        self.send_response(answer.status, _REASONS.get(answer.status))
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("X-RateLimit-Limit", f"{self.fake.rate_limit or 3:g}")
        self.send_header("X-RateLimit-Remaining", "2")
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if not answer.drop:
            self.wfile.write(answer.body)
            return
        self.wfile.write(answer.body[: len(answer.body) // 2])
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet: tests and benchmarks read the request log instead."""

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except OSError:
            self.close_connection = True


def _fake_eutils() -> Iterator[FakeEutils]:
    """A started fake E-utilities server, stopped after the test."""
    with FakeEutils() as server:
        yield server


try:
    import pytest
except ImportError:  # benchmarks and CLI scripts may run where pytest is not installed
    pass
else:
    fake_eutils = pytest.fixture(_fake_eutils, name="fake_eutils")
