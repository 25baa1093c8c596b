"""Property-based tests (hypothesis): quotes taken from an abstract are found, normalisation settles,
and the claims loader and the PubMed readers answer any input with their own errors, never a crash."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from claimcheck import verify_quote
from claimcheck.claims_file import load_claims
from claimcheck.errors import ClaimsFileError, MalformedXMLError
from claimcheck.matching import QuoteMatch, Verdict
from claimcheck.model import AbstractSection, Record
from claimcheck.records import parse_records, split_pubmed_set
from claimcheck.text import normalize
from tests.fake_eutils import make_article_xml, pubmed_set_xml

# Invented structured abstracts in the style PubMed serves: numbers, percentages, intervals,
# abbreviations defined in parentheses, hyphenated words, p-values, semicolons.
ABSTRACTS: tuple[tuple[tuple[str, str], ...], ...] = (
    (
        ("BACKGROUND", "Knee osteoarthritis (OA) limits walking in retired lighthouse keepers, and few trials have "
                       "tested supervised walking programmes in this group."),
        ("METHODS", "We randomly assigned 212 keepers (mean age 71.4 years; 58% women) to a 12-week walking "
                    "programme or to usual care. The primary outcome was knee pain on a 0-10 scale at 12 weeks."),
        ("RESULTS", "Pain fell by 1.8 points (95% CI 1.1 to 2.5) in the walking group and by 0.6 points in the "
                    "usual-care group (p = 0.002). Adverse events were rare and mild; two participants withdrew."),
        ("CONCLUSIONS", "A supervised walking programme may reduce knee pain slightly in older adults with OA, "
                        "although the effect on function remains uncertain."),
    ),
    (
        ("OBJECTIVE", "To estimate whether a low-salt diet lowers systolic blood pressure (SBP) in invented "
                      "island populations over 6 months."),
        ("DESIGN", "Cluster-randomised trial in 14 villages, with 1,204 adults followed for 26 weeks."),
        ("RESULTS", "Mean SBP decreased by 4.2 mm Hg (SD 9.1) with the diet compared with 1.3 mm Hg in controls; "
                    "the difference was 2.9 mm Hg (95% CI 1.4-4.4). Urinary sodium fell by 31%."),
        ("CONCLUSIONS", "Lowering salt intake probably reduces blood pressure modestly, but long-term effects on "
                        "stroke were not assessed."),
    ),
    (
        ("", "Sleep duration and reading speed were measured in 96 invented schoolchildren aged 8 to 11 years. "
             "Children who slept less than 9 hours read 12 fewer words per minute (wpm) on average than those who "
             "slept longer; after adjustment for age and sex the gap was 7 wpm (p = 0.04). These observational "
             "data cannot show that more sleep improves reading."),
    ),
)


def _record(sections: tuple[tuple[str, str], ...]) -> Record:
    return Record(
        pmid="30000001",
        title="An invented trial.",
        abstract_sections=tuple(AbstractSection(label=label, category=label, text=text) for label, text in sections),
    )


RECORDS = tuple(_record(abstract) for abstract in ABSTRACTS)
SECTION_TEXTS = tuple((index, text) for index, abstract in enumerate(ABSTRACTS) for _, text in abstract)
VERIFIED = (Verdict.EXACT, Verdict.COSMETIC)


_EDGE_DROP = re.compile(r'drops the (?:hedge|qualifier|negation) "([^"]+)" just (before|after) the quoted words')


def _assert_found(match: QuoteMatch, quote: str, source: str) -> None:
    """Verified, or flagged only for leaving out a hedge, qualifier or negation that stands right at its edge.

    Stopping a quote just short of "slightly" or "uncertain" changes what the source says; the matcher
    reports that on purpose (design.md), so such cuts are the one allowed exception to "found verbatim".
    """
    assert match.rewordings == () and match.splices == (), match
    if match.verdict in VERIFIED:
        assert match.meaning_changes == ()
        return
    assert match.verdict is Verdict.ALTERED and match.meaning_changes, match
    start = source.index(quote)
    before_words = source[:start].split()[-4:]
    after_words = source[start + len(quote):].split()[:1]
    for change in match.meaning_changes:
        edge = _EDGE_DROP.fullmatch(change)
        assert edge is not None, change
        nearby = before_words if edge.group(2) == "before" else after_words
        assert edge.group(1) in [word.strip(".,;:()") for word in nearby], (change, quote)


@st.composite
def word_span(draw: st.DrawFn, text: str, min_words: int = 4) -> str:
    """A run of at least ``min_words`` whole words of ``text``, as written."""
    words = text.split()
    start = draw(st.integers(0, len(words) - min_words))
    end = draw(st.integers(start + min_words, len(words)))
    return " ".join(words[start:end])


@st.composite
def quote_from_a_section(draw: st.DrawFn) -> tuple[Record, str]:
    index, text = draw(st.sampled_from(SECTION_TEXTS))
    return RECORDS[index], draw(word_span(text))


@settings(max_examples=60, deadline=None)
@given(quote_from_a_section())
def test_any_run_of_whole_words_of_a_section_is_found_in_the_record(case: tuple[Record, str]) -> None:
    record, quote = case
    match = verify_quote(quote, record)
    assert match.field == "abstract"
    _assert_found(match, quote, record.abstract)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from([record.abstract for record in RECORDS]).flatmap(word_span))
def test_any_run_of_whole_words_of_a_plain_text_is_found_in_it(quote: str) -> None:
    source = next(record.abstract for record in RECORDS if quote in record.abstract)
    _assert_found(verify_quote(quote, source), quote, source)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_normalize_leaves_no_runs_of_space_and_no_case(text: str) -> None:
    result = normalize(text)
    assert result == result.strip() and "  " not in result
    assert result.casefold() == result


# --- the claims loader answers anything with ClaimsFileError problems ------------------------------

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["1", "claimcheck", "claims", "references", "pmid", "30000001", "ref", "quote", "id"]),
)
_keys = st.one_of(
    st.sampled_from(["claimcheck", "article", "references", "claims", "id", "ref", "refs", "text", "quote",
                     "stated", "accept", "pmid", "doi", "citation", "journal", "date", "Q102", "1"]),
    st.text(max_size=12),
    st.integers(0, 99),
)
_documents = st.recursive(
    _scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(_keys, children, max_size=4)),
    max_leaves=20,
)


def _assert_only_problems(path: Path) -> None:
    try:
        load_claims(path)
    except ClaimsFileError as error:
        assert error.problems, "a ClaimsFileError must list at least one problem"
        for problem in error.problems:
            assert problem.file and problem.line >= 1 and problem.message, problem


_yaml = YAML()
_yaml.default_flow_style = False


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=_documents)
def test_random_yaml_documents_give_problems_never_another_exception(tmp_path: Path, document: object) -> None:
    path = tmp_path / "claims.yaml"
    with path.open("w", encoding="utf-8") as stream:
        _yaml.dump(document, stream)
    _assert_only_problems(path)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=st.dictionaries(_keys, _documents, max_size=5).map(lambda rest: {"claimcheck": 1, **rest}))
def test_random_documents_with_the_format_version_give_problems_never_another_exception(
    tmp_path: Path, document: dict[object, object]
) -> None:
    path = tmp_path / "claims.yaml"
    with path.open("w", encoding="utf-8") as stream:
        _yaml.dump(document, stream)
    _assert_only_problems(path)


_yaml_punctuation = st.sampled_from(list(":-[]{}&*!|>'\"%@`#,?\n\t ") + ["---", "...", "<<", "!!python/object:os.system"])
_yaml_like_text = st.lists(st.one_of(_yaml_punctuation, st.text(max_size=5)), max_size=40).map("".join)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(max_size=200), _yaml_like_text))
def test_random_text_gives_problems_never_another_exception(tmp_path: Path, text: str) -> None:
    path = tmp_path / "claims.yaml"
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    _assert_only_problems(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=200))
def test_random_bytes_give_problems_never_another_exception(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "claims.yaml"
    path.write_bytes(data)
    _assert_only_problems(path)


# --- the PubMed readers answer any bytes with MalformedXMLError --------------------------------------

_GOOD_SET = pubmed_set_xml([make_article_xml("30000001"), make_article_xml("30000002", "Another invented study.")])


def _mangled(data: bytes) -> st.SearchStrategy[bytes]:
    """The bytes with a slice cut out, or a few bytes replaced or inserted somewhere."""
    size = len(data)
    cut = st.tuples(st.integers(0, size), st.integers(0, size)).map(lambda ab: data[: min(ab)] + data[max(ab):])
    replaced = st.tuples(st.integers(0, size - 1), st.binary(min_size=1, max_size=4)).map(
        lambda pair: data[: pair[0]] + pair[1] + data[pair[0] + len(pair[1]):]
    )
    inserted = st.tuples(st.integers(0, size), st.binary(min_size=1, max_size=8)).map(
        lambda pair: data[: pair[0]] + pair[1] + data[pair[0]:]
    )
    return st.one_of(cut, replaced, inserted)


_hostile_bytes = st.one_of(
    st.binary(max_size=300),
    _mangled(_GOOD_SET),
    st.text(max_size=100).map(lambda text: f"<PubmedArticleSet>{text}</PubmedArticleSet>".encode("utf-8", "surrogatepass")),
)


@settings(max_examples=150, deadline=None)
@given(_hostile_bytes)
def test_split_pubmed_set_raises_only_malformed_xml_error(data: bytes) -> None:
    try:
        pieces = split_pubmed_set(data)
    except MalformedXMLError:
        return
    for pmid, piece in pieces:
        assert pmid.isdigit() and piece.startswith(b"<")


@settings(max_examples=150, deadline=None)
@given(_hostile_bytes)
def test_parse_records_raises_only_malformed_xml_error(data: bytes) -> None:
    try:
        records = parse_records(data)
    except MalformedXMLError:
        return
    assert all(record.pmid.isdigit() for record in records)


@pytest.mark.parametrize("data", [_GOOD_SET])
def test_the_unmangled_set_reads_so_the_mangling_tests_start_from_sound_bytes(data: bytes) -> None:
    assert [pmid for pmid, _ in split_pubmed_set(data)] == ["30000001", "30000002"]
    assert [record.pmid for record in parse_records(data)] == ["30000001", "30000002"]
