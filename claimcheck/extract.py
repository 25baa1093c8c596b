"""Draft a claims file from an article: its reference list, the sentences that cite it, the passages it quotes.

The article (plain text, Markdown or HTML) is first turned into one list of lines in which HTML
superscripts, footnote references and links to PubMed or a DOI are kept as private tokens. The lines
become blocks (headings, paragraphs, list items), the blocks sentences, and quoted passages glue the
sentences they span into one unit. Each unit that cites a reference, restates the reference cited
just before it, or quotes a source becomes one claim.

Merging keeps the existing claims file byte for byte: new references and new claims are inserted as
whole lines at the end of their sections; claims that no longer match a sentence are kept and reported.
"""

from __future__ import annotations

import html
import os
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from claimcheck.errors import ClaimsFileError, InputError, Problem

Kind = Literal["text", "markdown", "html"]
Basis = Literal["marker", "antecedent", "restates", "list", "quote"]
"""Why a sentence is a claim: it carries a marker; it introduces the source the next sentence cites
("It was published in ... (2)"); it restates the source cited earlier in its paragraph; it is an item
of a list under a citing sentence; or it quotes, and the nearest cited source is taken as the quoted one."""

# --- the draft ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftReference:
    """An entry of the article's reference list, or a source the article only links to."""

    key: str
    citation: str | None = None
    pmid: str | None = None
    doi: str | None = None
    pmcid: str | None = None
    linked_only: bool = False


@dataclass(frozen=True)
class DraftClaim:
    """A sentence (or the sentences around a quote) that says something about its references."""

    id: str
    refs: tuple[str, ...]
    text: str
    quotes: tuple[str, ...] = ()
    basis: Basis = "marker"
    line: int = 0


@dataclass(frozen=True)
class Draft:
    """What ``extract`` read from an article, ready to be written as a claims file."""

    title: str | None
    references: tuple[DraftReference, ...]
    claims: tuple[DraftClaim, ...]
    messages: tuple[str, ...] = ()
    source: str | None = None
    url: str | None = None


# --- tokens: what markup said, kept inside the text ---------------------------------------------

_TOKEN_OPEN = "\ue000"
_TOKEN_CLOSE = "\ue001"
_TOKEN = re.compile("\ue000(\\w+):([^\ue000\ue001]*)\ue001")
_BREAK = "\ue002"


def _token(kind: str, payload: str) -> str:
    return f"{_TOKEN_OPEN}{kind}:{payload.strip()}{_TOKEN_CLOSE}"


_NUMS = r"\d{1,3}(?:\s*[-–—]\s*\d{1,3})?(?:\s*[,;]\s*\d{1,3}(?:\s*[-–—]\s*\d{1,3})?)*"
_MARKER_LIKE = re.compile(rf"\s*[\[(]?\s*({_NUMS})\s*[\])]?\s*")
_REFERENCE_URL = re.compile(
    r"pubmed|ncbi\.nlm\.nih\.gov/pmc|/pmc/articles/|doi\.org/|europepmc\.org|^doi:", re.IGNORECASE
)


def _is_reference_link(href: str) -> bool:
    """Links that point at a source (PubMed, PMC, a DOI) or at the article's own reference list."""
    return href.startswith("#") or bool(_REFERENCE_URL.search(href))


def _link_token(href: str) -> str:
    return _token("link", href) if _is_reference_link(href.strip()) else ""


def _sup_text(content: str, before: str) -> str:
    """A superscript that looks like a citation becomes a token; a power ("m²", "10⁶") stays text."""
    visible = _TOKEN.sub("", content)
    links = "".join(match.group(0) for match in _TOKEN.finditer(content))
    number = _MARKER_LIKE.fullmatch(visible)
    if number is None:
        return content
    if _after_unit(before, len(before)):
        return visible.translate(_TO_SUPERSCRIPT) + links
    return _token("sup", number.group(1)) + links


# --- identifiers ------------------------------------------------------------------------------

_PMID_TEXT = re.compile(r"\bPMID:?\s*(\d{1,8})\b", re.IGNORECASE)
_PMID_URL = re.compile(
    r"(?:pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/|europepmc\.org/(?:abstract|article)/MED/)"
    r"(\d{1,8})",
    re.IGNORECASE,
)
_PMCID = re.compile(r"\b(PMC\d{4,9})\b", re.IGNORECASE)
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>\ue000\ue001]+)")


@dataclass(frozen=True)
class _Identifiers:
    pmid: str | None = None
    doi: str | None = None
    pmcid: str | None = None


def _clean_doi(raw: str) -> str:
    doi = unquote(raw)
    while doi and doi[-1] in ".,;:'\"]}>":
        doi = doi[:-1]
    while doi.endswith(")") and doi.count(")") > doi.count("("):
        doi = doi[:-1]
    return doi


def _identifiers(text: str) -> _Identifiers:
    """The first PMID, DOI and PMCID written in ``text`` or in its link tokens."""
    plain = _TOKEN.sub(lambda match: f" {match.group(2)} ", text)
    pmid = _PMID_URL.search(plain) or _PMID_TEXT.search(plain)
    doi = _DOI.search(plain)
    pmcid = _PMCID.search(plain)
    return _Identifiers(
        pmid=pmid.group(1) if pmid else None,
        doi=_clean_doi(doi.group(1)) if doi else None,
        pmcid=pmcid.group(1).upper() if pmcid else None,
    )


# --- plain text, Markdown and HTML to numbered lines ---------------------------------------------

Line = tuple[int, str]

_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")
_MD_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_MD_FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\](?!:)")
_MD_FOOTNOTE_DEF = re.compile(r"^\s{0,3}\[\^([^\]\s]+)\]:\s*(.*)$")
_MD_LINK_DEFINITION = re.compile(r"^\s{0,3}\[[^\]^]+\]:\s*\S+\s*$")
_MD_SUP = re.compile(r"<sup>(.*?)</sup>", re.IGNORECASE)
_MD_Q = re.compile(r"<q>(.*?)</q>", re.IGNORECASE)
_MD_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_MD_STRONG = re.compile(r"\*\*(?=\S)([^*]+?)(?<=\S)\*\*|__(?=\S)([^_]+?)(?<=\S)__")
_MD_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])|(?<![\w_])_(?=\S)([^_]+?)(?<=\S)_(?![\w_])")
_MD_CODE = re.compile(r"`([^`]*)`")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>])")
_MD_FENCE = re.compile(r"^\s*(```|~~~)")


def _text_lines(text: str) -> list[Line]:
    return list(enumerate(text.splitlines(), start=1))


def _markdown_lines(text: str) -> list[Line]:
    """Markdown lines with inline markup removed; links, footnotes and superscripts kept as tokens."""
    lines: list[Line] = []
    fenced = False
    for number, line in enumerate(text.splitlines(), start=1):
        if _MD_FENCE.match(line):
            fenced = not fenced
            line = ""
        if fenced or _MD_LINK_DEFINITION.match(line):
            line = ""
        footnote = _MD_FOOTNOTE_DEF.match(line)
        if footnote:
            line = _token("fndef", footnote.group(1)) + " " + footnote.group(2)
        lines.append((number, _markdown_inline(re.sub(r"^\s{0,3}>\s?", "", line))))
    return lines


def _markdown_inline(line: str) -> str:
    line = _MD_IMAGE.sub("", line)
    line = _MD_LINK.sub(lambda match: match.group(1) + _link_token(match.group(2)), line)
    line = _MD_AUTOLINK.sub(lambda match: _link_token(match.group(1)) or match.group(1), line)
    line = _MD_FOOTNOTE_REF.sub(lambda match: _token("fn", match.group(1)), line)
    line = _MD_SUP.sub(lambda match: _sup_text(match.group(1), match.string[: match.start()]), line)
    line = _MD_Q.sub(lambda match: f"“{match.group(1)}”", line)
    line = _MD_TAG.sub("", line)
    for _ in range(3):  # "**bold *and* italic**" needs the inner pair removed first
        line = _MD_EMPHASIS.sub(lambda match: match.group(1) or match.group(2), line)
        line = _MD_STRONG.sub(lambda match: match.group(1) or match.group(2), line)
    line = _MD_CODE.sub(lambda match: match.group(1), line)
    return html.unescape(_MD_ESCAPE.sub(lambda match: match.group(1), line))


