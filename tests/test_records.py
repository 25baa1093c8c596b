"""The PubMed parser: invented records field by field, bad and hostile input, and the real corpus.

The corpus tests check the streaming parser against Bio.Entrez.read, an independent reader that
validates against NCBI's DTD, on every field both expose.
"""

from __future__ import annotations

import gzip
import html
import io
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from claimcheck.errors import MalformedXMLError
from claimcheck.model import AbstractSection, Author, CommentCorrection, PartialDate, Record
from claimcheck.records import (
    DeletedCitations,
    ErrorAnswerError,
    iter_pubmed_file,
    parse_record,
    parse_records,
    record_from_element,
    split_pubmed_set,
)

DATA = Path(__file__).parent / "data" / "records"
DATA_FILES = sorted(path.name for path in DATA.glob("*.xml"))
PUBMED_DOCTYPE = (
    b'<?xml version="1.0" ?>\n'
    b'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
)


def load(name: str) -> bytes:
    """The bytes of one test file."""
    return (DATA / name).read_bytes()


def record(name: str, pmid: str | None = None) -> Record:
    """The record of a test file (the one with ``pmid`` when the file holds several)."""
    records = parse_records(load(name))
    if pmid is None:
        assert len(records) == 1
        return records[0]
    (found,) = [candidate for candidate in records if candidate.pmid == pmid]
    return found


def pubmed_set(*articles: bytes) -> bytes:
    """A PubmedArticleSet answer holding these article elements."""
    return PUBMED_DOCTYPE + b"<PubmedArticleSet>\n" + b"\n".join(articles) + b"\n</PubmedArticleSet>\n"


# --- fields of invented records ---------------------------------------------------------------


def test_structured_abstract_keeps_labels_categories_and_order() -> None:
    sections = record("structured_abstract.xml").abstract_sections
    assert [(section.label, section.category) for section in sections] == [
        ("BACKGROUND", "BACKGROUND"),
        ("METHODS", "METHODS"),
        ("RESULTS", "RESULTS"),
        ("CONCLUSIONS", "CONCLUSIONS"),
    ]


def test_inline_markup_and_mathml_are_flattened_to_plain_text() -> None:
    parsed = record("structured_abstract.xml")
    assert parsed.title == "Gait speed, APOE \u03b54 and H2O intake in adults over 65: a cohort study."
    background, methods, results, conclusions = parsed.abstract_sections
    assert background.text == "Slow walkers fall more often (r2<0.3 in earlier pilots)."
    assert methods.text == "We followed 1,204 volunteers and modelled vmax over five years, with k=3 visits a year."
    assert results.text == "Each drop of 0.1 m/s raised the hazard of a fall (HR 1.31; P < 0.01) & of a fracture."
    assert conclusions.text == "Gait speed is a cheap screening signal."


def test_abstract_leaves_out_copyright_and_other_abstracts() -> None:
    parsed = record("structured_abstract.xml")
    assert parsed.abstract.startswith("Slow walkers fall more often")
    assert parsed.abstract.endswith("Gait speed is a cheap screening signal.")
    assert "invented authors" not in parsed.abstract
    assert "plain words" not in parsed.abstract


def test_journal_issue_pages_and_dates() -> None:
    parsed = record("structured_abstract.xml")
    assert parsed.journal_title == "Annals of invented physiology"
    assert parsed.iso_abbreviation == "Ann Invent Physiol"
    assert parsed.medline_ta == "Ann Invent Physiol"
    assert (parsed.volume, parsed.issue, parsed.pages) == ("41", "2", "201-214")
    assert parsed.pub_date == PartialDate(year=2023, month=2, day=3)
    assert parsed.article_date == PartialDate(year=2022, month=12, day=19)


def test_authors_with_affiliations_and_a_collective_name() -> None:
    parsed = record("structured_abstract.xml")
    first, second, group = parsed.authors
    assert first == Author(
        last_name="M\u00fcller-Ortiz",
        fore_name="Ana Lu\u00edsa",
        initials="AL",
        affiliations=(
            "Department of Gait Studies, Invented University, Springfield, Nowhere.",
            "Falls Unit, Example Hospital, Springfield, Nowhere.",
        ),
    )
    assert (second.last_name, second.initials, second.display_name) == ("Okafor", "C", "Okafor C")
    assert group == Author(collective_name="STEP-AHEAD Study Group")
    assert len(parsed.affiliations) == 2


