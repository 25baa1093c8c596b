"""The one PubMed parser: PubmedArticleSet XML (EFetch answers, snapshots, cache, baseline files) -> Record."""

from __future__ import annotations

import gzip
import io
import os
import re
import xml.etree.ElementTree as ET
import xml.parsers.expat
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from claimcheck.errors import MalformedXMLError
from claimcheck.model import AbstractSection, Author, CommentCorrection, PartialDate, Record

_ARTICLE_TAGS = ("PubmedArticle", "PubmedBookArticle")
_SET_OPEN = b"<PubmedArticleSet>\n"
_SET_CLOSE = b"\n</PubmedArticleSet>\n"
_DEFAULT_HEADER = (
    b'<?xml version="1.0" ?>\n'
    b'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
)
_HEADER_END = re.compile(rb"<PubmedArticleSet\b")


class ErrorAnswerError(MalformedXMLError):
    """The body is an E-utilities error document (eFetchResult/ERROR), not records."""

    def __init__(self, error_text: str) -> None:
        self.error_text = error_text
        super().__init__(f"E-utilities answered with an error: {error_text}")


class _Splitter:
    """Expat callbacks that note each article's byte span and PMID, and each DeleteCitation, in one pass."""

    def __init__(self, parser: xml.parsers.expat.XMLParserType) -> None:
        self.parser = parser
        self.depth = 0
        self.root = ""
        self.root_start = -1
        self.article_start = -1
        self.last_closed = -1
        """Where the end tag of the last element under the root starts: expat has read every byte before it."""
        self.article_pmid = ""
        self.in_pmid = False
        self.in_deletion = False
        self.pmid_text: list[str] = []
        self.error_text: list[str] = []
        self.in_error = False
        self.skipping = False
        """Inside an article whose PMID is read: only its end matters, so starts are not listened to."""
        self.spans: list[tuple[str, int, int]] = []
        self.deleted_pmids: list[str] = []
        self.deletions: list[tuple[int, tuple[str, ...]]] = []
        """Each DeleteCitation's PMIDs, with how many ``spans`` came before it (so file order can be kept)."""
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        # No CharacterDataHandler yet: text is listened to only inside PMID and ERROR, which halves the work.

    @property
    def in_article(self) -> bool:
        """Whether an article has started and not yet ended."""
        return self.article_start >= 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth == 1:
            self.root = name
            self.root_start = self.parser.CurrentByteIndex
        elif self.depth == 2 and name in _ARTICLE_TAGS:
            self.article_start = self.parser.CurrentByteIndex
            self.article_pmid = ""
        elif self.depth == 2 and name == "DeleteCitation":
            self.in_deletion = True
            self.deleted_pmids = []
        elif name == "PMID" and self.depth == 4 and not self.article_pmid:
            # MedlineCitation/PMID or BookDocument/PMID; later PMIDs (CommentsCorrections) sit deeper.
            self._listen_to_pmid()
        elif name == "PMID" and self.depth == 3 and self.in_deletion:
            self._listen_to_pmid()
        if name == "ERROR":
            self.in_error = True
            self.parser.CharacterDataHandler = self.text

    def end(self, name: str) -> None:
        if self.skipping:
            if name in _ARTICLE_TAGS:  # articles never nest, so this is the article's own end
                self.skipping = False
                self.parser.StartElementHandler = self.start
                self.depth = 1
                self._close_top_level(name)
            return
        if name == "PMID" and self.in_pmid:
            self._pmid_read()
        elif name == "ERROR" and self.in_error:
            self.in_error = False
            self._stop_listening()
        if self.depth == 2:
            self._close_top_level(name)
        self.depth -= 1

    def text(self, data: str) -> None:
        if self.in_pmid:
            self.pmid_text.append(data)
        if self.in_error:
            self.error_text.append(data)

    def _close_top_level(self, name: str) -> None:
        self.last_closed = self.parser.CurrentByteIndex
        if name in _ARTICLE_TAGS:
            self.spans.append((self.article_pmid, self.article_start, self.last_closed))
            self.article_start = -1
        elif name == "DeleteCitation":
            self.in_deletion = False
            self.deletions.append((len(self.spans), tuple(self.deleted_pmids)))

    def _listen_to_pmid(self) -> None:
        self.in_pmid = True
        self.pmid_text = []
        self.parser.CharacterDataHandler = self.text

    def _pmid_read(self) -> None:
        self.in_pmid = False
        pmid = "".join(self.pmid_text).strip()
        if self.in_deletion:
            self.deleted_pmids.append(pmid)
        else:
            self.article_pmid = pmid
            # Half of expat's callbacks are element starts; the rest of the article needs none of them.
            self.skipping = True
            self.parser.StartElementHandler = None
        self._stop_listening()

    def _stop_listening(self) -> None:
        if not (self.in_pmid or self.in_error):
            self.parser.CharacterDataHandler = None