_HTML_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "object", "select", "nav", "button"})
_HTML_BLOCKS = frozenset(
    {
        "p", "div", "section", "article", "header", "footer", "main", "aside", "blockquote",
        "figure", "figcaption", "table", "thead", "tbody", "tr", "td", "th", "dl", "dt", "dd", "pre",
        "hr", "form", "address", "details", "summary", "body", "caption",
    }
)
_HTML_HEADINGS = {f"h{level}": level for level in range(1, 7)}


@dataclass
class _OpenList:
    ordered: bool
    count: int = 0


class _HtmlLines(HTMLParser):
    """Turns HTML into the numbered lines of a Markdown-like document (headings, lists, paragraphs)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[Line] = []
        self.title = ""
        self.h1 = ""
        self.url: str | None = None
        self._parts: list[str] = []
        self._has_text = False
        self._prefix = ""
        self._block_line = 1
        self._skip_depth = 0
        self._in_title = False
        self._heading = 0
        self._lists: list[_OpenList] = []
        self._sups: list[int] = []
        self._links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open a block, a list, a superscript or a link; skip scripts, styles and navigation."""
        attributes = {name: value or "" for name, value in attrs}
        if self._skip_depth or tag in _HTML_SKIP:
            self._skip_depth += tag in _HTML_SKIP
            return
        if tag == "title":
            self._in_title = True
        elif tag in ("link", "meta"):
            self._note_url(attributes)
        elif tag in _HTML_HEADINGS:
            self._flush()
            self._heading = _HTML_HEADINGS[tag]
            self._prefix = "#" * self._heading + " "
        elif tag in ("ul", "ol"):
            self._flush()
            start = attributes.get("start", "1")
            self._lists.append(_OpenList(tag == "ol", int(start) - 1 if start.isdigit() else 0))
        elif tag == "li":
            self._start_item()
        elif tag == "br":
            self._parts.append(_BREAK)
        elif tag in _HTML_BLOCKS:
            self._flush()
        elif tag == "sup":
            self._sups.append(len(self._parts))
        elif tag == "a":
            self._links.append(attributes.get("href", ""))
        elif tag == "q":
            self._parts.append("“")

    def handle_endtag(self, tag: str) -> None:
        """Close what the start tag opened: emit a block, or turn a superscript or link into a token."""
        if self._skip_depth:
            self._skip_depth -= tag in _HTML_SKIP
            return
        if tag == "title":
            self._in_title = False
        elif tag in _HTML_HEADINGS:
            self._end_heading()
        elif tag in ("ul", "ol", "li"):
            self._flush()
            self._prefix = ""
            if tag != "li" and self._lists:
                self._lists.pop()
        elif tag in _HTML_BLOCKS:
            self._flush()
        elif tag == "sup" and self._sups:
            start = self._sups.pop()
            before = "".join(self._parts[max(0, start - 2) : start])
            self._parts[start:] = [_sup_text("".join(self._parts[start:]), before)]
        elif tag == "a" and self._links:
            self._parts.append(_link_token(self._links.pop()))
        elif tag == "q":
            self._parts.append("”")

    def handle_data(self, data: str) -> None:
        """Gather text for the current block (or the page title)."""
        if self._skip_depth:
            return
        if self._in_title:
            self.title += data
            return
        if not self._has_text and data.strip():
            self._has_text = True
            self._block_line = self.getpos()[0]
        self._parts.append(data.replace(_TOKEN_OPEN, "").replace(_TOKEN_CLOSE, ""))

    def close(self) -> None:
        """Finish parsing and emit the last block."""
        super().close()
        self._flush()

    def _note_url(self, attributes: dict[str, str]) -> None:
        canonical = attributes.get("rel") == "canonical" or attributes.get("property") == "og:url"
        address = attributes.get("href") or attributes.get("content") or ""
        if canonical and address.startswith("http") and self.url is None:
            self.url = address

    def _start_item(self) -> None:
        self._flush()
        if not self._lists:
            self._lists.append(_OpenList(ordered=False))
        current = self._lists[-1]
        current.count += 1
        indent = "  " * (len(self._lists) - 1)
        self._prefix = f"{indent}{current.count}. " if current.ordered else f"{indent}- "

    def _end_heading(self) -> None:
        if self._heading == 1 and not self.h1:
            self.h1 = _collapse(_TOKEN.sub("", "".join(self._parts)))
        self._flush()
        self._heading = 0

    def _flush(self) -> None:
        """Emit the text gathered so far as one block; an empty flush keeps a list item's prefix."""
        text = re.sub(r"\s+", " ", "".join(self._parts))
        self._parts = []
        self._has_text = False
        self._sups.clear()
        rows = [row.strip() for row in text.split(_BREAK)]
        rows = [row for row in rows if row]
        if not rows:
            return
        prefix, self._prefix = self._prefix, ""
        self.lines.append((self._block_line, prefix + rows[0]))
        indent = " " * len(prefix) if prefix.strip() and not prefix.startswith("#") else ""
        for row in rows[1:]:
            self.lines.append((self._block_line, indent + row))
        self.lines.append((self._block_line, ""))


# --- lines to blocks --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Block:
    kind: Literal["heading", "paragraph", "item"]
    text: str
    line: int
    level: int = 0
    label: str | None = None
    footnote: bool = False


_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_RULE = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")
_BULLET = re.compile(r"^(\s*)[•◦▪▫‣⁃●○■□·*+\-–]\s+(\S.*)$")
_ORDERED = re.compile(r"^(\s*)(?:(\d{1,3})[.)]|\[(\d{1,3})\])\s+(\S.*)$")
_BARE_NUMBER = re.compile(r"^(\s*)(\d{1,3})\s+(\S.*)$")
_FOOTNOTE_LINE = re.compile("^(\\s*)\ue000fndef:([^\ue001]+)\ue001\\s*(.*)$")


@dataclass(frozen=True)
class _ItemStart:
    indent: int
    text: str
    label: str | None
    footnote: bool = False


def _item_start(line: str) -> _ItemStart | None:
    """A line that opens a list item: a bullet, "1." "1)" "[1]", "1 Author" or a footnote definition."""
    footnote = _FOOTNOTE_LINE.match(line)
    if footnote:
        return _ItemStart(len(footnote.group(1)), footnote.group(3), footnote.group(2), footnote=True)
    ordered = _ORDERED.match(line)
    if ordered:
        return _ItemStart(len(ordered.group(1)), ordered.group(4), ordered.group(2) or ordered.group(3))
    bare = _BARE_NUMBER.match(line)
    if bare and bare.group(3)[0].isupper():
        return _ItemStart(len(bare.group(1)), bare.group(3), bare.group(2))
    bullet = _BULLET.match(line)
    if bullet:
        return _ItemStart(len(bullet.group(1)), bullet.group(2), None)
    return None


