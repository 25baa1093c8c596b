"""The one PubMed parser: PubmedArticleSet XML (EFetch answers, snapshots, cache, baseline files) -> Record."""

from __future__ import annotations

import re
import xml.parsers.expat

from claimcheck.errors import MalformedXMLError

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
    """Expat callbacks that note each article's byte span and PMID in one pass."""

    def __init__(self, parser: xml.parsers.expat.XMLParserType) -> None:
        self.parser = parser
        self.depth = 0
        self.root = ""
        self.article_start = -1
        self.article_pmid = ""
        self.in_pmid = False
        self.pmid_depth = -1
        self.pmid_text: list[str] = []
        self.error_text: list[str] = []
        self.in_error = False
        self.spans: list[tuple[str, int, int]] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth == 1:
            self.root = name
        elif self.depth == 2 and name in _ARTICLE_TAGS:
            self.article_start = self.parser.CurrentByteIndex
            self.article_pmid = ""
        elif name == "PMID" and self.depth == 4 and not self.article_pmid:
            # MedlineCitation/PMID or BookDocument/PMID; later PMIDs (CommentsCorrections) sit deeper.
            self.in_pmid = True
            self.pmid_text = []
        if name == "ERROR":
            self.in_error = True

    def end(self, name: str) -> None:
        if name == "PMID" and self.in_pmid:
            self.in_pmid = False
            self.article_pmid = "".join(self.pmid_text).strip()
        if name == "ERROR":
            self.in_error = False
        if self.depth == 2 and name in _ARTICLE_TAGS:
            self.spans.append((self.article_pmid, self.article_start, self.parser.CurrentByteIndex))
        self.depth -= 1

    def text(self, data: str) -> None:
        if self.in_pmid:
            self.pmid_text.append(data)
        if self.in_error:
            self.error_text.append(data)


def split_pubmed_set(data: bytes) -> list[tuple[str, bytes]]:
    """Split an EFetch answer into (PMID, one-article PubmedArticleSet bytes), keeping the bytes as sent.

    Raises ErrorAnswerError for an E-utilities error document and MalformedXMLError for anything
    that is not a complete PubmedArticleSet (HTML, truncated XML, an empty body).
    """
    if not data.strip():
        raise MalformedXMLError("the answer is empty")
    parser = xml.parsers.expat.ParserCreate()
    splitter = _Splitter(parser)
    parser.StartElementHandler = splitter.start
    parser.EndElementHandler = splitter.end
    parser.CharacterDataHandler = splitter.text
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as error:
        raise MalformedXMLError(f"the answer is not well-formed XML ({error})") from None
    if splitter.error_text or splitter.root in ("eFetchResult", "ERROR"):
        raise ErrorAnswerError(" ".join("".join(splitter.error_text).split()) or splitter.root)
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