def test_types_headings_keywords_and_ids() -> None:
    parsed = record("structured_abstract.xml")
    assert parsed.pmid == "39900101"
    assert parsed.publication_types == ("Journal Article", "Research Support, Non-U.S. Gov't")
    assert parsed.mesh_headings == ("Aged", "Accidental Falls", "Walking Speed")
    assert parsed.keywords == ("gait", "falls in older adults")
    assert parsed.doi == "10.5555/aip.2023.0101"
    assert parsed.pmcid == "PMC9900101"
    assert parsed.comments_corrections == (
        CommentCorrection("ErratumIn", "Ann Invent Physiol. 2023 Jun;41(6):990", "39900103"),
    )
    assert parsed.is_book is False


def test_retracted_article_carries_its_notice_and_type() -> None:
    parsed = record("retracted.xml")
    assert "Retracted Publication" in parsed.publication_types
    assert parsed.comments_corrections == (
        CommentCorrection("RetractionIn", "J Made-up Nutr. 2022 Mar;8(3):12", "39900199"),
        CommentCorrection("CommentIn", "J Made-up Nutr. 2021 Aug;7(13):80-81", None),
    )
    assert parsed.pub_date == PartialDate(year=2021, month=6, day=30)
    assert parsed.pages == "55-61"


def test_label_without_category_keeps_the_label() -> None:
    sections = record("retracted.xml").abstract_sections
    assert sections == (
        AbstractSection("OBJECTIVE", "", "To test whether nitrate from beetroot changes sprint output."),
        AbstractSection("FINDINGS", "", "Peak power rose in all twelve riders."),
    )


def test_erratum_points_back_to_the_article() -> None:
    parsed = record("erratum.xml")
    assert parsed.publication_types == ("Published Erratum",)
    assert parsed.comments_corrections == (
        CommentCorrection("ErratumFor", "Ann Invent Physiol. 2023 Feb;41(2):201-214", "39900101"),
    )
    assert parsed.abstract_sections == ()
    assert parsed.pub_date == PartialDate(year=2023, month=6)


@pytest.mark.parametrize(
    ("pmid", "expected"),
    [
        ("8800104", PartialDate(year=1998, month=12, raw="1998 Dec-1999 Jan")),
        ("8800105", PartialDate(year=1975, raw="1975-1976")),
        ("8800106", PartialDate(year=2001, raw="2001 3rd Quarter")),
    ],
)
def test_medline_date_gives_its_first_year_and_month_and_keeps_the_text(pmid: str, expected: PartialDate) -> None:
    assert record("medline_date.xml", pmid).pub_date == expected


def test_season_date_keeps_year_and_season() -> None:
    parsed = record("season_date.xml")
    assert parsed.pub_date == PartialDate(year=1990, raw="1990 Spring")
    assert parsed.abstract_sections == (
        AbstractSection(
            "", "", "Nurses on night shifts washed their hands less often than day staff, by their own account."
        ),
    )
    assert parsed.authors == (Author(last_name="Lindqvist", initials="B"),)


def test_book_chapter_takes_its_own_title_and_authors_not_editors() -> None:
    chapter = record("book.xml", "20300108")
    assert chapter.is_book is True
    assert chapter.title == "Imaginary Limb Syndrome"
    assert [author.last_name for author in chapter.authors] == ["Chapterly"]
    assert chapter.authors[0].affiliations == ("Clinic of Invented Genetics, Springfield.",)
    assert [section.label for section in chapter.abstract_sections] == ["CLINICAL CHARACTERISTICS", "MANAGEMENT"]
    assert "Copyright" not in chapter.abstract
    assert chapter.pub_date == PartialDate(year=2001)
    assert chapter.publication_types == ("Review",)
    assert chapter.keywords == ("phantom",)
    assert (chapter.journal_title, chapter.doi) == ("", None)


