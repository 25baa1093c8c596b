"""Reference checks R401-R404 on records written for these tests."""

from dataclasses import replace

import pytest

from claimcheck import rules
from claimcheck.checks.references import check_reference, expand_pages, parse_citation
from claimcheck.model import Author, Claim, CommentCorrection, Finding, PartialDate, Record, Reference, Severity

CLAIM = Claim(id="walking", refs=("3",), file="claims/hip.yaml", line=40, text="A Norwegian trial looked at walking.")

TRIAL = Record(
    pmid="26600001",
    title=(
        "Long-term effects of supervised exercise and education on walking capacity in hip osteoarthritis: "
        "secondary analysis of a randomized trial"
    ),
    journal_title="Physical Therapy",
    iso_abbreviation="Phys Ther",
    medline_ta="Phys Ther",
    volume="96",
    issue="6",
    pages="818-27",
    pub_date=PartialDate(2016, 6),
    article_date=PartialDate(2015, 12, 17),
    authors=(Author("Svege", "Inger", "I"), Author("Fernandez", "Luis", "L")),
    publication_types=("Journal Article", "Randomized Controlled Trial"),
)
TRIAL_CITATION = (
    "Svege I, Fernandez L. Long-term effects of supervised exercise and education on walking capacity in hip "
    "osteoarthritis: secondary analysis of a randomized trial. Physical therapy. 2016 Jun 1;96(6):818-27. "
    "[Google Scholar]"
)

ONLINE = Record(
    pmid="30100001",
    title="People with mild-to-moderate hip osteoarthritis have lower limb strength and muscle volume deficits.",
    journal_title="BMC Musculoskeletal Disorders",
    iso_abbreviation="BMC Musculoskelet Disord",
    medline_ta="BMC Musculoskelet Disord",
    volume="19",
    issue="1",
    pages="303",
    pub_date=PartialDate(2018, 8, 21),
    article_date=PartialDate(2018, 8, 21),
    authors=(Author("Gül", "Deniz", "D"), Author("Diamond", "Laura E", "LE")),
)
ONLINE_CITATION = (
    "Gul D, Diamond LE. People with mild-to-moderate hip osteoarthritis have lower limb strength and muscle volume "
    "deficits. BMC Musculoskelet Disord. 2018;19(1):303. Published 2018 Aug 21. doi:10.1186/s12891-018-0000-0"
)


def reference(citation: str | None = None, *, pmid: str | None = "26600001", doi: str | None = None) -> Reference:
    return Reference(key="3", line=7, citation=citation, pmid=pmid, doi=doi)


def run(ref: Reference, record: Record | None) -> list[Finding]:
    return list(check_reference(CLAIM, ref, record))


# --- R401 reference-unresolved ----------------------------------------------------------------


@pytest.mark.parametrize(
    "ref",
    [
        reference(
            "Bech T, Sand V. Exercise and muscle function. Physiotherapy Research International. 2017 Oct 3.", pmid=None
        ),
        reference(None, pmid=None, doi="10.3390/ijerph0000000"),
        reference(None, pmid=None),
        reference(TRIAL_CITATION, pmid=""),
    ],
)
def test_r401_fires_for_a_reference_without_pmid_at_the_reference_line(ref):
    [finding] = run(ref, None)
    assert finding.rule is rules.CITATION_UNRESOLVED
    assert finding.severity is Severity.ERROR
    assert (finding.file, finding.line, finding.claim_id, finding.pmid) == ("claims/hip.yaml", 7, "walking", None)
    assert "Reference 3" in finding.message and "no PMID" in finding.message
    assert finding.evidence.field == "pmid"


def test_r401_points_to_the_doi_when_there_is_one():
    [finding] = run(reference(None, pmid=None, doi="10.3390/ijerph0000000"), None)
    assert "10.3390/ijerph0000000" in finding.message