def split_pubmed_set(data: bytes) -> list[tuple[str, bytes]]:
    """Split an EFetch answer into (PMID, one-article PubmedArticleSet bytes), keeping the bytes as sent.

    Raises ErrorAnswerError for an E-utilities error document and MalformedXMLError for anything
    that is not a complete PubmedArticleSet (HTML, truncated XML, an empty body).
    """
    if not data.strip():
        raise MalformedXMLError("the answer is empty")
    parser = xml.parsers.expat.ParserCreate()
    splitter = _Splitter(parser)
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as error:
        raise MalformedXMLError(f"the answer is not well-formed XML ({error})") from None
    if splitter.error_text or splitter.root in ("eFetchResult", "ERROR"):
        raise ErrorAnswerError(_error_message(splitter.error_text) or splitter.root)
    if splitter.root != "PubmedArticleSet":
        raise MalformedXMLError(f"the answer is <{splitter.root}>, not <PubmedArticleSet>")
    header = _header_of(data)
    pieces: list[tuple[str, bytes]] = []
    for pmid, start, end_tag_start in splitter.spans:
        if not pmid.isdigit():
            raise MalformedXMLError("an article in the answer has no PMID")
        end = data.index(b">", end_tag_start) + 1
        pieces.append((pmid, header + _SET_OPEN + data[start:end] + _SET_CLOSE))
    return pieces


def _header_of(data: bytes) -> bytes:
    """The XML declaration and DOCTYPE that precede <PubmedArticleSet>, or NCBI's usual ones."""
    match = _HEADER_END.search(data)
    if match is None or match.start() == 0:
        return _DEFAULT_HEADER
    return data[: match.start()]


# --- Records from elements --------------------------------------------------------------------

_ERROR_ROOTS = ("eFetchResult", "ERROR")
_GZIP_MAGIC = b"\x1f\x8b"
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}
_YEAR = re.compile(r"\b(\d{4})\b")
_SPLIT_CHARS = 1 << 20
"""Text up to this length is collapsed by splitting into words; longer text (never a real field) another way."""
# Every character str.split() splits on (str.isspace()), mapped to a plain space.
_WHITESPACE_TO_SPACE = {code: " " for code in (*range(0x9, 0xE), *range(0x1C, 0x20), 0x85, 0xA0, 0x1680,
                                               *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000)}
_ERROR_TEXT_CHARS = 2000
"""NCBI's error texts are a line or two; a longer one is cut so that a hostile answer cannot fill a message."""
_MONTH_AFTER_YEAR = re.compile(r"\s*([A-Za-z]{3})")
# An empty stand-in for optional containers, so that lookups below need no None checks.
_NOTHING = ET.Element("nothing")


@dataclass(frozen=True)
class DeletedCitations:
    """The PMIDs an update file's DeleteCitation element tells a mirror to drop."""

    pmids: tuple[str, ...]


def record_from_element(element: ET.Element) -> Record:
    """Read one PubmedArticle or PubmedBookArticle element into a Record."""
    if element.tag == "PubmedArticle":
        return _article_record(element)
    if element.tag == "PubmedBookArticle":
        return _book_record(element)
    raise MalformedXMLError(
        f"<{element.tag}> is not a PubMed article (expected <PubmedArticle> or <PubmedBookArticle>)"
    )