def test_whole_book_takes_the_book_title_volume_and_doi() -> None:
    book = record("book.xml", "20300109")
    assert book.title == "Screening for imaginary conditions: a technical report"
    assert book.volume == "12"
    assert book.doi == "10.5555/iah.report.12"
    assert book.pub_date == PartialDate(year=2019, month=10)
    assert book.authors == (Author(collective_name="Invented Screening Panel"),)
    assert book.abstract == ""


def test_record_without_abstract_or_doi_of_its_own() -> None:
    parsed = record("no_abstract.xml")
    assert parsed.abstract_sections == ()
    assert parsed.abstract == ""
    assert parsed.doi is None
    assert parsed.pmcid is None
    assert (parsed.volume, parsed.issue, parsed.pages) == ("", "Suppl 2", "e17-e18")
    assert parsed.pub_date == PartialDate(year=2020, month=6)
    assert parsed.article_date is None
    assert parsed.authors[0].display_name == "Invented Heart Writing Committee"
    assert parsed.publication_types == ("Letter", "Comment")


def test_electronic_article_date_and_doi_from_elocation() -> None:
    parsed = record("article_date.xml")
    assert parsed.article_date == PartialDate(year=2024, month=3, day=5)
    assert parsed.pub_date == PartialDate(year=2024, month=3)
    assert parsed.doi == "10.5555/ojisr.2024.0311"
    assert parsed.pages == ""
    assert [section.label for section in parsed.abstract_sections] == [""]
    assert parsed.keywords == ("napping", "reaction time")


@pytest.mark.parametrize("name", DATA_FILES)
def test_doi_of_a_cited_reference_is_never_taken(name: str) -> None:
    root = ET.fromstring(load(name))
    cited = {element.text for element in root.iterfind(".//ReferenceList//ArticleId[@IdType='doi']")}
    cited_pmc = {element.text for element in root.iterfind(".//ReferenceList//ArticleId[@IdType='pmc']")}
    for parsed in parse_records(load(name)):
        assert parsed.doi not in cited
        assert parsed.pmcid not in cited_pmc


# --- one code path: elements, sets, single records, files ---------------------------------------


@pytest.mark.parametrize("name", DATA_FILES)
def test_split_and_parse_agree_on_every_test_file(name: str) -> None:
    data = load(name)
    records = parse_records(data)
    pieces = split_pubmed_set(data)
    assert [pmid for pmid, _ in pieces] == [parsed.pmid for parsed in records]
    assert [parse_record(piece) for _, piece in pieces] == records


def test_record_from_element_matches_parse_records() -> None:
    root = ET.fromstring(load("book.xml"))
    assert [record_from_element(element) for element in root] == parse_records(load("book.xml"))


def test_record_from_element_refuses_other_elements() -> None:
    with pytest.raises(MalformedXMLError, match="DeleteCitation"):
        record_from_element(ET.fromstring("<DeleteCitation><PMID>1</PMID></DeleteCitation>"))


@pytest.mark.parametrize(
    ("pmid_element", "message"),
    [("", "has no PMID"), ("<PMID>  </PMID>", "has no PMID"), ("<PMID>12a4</PMID>", "not a number")],
)
def test_article_without_a_usable_pmid_is_malformed(pmid_element: str, message: str) -> None:
    article = f"<PubmedArticle><MedlineCitation>{pmid_element}<Article/></MedlineCitation></PubmedArticle>"
    with pytest.raises(MalformedXMLError, match=message):
        parse_records(pubmed_set(article.encode()))


def test_parse_record_wants_exactly_one_article() -> None:
    assert parse_record(load("retracted.xml")).pmid == "39900102"
    with pytest.raises(MalformedXMLError, match="found 3"):
        parse_record(load("medline_date.xml"))
    with pytest.raises(MalformedXMLError, match="found 0"):
        parse_record(pubmed_set())


def test_empty_set_is_no_records() -> None:
    assert parse_records(pubmed_set()) == []
    assert split_pubmed_set(pubmed_set()) == []


