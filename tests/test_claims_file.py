"""Claims files: the format, the model they load into, and every problem with its file and line."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimcheck.claims_file import (
    MAX_FILE_BYTES,
    _parse_full,
    _read_simple,
    display_path,
    find_claims_files,
    load_claims,
    load_claims_files,
)
from claimcheck.errors import ClaimsFileError, InputError, Problem
from claimcheck.extract import draft_to_yaml, extract_article
from claimcheck.model import Quote, Stated

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
CLAIMS_DATA = DATA / "claims"
REAL_CLAIMS = ROOT / "claims" / "hip-pain-physical-therapy.yaml"
ARTICLE = DATA / "hip-pain-article.txt"

VALID = """\
claimcheck: 1
references:
  "2":
    citation: Rostron ZP. Biology. 2021.
    pmid: "34943166"
claims:
  - id: rostron-journal
    ref: "2"
    text: It was published in the journal Review Biology (2).
"""


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in an empty folder so display paths are short and predictable."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(folder: Path, text: str | bytes, name: str = "claims/x.yaml") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: str | Path) -> list[Problem]:
    with pytest.raises(ClaimsFileError) as caught:
        load_claims(path)
    return caught.value.problems


def only_problem(folder: Path, text: str | bytes) -> Problem:
    problems = problems_of(write(folder, text))
    assert len(problems) == 1, [str(problem) for problem in problems]
    return problems[0]


def normalised(text: str) -> str:
    """Whitespace collapsed and bullets dropped, as the article's layout is not part of its words."""
    return " ".join(text.replace("•", " ").split())


# --- the model ------------------------------------------------------------------------------------


def test_every_field_loads_into_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)
    loaded = load_claims(CLAIMS_DATA / "complete.yaml")
    assert loaded.path == "claims/complete.yaml"
    assert loaded.version == 1
    assert loaded.article.title == "Walking and the arthritic hip"
    assert loaded.article.url == "https://example.org/walking-hip"
    assert loaded.article.source == "../articles/walking-hip.txt"
    first, second = loaded.references
    assert (first.key, first.line, first.pmid, first.doi) == ("1", 8, "30000001", "10.5555/invented.2021.001")
    assert first.citation == "Alpha A, Beta B. Walking for hip pain. Invented Trials. 2021;3:1-9."
    assert (second.key, second.line, second.pmid, second.doi) == ("2b", 12, None, None)
    assert loaded.reference("2b") is second and loaded.reference("3") is None

    walking, both = loaded.claims
    assert (walking.id, walking.refs, walking.line) == ("alpha-2021-walking", ("1",), 15)
    assert walking.file == "claims/complete.yaml"
    assert walking.text == "A 2021 trial in Invented Trials found that walking eased hip pain in 41 adults."
    assert walking.quotes == (Quote("Walking eased hip pain.", 21), Quote("Adults walked for twelve weeks.", 22))
    assert walking.stated == Stated(
        journal="Invented Trials",
        date="2021-11-05",
        institution="University of Nowhere",
        country="Atlantis",
        sample_size=41,
        author="Alpha",
        design="randomised controlled trial",
        line=25,
    )
    assert walking.accept == (
        ("M201", "house style abbreviates journal names"),
        ("Q103", "the editor's insertion is marked in the print edition"),
    )
    assert walking.accept_lines == (("M201", 34), ("Q103", 35))
    assert (both.id, both.refs, both.line, both.text) == ("both-papers", ("1", "2b"), 36, None)
    assert both.quotes == (Quote("Strength improved.", 38),)
    assert both.stated == Stated() and both.accept == ()


def test_numbers_given_for_labels_refs_and_pmids_become_text(in_tmp: Path) -> None:
    text = "claimcheck: 1\nreferences:\n  2: {pmid: 34943166}\nclaims:\n  - {id: 7, ref: 2, text: x}\n"
    loaded = load_claims(write(in_tmp, text))
    assert [(reference.key, reference.pmid) for reference in loaded.references] == [("2", "34943166")]
    assert [(claim.id, claim.refs) for claim in loaded.claims] == [("7", ("2",))]


def test_a_single_quote_is_one_quote_with_its_own_line(in_tmp: Path) -> None:
    text = VALID.replace("    text:", "    quote: >-\n      may increase\n      strength.\n    text:")
    loaded = load_claims(write(in_tmp, text))
    assert loaded.claims[0].quotes == (Quote("may increase strength.", 9),)
    assert loaded.claims[0].text == "It was published in the journal Review Biology (2)."


def test_stated_dates_of_every_allowed_shape_load_as_text(in_tmp: Path) -> None:
    shapes = (("2021", "2021"), ("2021-11", "2021-11"), ("2020-02-29", "2020-02-29"), ('"2021-11-05"', "2021-11-05"))
    for written, expected in shapes:
        loaded = load_claims(write(in_tmp, VALID + f"    stated: {{date: {written}}}\n"))
        assert loaded.claims[0].stated.date == expected
        assert loaded.claims[0].stated.line == 10


def test_comments_a_byte_order_mark_and_yml_files_are_fine(in_tmp: Path) -> None:
    text = "\ufeff# a claims file\n" + VALID.replace("claims:\n", "claims:  # the claims\n")
    loaded = load_claims(write(in_tmp, text, "claims/x.yml"))
    assert loaded.path == "claims/x.yml"
    assert loaded.claims[0].line == 8


# --- the real claims file -------------------------------------------------------------------------