@pytest.mark.parametrize(
    ("ref", "record"),
    [
        (reference(TRIAL_CITATION), TRIAL),
        (reference(None), TRIAL),
        (reference(TRIAL_CITATION), None),
    ],
)
def test_r401_near_misses_do_not_fire(ref, record):
    assert [finding.rule.code for finding in run(ref, record)] == []


# --- R402 citation-mismatch -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("citation", "fields"),
    [
        (TRIAL_CITATION.replace("96(6)", "95(6)"), ["volume"]),
        (TRIAL_CITATION.replace("818-27", "818-29"), ["pages"]),
        (TRIAL_CITATION.replace("Svege I", "Svensson I").replace("2016 Jun 1", "2017 Jun 1"), ["year", "first author"]),
        (TRIAL_CITATION.replace("Physical therapy", "Physiotherapy Research International"), ["journal"]),
        (
            "Svege I, Fernandez L. Exercise therapy and patient education in hip osteoarthritis. "
            "Physical therapy. 2016;96(6):818-27.",
            ["title"],
        ),
    ],
)
def test_r402_lists_every_difference(citation, fields):
    [finding] = run(reference(citation), TRIAL)
    assert finding.rule is rules.CITATION_MISMATCH
    assert finding.evidence.field == ", ".join(fields)
    assert finding.evidence.article_text == citation
    assert finding.line == 7 and finding.pmid == "26600001"
    for field in fields:
        assert field in finding.message


def test_r402_names_both_sides_of_a_difference():
    [finding] = run(reference(TRIAL_CITATION.replace("96(6)", "95(6)")), TRIAL)
    assert 'volume (cited "95", record "96")' in finding.message


@pytest.mark.parametrize(
    ("citation", "record"),
    [
        (TRIAL_CITATION, TRIAL),
        (TRIAL_CITATION, replace(TRIAL, pages="818-827")),
        (TRIAL_CITATION.replace("Physical therapy", "Phys Ther").replace("2016 Jun 1", "2015 Dec 17"), TRIAL),
        (ONLINE_CITATION, ONLINE),
        (ONLINE_CITATION.replace("BMC Musculoskelet Disord", "BMC musculoskeletal disorders"), ONLINE),
        (ONLINE_CITATION.replace("BMC Musculoskelet Disord", "BMC Musculoskelet. Disord."), ONLINE),
        ("Svege I. A citation nobody could parse without its date", TRIAL),
        (TRIAL_CITATION.replace("818-27", "818-27, 830"), replace(TRIAL, pages="818-27, 830")),
        (TRIAL_CITATION.replace("818-27", "818"), TRIAL),
        (TRIAL_CITATION.replace("96(6)", "96 Suppl 1(6)"), TRIAL),
        (
            TRIAL_CITATION.replace("Svege I, Fernandez L", "GHOst Trial Group, Svege I"),
            replace(TRIAL, authors=(Author(collective_name="GHOst Trial Group"), *TRIAL.authors)),
        ),
    ],
)
def test_r402_near_misses_do_not_fire(citation, record):
    assert [finding.rule.code for finding in run(reference(citation, pmid=record.pmid), record)] == []


def test_parse_citation_reads_the_parts():
    citation = parse_citation(TRIAL_CITATION)
    assert (citation.first_author, citation.journal, citation.year, citation.volume, citation.pages) == (
        "Svege",
        "Physical therapy",
        2016,
        "96",
        "818-27",
    )
    assert citation.title.startswith("Long-term effects") and citation.title.endswith("randomized trial")


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        ("818-27", ("818", "827")),
        ("818-827", ("818", "827")),
        ("e0163306", ("e0163306", "e0163306")),
        ("1001-6", ("1001", "1006")),
    ],
)
def test_expand_pages(pages, expected):
    assert expand_pages(pages) == expected


# --- R403 retracted, R404 correction-notice ---------------------------------------------------