class _BlockBuilder:
    """Groups lines into blocks: a heading, a paragraph (lines up to a blank line) or a list item."""

    def __init__(self) -> None:
        self.blocks: list[_Block] = []
        self._rows: list[str] = []
        self._kind: Literal["paragraph", "item"] = "paragraph"
        self._line = 0
        self._level = 0
        self._label: str | None = None
        self._footnote = False
        self._indents: list[int] = []
        self._after_blank = True

    def feed(self, number: int, line: str) -> None:
        """Take the next line of the document."""
        if not line.strip():
            self._after_blank = True
            if self._kind == "paragraph":
                self.close()
            return
        after_blank, self._after_blank = self._after_blank, False
        heading = _HEADING.match(line)
        if heading:
            self._add_heading(number, heading.group(2))
        elif _SETEXT.match(line) and self._kind == "paragraph" and len(self._rows) == 1 and not after_blank:
            self._add_heading(self._line, self._rows[0])
            self._rows = []
        elif _RULE.match(line):
            self.close()
        elif (item := _item_start(line)) is not None:
            self._open_item(number, item)
        elif self._rows and not after_blank:
            self._rows.append(line.strip())
        else:
            self.close()
            self._indents.clear()
            self._open(number, "paragraph", line.strip())

    def close(self) -> None:
        """End the open paragraph or item; a lone short line without full stop becomes a heading."""
        if not self._rows:
            return
        text = " ".join(self._rows)
        kind: Literal["heading", "paragraph", "item"] = self._kind
        if kind == "paragraph" and len(self._rows) == 1 and _looks_like_heading(text):
            kind = "heading"
        self.blocks.append(_Block(kind, text, self._line, self._level, self._label, self._footnote))
        self._rows = []
        self._kind = "paragraph"

    def _add_heading(self, number: int, text: str) -> None:
        self.close()
        self._indents.clear()
        self.blocks.append(_Block("heading", text.strip(), number))

    def _open_item(self, number: int, item: _ItemStart) -> None:
        self.close()
        while self._indents and self._indents[-1] > item.indent:
            self._indents.pop()
        if not self._indents or self._indents[-1] < item.indent:
            self._indents.append(item.indent)
        self._open(number, "item", item.text, level=len(self._indents), label=item.label, footnote=item.footnote)

    def _open(
        self,
        number: int,
        kind: Literal["paragraph", "item"],
        text: str,
        *,
        level: int = 0,
        label: str | None = None,
        footnote: bool = False,
    ) -> None:
        self._rows = [text]
        self._kind = kind
        self._line = number
        self._level = level
        self._label = label
        self._footnote = footnote


def _looks_like_heading(text: str) -> bool:
    """A lone short line without closing punctuation or citation reads as a heading."""
    visible = _TOKEN.sub("", text).strip()
    if not visible or len(visible.split()) > 25 or _find_markers(text):
        return False
    return visible[-1] not in ".!?:;,”\"’')]"


def _blocks(lines: Iterable[Line]) -> list[_Block]:
    builder = _BlockBuilder()
    for number, line in lines:
        builder.feed(number, line)
    builder.close()
    return builder.blocks


# --- the reference list -----------------------------------------------------------------------