def test_the_real_claims_file_loads_with_its_eleven_references(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    loaded = load_claims(REAL_CLAIMS)
    assert loaded.path == "claims/hip-pain-physical-therapy.yaml"
    assert [reference.key for reference in loaded.references] == [str(number) for number in range(1, 12)]
    assert all(reference.pmid or reference.doi or reference.citation for reference in loaded.references)
    cited = {key for claim in loaded.claims for key in claim.refs}
    assert cited == {reference.key for reference in loaded.references}
    assert loaded.article.source is not None
    source = (REAL_CLAIMS.parent / loaded.article.source).resolve()
    assert source == ARTICLE


def test_the_real_claims_file_uses_the_articles_own_words() -> None:
    loaded = load_claims(REAL_CLAIMS)
    article = normalised(ARTICLE.read_text(encoding="utf-8"))
    for reference in loaded.references:
        assert reference.citation is not None
        assert normalised(reference.citation) in article, reference.key
        assert "Google Scholar" not in reference.citation
    for claim in loaded.claims:
        if claim.text is not None:
            assert normalised(claim.text) in article, claim.id
        for quote in claim.quotes:
            start = article.find(normalised(quote.text))
            assert start > 0, claim.id
            assert article[start - 1] == "“", claim.id


def test_the_real_claims_file_records_every_quotation_of_a_source() -> None:
    loaded = load_claims(REAL_CLAIMS)
    article = normalised(ARTICLE.read_text(encoding="utf-8"))
    quoted = [normalised(quote.text) for claim in loaded.claims for quote in claim.quotes]
    # Quotation marks around a few words are the editors' figures of speech, not a source's words.
    openings = [match.end() for match in re.finditer("“", article)]
    long_ones = [start for start in openings if not 0 <= article.find("”", start) - start <= 100]
    assert len(long_ones) == len(quoted) == 10
    for start in long_ones:
        assert any(quote.startswith(article[start : start + 40]) for quote in quoted)


def test_the_real_claims_file_records_every_cited_sentence() -> None:
    loaded = load_claims(REAL_CLAIMS)
    body = ARTICLE.read_text(encoding="utf-8").split("References:")[0]
    texts = " ".join(normalised(claim.text) for claim in loaded.claims if claim.text)
    for label in re.findall(r"\((\d+)\)", body):
        if int(label) <= 11:
            assert f"({label})" in texts, label


def test_the_real_claims_file_accepts_nothing_and_states_nothing_beyond_its_text() -> None:
    loaded = load_claims(REAL_CLAIMS)
    assert len(loaded.claims) > 70
    assert all(claim.accept == () and claim.stated == Stated() for claim in loaded.claims)


def test_the_real_claims_files_ids_name_their_first_author() -> None:
    loaded = load_claims(REAL_CLAIMS)
    authors = {reference.key: (reference.citation or "").split()[0].lower() for reference in loaded.references}
    authors = {key: author.replace("ü", "u") for key, author in authors.items()}
    for claim in loaded.claims:
        assert claim.id.startswith(authors[claim.refs[0]] + "-"), claim.id


def test_the_example_in_the_format_documentation_loads(in_tmp: Path) -> None:
    documentation = (ROOT / "docs" / "claims-format.md").read_text(encoding="utf-8")
    example = documentation.split("```yaml\n", 1)[1].split("```", 1)[0]
    loaded = load_claims(write(in_tmp, example))
    assert [claim.id for claim in loaded.claims] == ["rostron-2021-journal", "rostron-2021-quote-1", "two-sources"]
    assert loaded.claims[0].stated == Stated(journal="Review Biology", date="2021-11", line=25)
    assert loaded.claims[2].refs == ("2", "3") and len(loaded.claims[2].quotes) == 2
    assert loaded.claims[2].accept[0][0] == "O302"


# --- problems: one each, with the exact message and line -----------------------------------------

CASES = [
    # (name, file text, line, message, hint or a part of it)
    (
        "unknown top-level key",
        VALID + "artcle: {title: x}\n",
        10,
        "unknown key 'artcle' at the top level",
        "did you mean 'article'?",
    ),
    (
        "unknown claim key",
        VALID + "    qoute: x\n",
        10,
        "unknown key 'qoute' in claim 'rostron-journal'",
        "did you mean 'quote'?",
    ),
    (
        "unknown key, nothing close",
        VALID + "    zzz: x\n",
        10,
        "unknown key 'zzz' in claim 'rostron-journal'",
        "the keys allowed here are: accept, id, quote, ref, refs, stated, text",
    ),
    (
        "unknown reference key",
        VALID.replace("    pmid:", "    pmdi:"),
        5,
        "unknown key 'pmdi' in reference '2'",
        "did you mean 'pmid'?",
    ),
    (
        "unknown stated key",
        VALID + "    stated: {jurnal: Biology}\n",
        10,
        "unknown key 'jurnal' in 'stated' of claim 'rostron-journal'",
        "did you mean 'journal'?",
    ),
    (
        "missing version",
        VALID.replace("claimcheck: 1\n", ""),
        1,
        "missing required key 'claimcheck' (the format version)",
        "add 'claimcheck: 1' at the top of the file",
    ),
    (
        "version 2",
        VALID.replace("claimcheck: 1", "claimcheck: 2"),
        1,
        "unsupported claims format version 2",
        "this claimcheck reads format 1",
    ),
    (
        "version as text",
        VALID.replace("claimcheck: 1", 'claimcheck: "1"'),
        1,
        "'claimcheck' must be the format version 1, not text",
        "write 'claimcheck: 1'",
    ),
    (
        "missing references",
        "claimcheck: 1\nclaims: []\n",
        1,
        "missing required key 'references'",
        "list the article's references",
    ),
    (
        "missing claims",
        'claimcheck: 1\nreferences: {"1": {pmid: "1"}}\n',
        1,
        "missing required key 'claims'",
        "under 'claims:'",
    ),
    (
        "claims not a list",
        VALID.split("claims:")[0] + "claims:\n  id: x\n",
        6,
        "'claims' must be a list of claims, not a mapping",
        "- id:",
    ),
    (
        "references not a mapping",
        "claimcheck: 1\nreferences: [1]\nclaims: []\n",
        2,
        "'references' must be a mapping from the article's labels to references, not a list",
        '"1": {citation',
    ),
    (
        "article not a mapping",
        VALID + "article: A title\n",
        10,
        "'article' must be a mapping (title, url, source), not text",
        "title",
    ),
    (
        "text a number",
        VALID.replace("    text: It was published in the journal Review Biology (2).", "    text: 41"),
        9,
        "'text' of claim 'rostron-journal' must be text, not a number",
        "write the text as text",
    ),
    (
        "empty text",
        VALID.replace("    text: It was published in the journal Review Biology (2).", '    text: " "'),
        9,
        "'text' of claim 'rostron-journal' is empty",
        "write the text, or remove it",
    ),
    (
        "claim not a mapping",
        VALID + "  - just words\n",
        10,
        "claim 2 must be a mapping with id, ref and text or quote, not text",
        "- id:",
    ),
    ("claim without id", VALID + '  - ref: "2"\n    text: x\n', 10, "claim 2 has no 'id'", "id: bieler-2017-journal"),
    (
        "id a list",
        VALID + '  - id: [a]\n    ref: "2"\n    text: x\n',
        10,
        "the id of claim 2 must be text, not a list",
        "bieler-2017-journal",
    ),
    (
        "duplicate claim id",
        VALID + '  - id: rostron-journal\n    ref: "2"\n    text: Again.\n',
        10,
        "claim id 'rostron-journal' is used twice (first at line 7)",
        "give each claim its own id",
    ),
    (
        "bad id",
        VALID.replace("id: rostron-journal", "id: Rostron_Journal"),
        7,
        "claim id 'Rostron_Journal' is not allowed",
        "lower-case letters, digits and hyphens",
    ),
    (
        "id starting with a hyphen",
        VALID.replace("id: rostron-journal", 'id: "-rostron"'),
        7,
        "claim id '-rostron' is not allowed",
        "starting with a letter or digit",
    ),
    (
        "unknown reference",
        VALID.replace('    ref: "2"', '    ref: "12"'),
        8,
        "claim 'rostron-journal' cites reference '12', which is not in 'references'",
        "add it under 'references', or use one of: 2",
    ),
    (
        "unknown reference in refs",
        VALID.replace('    ref: "2"', '    refs:\n      - "2"\n      - "3"'),
        10,
        "claim 'rostron-journal' cites reference '3', which is not in 'references'",
        "use one of: 2",
    ),
    (
        "no reference named",
        VALID.replace('    ref: "2"\n', ""),
        7,
        "claim 'rostron-journal' names no reference",
        'ref: "2"',
    ),
    (
        "ref and refs",
        VALID.replace('    ref: "2"', '    ref: "2"\n    refs: ["2"]'),
        9,
        "claim 'rostron-journal' has both 'ref' and 'refs'",
        "not both",
    ),
    (
        "ref a list",
        VALID.replace('    ref: "2"', '    ref: ["2"]'),
        8,
        "'ref' of claim 'rostron-journal' must be a reference label (text or a number), not a list",
        'refs: ["2", "3"]',
    ),
    (
        "refs text",
        VALID.replace('    ref: "2"', '    refs: "2"'),
        8,
        "'refs' of claim 'rostron-journal' must be a list of reference labels, not text",
        'ref: "2"',
    ),
    (
        "refs empty",
        VALID.replace('    ref: "2"', "    refs: []"),
        8,
        "'refs' of claim 'rostron-journal' is an empty list",
        'refs: ["2", "3"]',
    ),
    (
        "refs twice the same",
        VALID.replace('    ref: "2"', '    refs: ["2", 2]'),
        8,
        "reference '2' is named twice in 'refs' of claim 'rostron-journal'",
        "name it once",
    ),
    (
        "pmid not digits",
        VALID.replace('pmid: "34943166"', "pmid: PMID:34943166"),
        5,
        "pmid 'PMID:34943166' of reference '2' is not a PMID (digits only)",
        'pmid: "34943166"',
    ),
    (
        "pmid with a leading zero",
        VALID.replace('pmid: "34943166"', 'pmid: "034943166"'),
        5,
        "pmid '034943166' of reference '2' starts with 0, which no PMID does",
        "leading zeros",
    ),
    (
        "quote too long",
        VALID + '    quote: "' + "word " * 1100 + '"\n',
        10,
        "the quote of claim 'rostron-journal' is 5,499 characters long; the most claimcheck checks is 5,000",
        "split it",
    ),
    (
        "quote in a list too long",
        VALID + '    quote: ["fine", "' + "word " * 1100 + '"]\n',
        10,
        "quote 2 of claim 'rostron-journal' is 5,499 characters long; the most claimcheck checks is 5,000",
        "split it",
    ),
    (
        "text too long",
        VALID.replace("It was published in the journal Review Biology (2).", "x" * 20_001),
        9,
        "'text' of claim 'rostron-journal' is 20,001 characters long; the most claimcheck checks is 20,000",
        "shorten it",
    ),
    (
        "pmid a list",
        VALID.replace('pmid: "34943166"', "pmid: [1]"),
        5,
        "'pmid' of reference '2' must be text or a number, not a list",
        "digits",
    ),
    (
        "doi not a DOI",
        VALID.replace('pmid: "34943166"', "doi: https://doi.org/10.3390/biology10121251"),
        5,
        "doi 'https://doi.org/10.3390/biology10121251' of reference '2' is not a DOI",
        "starting with 10.",
    ),
    (
        "reference with nothing",
        VALID.replace('    citation: Rostron ZP. Biology. 2021.\n    pmid: "34943166"\n', "    {}\n"),
        3,
        "reference '2' has no citation, pmid or doi",
        "give at least its citation",
    ),
    (
        "reference as text",
        VALID.replace('"2":\n    citation: Rostron ZP. Biology. 2021.\n    pmid: "34943166"', '"2": Rostron 2021'),
        3,
        "reference '2' must be a mapping (citation, pmid, doi), not text",
        "citation: ..., pmid: ...",
    ),
    (
        "reference label true",
        VALID.replace("claims:", '  true: {pmid: "1"}\nclaims:'),
        6,
        "reference label 'True' must be text or a number",
        'e.g. "1"',
    ),
    (
        "reference label twice",
        VALID.replace("claims:", '  2: {pmid: "1"}\nclaims:'),
        6,
        "reference '2' is given twice (first at line 3)",
        'note that 2 and "2" are the same label',
    ),
    ("empty quote", VALID + '    quote: ""\n', 10, "the quote of claim 'rostron-journal' is empty", "quotation marks"),
    (
        "empty quote list",
        VALID + "    quote: []\n",
        10,
        "'quote' of claim 'rostron-journal' is an empty list",
        "quotation marks",
    ),
    (
        "empty item of a quote list",
        VALID + '    quote:\n      - Words.\n      - ""\n',
        12,
        "quote 2 of claim 'rostron-journal' is empty",
        "quotation marks",
    ),
    (
        "quote item not text",
        VALID + "    quote:\n      - [nested]\n",
        11,
        "quote 1 of claim 'rostron-journal' must be text, not a list",
        "quotation marks",
    ),
    (
        "quote a mapping",
        VALID + "    quote: {a: b}\n",
        10,
        "'quote' of claim 'rostron-journal' must be text or a list of texts, not a mapping",
        "quotation marks",
    ),
    (
        "neither text nor quote",
        VALID.replace("    text: It was published in the journal Review Biology (2).\n", ""),
        7,
        "claim 'rostron-journal' has neither 'text' nor 'quote'",
        "'quote' for words it presents as the source's",
    ),
    (
        "date in words",
        VALID + "    stated:\n      date: November 2021\n",
        11,
        "date 'November 2021' of claim 'rostron-journal' is not a date",
        "YYYY, YYYY-MM or YYYY-MM-DD",
    ),
    (
        "date with a month 13",
        VALID + "    stated:\n      date: 2021-13\n",
        11,
        "date '2021-13' of claim 'rostron-journal' is not a real calendar date",
        "YYYY, YYYY-MM or YYYY-MM-DD",
    ),
    (
        "date that YAML would make a date",
        VALID + "    stated:\n      date: 2021-02-30\n",
        11,
        "date '2021-02-30' of claim 'rostron-journal' is not a real calendar date",
        "e.g. date: 2021-11",
    ),
    (
        "date and time",
        VALID + "    stated:\n      date: 2021-11-05T10:00:00\n",
        11,
        "date '2021-11-05T10:00:00' of claim 'rostron-journal' is not a date",
        "YYYY-MM-DD",
    ),
    (
        "date a list",
        VALID + "    stated:\n      date: [2021]\n",
        11,
        "'date' in 'stated' of claim 'rostron-journal' must be text, not a list",
        "YYYY",
    ),
    (
        "sample size zero",
        VALID + "    stated: {sample_size: 0}\n",
        10,
        "sample_size '0' of claim 'rostron-journal' is not a positive whole number",
        "sample_size: 41",
    ),
    (
        "sample size negative",
        VALID + "    stated: {sample_size: -3}\n",
        10,
        "sample_size '-3' of claim 'rostron-journal' is not a positive whole number",
        "sample_size: 41",
    ),
    (
        "sample size as text",
        VALID + '    stated: {sample_size: "41"}\n',
        10,
        "sample_size '41' of claim 'rostron-journal' is not a positive whole number",
        "the number of participants",
    ),
    (
        "sample size a fraction",
        VALID + "    stated: {sample_size: 4.5}\n",
        10,
        "sample_size '4.5' of claim 'rostron-journal' is not a positive whole number",
        "the number of participants",
    ),
    (
        "sample size true",
        VALID + "    stated: {sample_size: true}\n",
        10,
        "sample_size 'True' of claim 'rostron-journal' is not a positive whole number",
        "the number of participants",
    ),
    (
        "stated a list",
        VALID + "    stated: [Biology]\n",
        10,
        "'stated' of claim 'rostron-journal' must be a mapping of facts, not a list",
        "stated: {journal",
    ),
    (
        "stated journal empty",
        VALID + "    stated:\n      journal:\n",
        11,
        "'journal' in 'stated' of claim 'rostron-journal' must be text, not empty",
        "write the journal as text",
    ),
    (
        "accept with an empty reason",
        VALID + '    accept:\n      M201: ""\n',
        11,
        "the reason for accepting M201 of claim 'rostron-journal' is empty",
        "say why the editor accepts the finding, e.g. M201: house style abbreviates journal names",
    ),
    (
        "accept with no reason",
        VALID + "    accept:\n      M201:\n",
        11,
        "the reason for accepting M201 of claim 'rostron-journal' is empty",
        "say why",
    ),
    (
        "accept with a number as reason",
        VALID + "    accept:\n      M201: 3\n",
        11,
        "the reason for accepting M201 of claim 'rostron-journal' must be text, not a number",
        "say why",
    ),
    (
        "accept lower-case code",
        VALID + "    accept:\n      m201: house style\n",
        11,
        "'m201' in 'accept' of claim 'rostron-journal' is not a finding code",
        "codes are a capital letter and three digits, e.g. M201",
    ),
    (
        "accept long code",
        VALID + "    accept:\n      M2011: house style\n",
        11,
        "'M2011' in 'accept' of claim 'rostron-journal' is not a finding code",
        "e.g. M201",
    ),
    (
        "accept a list",
        VALID + "    accept: [M201]\n",
        10,
        "'accept' of claim 'rostron-journal' must be a mapping from finding codes to reasons, not a list",
        "accept: {M201:",
    ),
    ("empty file", "", 1, "the file is empty", "docs/claims-format.md"),
    ("only comments", "# nothing yet\n\n", 1, "the file is empty", "docs/claims-format.md"),
    (
        "a list, not a mapping",
        "- a\n- b\n",
        1,
        "the file must be a mapping with the keys claimcheck, references and claims, not a list",
        "docs/claims-format.md",
    ),
    (
        "a scalar, not a mapping",
        "just words\n",
        1,
        "the file must be a mapping with the keys claimcheck, references and claims, not text",
        "docs/claims-format.md",
    ),
    (
        "duplicate YAML key",
        VALID + "    text: Again.\n",
        10,
        "the key 'text' appears twice in the same mapping",
        "keep one of them",
    ),
    (
        "unclosed bracket",
        VALID + "    quote: [a, b\n",
        11,
        "not valid YAML: while parsing a flow sequence at line 10, expected ',' or ']', but got '<stream end>'",
        "check the indentation",
    ),
    (
        "unclosed quotation mark",
        VALID.replace("text: It", 'text: "It'),
        10,
        "not valid YAML: while scanning a quoted scalar at line 9, found unexpected end of stream",
        "quotation marks",
    ),
    (
        "colon in plain text",
        VALID.replace("the journal Review", "the journal: Review"),
        9,
        "not valid YAML: mapping values are not allowed here",
        "put text that holds ': ' in quotation marks, or write it on the next lines after '>-'",
    ),
    (
        "tab indent",
        VALID.replace("    text:", "\ttext:"),
        9,
        "not valid YAML: found character '\\t' that cannot start any token",
        "indent with spaces; YAML does not allow tabs",
    ),
    (
        "two documents",
        VALID + "---\nclaimcheck: 1\n",
        10,
        "not valid YAML: expected a single document in the stream at line 1, but found another document",
        "remove the extra '---'",
    ),
    (
        "control character",
        VALID.replace("Review Biology", "Review\x07Biology"),
        9,
        "the file holds a control character (#x0007) that YAML does not allow",
        "remove it",
    ),
    (
        "python tag",
        VALID + "    quote: !!python/object/apply:os.system [echo hi]\n",
        10,
        "YAML tags (!!python/object/apply:os.system) are not allowed",
        "remove the tag",
    ),
    (
        "custom tag",
        VALID.replace("Rostron ZP", "!cite Rostron ZP"),
        4,
        "YAML tags (!cite) are not allowed",
        "remove the tag",
    ),
    (
        "alias",
        VALID + "    quote: *words\n",
        10,
        "YAML aliases (*words) are not allowed",
        "write the value out in full",
    ),
    (
        "merge key",
        VALID + "    <<: {text: x}\n",
        10,
        "YAML merge keys (<<) are not allowed",
        "write the keys out in full",
    ),
    (
        "quoted << is a plain unknown key",
        VALID + '    "<<": x\n',
        10,
        "unknown key '<<' in claim 'rostron-journal'",
        "allowed here",
    ),
    ("mapping as a key", VALID + "    ? {a: 1}\n    : x\n", 10, "a list or mapping cannot be a key", "keys are words"),
    ("list as a key", VALID + "? [claims]\n: x\n", 10, "a list or mapping cannot be a key", "keys are words"),
]


@pytest.mark.parametrize(("name", "text", "line", "message", "hint"), CASES, ids=[case[0] for case in CASES])
def test_each_problem_has_its_message_and_line(
    in_tmp: Path, name: str, text: str, line: int, message: str, hint: str
) -> None:
    problem = only_problem(in_tmp, text)
    assert (problem.file, problem.line, problem.message) == ("claims/x.yaml", line, message)
    assert hint in problem.hint
    assert str(problem) == f"claims/x.yaml:{line}: {message} ({problem.hint})"


def test_a_valid_base_has_no_problem(in_tmp: Path) -> None:
    assert load_claims(write(in_tmp, VALID)).claims[0].id == "rostron-journal"


def test_a_misspelt_required_key_is_both_unknown_and_missing(in_tmp: Path) -> None:
    problems = problems_of(write(in_tmp, VALID.replace("claims:", "claim:")))
    assert [str(problem) for problem in problems] == [
        "claims/x.yaml:1: missing required key 'claims' (list the article's claims under 'claims:')",
        "claims/x.yaml:6: unknown key 'claim' at the top level (did you mean 'claims'?)",
    ]


def test_a_file_that_is_not_utf8_names_the_line_of_the_bad_byte(in_tmp: Path) -> None:
    problem = only_problem(in_tmp, VALID.encode("utf-8") + b"# caf\xe9\n")
    assert (problem.line, problem.message) == (10, "the file is not UTF-8 text (byte 0xe9 cannot be read)")
    assert problem.hint == "save the file as UTF-8"


def test_an_unreadable_file_is_a_problem(in_tmp: Path) -> None:
    (problem,) = problems_of("claims/missing.yaml")
    assert str(problem) == (
        "claims/missing.yaml:1: cannot read the file: No such file or directory "
        "(check that it exists and that you may read it)"
    )
    (in_tmp / "folder.yaml").mkdir()
    (problem,) = problems_of("folder.yaml")
    assert (problem.line, problem.message) == (1, "this is a folder, not a claims file")


def test_every_problem_of_a_file_is_reported_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)
    problems = problems_of(CLAIMS_DATA / "many-problems.yaml")
    assert [(problem.line, problem.message) for problem in problems] == [
        (3, "unknown key 'titel' in 'article'"),
        (7, "pmid 'PMID 30000001' of reference '1' is not a PMID (digits only)"),
        (9, "claim id 'Alpha_2021' is not allowed"),
        (13, "claim 'alpha-2021-quote' cites reference '7', which is not in 'references'"),
        (14, "the quote of claim 'alpha-2021-quote' is empty"),
        (15, "claim 'alpha-2021-quote' has neither 'text' nor 'quote'"),
        (15, "claim id 'alpha-2021-quote' is used twice (first at line 12)"),
        (17, "claim 'alpha-2021-quote' has both 'ref' and 'refs'"),
        (19, "date '2021-02-30' of claim 'alpha-2021-quote' is not a real calendar date"),
        (20, "sample_size '0' of claim 'alpha-2021-quote' is not a positive whole number"),
        (22, "'m201' in 'accept' of claim 'alpha-2021-quote' is not a finding code"),
        (23, "the reason for accepting Q101 of claim 'alpha-2021-quote' is empty"),
    ]
    assert all(problem.file == "claims/many-problems.yaml" and problem.hint for problem in problems)