def _article_record(element: ET.Element) -> Record:
    """A journal article: MedlineCitation plus the IDs of PubmedData."""
    citation = _child(element, "MedlineCitation")
    article = _child(citation, "Article")
    issue = _child(article, "Journal/JournalIssue")
    article_ids = element.findall("PubmedData/ArticleIdList/ArticleId")
    return Record(
        pmid=_pmid(citation, "PubmedArticle"),
        title=_text(article.find("ArticleTitle")),
        abstract_sections=_abstract_sections(article.find("Abstract")),
        journal_title=_text(article.find("Journal/Title")),
        iso_abbreviation=_text(article.find("Journal/ISOAbbreviation")),
        medline_ta=_text(citation.find("MedlineJournalInfo/MedlineTA")),
        volume=_text(issue.find("Volume")),
        issue=_text(issue.find("Issue")),
        pages=_pages(article.find("Pagination")),
        pub_date=_pub_date(issue.find("PubDate")),
        article_date=_article_date(article.findall("ArticleDate")),
        authors=_authors(article.findall("AuthorList")),
        publication_types=_texts(article.findall("PublicationTypeList/PublicationType")),
        mesh_headings=_texts(citation.findall("MeshHeadingList/MeshHeading/DescriptorName")),
        keywords=_texts(citation.findall("KeywordList/Keyword")),
        # Only the article's own IDs: ReferenceList entries carry ArticleIdLists of the works cited.
        doi=_doi(article_ids, article.findall("ELocationID")),
        pmcid=_pmcid(article_ids),
        comments_corrections=_comments_corrections(citation.findall("CommentsCorrectionsList/CommentsCorrections")),
    )


def _book_record(element: ET.Element) -> Record:
    """A book or book chapter (PubmedBookArticle): no journal, its own title or the book's."""
    document = _child(element, "BookDocument")
    book = _child(document, "Book")
    article_ids = document.findall("ArticleIdList/ArticleId") + element.findall(
        "PubmedBookData/ArticleIdList/ArticleId"
    )
    return Record(
        pmid=_pmid(document, "PubmedBookArticle"),
        title=_text(document.find("ArticleTitle")) or _text(book.find("BookTitle")),
        abstract_sections=_abstract_sections(document.find("Abstract")),
        volume=_text(book.find("Volume")),
        pages=_pages(document.find("Pagination")),
        pub_date=_pub_date(book.find("PubDate")),
        authors=_authors(document.findall("AuthorList")),
        publication_types=_texts(document.findall("PublicationType")),
        keywords=_texts(document.findall("KeywordList/Keyword")),
        doi=_doi(article_ids, book.findall("ELocationID")),
        pmcid=_pmcid(article_ids),
        is_book=True,
    )


def _child(parent: ET.Element, path: str) -> ET.Element:
    """The element at ``path``, or an empty one when it is missing."""
    found = parent.find(path)
    return _NOTHING if found is None else found


def _pmid(parent: ET.Element, article_tag: str) -> str:
    """The PMID directly under MedlineCitation or BookDocument; an article without one is unusable."""
    pmid = _text(parent.find("PMID"))
    if not pmid:
        raise MalformedXMLError(f"a <{article_tag}> has no PMID")
    if not pmid.isdigit():
        raise MalformedXMLError(f"a <{article_tag}> has the PMID {pmid!r}, which is not a number")
    return pmid


def _text(element: ET.Element | None) -> str:
    """All text inside the element, inline markup (i, sup, MathML, ...) flattened, whitespace collapsed."""
    if element is None:
        return ""
    if len(element) == 0:
        # Most fields hold plain text; itertext would walk a tree of one element for it.
        return _collapse(element.text or "")
    return _collapse("".join(element.itertext()))


def _collapse(text: str) -> str:
    """Each run of whitespace as one space, ends trimmed: " ".join(text.split()), in bounded memory for huge text."""
    if len(text) <= _SPLIT_CHARS:
        return " ".join(text.split())
    # A hostile 100 MB text node split into words would take over a gigabyte; this takes a few copies of it.
    text = text.translate(_WHITESPACE_TO_SPACE)
    while "  " in text:
        text = text.replace("  ", " ")
    return text.strip(" ")