def test_update_file_yields_records_then_deleted_pmids() -> None:
    items = list(iter_pubmed_file(DATA / "update_file.xml"))
    assert [item.pmid for item in items if isinstance(item, Record)] == ["8800112", "8800113"]
    assert items[-1] == DeletedCitations(pmids=("8800001", "8800002", "8800003"))
    assert [item for item in items if isinstance(item, Record)] == parse_records(load("update_file.xml"))


class _PipeLike:
    """A stream that can only be read, like a pipe: no seek, no peek."""

    def __init__(self, data: bytes) -> None:
        self._stream = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._stream.read(min(size, 7) if size > 0 else size)


def test_file_can_be_plain_or_gzip_given_by_path_or_stream(tmp_path: Path) -> None:
    data = load("update_file.xml")
    packed = tmp_path / "pubmed99n0001.xml.gz"
    packed.write_bytes(gzip.compress(data))
    expected = list(iter_pubmed_file(str(DATA / "update_file.xml")))
    assert len(expected) == 3
    assert list(iter_pubmed_file(packed)) == expected
    assert list(iter_pubmed_file(io.BytesIO(gzip.compress(data)))) == expected
    assert list(iter_pubmed_file(_PipeLike(gzip.compress(data)))) == expected  # type: ignore[arg-type]
    assert list(iter_pubmed_file(_PipeLike(data))) == expected  # type: ignore[arg-type]


def test_gzip_is_detected_by_content_not_by_name(tmp_path: Path) -> None:
    misnamed = tmp_path / "records.xml"
    misnamed.write_bytes(gzip.compress(load("book.xml")))
    assert [item.pmid for item in iter_pubmed_file(misnamed) if isinstance(item, Record)] == ["20300108", "20300109"]


def test_truncated_gzip_file_is_malformed(tmp_path: Path) -> None:
    packed = gzip.compress(load("structured_abstract.xml"))
    broken = tmp_path / "broken.xml.gz"
    broken.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(MalformedXMLError, match=r"broken\.xml\.gz is not a readable gzip file"):
        list(iter_pubmed_file(broken))


def test_streamed_file_errors_name_the_file(tmp_path: Path) -> None:
    truncated = tmp_path / "cut.xml"
    truncated.write_bytes(load("medline_date.xml")[:-200])
    with pytest.raises(MalformedXMLError, match=r"cut\.xml is not well-formed XML"):
        list(iter_pubmed_file(truncated))


# --- bad answers: both readers raise the same errors ------------------------------------------

NOT_PUBMED = {
    "empty": b"",
    "blank": b"  \n",
    "truncated": load("structured_abstract.xml")[:1500],
    "prolog only": PUBMED_DOCTYPE,
    "html page": b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>",
    "html not xml": b"<!DOCTYPE html>\n<html><head><meta charset=utf-8></head><body>Try later<br></body></html>",
    "rate limit json": b'{"error":"API rate limit exceeded","count":"5","limit":"3"}',
    "plain text": b"id: 39900101 Error occurred: The following PMID is not available: 39900101",
    "other root": b'<?xml version="1.0"?>\n<eSearchResult><Count>0</Count></eSearchResult>',
}

ERROR_ANSWERS = {
    "efetch envelope": (
        b'<?xml version="1.0" encoding="UTF-8" ?>\n'
        b'<!DOCTYPE eEfetchResult PUBLIC "-//NLM//DTD efetch 20131226//EN" '
        b'"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20131226/efetch.dtd">\n'
        b"<eFetchResult>\n\t<ERROR>ID list is empty! Possibly it has no correct IDs.</ERROR>\n</eFetchResult>\n",
        "ID list is empty! Possibly it has no correct IDs.",
    ),
    "bare error": (b"<ERROR>Empty id list - nothing todo</ERROR>", "Empty id list - nothing todo"),
    "error in set": (pubmed_set(b"<ERROR>Unable to obtain query #1</ERROR>"), "Unable to obtain query #1"),
}


@pytest.mark.parametrize("body", NOT_PUBMED.values(), ids=NOT_PUBMED.keys())
def test_not_pubmed_xml_is_malformed_for_both_readers(body: bytes) -> None:
    for reader in (split_pubmed_set, parse_records):
        with pytest.raises(MalformedXMLError) as caught:
            reader(body)
        assert type(caught.value) is MalformedXMLError