def test_every_problem_of_every_file_is_raised_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)
    with pytest.raises(ClaimsFileError) as caught:
        load_claims_files(
            ["claims/many-problems.yaml", "claims/second-bad.yaml", "claims/complete.yaml", "claims/nope"]
        )
    error = caught.value
    assert isinstance(error, InputError)
    files = [problem.file for problem in error.problems]
    assert files.count("claims/many-problems.yaml") == 12
    others = [problem for problem in error.problems if problem.file != "claims/many-problems.yaml"]
    assert [(problem.file, problem.line, problem.message) for problem in others] == [
        ("claims/nope", 1, "no such file or folder"),
        ("claims/second-bad.yaml", 1, "unsupported claims format version 2"),
        ("claims/second-bad.yaml", 5, "claim 'beta-2020' has neither 'text' nor 'quote'"),
    ]
    assert str(error).splitlines()[0] == str(error.problems[0])
    assert len(str(error).splitlines()) == 15


def test_good_files_load_together(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    loaded = load_claims_files(["claims", str(CLAIMS_DATA / "complete.yaml"), "claims/hip-pain-physical-therapy.yaml"])
    paths = [claims_file.path for claims_file in loaded]
    assert paths.count("claims/hip-pain-physical-therapy.yaml") == 1
    assert paths[-1] == "tests/data/claims/complete.yaml"


# --- hostile files --------------------------------------------------------------------------------


def test_python_tags_are_refused_and_never_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    problems = problems_of(CLAIMS_DATA / "hostile-tags.yaml")
    assert [(problem.line, problem.message) for problem in problems] == [
        (4, "YAML tags (!!python/object/apply:os.system) are not allowed"),
        (8, "YAML tags (!custom) are not allowed"),
    ]
    assert not (tmp_path / "tag-constructed.txt").exists()


@pytest.mark.parametrize("depth", [25, 300, 20_000])
def test_deep_nesting_is_a_problem_not_a_crash(in_tmp: Path, depth: int) -> None:
    problem = only_problem(in_tmp, VALID + "    quote: " + "[" * depth + "]" * depth + "\n")
    assert (problem.line, problem.message) == (10, "the YAML nests more than 20 levels deep")


def test_a_file_over_the_size_limit_is_refused_unread(in_tmp: Path) -> None:
    problem = only_problem(in_tmp, VALID + "#" * MAX_FILE_BYTES + "\n")
    assert (problem.line, problem.message) == (1, "the file is larger than 5 MB")
    assert "split it" in problem.hint


def test_huge_values_are_shortened_in_messages(in_tmp: Path) -> None:
    huge = "x" * 1_000_000
    problem = only_problem(in_tmp, VALID.replace('pmid: "34943166"', f"pmid: {huge}"))
    assert problem.message == f"pmid '{'x' * 57}...' of reference '2' is not a PMID (digits only)"
    loaded = load_claims(write(in_tmp, VALID + f"    quote: {huge[:5000]}\n"))
    assert loaded.claims[0].quotes[0].text == huge[:5000]


YAML_PIECES = [*"ab12 -:#'\"[]{},>|&*!?\n\t%@`\x00é", "claims", "id", "ref", "quote", "stated", "date", "  ", "\n  - "]
YAMLISH = st.lists(st.sampled_from(YAML_PIECES), max_size=80).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(noise=YAMLISH, prefix=st.booleans())
def test_any_text_loads_or_gives_problems_never_a_crash(in_tmp: Path, noise: str, prefix: bool) -> None:
    text = (VALID if prefix else "") + noise
    try:
        load_claims(write(in_tmp, text))
    except ClaimsFileError as error:
        assert error.problems
        assert all(problem.line >= 1 and problem.message for problem in error.problems)


# --- the simple reader: the full reader's document, read faster -----------------------------------

EDITOR_STYLE = """\
# Written the way editors and claimcheck extract write claims files.
claimcheck: 1

article:
  title: 'Walking: the "easy" exercise'
  url: https://example.org/walking#top

references:
  "1":  # from the reference list
    citation: >-
      Alpha A, Beta B. Walking for hip pain: a trial.
      Invented Trials. 2021;3:1-9.
    pmid: "30000001"
    doi: 10.5555/invented.2021.001
  2:
    citation: "Gamma G. Strength \\u00e9tudes. J Made-up Res. 2020."
claims:
- id: alpha-walking
  refs: ["1", 2]
  text: Walking eased hip pain in 41 adults (trial#1).  # the first claim
  quote:
    - 'It''s the walking.'
    - |-
      Adults walked

      for twelve weeks.
  stated:
    date: 2021-11-05
    sample_size: 41
  accept:
    M201: "house style"

- id: gamma-strength
  ref: 2
  text: >-
    Strength    improved

    after twelve weeks.
"""


def shape(node: object) -> object:
    """A document as plain data, with every line, so two readings can be compared."""
    if isinstance(node, dict):
        lines = node.key_lines  # type: ignore[attr-defined]
        entries = [(type(key).__name__, key, lines[key], shape(value)) for key, value in node.items()]
        return ("mapping", node.line, entries)  # type: ignore[attr-defined]
    if isinstance(node, list):
        items = [(line, shape(value)) for line, value in zip(node.item_lines, node)]  # type: ignore[attr-defined]
        return ("list", node.line, len(node), items)  # type: ignore[attr-defined]
    for kind in (bool, int, float, str):
        if isinstance(node, kind):
            return (kind.__name__, kind(node))
    return (type(node).__name__, repr(node))


def read_both_ways(text: str) -> tuple[object, object]:
    """The simple reader's document (None when it gives up) and the full reader's, as shapes."""
    document, problems = _parse_full(text, "x.yaml")
    full = shape(document) if not problems else [str(problem) for problem in problems]
    simple = _read_simple(text)
    return (shape(simple) if simple is not None else None), full


def test_files_as_editors_and_extract_write_them_take_the_simple_reader() -> None:
    draft = extract_article((DATA / "extract" / "walking.txt").read_text(encoding="utf-8"), source_name="walking.txt")
    documentation = (ROOT / "docs" / "claims-format.md").read_text(encoding="utf-8")
    texts = {
        "editor style": EDITOR_STYLE,
        "editor style, Windows line ends": EDITOR_STYLE.replace("\n", "\r\n"),
        "valid": VALID,
        "real": REAL_CLAIMS.read_text(encoding="utf-8"),
        "complete": (CLAIMS_DATA / "complete.yaml").read_text(encoding="utf-8"),
        "extract draft": draft_to_yaml(draft),
        "documentation": documentation.split("```yaml\n", 1)[1].split("```", 1)[0],
    }
    for name, text in texts.items():
        simple, full = read_both_ways(text)
        assert simple is not None, name
        assert simple == full, name


def test_the_simple_reader_reads_every_kind_of_value_as_the_full_reader_does(in_tmp: Path) -> None:
    loaded = load_claims(write(in_tmp, EDITOR_STYLE))
    first, second = loaded.claims
    assert loaded.article.title == 'Walking: the "easy" exercise'
    assert loaded.article.url == "https://example.org/walking#top"
    assert [(reference.key, reference.line) for reference in loaded.references] == [("1", 9), ("2", 15)]
    citation = "Alpha A, Beta B. Walking for hip pain: a trial. Invented Trials. 2021;3:1-9."
    assert loaded.references[0].citation == citation
    assert loaded.references[1].citation == "Gamma G. Strength études. J Made-up Res. 2020."
    assert (first.line, first.refs, first.text) == (18, ("1", "2"), "Walking eased hip pain in 41 adults (trial#1).")
    assert first.quotes == (Quote("It's the walking.", 22), Quote("Adults walked\n\nfor twelve weeks.", 23))
    assert first.stated == Stated(date="2021-11-05", sample_size=41, line=27)
    assert first.accept_lines == (("M201", 31),)
    assert (second.line, second.refs, second.text) == (33, ("2",), "Strength    improved\nafter twelve weeks.")
    assert load_claims(write(in_tmp, EDITOR_STYLE.replace("\n", "\r\n"))) == loaded


def test_comments_that_ruamel_round_trip_scanner_gives_up_on_still_load(in_tmp: Path) -> None:
    # A comment after "title:", the title on the next line, then a blank line and a comment: ruamel.yaml's
    # round-trip scanner raises NotImplementedError ("overlap in comment") on this layout.
    article = "article:\n  title:  # the article's own title\n    Walking and the hip\n\n  # more notes\n"
    text = VALID.replace("references:\n", article + "references:\n")
    assert _read_simple(text) is None
    loaded = load_claims(write(in_tmp, text))
    assert loaded.article.title == "Walking and the hip"
    assert loaded.claims[0].line == 12
    duplicate = only_problem(in_tmp, text.replace("claims:\n", "claims: []\nclaims:\n"))
    assert (duplicate.line, duplicate.message) == (12, "the key 'claims' appears twice in the same mapping")


BEYOND_THE_SIMPLE_READER = {
    "tag": VALID + "    quote: !!str words\n",
    "anchor and alias": VALID + "    quote: &a words\n    stated: *a\n",
    "flow mapping": VALID + "    stated: {journal: Biology}\n",
    "plain text over two lines": VALID + "    quote: two\n      lines\n",
    "quoted text over two lines": VALID + '    quote: "two\n      lines"\n',
    "duplicate key": VALID + "    text: Again.\n",
    "merge key": VALID + "    <<: x\n",
    "complex key": VALID + "    ? quote\n    : words\n",
    "tab": VALID.replace("    text:", "\ttext:"),
    "lone carriage return": VALID.replace("\n", "\r", 1),
    "control character": VALID.replace("Review", "Re\x07view"),
    "kept line ends": VALID + "    quote: >+\n      words\n",
    "indentation indicator": VALID + "    quote: >2\n      words\n",
    "blank line opening a block": VALID + "    quote: >-\n\n      words\n",
    "more-indented folded line": VALID + "    quote: >-\n      words\n        more\n",
    "empty block": VALID + "    quote: >-\n",
    "float": VALID + "    stated:\n      sample_size: 4.5\n",
    "hex number": VALID + "    stated:\n      sample_size: 0x29\n",
    "leading zero": VALID.replace('"34943166"', "034943166"),
    "huge number": VALID + "    stated:\n      sample_size: " + "9" * 5000 + "\n",
    "true as a key": VALID + "    true: x\n",
    "long key": VALID + "    " + "k" * 101 + ": x\n",
    "dash alone": VALID + "    quote:\n      -\n        words\n",
    "list in a list": VALID + "    quote:\n      - - words\n",
    "colon in plain text": VALID.replace("the journal Review", "the journal: Review"),
    "two documents": VALID + "---\nclaimcheck: 1\n",
    "document end": VALID + "...\n",
    "a list": "- a\n- b\n",
    "only comments": "# nothing yet\n",
    "deep nesting": "a:\n" + "".join(" " * depth + "b:\n" for depth in range(1, 25)),
}


@pytest.mark.parametrize("name", sorted(BEYOND_THE_SIMPLE_READER))
def test_yaml_beyond_the_simple_reader_goes_to_the_full_reader(name: str) -> None:
    assert _read_simple(BEYOND_THE_SIMPLE_READER[name]) is None


YAML_CHARACTERS = [*"abcxyz019 :#'\"\\-[]{},&*!|>%@`?~.é", "\xa0", "\u2028", "\t", "\r"]
YAML_CHARACTERS += ["\\n", "\\u00e9", "\\q", ": ", " #"]
YAML_WORDS = [
    "true", "False", "null", "~", "1", "0", "01", "0x1", "1_0", "1.5", "2021-11-05", "2021-11", "", "<<",
    # Words that begin as implicit values do and run on: text, however they start.
    "falsehood", "Nullable", "trueness", "yesterday", "offset", "onward", "NOTHING", "tomato",
]  # fmt: skip
# Mostly what the simple reader reads, with enough of the rest to test where it gives up.
SCALAR_TEXT = st.one_of(
    st.sampled_from(YAML_WORDS),
    st.lists(st.sampled_from([*YAML_CHARACTERS, *["abc", "d", "e f", " "] * 25]), max_size=12).map("".join),
)
KEYS = st.sampled_from(["id", "ref", "text", "1", "2b", '"2"', "'x y'", "M201"] * 3 + ["true", "01", "<<", "a b"])
COMMENTS = st.sampled_from(["", "", "", "  # note", " #", "#x"])


@st.composite
def yaml_scalars(draw: st.DrawFn, indent: int) -> list[str]:
    """A scalar in any style: the rest of its key's line, then any lines of its own."""
    style = draw(st.sampled_from(["plain", "single", "double", "flow", "block"]))
    comment = draw(COMMENTS)
    if style == "plain":
        return [draw(SCALAR_TEXT) + comment]
    if style in ("single", "double"):
        mark = "'" if style == "single" else '"'
        return [mark + draw(SCALAR_TEXT) + mark + comment]
    if style == "flow":
        item = st.one_of(SCALAR_TEXT.map(lambda text: f'"{text}"'), st.sampled_from(YAML_WORDS))
        items = draw(st.sampled_from([", ", ","])).join(draw(st.lists(item, max_size=3)))
        return ["[" + items + draw(st.sampled_from(["]", " ]"] * 3 + [",]"])) + comment]
    header = draw(st.sampled_from([">", ">-", "|", "|-"] * 3 + [">+", ">2"])) + comment
    content = indent + draw(st.sampled_from([1, 2, 4]))
    line = st.one_of(
        SCALAR_TEXT.map(lambda text: " " * content + text),
        st.integers(0, content + 2).map(lambda spaces: " " * spaces),
        SCALAR_TEXT.map(lambda text: " " * (content + 2) + text),
    )
    return [header, *draw(st.lists(line, max_size=4))]


@st.composite
def yaml_mappings(draw: st.DrawFn, indent: int = 0, depth: int = 0, first: str | None = None) -> list[str]:
    """A block mapping of keys with scalars, lists or mappings under them, in many layouts."""
    lines: list[str] = []
    for number, key in enumerate(draw(st.lists(KEYS, min_size=1, max_size=4, unique=draw(st.integers(0, 5)) > 0))):
        start = first if number == 0 and first is not None else " " * indent
        lines += draw(st.sampled_from([[], [], ["", "  # a comment"], ["   # indented comment"]]))
        below = draw(st.sampled_from(["scalar", "scalar", "mapping", "list", "empty"] if depth < 3 else ["scalar"]))
        if below == "scalar":
            rest, *more = draw(yaml_scalars(indent))
            lines += [start + key + draw(st.sampled_from([": "] * 6 + [":  ", " : "])) + rest, *more]
            continue
        lines.append(start + key + ":" + draw(COMMENTS))
        if below == "mapping":
            lines += draw(yaml_mappings(indent + draw(st.sampled_from([1, 2, 4])), depth + 1))
        elif below == "list":
            lines += draw(yaml_lists(indent + draw(st.sampled_from([0, 2, 4])), depth + 1))
    return lines


@st.composite
def yaml_lists(draw: st.DrawFn, indent: int, depth: int) -> list[str]:
    """A block list of scalars and mappings, its dashes at column ``indent``."""
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        dash = " " * indent + draw(st.sampled_from(["- "] * 6 + ["-  ", "-"]))
        if draw(st.booleans()):
            lines += draw(yaml_mappings(len(dash), depth + 1, first=dash))
        else:
            rest, *more = draw(yaml_scalars(indent))
            lines += [dash + rest, *more]
        lines += draw(st.sampled_from([[]] * 6 + [[" " * (indent + 2) + "more words"]]))
    return lines


YAML_DOCUMENTS = st.builds(
    lambda lines, start, end, windows: (start + "\n".join(lines) + end).replace("\n", "\r\n" if windows else "\n"),
    yaml_mappings(),
    st.sampled_from(["", "", "---\n", "# comment\n"]),
    st.sampled_from(["\n", "", "\n\n", "\n  \n"]),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(text=YAML_DOCUMENTS)
def test_what_the_simple_reader_reads_the_full_reader_reads_the_same(text: str) -> None:
    simple, full = read_both_ways(text)
    if simple is not None:
        assert simple == full


@settings(max_examples=100, deadline=None)
@given(noise=YAMLISH)
def test_noise_after_a_valid_file_reads_the_same_both_ways(noise: str) -> None:
    simple, full = read_both_ways(VALID + noise)
    if simple is not None:
        assert simple == full


# --- finding files and showing paths --------------------------------------------------------------


def test_folders_are_searched_recursively_in_sorted_order(in_tmp: Path) -> None:
    names = ("claims/b.yaml", "claims/a/z.yml", "claims/a.yaml", "claims/notes.txt")
    hidden = ("claims/.cache/c.yaml", "claims/.x.yml")
    for name in names + hidden:
        write(in_tmp, VALID, name)
    write(in_tmp, VALID, "other/explicit.txt")
    found = find_claims_files(["claims", "other/explicit.txt", "claims/b.yaml"])
    expected = ["claims/a.yaml", "claims/a/z.yml", "claims/b.yaml", "other/explicit.txt"]
    assert [path.as_posix() for path in found] == expected


def test_a_missing_path_or_an_empty_folder_is_a_problem(in_tmp: Path) -> None:
    (in_tmp / "empty").mkdir()
    with pytest.raises(ClaimsFileError) as caught:
        find_claims_files(["nope.yaml", "empty"])
    assert [str(problem) for problem in caught.value.problems] == [
        "empty:1: no claims files (*.yaml or *.yml) in this folder "
        "(check the path, or add a claims file as docs/claims-format.md describes)",
        "nope.yaml:1: no such file or folder (check the path)",
    ]


def test_display_paths_are_relative_posix_under_the_current_folder(in_tmp: Path) -> None:
    inside = in_tmp / "claims" / "x.yaml"
    assert display_path(inside) == "claims/x.yaml"
    assert display_path("claims/../claims/x.yaml") == "claims/x.yaml"
    assert display_path(os.fspath(inside)) == "claims/x.yaml"
    outside = in_tmp.parent / "elsewhere.yaml"
    assert display_path(outside) == outside.as_posix()
    assert display_path("../elsewhere.yaml") == "../elsewhere.yaml"