def _error_message(parts: list[str]) -> str:
    """The text of an E-utilities ERROR element for a message: collapsed, and cut when it runs on."""
    text = "".join(parts)
    if len(text) > _ERROR_TEXT_CHARS:
        text = text[:_ERROR_TEXT_CHARS] + "…"
    return _collapse(text)


def _texts(elements: list[ET.Element]) -> tuple[str, ...]:
    """The non-empty texts of the elements, in order."""
    texts = (_text(element) for element in elements)
    return tuple(text for text in texts if text)


def _abstract_sections(abstract: ET.Element | None) -> tuple[AbstractSection, ...]:
    """The AbstractText parts; CopyrightInformation is a sibling and OtherAbstract lives elsewhere."""
    if abstract is None:
        return ()
    sections: list[AbstractSection] = []
    for part in abstract.findall("AbstractText"):
        text = _text(part)
        if not text:
            continue
        label = " ".join(part.get("Label", "").split())
        category = part.get("NlmCategory", "").strip()
        sections.append(AbstractSection(label=label, category=category, text=text))
    return tuple(sections)


def _pages(pagination: ET.Element | None) -> str:
    """MedlinePgn when given, else StartPage-EndPage (or StartPage alone)."""
    if pagination is None:
        return ""
    medline_pages = _text(pagination.find("MedlinePgn"))
    if medline_pages:
        return medline_pages
    start = _text(pagination.find("StartPage"))
    end = _text(pagination.find("EndPage"))
    if start and end:
        return f"{start}-{end}"
    return start or end


def _pub_date(element: ET.Element | None) -> PartialDate | None:
    """A PubDate: Year with Month and Day, Year with Season, or free-text MedlineDate."""
    if element is None:
        return None
    medline_date = _text(element.find("MedlineDate"))
    if medline_date:
        return _medline_date(medline_date)
    year_text = _text(element.find("Year"))
    season = _text(element.find("Season"))
    if season:
        return PartialDate(year=_number(year_text), raw=f"{year_text} {season}".strip())
    if not year_text:
        return None
    month = _month(_text(element.find("Month")))
    day = _number(_text(element.find("Day"))) if month else None
    return PartialDate(year=_number(year_text), month=month, day=day)


def _medline_date(raw: str) -> PartialDate:
    """Best effort on MedlineDate ("1998 Dec-1999 Jan", "2001 Spring", "1975-1976"): its first year and month."""
    year_match = _YEAR.search(raw)
    if year_match is None:
        return PartialDate(year=None, raw=raw)
    month_match = _MONTH_AFTER_YEAR.match(raw, year_match.end())
    month = _month(month_match.group(1)) if month_match else None
    return PartialDate(year=int(year_match.group(1)), month=month, raw=raw)


def _article_date(elements: list[ET.Element]) -> PartialDate | None:
    """The electronic publication date (ArticleDate DateType="Electronic", the DTD's only type)."""
    for element in elements:
        if element.get("DateType", "Electronic") != "Electronic":
            continue
        year = _number(_text(element.find("Year")))
        if year is None:
            continue
        month = _month(_text(element.find("Month")))
        day = _number(_text(element.find("Day"))) if month else None
        return PartialDate(year=year, month=month, day=day)
    return None


def _month(text: str) -> int | None:
    """A month given as a number ("06", "6") or an English name ("Jun", "June")."""
    if text.isdigit():
        number = int(text)
        return number if 1 <= number <= 12 else None
    return _MONTHS.get(text[:3].lower())


def _number(text: str) -> int | None:
    """The text as an int, or None when it is not a plain number."""
    return int(text) if text.isdigit() else None


def _authors(author_lists: list[ET.Element]) -> tuple[Author, ...]:
    """Every author of every author list; a book's editors are not its authors."""
    authors: list[Author] = []
    for author_list in author_lists:
        if author_list.get("Type") == "editors":
            continue
        for author in author_list.findall("Author"):
            authors.append(_author(author))
    return tuple(authors)