@pytest.mark.parametrize(
    ("links", "types", "notice"),
    [
        ((CommentCorrection("RetractionIn", "Phys Ther. 2020;100:1", "32000099"),), (), "32000099"),
        ((), ("Journal Article", "Retracted Publication"), "no PMID"),
        (
            (CommentCorrection("RetractionIn", "Phys Ther. 2020;100:1", "32000099"),),
            ("Retracted Publication",),
            "32000099",
        ),
        ((CommentCorrection("RetractionIn", "Phys Ther. 2020;100:1"),), (), "no PMID"),
    ],
)
def test_r403_fires_with_the_notice_pmid(links, types, notice):
    record = replace(TRIAL, comments_corrections=links, publication_types=types or TRIAL.publication_types)
    [finding] = run(reference(None), record)
    assert finding.rule is rules.RETRACTED
    assert finding.severity is Severity.ERROR
    assert notice in finding.message and "26600001" in finding.message
    assert finding.line == 40


@pytest.mark.parametrize(
    "links",
    [
        (CommentCorrection("ErratumIn", "Phys Ther. 2017;97:1", "28000011"),),
        (CommentCorrection("CommentIn", "Phys Ther. 2016;96:900", "27000022"),),
        (CommentCorrection("RetractionOf", "Phys Ther. 2016;96:1", "25000033"),),
        (CommentCorrection("UpdateIn", "Phys Ther. 2018;98:1", "29000044"),),
    ],
)
def test_r403_near_misses_do_not_fire(links):
    record = replace(TRIAL, comments_corrections=links)
    assert "R403" not in [finding.rule.code for finding in run(reference(None), record)]


@pytest.mark.parametrize(
    ("links", "expected"),
    [
        ((CommentCorrection("ErratumIn", "Phys Ther. 2017;97:1", "28000011"),), ["an erratum (notice PMID 28000011)"]),
        (
            (CommentCorrection("ExpressionOfConcernIn", "Phys Ther. 2019;99:5", "31000055"),),
            ["an expression of concern (notice PMID 31000055)"],
        ),
        (
            (
                CommentCorrection("ErratumIn", "Phys Ther. 2017;97:1", "28000011"),
                CommentCorrection("ErratumIn", "Phys Ther. 2017;97:2", "28000012"),
                CommentCorrection("ExpressionOfConcernIn", "Phys Ther. 2019;99:5", "31000055"),
            ),
            ["an erratum (notice PMID 28000011, 28000012)", "an expression of concern (notice PMID 31000055)"],
        ),
    ],
)
def test_r404_fires_for_errata_and_expressions_of_concern(links, expected):
    found = run(reference(None), replace(TRIAL, comments_corrections=links))
    assert [finding.rule for finding in found] == [rules.CORRECTION_NOTICE] * len(expected)
    assert all(finding.severity is Severity.WARNING for finding in found)
    for finding, words in zip(found, expected, strict=True):
        assert words in finding.message
        assert finding.evidence.field == "comments_corrections"


@pytest.mark.parametrize(
    "links",
    [
        (),
        (CommentCorrection("CommentIn", "Phys Ther. 2016;96:900", "27000022"),),
        (CommentCorrection("ErratumFor", "Phys Ther. 2016;96:1", "25000033"),),
    ],
)
def test_r404_near_misses_do_not_fire(links):
    record = replace(TRIAL, comments_corrections=links)
    assert "R404" not in [finding.rule.code for finding in run(reference(None), record)]


def test_an_erratum_is_never_reported_as_a_retraction():
    record = replace(TRIAL, comments_corrections=(CommentCorrection("ErratumIn", "Phys Ther. 2017;97:1", "28000011"),))
    assert [finding.rule.code for finding in run(reference(TRIAL_CITATION), record)] == ["R404"]


def test_parse_citation_prefers_the_date_with_a_volume_over_a_year_in_the_title():
    citation = parse_citation("De Rosa F. [Tobramycin. 1978 review]. G Ital Chemioter. 1979 Jan;26(1-2):33-40.")
    assert (citation.year, citation.volume, citation.pages, citation.journal) == (
        1979,
        "26",
        "33-40",
        "G Ital Chemioter",
    )