_REFERENCE_HEADING = re.compile(
    r"^\W*(references?|reference list|bibliography|sources|works cited|literature cited|citations|"
    r"footnotes|notes|endnotes)\s*:?\s*(?:\[\s*edit\s*\])?\s*$",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_NOISE_WORDS = (
    r"Google Scholar|PubMed|PMC free article|PubMed Central|CrossRef|Ref list|Free full text|Full text|"
    r"Article|Abstract|Web of Science|Scopus|CAS|DOI|Green Version|Europe PMC|Free Article|Free PMC article|"
    r"PMC|Medline|Find at|View Article|Back to text"
)
_LEADING_NOISE = re.compile(r"^(?:[\^↑]\s*(?:[a-z]{1,2}\s+)*)+")
_TRAILING_NOISE = re.compile(rf"\s*(?:\[\s*(?:{_NOISE_WORDS})\s*\]|\b(?:{_NOISE_WORDS})\s*$|[\^↑]|\|)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class _ReferenceList:
    entries: tuple[DraftReference, ...]
    used_blocks: frozenset[int]


def _find_reference_list(blocks: list[_Block]) -> _ReferenceList:
    """The entries under a "References" heading, else a trailing numbered list, plus footnote definitions."""
    run = _entries_after_heading(blocks) or _trailing_numbered_run(blocks)
    footnotes = [index for index, block in enumerate(blocks) if block.kind == "item" and block.footnote]
    entries = [_reference_entry(blocks[index]) for index in sorted(set(run) | set(footnotes))]
    entries = [entry for entry in entries if entry.citation or entry.pmid or entry.doi]
    used = set(run) | set(footnotes)
    if run and run[0] > 0 and _REFERENCE_HEADING.match(_TOKEN.sub("", blocks[run[0] - 1].text)):
        used.add(run[0] - 1)
    return _ReferenceList(tuple(_unique_keys(entries)), frozenset(used))


def _entries_after_heading(blocks: list[_Block]) -> list[int]:
    for index in range(len(blocks) - 1, -1, -1):
        if _REFERENCE_HEADING.match(_TOKEN.sub("", blocks[index].text)):
            run = _numbered_run(blocks, index + 1)
            if run:
                return run
    return []


def _numbered_run(blocks: list[_Block], start: int) -> list[int]:
    """Consecutive numbered items from ``start``, in sequence (or all "1." as Markdown allows)."""
    run: list[int] = []
    for index in range(start, len(blocks)):
        block = blocks[index]
        if block.kind != "item" or block.label is None or not block.label.isdigit():
            break
        previous = blocks[run[-1]].label if run else None
        if previous is not None and int(block.label) != int(previous) + 1 and block.label != previous:
            break
        run.append(index)
    return run


def _trailing_numbered_run(blocks: list[_Block]) -> list[int]:
    """Without a heading: the last run of numbered items starting at 1 that read like citations."""
    for index in range(len(blocks) - 1, -1, -1):
        if blocks[index].kind != "item" or blocks[index].label != "1":
            continue
        run = _numbered_run(blocks, index)
        with_years = sum(1 for position in run if _YEAR.search(blocks[position].text))
        if len(run) >= 1 and with_years * 2 >= len(run):
            return run
    return []


def _reference_entry(block: _Block) -> DraftReference:
    found = _identifiers(block.text)
    label = block.label or ""
    # "<li>1. Smith J ...</li>" inside an <ol> numbers the entry twice.
    text = re.sub(rf"^\s*\[?{re.escape(label)}[.)\]]?\s+", "", block.text) if label else block.text
    return DraftReference(
        key=label,
        citation=_clean_citation(text) or _collapse(_TOKEN.sub("", block.text)) or None,
        pmid=found.pmid,
        doi=found.doi,
        pmcid=found.pmcid,
    )


def _clean_citation(text: str) -> str:
    """The entry as the article prints it, without back-links ("^ a b") or "[Google Scholar]" links."""
    citation = _LEADING_NOISE.sub("", _collapse(_TOKEN.sub("", text)))
    previous = None
    while previous != citation:
        previous = citation
        citation = _TRAILING_NOISE.sub("", citation).strip()
    return citation


def _unique_keys(entries: list[DraftReference]) -> list[DraftReference]:
    """Renumber "1. 1. 1." lists (Markdown's lazy numbering) and keep the first of any repeated label."""
    labels = [entry.key for entry in entries if entry.key.isdigit()]
    if len(labels) > 1 and len(set(labels)) == 1:
        counter = iter(range(1, len(entries) + 1))
        entries = [replace(entry, key=str(next(counter))) if entry.key.isdigit() else entry for entry in entries]
    seen: dict[str, DraftReference] = {}
    for entry in entries:
        seen.setdefault(entry.key, entry)
    return list(seen.values())


# --- in-text markers ---------------------------------------------------------------------------

_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPT_VALUES = str.maketrans(_SUPERSCRIPTS + "⁻", "0123456789-")
_TO_SUPERSCRIPT = str.maketrans("0123456789-", _SUPERSCRIPTS + "⁻")
_MARKER = re.compile(
    rf"\((?P<paren>{_NUMS})\)"
    rf"|\[(?P<bracket>{_NUMS})\]"
    rf"|(?P<super>[{_SUPERSCRIPTS}]+(?:[,⁻–-][{_SUPERSCRIPTS}]+)*)"
    r"|(?<![\w.,])(?P<linked>\d{1,3})(?=\ue000link:)"
    r"|\ue000(?P<kind>sup|fn|link):(?P<payload>[^\ue000\ue001]*)\ue001"
    r"|[(\[]\s*(?P<idtext>PMID:?\s*\d{1,8}|(?:PMCID:?\s*)?PMC\d{4,9}|doi:\s*10\.\d{4,9}/[^\s)\]]+)\s*[)\]]"
    r"|(?P<url>https?://\S*(?:pubmed|doi\.org/|/pmc/|europepmc)\S*[\w/])",
    re.IGNORECASE,
)
_NUMBER_WORDS = frozenset(
    {
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty",
        "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred",
    }
)
_UNITS = frozenset({"m", "cm", "mm", "km", "kg/m", "ft", "in", "μm", "x"})


@dataclass(frozen=True)
class _Marker:
    start: int
    end: int
    labels: tuple[str, ...] = ()
    ids: _Identifiers = field(default_factory=_Identifiers)
    text: str = ""


def _expand(numbers: str) -> tuple[str, ...]:
    """ "1, 3-5" -> ("1", "3", "4", "5"); ranges longer than 50 are taken as two numbers."""
    labels: list[str] = []
    for piece in re.split(r"\s*[,;]\s*", numbers.strip()):
        bounds = [int(value) for value in re.split(r"\s*[-–—]\s*", piece) if value]
        if len(bounds) == 2 and 0 <= bounds[1] - bounds[0] <= 50:
            labels.extend(str(value) for value in range(bounds[0], bounds[1] + 1))
        else:
            labels.extend(str(value) for value in bounds)
    return tuple(dict.fromkeys(labels))


def _find_markers(text: str) -> list[_Marker]:
    """Every citation marker in ``text``; a link right after a numbered marker joins it."""
    markers: list[_Marker] = []
    for match in _MARKER.finditer(text):
        marker = _marker(match, text)
        if marker is None:
            continue
        previous = markers[-1] if markers else None
        if previous is not None and previous.end == marker.start and not marker.labels and previous.labels:
            markers[-1] = _Marker(previous.start, marker.end, previous.labels, marker.ids, previous.text)
            continue
        markers.append(marker)
    return markers


def _marker(match: re.Match[str], text: str) -> _Marker | None:
    start, end = match.span()
    groups = match.groupdict()
    numbers = groups["paren"] or groups["bracket"] or groups["linked"]
    if numbers is not None:
        if groups["paren"] is not None and _after_number_word(text, start):
            return None
        return _Marker(start, end, _expand(numbers), text=match.group(0))
    if groups["super"] is not None:
        if _after_unit(text, start):
            return None
        return _Marker(start, end, _expand(groups["super"].translate(_SUPERSCRIPT_VALUES)), text=match.group(0))
    kind = groups["kind"]
    if kind == "sup":
        return _Marker(start, end, _expand(groups["payload"]), text=groups["payload"])
    if kind == "fn":
        return _Marker(start, end, (groups["payload"],), text=f"[^{groups['payload']}]")
    address = groups["payload"] if kind == "link" else groups["idtext"] or groups["url"] or ""
    found = _identifiers(address)
    if not (found.pmid or found.doi or found.pmcid):
        return None
    return _Marker(start, end, ids=found, text=address)


def _before(text: str, stop: int, width: int = 40) -> str:
    """The few characters before ``stop``: enough for a word, and no slicing of long texts."""
    return text[max(0, stop - width) : stop]


def _after_number_word(text: str, start: int) -> bool:
    """ "Nineteen (19) people" spells a number out; it cites nothing."""
    word = re.search(r"([A-Za-z-]+)\s*$", _before(text, start))
    return word is not None and word.group(1).lower().split("-")[-1] in _NUMBER_WORDS


def _after_unit(text: str, start: int) -> bool:
    """ "m²" and "10²" are powers, not citations."""
    before = re.search(r"(\S+)$", _before(text, start))
    return before is not None and (before.group(1)[-1].isdigit() or before.group(1).lower() in _UNITS)


# --- sentences and quotations ---------------------------------------------------------------

_SENTENCE_END = re.compile(
    rf"[.!?…]+[\"”’')\]]*(?:\s?\({_NUMS}\)|\s?\[{_NUMS}\]|[{_SUPERSCRIPTS},⁻]+|\ue000[^\ue001]*\ue001)*\s+"
)
_ABBREVIATIONS = frozenset(
    {
        "dr", "mr", "mrs", "ms", "prof", "st", "vs", "e.g", "i.e", "al", "fig", "figs", "no", "nos", "approx",
        "inc", "ltd", "jr", "sr", "vol", "pp", "ed", "eds", "ref", "refs", "ca", "cf", "etc", "resp", "dept",
        "univ", "u.s",
    }
)


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """Where each sentence of a block starts and ends; a marker after the full stop stays with it."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        following = text[match.end() : match.end() + 8].lstrip("\"“‘'")
        if not following or not (following[0].isupper() or following[0].isdigit()):
            continue
        if _ends_with_abbreviation(text, match.start()) or _inside_parentheses(text, start, match.start()):
            continue
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def _inside_parentheses(text: str, start: int, stop: int) -> bool:
    """A full stop inside an aside "(In other words ... facing. People ...)" ends no sentence."""
    return text.count("(", start, stop) > text.count(")", start, stop) and text.find(")", stop) != -1


def _ends_with_abbreviation(text: str, stop: int) -> bool:
    word = re.search(r"([A-Za-z][\w.]*)$", _before(text, stop))
    if word is None:
        return False
    value = word.group(1)
    return (len(value) == 1 and value.isupper()) or value.lower() in _ABBREVIATIONS


@dataclass(frozen=True)
class _QuoteSpan:
    start_block: int
    start: int
    end_block: int
    end: int


@dataclass(frozen=True)
class _Mark:
    position: int
    role: Literal["open", "close", "either"]
    family: Literal["double", "single"]


def _quote_marks(text: str) -> Iterator[_Mark]:
    """Quotation marks, told apart from apostrophes and classed as opening or closing."""
    for match in re.finditer(r"[“”\"‘’']", text):
        position = match.start()
        mark = match.group(0)
        before = text[position - 1] if position else " "
        after = text[position + 1] if position + 1 < len(text) else " "
        opens = (before.isspace() or before in "([{—–-/“\"") and not after.isspace()
        closes = not before.isspace() and not after.isalnum()
        if mark == "“":
            yield _Mark(position, "open", "double")
        elif mark == "”":
            yield _Mark(position, "close", "double")
        elif mark == '"':
            yield _Mark(position, "open" if opens else "close" if closes else "either", "double")
        elif mark == "‘" or (mark == "'" and opens):
            if opens:
                yield _Mark(position, "open", "single")
        elif closes:
            yield _Mark(position, "close", "single")


class _QuoteScanner:
    """Pairs quotation marks across a document; a quote may run on into following paragraphs."""

    def __init__(self, blocks: list[_Block]) -> None:
        self.blocks = blocks
        self.spans: list[_QuoteSpan] = []
        self.unclosed: list[_QuoteSpan] = []
        self._open: tuple[int, int] | None = None
        self._last_block = 0

    def scan(self) -> None:
        """Find every quoted span; a heading ends any quote left open."""
        for index, block in enumerate(self.blocks):
            if block.kind == "heading":
                self._end_unclosed()
                continue
            self._scan_block(index, block.text)
        self._end_unclosed()

    def _scan_block(self, index: int, text: str) -> None:
        marks = list(_quote_marks(text))
        doubles = [mark for mark in marks if mark.family == "double"]
        if self._open is not None and not self._continues(text, doubles):
            self._end_unclosed()
        single: int | None = None
        for mark in marks:
            if mark.family == "double":
                self._double(index, text, mark)
            elif self._open is None and single is None and mark.role == "open":
                single = mark.position
            elif self._open is None and single is not None and mark.role == "close":
                self.spans.append(_QuoteSpan(index, single, index, mark.position))
                single = None
        if self._open is not None:
            self._last_block = index

    def _continues(self, text: str, doubles: list[_Mark]) -> bool:
        """An open quote goes on if this paragraph closes it first or reopens it at its start."""
        if not doubles:
            return False
        first = doubles[0]
        return first.role in ("close", "either") or not text[: first.position].strip()

    def _double(self, index: int, text: str, mark: _Mark) -> None:
        if self._open is None:
            if mark.role != "close":
                self._open = (index, mark.position)
            return
        if self._open[0] != index and not text[: mark.position].strip() and mark.role == "open":
            return
        if mark.role == "open":
            self._end_unclosed(before=(index, mark.position))
            self._open = (index, mark.position)
            return
        self.spans.append(_QuoteSpan(self._open[0], self._open[1], index, mark.position))
        self._open = None

    def _end_unclosed(self, before: tuple[int, int] | None = None) -> None:
        """End the open quote just before a new opening mark, or else with the last paragraph it reached."""
        if self._open is None:
            return
        if before is not None:
            end_block, end = before
        else:
            end_block = max(self._last_block, self._open[0])
            end = len(self.blocks[end_block].text)
        span = _QuoteSpan(self._open[0], self._open[1], end_block, end)
        self.spans.append(span)
        self.unclosed.append(span)
        self._open = None


# --- units: the sentences a claim is made of ------------------------------------------------


@dataclass(frozen=True)
class _Sentence:
    block: int
    start: int
    end: int


@dataclass(frozen=True)
class _Unit:
    sentences: tuple[_Sentence, ...]
    quotes: tuple[str, ...]
    markers: tuple[_Marker, ...]
    text: str

    @property
    def first_block(self) -> int:
        return self.sentences[0].block

    @property
    def last_block(self) -> int:
        return self.sentences[-1].block


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _clean(text: str) -> str:
    """Text without markers or tokens, spaces collapsed: what a person reads."""
    for marker in reversed(_find_markers(text)):
        head = text[: marker.start].rstrip()
        tail = text[marker.end :]
        text = head + (" " if head and tail[:1].isalnum() else "") + tail
    text = re.sub(r"\s*(?:\(\s*\)|\[\s*\])", "", text)
    return _collapse(_TOKEN.sub("", text).replace(_BREAK, " "))


def _sentences(blocks: list[_Block]) -> list[_Sentence]:
    sentences: list[_Sentence] = []
    for index, block in enumerate(blocks):
        if block.kind == "heading":
            continue
        for start, end in _sentence_spans(block.text):
            if block.text[start:end].strip():
                sentences.append(_Sentence(index, start, end))
    return sentences


class _SentenceIndex:
    """Finds the sentence holding a position of a block, by bisection."""

    def __init__(self, sentences: list[_Sentence]) -> None:
        self._starts: dict[int, list[int]] = {}
        self._indexes: dict[int, list[int]] = {}
        for index, sentence in enumerate(sentences):
            self._starts.setdefault(sentence.block, []).append(sentence.start)
            self._indexes.setdefault(sentence.block, []).append(index)

    def at(self, block: int, position: int) -> int:
        """The index of the sentence of ``block`` that holds ``position``."""
        starts = self._starts[block]
        return self._indexes[block][max(0, bisect_right(starts, position) - 1)]


def _quote_text(blocks: list[_Block], span: _QuoteSpan) -> str:
    if span.start_block == span.end_block:
        raw = blocks[span.start_block].text[span.start + 1 : span.end]
    else:
        parts = [blocks[span.start_block].text[span.start + 1 :]]
        parts.extend(blocks[index].text for index in range(span.start_block + 1, span.end_block))
        parts.append(blocks[span.end_block].text[: span.end])
        raw = " ".join(part.strip().lstrip("“\"") for part in parts)
    return _clean(raw).rstrip(",;: ").strip()


def _units(blocks: list[_Block], quotes: list[_QuoteSpan]) -> list[_Unit]:
    """Sentences, with every run of sentences a source quote spans merged into one unit."""
    sentences = _sentences(blocks)
    if not sentences:
        return []
    groups: list[tuple[int, int, list[str]]] = []
    index = _SentenceIndex(sentences)
    for span in quotes:
        first = index.at(span.start_block, span.start)
        last = index.at(span.end_block, span.end)
        text = _quote_text(blocks, span)
        if text and _is_source_quote(text, [sentences[index] for index in range(first, last + 1)], blocks):
            groups.append((first, last, [text]))
    return [_make_unit(blocks, sentences[first : last + 1], texts) for first, last, texts in _merge(groups, len(sentences))]


def _merge(groups: list[tuple[int, int, list[str]]], count: int) -> list[tuple[int, int, list[str]]]:
    """Overlapping quote ranges become one; every sentence outside them is a unit of its own."""
    merged: list[tuple[int, int, list[str]]] = []
    for first, last, texts in sorted(groups, key=lambda group: group[0]):
        if merged and first <= merged[-1][1]:
            previous = merged[-1]
            merged[-1] = (previous[0], max(previous[1], last), previous[2] + texts)
        else:
            merged.append((first, last, texts))
    units: list[tuple[int, int, list[str]]] = []
    index = 0
    for first, last, texts in merged:
        units.extend((position, position, []) for position in range(index, first))
        units.append((first, last, texts))
        index = last + 1
    units.extend((position, position, []) for position in range(index, count))
    return units


def _make_unit(blocks: list[_Block], sentences: list[_Sentence], quotes: list[str]) -> _Unit:
    pieces: list[str] = []
    markers: list[_Marker] = []
    for sentence in sentences:
        raw = blocks[sentence.block].text[sentence.start : sentence.end]
        pieces.append(raw)
        markers.extend(_find_markers(raw))
    return _Unit(tuple(sentences), tuple(dict.fromkeys(quotes)), tuple(markers), _clean(" ".join(pieces)))


def _is_source_quote(text: str, sentences: list[_Sentence], blocks: list[_Block]) -> bool:
    """Long quotes are the source's words; short ones only in a sentence that cites: "so-called" stays out."""
    words = len(text.split())
    if words >= 5:
        return True
    if words < 3:
        return False
    return any(_find_markers(blocks[sentence.block].text[sentence.start : sentence.end]) for sentence in sentences)


# --- references as the walk resolves them -------------------------------------------------------


class _Resolver:
    """Finds the reference a marker means, adding sources that the article only links to."""

    def __init__(self, entries: Iterable[DraftReference]) -> None:
        self.references: dict[str, DraftReference] = {entry.key: entry for entry in entries}
        self.conflicts: list[str] = []

    def resolve(self, marker: _Marker) -> tuple[list[str], list[str]]:
        """The keys the marker cites, and the labels it uses that the reference list lacks."""
        keys: list[str] = []
        missing: list[str] = []
        for label in marker.labels:
            if label in self.references:
                keys.append(label)
                self._complete(label, marker.ids)
            else:
                missing.append(label)
        if not marker.labels:
            key = self._by_identifier(marker.ids)
            if key is not None:
                keys.append(key)
        return keys, missing

    def _complete(self, key: str, ids: _Identifiers) -> None:
        """A link on a numbered marker supplies the PMID or DOI its list entry lacks."""
        entry = self.references[key]
        if entry.pmid and ids.pmid and entry.pmid != ids.pmid:
            self.conflicts.append(f"marker {key} links to PMID {ids.pmid}, but reference {key} gives PMID {entry.pmid}")
        if entry.doi and ids.doi and entry.doi.lower() != ids.doi.lower():
            self.conflicts.append(f"marker {key} links to DOI {ids.doi}, but reference {key} gives DOI {entry.doi}")
        self.references[key] = replace(
            entry, pmid=entry.pmid or ids.pmid, doi=entry.doi or ids.doi, pmcid=entry.pmcid or ids.pmcid
        )

    def _by_identifier(self, ids: _Identifiers) -> str | None:
        for entry in self.references.values():
            if ids.pmid and entry.pmid == ids.pmid:
                return entry.key
            if ids.doi and entry.doi and entry.doi.lower() == ids.doi.lower():
                return entry.key
            if ids.pmcid and entry.pmcid == ids.pmcid:
                return entry.key
        if not (ids.pmid or ids.doi):
            return None
        key = f"pmid-{ids.pmid}" if ids.pmid else f"doi-{ids.doi}"
        self.references[key] = DraftReference(key, pmid=ids.pmid, doi=ids.doi, pmcid=ids.pmcid, linked_only=True)
        return key


# --- the walk: which units are claims, about what -----------------------------------------------

_ANAPHORA = re.compile(
    r"^[\"“‘']?(it|its|this|these|they|their|the (?:study|paper|research|trial|review|article|authors|"
    r"researchers|analysis))\b",
    re.IGNORECASE,
)
_RECENT_BLOCKS = 8
_MIN_WORDS = 3


@dataclass(frozen=True)
class _Pending:
    order: int
    refs: tuple[str, ...]
    unit: _Unit
    basis: Basis


class _Walker:
    """Reads units in order and keeps track of which reference the text is talking about."""

    def __init__(self, blocks: list[_Block], resolver: _Resolver) -> None:
        self.blocks = blocks
        self.resolver = resolver
        self.pending: list[_Pending] = []
        self.messages: list[tuple[int, str]] = []
        self._context: tuple[str, ...] = ()
        self._context_basis: Basis = "restates"
        self._recent: tuple[tuple[str, ...], int] | None = None
        self._list_owner: tuple[str, ...] = ()
        self._items: list[tuple[int, tuple[str, ...]]] = []
        self._carry: tuple[str, ...] = ()
        self._unclaimed: tuple[int, _Unit] | None = None

    def walk(self, units: list[_Unit]) -> None:
        """Visit every block in order, and the units that start in it."""
        by_block: dict[int, list[tuple[int, _Unit]]] = {}
        for position, unit in enumerate(units):
            by_block.setdefault(unit.first_block, []).append((position, unit))
        for index, block in enumerate(self.blocks):
            self._enter(block)
            for position, unit in by_block.get(index, []):
                self._visit(position, unit)
            self._leave(block)

    def _enter(self, block: _Block) -> None:
        self._unclaimed = None
        if block.kind == "heading":
            self._recent = None
            self._list_owner = ()
            self._items.clear()
            self._context, self._carry = (), ()
            return
        if block.kind == "item":
            while self._items and self._items[-1][0] >= block.level:
                self._items.pop()
            self._context = self._items[-1][1] if self._items else self._list_owner
            self._context_basis = "list"
        else:
            self._items.clear()
            self._context = self._carry
            self._context_basis = "restates"
        self._carry = ()

    def _leave(self, block: _Block) -> None:
        if block.kind == "item":
            self._items.append((block.level, self._context))
        elif block.kind == "paragraph":
            self._list_owner = self._context

    def _visit(self, position: int, unit: _Unit) -> None:
        refs, basis = self._refs_of(unit)
        if not refs:
            # A sentence citing a source the list lacks is about that source, not the one before.
            self._unclaimed = None if unit.markers else (position, unit)
            self._context = () if unit.markers else self._context
            return
        if basis == "marker" and self._unclaimed is not None and _ANAPHORA.match(unit.text):
            earlier_position, earlier = self._unclaimed
            self.pending.append(_Pending(earlier_position, refs, earlier, "antecedent"))
        self.pending.append(_Pending(position, refs, unit, basis))
        self._unclaimed = None
        self._context = refs
        self._recent = (refs, unit.last_block)
        if unit.last_block != unit.first_block:
            self._carry = refs

    def _refs_of(self, unit: _Unit) -> tuple[tuple[str, ...], Basis]:
        """What the unit is about: its own markers, else the reference nearest its quote, else the context."""
        if unit.markers:
            return self._marker_refs(unit), "marker"
        if unit.quotes:
            return self._quote_refs(unit), "quote"
        if self._context and _restates(unit):
            return self._context, self._context_basis
        return (), "marker"

    def _marker_refs(self, unit: _Unit) -> tuple[str, ...]:
        keys: list[str] = []
        for marker in unit.markers:
            found, missing = self.resolver.resolve(marker)
            keys.extend(found)
            for label in missing:
                self._note(unit, f"marker {_shown(marker, label)} has no entry in the reference list")
            if not marker.labels and not found:
                self._note(unit, f"link to {marker.text} matches no reference and gives no PMID or DOI")
        for conflict in self.resolver.conflicts:
            self._note(unit, conflict)
        self.resolver.conflicts.clear()
        return tuple(dict.fromkeys(keys))

    def _quote_refs(self, unit: _Unit) -> tuple[str, ...]:
        if self._context:
            return self._context
        if self._recent is not None and unit.first_block - self._recent[1] <= _RECENT_BLOCKS:
            return self._recent[0]
        for quote in unit.quotes:
            self._note(unit, f"quote “{_excerpt(quote)}” has no cited reference nearby (attach it by hand)")
        return ()

    def _note(self, unit: _Unit, message: str) -> None:
        self.messages.append((self.blocks[unit.first_block].line, message))


def _restates(unit: _Unit) -> bool:
    """A plain sentence long enough to say something; questions ask, "[citation needed]" admits no source."""
    text = unit.text.rstrip("\"”’') ")
    unsourced = "citation needed" in text.lower()
    return len(unit.text.split()) >= _MIN_WORDS and not text.endswith("?") and not unsourced


def _shown(marker: _Marker, label: str) -> str:
    return f"({label})" if marker.text.startswith("(") or not marker.text else f"[{label}]"


def _excerpt(text: str, words: int = 8) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


# --- ids ---------------------------------------------------------------------------------------

_INITIALS = re.compile(r"^(?:[A-Z]\.?-?){1,4}$|^(?:[A-Z]\.){1,4}[A-Z]?$")
_PARTICLES = frozenset({"van", "von", "de", "der", "den", "del", "da", "di", "du", "le", "la", "dos", "das", "ten", "ter"})


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _first_author(citation: str) -> str:
    """The surname that opens a citation: "van Middelkoop M, ..." -> "van Middelkoop"."""
    head = re.split(r",|\.\s|\(|:|;", citation, maxsplit=1)[0]
    words = [word for word in head.split() if not _INITIALS.match(word.strip("."))]
    if words and (words[0][:1].isupper() or words[0].lower() in _PARTICLES):
        return " ".join(words[:3])
    return ""


def _id_base(reference: DraftReference | None, key: str) -> str:
    if reference is None or not reference.citation:
        return _slug(key) if not key.isdigit() else f"ref-{key}"
    year = _YEAR.search(reference.citation)
    author = _slug(_first_author(reference.citation))
    base = "-".join(part for part in (author, year.group(1) if year else "") if part)
    return base or f"ref-{_slug(key)}"


def _claims(pending: list[_Pending], references: dict[str, DraftReference], blocks: list[_Block]) -> list[DraftClaim]:
    """Pending claims in article order, one per unit, each with its stable id."""
    counters: dict[str, int] = {}
    claims: list[DraftClaim] = []
    seen: set[int] = set()
    for item in sorted(pending, key=lambda candidate: candidate.order):
        if id(item.unit) in seen or not item.unit.text:
            continue
        seen.add(id(item.unit))
        base = _id_base(references.get(item.refs[0]), item.refs[0])
        counters[base] = counters.get(base, 0) + 1
        line = blocks[item.unit.first_block].line
        claims.append(DraftClaim(f"{base}-{counters[base]}", item.refs, item.unit.text, item.unit.quotes, item.basis, line))
    return claims


# --- the public API ----------------------------------------------------------------------------

_EXTENSIONS: dict[str, Kind] = {
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".md": "markdown", ".markdown": "markdown", ".mdown": "markdown",
    ".txt": "text", ".text": "text",
}


def guess_kind(text: str, *, source_name: str | None = None) -> Kind:
    """Text, Markdown or HTML, from the file's extension or else from its content."""
    if source_name is not None:
        kind = _EXTENSIONS.get(Path(source_name).suffix.lower())
        if kind is not None:
            return kind
    head = text.lstrip()[:2000].lower()
    if head.startswith(("<!doctype html", "<html")) or re.search(r"<(p|div|body|article|h[1-6]|ul|ol|li)[\s>]", head):
        return "html"
    if re.search(r"(?m)^#{1,6}\s+\S|\]\([^)\s]+\)|\[\^[^\]]+\]", text):
        return "markdown"
    return "text"


@dataclass(frozen=True)
class _Document:
    lines: list[Line]
    title: str | None
    url: str | None = None


def _read(text: str, kind: Kind) -> _Document:
    text = text.replace(_TOKEN_OPEN, "").replace(_TOKEN_CLOSE, "").replace(_BREAK, "").replace("\xa0", " ")
    if kind == "html":
        parser = _HtmlLines()
        parser.feed(text)
        parser.close()
        return _Document(parser.lines, _collapse(parser.h1 or parser.title) or None, parser.url)
    lines = _markdown_lines(text) if kind == "markdown" else _text_lines(text)
    return _Document(lines, _title(lines, markdown=kind == "markdown"))


def _title(lines: list[Line], *, markdown: bool) -> str | None:
    headings = [match.group(2) for _, line in lines if markdown and (match := _HEADING.match(line))]
    first = next((line for _, line in lines if line.strip()), "")
    top = [match.group(2) for _, line in lines if markdown and (match := re.match(r"^\s{0,3}(#)\s+(.*)$", line))]
    chosen = (top or headings or [first])[0]
    return _clean(chosen.strip().strip("#")) or None


def extract_article(text: str, *, kind: Kind | None = None, source_name: str | None = None) -> Draft:
    """Draft the references and claims of an article given as plain text, Markdown or HTML.

    ``source_name`` is the article's path as the claims file should record it; its extension also
    tells the kind when ``kind`` is None (else the content does). Nothing is read or written here.
    """
    document = _read(text, kind or guess_kind(text, source_name=source_name))
    all_blocks = _blocks(document.lines)
    reference_list = _find_reference_list(all_blocks)
    blocks = [block for index, block in enumerate(all_blocks) if index not in reference_list.used_blocks]
    scanner = _QuoteScanner(blocks)
    scanner.scan()
    resolver = _Resolver(reference_list.entries)
    walker = _Walker(blocks, resolver)
    walker.walk(_units(blocks, scanner.spans))
    messages = list(walker.messages)
    for span in scanner.unclosed:
        excerpt = _excerpt(_quote_text(blocks, span))
        messages.append((blocks[span.start_block].line, f"quote “{excerpt}” is never closed; it is taken to end with its paragraph"))
    if not resolver.references:
        messages.append((0, "no reference list found (a \"References\" heading or a numbered list at the end)"))
    references = resolver.references
    return Draft(
        title=document.title,
        references=tuple(references.values()),
        claims=tuple(_claims(walker.pending, references, blocks)),
        messages=tuple(_format_messages(messages)),
        source=source_name,
        url=document.url,
    )


def _format_messages(messages: list[tuple[int, str]]) -> list[str]:
    ordered = sorted(dict.fromkeys(messages), key=lambda item: item[0])
    return [f"line {line}: {message}" if line else message for line, message in ordered]


# --- YAML ----------------------------------------------------------------------------------------

_HEADER = (
    "Claims drafted by `claimcheck extract`{origin}. Review before use:\n"
    "delete what is not a claim about a source, fix misread sentences and quotes, and fill in a PMID\n"
    "(or a DOI) for every reference. `quote` holds the passages the article puts in quotation marks."
)
_BASIS_COMMENTS: dict[Basis, str] = {
    "marker": "",
    "antecedent": "the next sentence cites {refs}; this one introduces it",
    "restates": "no marker: restates {refs}, cited earlier in the paragraph",
    "list": "no marker: in a list under a sentence citing {refs}",
    "quote": "no marker: quote attached to the nearest cited reference, {refs}",
}


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100_000
    yaml.allow_unicode = True
    yaml.preserve_quotes = True
    return yaml


def _dump(data: Any) -> str:
    stream = StringIO()
    _yaml().dump(data, stream)
    return stream.getvalue()


def _quoted(value: str) -> DoubleQuotedScalarString:
    quoted: DoubleQuotedScalarString = DoubleQuotedScalarString(value)
    return quoted


def _reference_map(references: Iterable[DraftReference]) -> CommentedMap:
    mapping = CommentedMap()
    for reference in references:
        entry = CommentedMap()
        if reference.citation:
            entry["citation"] = reference.citation
        if reference.pmid:
            entry["pmid"] = _quoted(reference.pmid)
        if reference.doi:
            entry["doi"] = reference.doi
        key = _quoted(reference.key)
        mapping[key] = entry
        comment = _reference_comment(reference)
        if comment:
            mapping.yaml_add_eol_comment(comment, key, column=len(key) + 7)
    return mapping


def _reference_comment(reference: DraftReference) -> str:
    if reference.linked_only:
        return "only linked from the text, not in the reference list"
    if reference.pmid:
        return ""
    if reference.pmcid:
        return f"{reference.pmcid} named but no PMID: add it, or run `claimcheck resolve`"
    if reference.doi:
        return "no PMID: `claimcheck resolve` can look it up from the DOI"
    return "no PMID or DOI in the article: add one, or run `claimcheck resolve`"


def _claim_map(claim: DraftClaim) -> CommentedMap:
    entry = CommentedMap()
    entry["id"] = claim.id
    if len(claim.refs) == 1:
        entry["ref"] = _quoted(claim.refs[0])
    else:
        refs = CommentedSeq(_quoted(ref) for ref in claim.refs)
        refs.fa.set_flow_style()
        entry["refs"] = refs
    entry["text"] = claim.text
    if len(claim.quotes) == 1:
        entry["quote"] = claim.quotes[0]
    elif claim.quotes:
        entry["quote"] = CommentedSeq(claim.quotes)
    comment = _BASIS_COMMENTS[claim.basis].format(refs=_refs_phrase(claim.refs))
    if comment:
        entry.yaml_add_eol_comment(comment, "id")
    return entry


def _refs_phrase(refs: tuple[str, ...]) -> str:
    return ("reference " if len(refs) == 1 else "references ") + ", ".join(refs)


def _claim_list(claims: Iterable[DraftClaim]) -> CommentedSeq:
    return CommentedSeq(_claim_map(claim) for claim in claims)


def draft_to_yaml(draft: Draft) -> str:
    """The draft as a claims file (version 1), with comments that say what to review."""
    document = CommentedMap()
    document["claimcheck"] = 1
    article = CommentedMap()
    for name, value in (("title", draft.title), ("url", draft.url), ("source", draft.source)):
        if value:
            article[name] = value
    document["article"] = article
    document["references"] = _reference_map(draft.references)
    document["claims"] = _claim_list(draft.claims)
    origin = f" from {draft.source}" if draft.source else ""
    document.yaml_set_start_comment(_HEADER.format(origin=origin))
    document.yaml_set_comment_before_after_key(
        "claims", before="\nOne claim per sentence that cites a source, restates it or quotes it."
    )
    return _dump(document)


# --- merging into an existing claims file -------------------------------------------------------


@dataclass(frozen=True)
class _Existing:
    data: CommentedMap
    reference_keys: frozenset[str]
    claims: tuple[tuple[str, str, tuple[str, ...]], ...]


def _load_existing(existing_yaml: str, name: str) -> _Existing:
    try:
        data = _yaml().load(existing_yaml)
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise ClaimsFileError([Problem(name, line, f"cannot merge: {problem}", "fix the YAML or write to another file")]) from None
    hint = "fix it or write to another file"
    if not isinstance(data, CommentedMap):
        raise ClaimsFileError([Problem(name, 1, "cannot merge: not a claims file (a mapping is expected)", hint)])
    references = data.get("references") or CommentedMap()
    raw_claims = data.get("claims") or CommentedSeq()
    for key, value, kind in (("references", references, dict), ("claims", raw_claims, list)):
        if not isinstance(value, kind):
            line = int(data.lc.key(key)[0]) + 1
            raise ClaimsFileError([Problem(name, line, f"cannot merge: '{key}' is not a {kind.__name__}", hint)])
    keys = frozenset(str(key) for key in references)
    claims: list[tuple[str, str, tuple[str, ...]]] = []
    for claim in raw_claims:
        if isinstance(claim, dict):
            claims.append((str(claim.get("id", "")), _normal(claim.get("text")), _quotes_of(claim.get("quote"))))
    return _Existing(data, keys, tuple(claims))


def _normal(value: object) -> str:
    return _collapse(str(value)).lower() if value else ""


def _quotes_of(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (_normal(value),)
    if isinstance(value, list):
        return tuple(_normal(item) for item in value if item)
    return ()


def _match_claims(existing: _Existing, draft: Draft) -> tuple[list[DraftClaim], list[str]]:
    """Draft claims not in the file yet (matched by text or quote first, then id), and ids left unmatched."""
    unmatched = {claim_id: (text, quotes) for claim_id, text, quotes in existing.claims}
    rest: list[DraftClaim] = []
    for claim in draft.claims:
        text = _normal(claim.text)
        quotes = {_normal(quote) for quote in claim.quotes}
        hit = next((key for key, (old, old_quotes) in unmatched.items() if old == text or quotes & set(old_quotes)), None)
        if hit is None:
            rest.append(claim)
        else:
            del unmatched[hit]
    new: list[DraftClaim] = []
    for claim in rest:
        if claim.id in unmatched:
            del unmatched[claim.id]
        else:
            new.append(claim)
    return new, list(unmatched)


def _fresh_ids(claims: list[DraftClaim], taken: set[str]) -> list[DraftClaim]:
    """New claims whose id is already used get the next free number of their base."""
    renamed: list[DraftClaim] = []
    for claim in claims:
        claim_id = claim.id
        base = re.sub(r"-\d+$", "", claim_id)
        number = 1
        while claim_id in taken:
            number += 1
            claim_id = f"{base}-{number}"
        taken.add(claim_id)
        renamed.append(replace(claim, id=claim_id))
    return renamed


def merge_into(existing_yaml: str, draft: Draft, *, name: str = "claims file") -> tuple[str, list[str]]:
    """Add the draft's new references and claims to an existing claims file, keeping every byte of it.

    Existing references and claims stay exactly as they are, hand edits, ``accept`` entries and
    comments included. A draft claim is already there when an existing claim has its text or one of
    its quotes, or else its id. New references and claims are inserted as lines at the end of their
    sections. Existing claims the article no longer contains are kept and reported.
    """
    existing = _load_existing(existing_yaml, name)
    new_references = [reference for reference in draft.references if reference.key not in existing.reference_keys]
    new_claims, vanished = _match_claims(existing, draft)
    taken = {claim_id for claim_id, _, _ in existing.claims}
    new_claims = _fresh_ids(new_claims, taken)
    messages = [f"claim {claim_id}: no longer found in the article (kept; delete it if it should go)" for claim_id in vanished]
    if not new_references and not new_claims:
        return existing_yaml, [*messages, "nothing new to add"]
    merged = _insert(existing_yaml, existing.data, new_references, new_claims)
    if merged is None:
        merged = _rewrite(existing.data, new_references, new_claims)
        messages.append("an empty or flow-style section was rewritten in block style: check the diff")
    messages.append(f"added {len(new_references)} reference(s) and {len(new_claims)} claim(s)")
    return merged, messages


def _insert(text: str, data: CommentedMap, references: list[DraftReference], claims: list[DraftClaim]) -> str | None:
    """Insert whole lines at the end of each section; None when a section is missing, empty or in flow style."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    plan: list[tuple[int, list[str]]] = []
    for key, items in (("references", references), ("claims", claims)):
        if not items:
            continue
        end = _section_end(lines, data, key)
        if end is None:
            return None
        snippet = _dump(_reference_map(references) if key == "references" else _claim_list(claims))
        plan.append((end, _indented(snippet, _section_indent(lines, data, key))))
    for end, new_lines in sorted(plan, key=lambda step: step[0], reverse=True):
        lines[end:end] = new_lines
    return "".join(lines)


def _section_end(lines: list[str], data: CommentedMap, key: str) -> int | None:
    """The line after the last line of a non-empty block-style top-level section."""
    section = data.get(key)
    if not isinstance(section, (CommentedMap, CommentedSeq)) or not section or section.fa.flow_style():
        return None
    start = int(data.lc.key(key)[0])
    following = [int(data.lc.key(other)[0]) for other in data if int(data.lc.key(other)[0]) > start]
    stop = min(following) if following else len(lines)
    end = start + 1
    for index in range(start + 1, stop):
        if lines[index].strip() and not lines[index].startswith("#"):
            end = index + 1
    return end


def _section_indent(lines: list[str], data: CommentedMap, key: str) -> int:
    start = int(data.lc.key(key)[0])
    for line in lines[start + 1 :]:
        if line.strip() and not line.lstrip().startswith("#"):
            return len(line) - len(line.lstrip())
    return 2


def _indented(snippet: str, indent: int) -> list[str]:
    """The snippet's lines moved so that its first line starts at column ``indent``."""
    lines = snippet.splitlines(keepends=True)
    first = next((line for line in lines if line.strip()), "")
    shift = indent - (len(first) - len(first.lstrip(" ")))
    if shift >= 0:
        return [" " * shift + line if line.strip() else line for line in lines]
    return [line[-shift:] if line[: -shift].isspace() else line for line in lines]


def _rewrite(data: CommentedMap, references: list[DraftReference], claims: list[DraftClaim]) -> str:
    if not isinstance(data.get("references"), dict):
        data["references"] = CommentedMap()
    for key, value in _reference_map(references).items():
        data["references"][key] = value
    if not isinstance(data.get("claims"), list):
        data["claims"] = CommentedSeq()
    data["claims"].extend(_claim_list(claims))
    return _dump(data)


# --- files ------------------------------------------------------------------------------------


def _relative_source(path: Path, output: Path | None) -> str:
    folder = output.parent if output is not None else Path.cwd()
    try:
        return Path(os.path.relpath(path.resolve(), folder.resolve())).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def extract_file(path: Path, *, output: Path | None) -> tuple[str, list[str]]:
    """Draft a claims file from the article at ``path``, merged into ``output`` when that file exists.

    Returns the YAML to write (the caller writes it, to ``output`` or standard output) and the
    messages to show. ``article.source`` is the article's path relative to the output's folder.
    """
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError as error:
        raise InputError(f"{path}: cannot read the article ({error.strerror or error})") from None
    draft = extract_article(text, source_name=_relative_source(path, output))
    if output is None or not output.exists():
        return draft_to_yaml(draft), list(draft.messages)
    try:
        existing = output.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{output}: cannot read the claims file to merge into ({error})") from None
    merged, merge_messages = merge_into(existing, draft, name=str(output))
    return merged, list(draft.messages) + merge_messages