def _author(element: ET.Element) -> Author:
    """One Author element: a person or a collective name, with affiliations."""
    return Author(
        last_name=_text(element.find("LastName")),
        fore_name=_text(element.find("ForeName")),
        initials=_text(element.find("Initials")),
        collective_name=_text(element.find("CollectiveName")),
        affiliations=_texts(_affiliations(element)),
    )


def _affiliations(author: ET.Element) -> list[ET.Element]:
    # Two plain findall calls run in C; the path "AffiliationInfo/Affiliation" would go through ElementPath
    # in Python, for every author of every record.
    return [found for info in author.findall("AffiliationInfo") for found in info.findall("Affiliation")]


def _doi(article_ids: list[ET.Element], location_ids: list[ET.Element]) -> str | None:
    """The DOI from the ArticleIdList, else from an ELocationID."""
    for article_id in article_ids:
        if article_id.get("IdType") == "doi" and _text(article_id):
            return _text(article_id)
    for location_id in location_ids:
        if location_id.get("EIdType") == "doi" and _text(location_id):
            return _text(location_id)
    return None


def _pmcid(article_ids: list[ET.Element]) -> str | None:
    """The PubMed Central ID, always with its "PMC" prefix."""
    for article_id in article_ids:
        pmcid = _text(article_id)
        if article_id.get("IdType") != "pmc" or not pmcid:
            continue
        return f"PMC{pmcid}" if pmcid.isdigit() else pmcid
    return None


def _comments_corrections(elements: list[ET.Element]) -> tuple[CommentCorrection, ...]:
    """Links to retractions, errata, comments and the like."""
    links: list[CommentCorrection] = []
    for element in elements:
        pmid = _text(element.find("PMID"))
        links.append(
            CommentCorrection(
                ref_type=element.get("RefType", "").strip(),
                ref_source=_text(element.find("RefSource")),
                pmid=pmid or None,
            )
        )
    return tuple(links)


# --- Whole sets, in memory or streamed -------------------------------------------------------


def parse_records(data: bytes) -> list[Record]:
    """Every article of a PubmedArticleSet held in memory (an EFetch answer, a snapshot, a cache entry).

    Raises ErrorAnswerError for an E-utilities error document and MalformedXMLError for anything
    that is not a complete PubmedArticleSet, as split_pubmed_set does.
    """
    origin = "the answer"
    if not data.strip():
        raise MalformedXMLError(f"{origin} is empty")
    # Bytes already in memory are read as one tree, which ElementTree builds in C: a third faster than
    # the streaming loop of iter_pubmed_file, which hands every element's events to Python.
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        raise MalformedXMLError(_parse_error_message(origin, error)) from None
    _check_root(root.tag, origin)
    records: list[Record] = []
    if root.tag == "PubmedArticleSet":
        for element in root:
            item = _item_of(element, origin)
            if isinstance(item, Record):
                records.append(item)
    _raise_for_errors([_text(element) for element in root.iter("ERROR")], root.tag)
    return records


def parse_record(data: bytes) -> Record:
    """The one article of a PubmedArticleSet; MalformedXMLError unless there is exactly one."""
    records = parse_records(data)
    if len(records) != 1:
        raise MalformedXMLError(f"expected exactly one PubMed article, found {len(records)}")
    return records[0]


def iter_pubmed_file(source: str | os.PathLike[str] | BinaryIO) -> Iterator[Record | DeletedCitations]:
    """Stream the records (and DeleteCitation lists) of a PubMed baseline or update file, .xml or .xml.gz.

    Memory stays bounded whatever the file's size: each article is dropped once read.
    """
    with _opened(source) as (stream, name):
        yield from _iter_set(stream, name)


@contextmanager
def _opened(source: str | os.PathLike[str] | BinaryIO) -> Iterator[tuple[BinaryIO, str]]:
    """The (gunzipped) content of a file named by path, or of an open binary stream, and the name errors give."""
    if isinstance(source, (str, os.PathLike)):
        name = os.fsdecode(source)
        with open(source, "rb") as stream:
            yield _decompressed(stream, name), name
        return
    name = str(getattr(source, "name", "the stream"))
    yield _decompressed(source, name), name