@pytest.mark.parametrize(("body", "text"), ERROR_ANSWERS.values(), ids=ERROR_ANSWERS.keys())
def test_error_answers_raise_error_answer_with_ncbi_text(body: bytes, text: str) -> None:
    for reader in (split_pubmed_set, parse_records):
        with pytest.raises(ErrorAnswerError) as caught:
            reader(body)
        assert caught.value.error_text == text


# --- hostile XML ----------------------------------------------------------------------------


def _laughs(levels: int) -> bytes:
    """A "billion laughs" document: each entity is ten of the one before."""
    declarations = ['<!ENTITY lol0 "lol">']
    for level in range(1, levels + 1):
        declarations.append(f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">')
    subset = "\n".join(declarations)
    article = f"<PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>&lol{levels};</ArticleTitle>"
    article += "</Article></MedlineCitation></PubmedArticle>"
    doctype = f"<!DOCTYPE PubmedArticleSet [\n{subset}\n]>"
    return f'<?xml version="1.0"?>\n{doctype}\n<PubmedArticleSet>{article}</PubmedArticleSet>'.encode()


def test_entity_expansion_bomb_is_refused(tmp_path: Path) -> None:
    bomb = _laughs(9)
    assert len(bomb) < 1000  # and "lol" a billion times over: 3 GB once expanded
    with pytest.raises(MalformedXMLError, match="refused"):
        parse_records(bomb)
    bomb_file = tmp_path / "bomb.xml.gz"
    bomb_file.write_bytes(gzip.compress(bomb))
    with pytest.raises(MalformedXMLError, match="refused"):
        list(iter_pubmed_file(bomb_file))


def test_small_internal_entities_still_parse() -> None:
    assert parse_record(_laughs(1)).title == "lol" * 10


def test_external_entities_are_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    document = (
        f'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>\n'
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
        "<ArticleTitle>&leak;</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"
    ).encode()
    with pytest.raises(MalformedXMLError, match="undefined entity") as caught:
        parse_records(document)
    assert "TOP-SECRET" not in str(caught.value)


# --- the oracle: Bio.Entrez.read, kept offline ------------------------------------------------

_TAG = re.compile(r"<[^>]*>")


@pytest.fixture(scope="module")
def entrez_read(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Bio.Entrez.read with its DTD cache in a temporary folder and any network access an error."""
    from Bio import Entrez

    cache = str(tmp_path_factory.mktemp("biopython"))

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"Bio.Entrez tried the network: {args!r}")

    with pytest.MonkeyPatch.context() as patch:
        # Set before Bio.Entrez.Parser is first imported, so it does not create ~/.config/biopython.
        patch.setattr(Entrez, "local_cache", cache)
        from Bio.Entrez import Parser

        patch.setattr(Parser, "urlopen", no_network)
        # A property of the metaclass, which monkeypatch cannot undo: set and restore it by hand.
        previous = Parser.DataHandler.directory
        Parser.DataHandler.directory = cache
        try:
            yield Entrez.read
        finally:
            if previous is not None:
                Parser.DataHandler.directory = previous


def _plain(value: object) -> str:
    """Bio.Entrez text (escape=True: tags kept raw, text escaped) as the parser's plain text."""
    return " ".join(html.unescape(_TAG.sub("", str(value))).split())


def _oracle_fields(article: Any) -> dict[str, object]:
    """The fields of one Bio.Entrez PubmedArticle that Record also exposes."""
    citation = article["MedlineCitation"]
    content = citation["Article"]
    journal = content["Journal"]
    issue = journal["JournalIssue"]
    parts = [part for part in content.get("Abstract", {}).get("AbstractText", []) if _plain(part)]
    article_ids = article.get("PubmedData", {}).get("ArticleIdList", [])
    dois = [_plain(i) for i in article_ids if i.attributes.get("IdType") == "doi" and _plain(i)]
    dois += [_plain(i) for i in content.get("ELocationID", []) if i.attributes.get("EIdType") == "doi" and _plain(i)]
    pmcids = [_plain(i) for i in article_ids if i.attributes.get("IdType") == "pmc" and _plain(i)]
    pagination = content.get("Pagination", {})
    pages = _plain(pagination.get("MedlinePgn", "")) or "-".join(
        _plain(pagination[key]) for key in ("StartPage", "EndPage") if _plain(pagination.get(key, ""))
    )
    pub_date = issue["PubDate"]
    return {
        "pmid": _plain(citation["PMID"]),
        "title": _plain(content["ArticleTitle"]),
        "abstract": " ".join(_plain(part) for part in parts),
        "labels": tuple(_plain(part.attributes.get("Label", "")) for part in parts),
        "journal_title": _plain(journal.get("Title", "")),
        "iso_abbreviation": _plain(journal.get("ISOAbbreviation", "")),
        "medline_ta": _plain(citation["MedlineJournalInfo"].get("MedlineTA", "")),
        "volume": _plain(issue.get("Volume", "")),
        "issue": _plain(issue.get("Issue", "")),
        "pages": pages,
        "pub_date": _oracle_date(pub_date),
        "authors": tuple(
            _plain(author.get("LastName", "") or author.get("CollectiveName", ""))
            for author in content.get("AuthorList", [])
        ),
        "affiliations": tuple(
            tuple(_plain(info["Affiliation"]) for info in author.get("AffiliationInfo", []))
            for author in content.get("AuthorList", [])
        ),
        "publication_types": tuple(_plain(kind) for kind in content["PublicationTypeList"]),
        "mesh_headings": tuple(_plain(heading["DescriptorName"]) for heading in citation.get("MeshHeadingList", [])),
        "keywords": tuple(_plain(word) for words in citation.get("KeywordList", []) for word in words if _plain(word)),
        "doi": dois[0] if dois else None,
        "pmcid": pmcids[0] if pmcids else None,
        "comments": tuple(
            (link.attributes["RefType"], _plain(link.get("PMID", "")) or None)
            for link in citation.get("CommentsCorrectionsList", [])
        ),
    }


_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _oracle_date(pub_date: Any) -> tuple[int | None, int | None, str]:
    """(year, month, raw text) of a Bio.Entrez PubDate."""
    medline_date = _plain(pub_date.get("MedlineDate", ""))
    if medline_date:
        year = re.search(r"\d{4}", medline_date)
        return (int(year.group()) if year else None, None, medline_date)
    year_text = _plain(pub_date.get("Year", ""))
    season = _plain(pub_date.get("Season", ""))
    if season:
        return (int(year_text), None, f"{year_text} {season}")
    month = _plain(pub_date.get("Month", ""))
    if not month:
        return (int(year_text), None, "")
    if month.isdigit():
        return (int(year_text), int(month), "")
    return (int(year_text), _MONTH_NAMES.index(month[:3].title()) + 1, "")


def _record_fields(parsed: Record) -> dict[str, object]:
    """The same fields, read from a Record (the month of a MedlineDate is the parser's own guess)."""
    date = parsed.pub_date or PartialDate(year=None)
    return {
        "pmid": parsed.pmid,
        "title": parsed.title,
        "abstract": parsed.abstract,
        "labels": tuple(section.label for section in parsed.abstract_sections),
        "journal_title": parsed.journal_title,
        "iso_abbreviation": parsed.iso_abbreviation,
        "medline_ta": parsed.medline_ta,
        "volume": parsed.volume,
        "issue": parsed.issue,
        "pages": parsed.pages,
        "pub_date": (date.year, None if date.raw else date.month, date.raw),
        "authors": tuple(author.last_name or author.collective_name for author in parsed.authors),
        "affiliations": tuple(author.affiliations for author in parsed.authors),
        "publication_types": parsed.publication_types,
        "mesh_headings": parsed.mesh_headings,
        "keywords": parsed.keywords,
        "doi": parsed.doi,
        "pmcid": parsed.pmcid,
        "comments": tuple((link.ref_type, link.pmid) for link in parsed.comments_corrections),
    }


def _disagreements(bio_articles: list[Any], records: list[Record]) -> list[str]:
    """Every field where Bio.Entrez and the parser differ, as readable lines."""
    found: list[str] = []
    for article, parsed in zip(bio_articles, records, strict=True):
        expected = _oracle_fields(article)
        actual = _record_fields(parsed)
        for name, value in expected.items():
            if actual[name] != value:
                found.append(f"PMID {expected['pmid']} {name}: Bio {value!r} != parser {actual[name]!r}")
    return found


def test_invented_records_agree_with_bio_entrez(entrez_read: Any) -> None:
    for name in DATA_FILES:
        answer = entrez_read(io.BytesIO(load(name)), escape=True)
        records = [parsed for parsed in parse_records(load(name)) if not parsed.is_book]
        assert _disagreements(list(answer["PubmedArticle"]), records) == [], name


# --- the real corpus ------------------------------------------------------------------------

ORACLE_STEP = int(os.environ.get("CLAIMCHECK_ORACLE_STEP", "5"))
"""Bio.Entrez reads every ORACLE_STEP-th article; set CLAIMCHECK_ORACLE_STEP=1 to check them all (slower)."""
ORACLE_CHUNK = 300
_ARTICLE_XML = re.compile(rb"<(PubmedArticle|PubmedBookArticle)>.*?</\1>", re.DOTALL)


@dataclass
class StreamedFile:
    """What one pass of iter_pubmed_file over a corpus file found."""

    records: int = 0
    abstracts: int = 0
    books: int = 0
    deleted: list[str] = field(default_factory=list)
    undated: list[str] = field(default_factory=list)
    sample: list[Record] = field(default_factory=list)


@pytest.fixture(scope="module")
def streamed(pubmed_corpus: dict[str, Path]) -> dict[str, StreamedFile]:
    """Each corpus file streamed once, every record read; every ORACLE_STEP-th record kept."""
    results: dict[str, StreamedFile] = {}
    for name, path in pubmed_corpus.items():
        result = results[name] = StreamedFile()
        for item in iter_pubmed_file(path):
            if isinstance(item, DeletedCitations):
                result.deleted.extend(item.pmids)
                continue
            if result.records % ORACLE_STEP == 0:
                result.sample.append(item)
            result.records += 1
            result.abstracts += bool(item.abstract_sections)
            result.books += item.is_book
            if item.pub_date is None or item.pub_date.year is None:
                result.undated.append(item.pmid)
    return results


@pytest.mark.corpus
def test_corpus_every_record_parses_and_counts_match(streamed: dict[str, StreamedFile]) -> None:
    old, new = streamed["pubmed20n0014.xml.gz"], streamed["pubmed21n1298.xml.gz"]
    assert (old.records, new.records) == (30_000, 20_788)
    # 33,278 Abstract elements; one of them (PMID 34085931) holds only an empty AbstractText.
    assert (old.abstracts, new.abstracts) == (14_832, 18_445)
    assert old.deleted == []
    assert len(new.deleted) == 20
    assert all(pmid.isdigit() for pmid in new.deleted)
    assert (old.books, new.books) == (0, 0)
    assert old.undated == new.undated == []


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["pubmed21n1298.xml.gz", "pubmed20n0014.xml.gz"])
def test_corpus_sample_agrees_with_bio_entrez(
    name: str, pubmed_corpus: dict[str, Path], streamed: dict[str, StreamedFile], entrez_read: Any
) -> None:
    with gzip.open(pubmed_corpus[name]) as stream:
        articles = [match.group() for match in _ARTICLE_XML.finditer(stream.read())]
    sample = articles[::ORACLE_STEP]
    records = streamed[name].sample
    assert len(sample) == len(records) > 0
    disagreements: list[str] = []
    for start in range(0, len(sample), ORACLE_CHUNK):
        # The older files name an http:// DTD, which Bio.Entrez refuses; NCBI's current DOCTYPE reads them.
        answer = entrez_read(io.BytesIO(pubmed_set(*sample[start : start + ORACLE_CHUNK])), escape=True)
        disagreements += _disagreements(list(answer["PubmedArticle"]), records[start : start + ORACLE_CHUNK])
    assert disagreements[:20] == []