def _decompressed(stream: BinaryIO, name: str) -> BinaryIO:
    """The stream itself, or its gunzipped content when it starts with gzip's magic bytes."""
    head = stream.read(len(_GZIP_MAGIC))
    # Put the peeked bytes back without seeking: the stream may be a pipe or a socket.
    whole = io.BufferedReader(_Rejoined(head, stream), buffer_size=1 << 16)
    if head != _GZIP_MAGIC:
        return whole
    return gzip.GzipFile(filename=name, fileobj=whole, mode="rb")  # type: ignore[return-value]


class _Rejoined(io.RawIOBase):
    """A readable stream of ``head`` followed by the rest of ``rest``."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        super().__init__()
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        chunk = self._head[: len(buffer)] if self._head else self._rest.read(len(buffer))
        self._head = self._head[len(chunk) :]
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _iter_set(stream: BinaryIO, origin: str) -> Iterator[Record | DeletedCitations]:
    """Read a PubmedArticleSet (or an E-utilities error document) from ``stream``, article by article."""
    try:
        yield from _iter_events(stream, origin)
    except ET.ParseError as error:
        raise MalformedXMLError(_parse_error_message(origin, error)) from None
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise MalformedXMLError(f"{origin} is not a readable gzip file ({error})") from None


def _iter_events(stream: BinaryIO, origin: str) -> Iterator[Record | DeletedCitations]:
    """The iterparse loop: one Record per article, one DeletedCitations per DeleteCitation."""
    root: ET.Element | None = None
    root_tag = ""
    error_texts: list[str] = []
    for event, element in ET.iterparse(stream, events=("start", "end")):
        if root is None:
            root, root_tag = element, _check_root(element.tag, origin)
            continue
        if event != "end":
            continue
        if element.tag == "ERROR":
            error_texts.append(_text(element))
            continue
        if root_tag != "PubmedArticleSet":
            continue
        item = _item_of(element, origin)
        if item is None:
            continue
        # Drop what has been read, so memory stays flat over a 30,000-article file.
        element.clear()
        root.clear()
        yield item
    _raise_for_errors(error_texts, root_tag)


def _check_root(root_tag: str, origin: str) -> str:
    """The root's tag, when it is a PubmedArticleSet or an E-utilities error document."""
    if root_tag != "PubmedArticleSet" and root_tag not in _ERROR_ROOTS:
        raise MalformedXMLError(f"{origin} is <{root_tag}>, not <PubmedArticleSet>")
    return root_tag


def _item_of(element: ET.Element, origin: str) -> Record | DeletedCitations | None:
    """The record of an article element, the PMIDs of a DeleteCitation, None for any other element."""
    tag = element.tag
    if tag == "PubmedArticle" or tag == "PubmedBookArticle":
        try:
            return record_from_element(element)
        except MalformedXMLError as error:
            raise MalformedXMLError(f"{origin}: {error}") from None
    if tag == "DeleteCitation":
        return DeletedCitations(pmids=_texts(element.findall("PMID")))
    return None


def _raise_for_errors(error_texts: list[str], root_tag: str) -> None:
    """Raise ErrorAnswerError when the document is, or holds, an E-utilities error."""
    if error_texts or root_tag in _ERROR_ROOTS:
        raise ErrorAnswerError(" ".join(text for text in error_texts if text) or root_tag)


def _parse_error_message(origin: str, error: ET.ParseError | xml.parsers.expat.ExpatError) -> str:
    """Say what was wrong with the XML, and name an entity-expansion attack for what it is."""
    if "amplification" in str(error):
        # PubMed XML declares no entities of its own, so runaway expansion means a hostile or broken file.
        return f"{origin} was refused: its entities expand to far more text than the file holds ({error})"
    return f"{origin} is not well-formed XML ({error})"


# --- Raw articles, streamed: a local mirror stores each article's bytes as the file has them ----

RAW_CHUNK_BYTES = 1 << 20
"""How much of the (gunzipped) file each expat call reads; memory holds one chunk and one article."""


@dataclass(frozen=True)
class RawArticle:
    """One article of a PubMed file as the record store keeps it: a one-article PubmedArticleSet."""

    pmid: str
    data: bytes


def iter_raw_articles(
    source: str | os.PathLike[str] | BinaryIO, *, chunk_bytes: int = RAW_CHUNK_BYTES
) -> Iterator[RawArticle | DeletedCitations]:
    """Stream a PubMed baseline or update file (.xml or .xml.gz) as split_pubmed_set splits an answer, in file order.

    Each article keeps the file's own bytes, wrapped in the file's XML declaration and DOCTYPE, so
    parse_record reads it; each DeleteCitation comes where the file has it. Memory stays bounded:
    bytes are dropped once their article is handed out. MalformedXMLError names the file.
    """
    with _opened(source) as (stream, name):
        yield from _iter_raw(stream, name, chunk_bytes)


def _iter_raw(stream: BinaryIO, origin: str, chunk_bytes: int) -> Iterator[RawArticle | DeletedCitations]:
    """Feed the stream to expat chunk by chunk and slice each finished article out of a rolling buffer."""
    parser = xml.parsers.expat.ParserCreate()
    splitter = _Splitter(parser)
    buffer = bytearray()
    offset = 0  # where buffer[0] sits in the decompressed file
    header = b""
    finished = False
    while not finished:
        chunk = _read_chunk(stream, origin, chunk_bytes)
        finished = not chunk
        buffer += chunk
        _feed(parser, splitter, chunk, finished, origin)
        if not header:
            if not splitter.root:
                continue
            header = _streamed_header(splitter, buffer, origin)
        yield from _raw_items(splitter, buffer, offset, header, origin)
        # Expat may hold back a token cut by the chunk's end, so only bytes it has reported on are dropped.
        keep = splitter.article_start if splitter.in_article else max(splitter.last_closed, splitter.root_start)
        del buffer[: keep - offset]
        offset = keep
    if splitter.error_text:
        raise ErrorAnswerError(_error_message(splitter.error_text))


_PMID_END = b"</PMID>"
_ARTICLE_ENDS = (b"</PubmedArticle>", b"</PubmedBookArticle>")
_HEARD_EDGE = 32
"""Bytes at each edge of a chunk always fed with callbacks on, so an end tag cut between chunks is heard."""


def _feed(parser: xml.parsers.expat.XMLParserType, splitter: _Splitter, chunk: bytes, final: bool, origin: str) -> None:
    """Feed one chunk to expat, with no callbacks at all between an article's PMID and its end tag.

    Expat still reads every byte (well-formedness, entity limits). The end tag is only looked for with
    bytes.find and then fed with callbacks on, so a hit inside a comment or CDATA costs speed, never a
    wrong split: the splitter keeps skipping until expat itself reports the article's end.
    """
    view = memoryview(chunk)
    position = 0
    while position < len(chunk):
        if not splitter.skipping:
            # Callbacks on until the next PMID is read (the splitter then starts skipping).
            found = chunk.find(_PMID_END, position)
            stop = len(chunk) if found == -1 else found + len(_PMID_END)
        elif position < _HEARD_EDGE:
            stop = _past_cut_tag(chunk, min(_HEARD_EDGE, len(chunk)))
        else:
            position = _feed_quietly(parser, splitter, chunk, view, position, origin)
            stop = _end_of_next_article_tag(chunk, position)
        _parse_chunk(parser, view[position:stop], False, origin)
        position = stop
    if final:
        _parse_chunk(parser, b"", True, origin)


def _feed_quietly(
    parser: xml.parsers.expat.XMLParserType, splitter: _Splitter, chunk: bytes, view: memoryview, position: int, origin: str
) -> int:
    """Feed up to the next article end tag (or the chunk's last edge) with no callbacks; return where it stopped."""
    found = chunk.find(b"</Pubmed", position)
    while found != -1 and not chunk.startswith(_ARTICLE_ENDS, found):
        found = chunk.find(b"</Pubmed", found + 1)
    quiet_end = found if found != -1 else max(position, len(chunk) - _HEARD_EDGE)
    if quiet_end > position:
        parser.EndElementHandler = None
        try:
            _parse_chunk(parser, view[position:quiet_end], False, origin)
        finally:
            parser.EndElementHandler = splitter.end
    return quiet_end


def _past_cut_tag(chunk: bytes, stop: int) -> int:
    """``stop``, or a little past an article end tag that starts before ``stop`` and ends after it."""
    opening = b"</Pubmed"
    cut = chunk.find(opening, max(0, stop - len(_ARTICLE_ENDS[1])), stop + len(opening) - 1)
    while cut != -1 and not chunk.startswith(_ARTICLE_ENDS, cut):  # "</PubmedData>" comes first
        cut = chunk.find(opening, cut + 1, stop + len(opening) - 1)
    if cut == -1:
        return stop
    return max(stop, _end_of_next_article_tag(chunk, cut))


def _end_of_next_article_tag(chunk: bytes, position: int) -> int:
    """Where to stop feeding with callbacks on: a little past the tag at ``position``, or the chunk's end.

    A little past, because expat may report a token only once it has seen the byte after it.
    """
    if not chunk.startswith(_ARTICLE_ENDS, position):
        return len(chunk)
    close = chunk.find(b">", position)
    return len(chunk) if close == -1 else min(len(chunk), close + 1 + _HEARD_EDGE)


def _read_chunk(stream: BinaryIO, origin: str, size: int) -> bytes:
    """The next chunk of the file; a damaged or truncated gzip file is a MalformedXMLError."""
    try:
        return stream.read(size)
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise MalformedXMLError(f"{origin} is not a readable gzip file ({error})") from None


def _parse_chunk(parser: xml.parsers.expat.XMLParserType, chunk: bytes | memoryview, final: bool, origin: str) -> None:
    """Feed one chunk to expat; XML that is not well-formed (or truncated, at the end) is a MalformedXMLError."""
    try:
        parser.Parse(chunk, final)
    except xml.parsers.expat.ExpatError as error:
        raise MalformedXMLError(_parse_error_message(origin, error)) from None


def _streamed_header(splitter: _Splitter, buffer: bytearray, origin: str) -> bytes:
    """The file's declaration and DOCTYPE (NCBI's usual ones when it has none); the root must be a set."""
    if splitter.root != "PubmedArticleSet":
        raise MalformedXMLError(f"{origin} is <{splitter.root}>, not <PubmedArticleSet>")
    # Nothing has been dropped before the root is seen, so the buffer still starts at the file's first byte.
    return bytes(buffer[: splitter.root_start]) or _DEFAULT_HEADER


def _raw_items(
    splitter: _Splitter, buffer: bytearray, offset: int, header: bytes, origin: str
) -> Iterator[RawArticle | DeletedCitations]:
    """The articles and DeleteCitations the last chunk finished, in file order; the splitter forgets them."""
    deletions = list(splitter.deletions)
    spans = list(splitter.spans)
    splitter.deletions.clear()
    splitter.spans.clear()
    for index, (pmid, start, end_tag_start) in enumerate(spans):
        while deletions and deletions[0][0] == index:
            yield _deleted(deletions.pop(0)[1], origin)
        if not _is_pmid(pmid):
            raise MalformedXMLError(f"{origin}: the article at byte {start:,} of the XML has no usable PMID ({pmid!r})")
        end = buffer.index(b">", end_tag_start - offset) + 1
        yield RawArticle(pmid=pmid, data=header + _SET_OPEN + buffer[start - offset : end] + _SET_CLOSE)
    for _, pmids in deletions:
        yield _deleted(pmids, origin)


def _deleted(pmids: tuple[str, ...], origin: str) -> DeletedCitations:
    for pmid in pmids:
        if not _is_pmid(pmid):
            raise MalformedXMLError(f"{origin}: a DeleteCitation lists {pmid!r}, which is not a PMID")
    return DeletedCitations(pmids=pmids)


def _is_pmid(text: str) -> bool:
    return text.isascii() and text.isdigit()
