"""Tests for claimcheck.extract: drafting a claims file from a plain-text, Markdown or HTML article."""

from __future__ import annotations

import difflib
from io import StringIO
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from claimcheck.errors import ClaimsFileError, InputError
from claimcheck.extract import (
    Draft,
    DraftClaim,
    draft_to_yaml,
    extract_article,
    extract_file,
    guess_kind,
    merge_into,
)

DATA = Path(__file__).parent / "data"
HIP = DATA / "hip-pain-article.txt"
WALKING = DATA / "extract"


@pytest.fixture(scope="module")
def hip() -> Draft:
    return extract_article(HIP.read_text(encoding="utf-8"), source_name="hip-pain-article.txt")


def claim_with_text(draft: Draft, start: str) -> DraftClaim:
    found = [claim for claim in draft.claims if claim.text.startswith(start)]
    assert len(found) == 1, f"{len(found)} claims start with {start!r}"
    return found[0]


def safe_load(text: str) -> object:
    return YAML(typ="safe", pure=True).load(text)


def round_trip(text: str) -> str:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 100_000
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.allow_unicode = True
    stream = StringIO()
    yaml.dump(yaml.load(text), stream)
    return stream.getvalue()


def only_lines_added(before: str, after: str) -> bool:
    matcher = difflib.SequenceMatcher(a=before.splitlines(True), b=after.splitlines(True), autojunk=False)
    return all(tag in ("equal", "insert") for tag, *_ in matcher.get_opcodes())


# --- the project's example article -----------------------------------------------------------


def test_hip_reference_list_has_its_eleven_entries_with_their_dois(hip: Draft) -> None:
    references = {reference.key: reference for reference in hip.references}
    assert list(references) == [str(number) for number in range(1, 12)]
    assert references["5"].doi == "10.1186/s12891-018-2230-4"
    assert references["9"].doi == "10.12659/MSM.919166"
    assert [key for key, reference in references.items() if reference.doi] == ["5", "9"]
    assert all(reference.pmid is None for reference in references.values())
    for reference in references.values():
        assert reference.citation is not None
        assert "Google Scholar" not in reference.citation
    assert references["2"].citation is not None and references["2"].citation.startswith("Rostron ZP, Green RA")
    assert references["11"].citation is not None and references["11"].citation.endswith("2022;14:121.")


HIP_QUOTES = [
    ("11", "While the exact cause of femoroacetabular impingement", "higher conversion rate to arthroplasty."),
    ("11", "A number of operative and non-operative", "arthroscopic intervention over physical therapy."),
    ("2", "High-intensity resistance programs may increase", "a high versus a low-intensity group."),
    ("4", "Exercise therapy is an important part", "non-exercise treatment or no intervention."),
    ("6", "Reductions in lower extremity muscle strength", "mild-to-moderate hip osteoarthritis and healthy controls."),
    ("6", "Pre-existing deficits in hip muscle strength", "management of mild-to-moderate hip osteoarthritis."),
    ("7", "Comparison of the mechanical data of the hip joint", "a function as a mechanical stabilizer."),
    ("9", "the aim of the study was to compare", "treatment of developmental dysplasia of the hip."),
    ("9", "To our best knowledge, this study is the first", "and might delay surgery."),
    ("10", "Clinicians’ attitudes and beliefs about physical activity", "as recommended in osteoarthritis guidelines."),
]


def test_hip_every_quote_from_a_source_is_attached_to_its_reference(hip: Draft) -> None:
    found = [(claim.refs, quote) for claim in hip.claims for quote in claim.quotes]
    assert len(found) == len(HIP_QUOTES)
    for (refs, quote), (ref, start, end) in zip(found, HIP_QUOTES, strict=True):
        assert refs == (ref,)
        assert quote.startswith(start), quote
        assert quote.endswith(end), quote


def test_hip_scare_quotes_are_not_taken_for_quotes(hip: Draft) -> None:
    quotes = " | ".join(quote for claim in hip.claims for quote in claim.quotes)
    for scare in ("bone on bone", "5 great exercises", "stretching and strengthening", "tilted", "hold"):
        assert scare not in quotes
    assert not [claim for claim in hip.claims if "“ball" in claim.text or "“5 great" in claim.text]


def test_hip_quote_opened_in_one_paragraph_and_closed_in_the_next_is_one_passage(hip: Draft) -> None:
    claim = claim_with_text(hip, "“While the exact cause")
    (quote,) = claim.quotes
    assert "leading to abnormal biomechanics. Patients typically present" in quote
    assert "(knee pointing inwards movement). . . Both non-operative" in quote
    assert claim.basis == "quote"


def test_hip_quote_split_by_an_ellipsis_stays_one_passage_with_its_ellipsis(hip: Draft) -> None:
    claim = claim_with_text(hip, "Conclusions: “Pre-existing deficits")
    assert claim.quotes[0].count(". . .") == 1
    assert "were observed. . . Interventions to prevent" in claim.quotes[0]


def test_hip_unclosed_quote_ends_with_its_paragraph_and_is_reported(hip: Draft) -> None:
    claim = claim_with_text(hip, "The study concluded:")
    assert claim.quotes[0].endswith("might delay surgery.")
    assert "In this video" not in claim.text
    assert any("To our best knowledge" in message and "never closed" in message for message in hip.messages)


def test_hip_sentences_stating_where_a_study_was_published_are_claims(hip: Draft) -> None:
    expected = {
        "Published in the journal Physical Therapy, the key to this Oslo University study": "3",
        "It was published in the journal Review Biology.": "2",
        "This research appears in the medical journal BioMed Central Musculoskeletal Disorders.": "5",
        "The study was published in the journal Medical Science Monitor.": "9",
        "Listen to what a team of German surgeons": "7",
        "An April 2022 paper in the journal Orthopedic research and reviews gave": "11",
    }
    for start, ref in expected.items():
        claim = claim_with_text(hip, start)
        assert claim.refs == (ref,)
        assert claim.basis == "marker"
        assert "(" + ref + ")" not in claim.text


def test_hip_sentences_restating_a_source_follow_its_marker(hip: Draft) -> None:
    six_minutes = claim_with_text(hip, "Six minutes of walking every day.")
    assert (six_minutes.refs, six_minutes.basis) == (("3",), "restates")
    listed = claim_with_text(hip, "We know that hip ligaments contribute to hip stability.")
    assert (listed.refs, listed.basis) == (("7",), "list")
    nested = claim_with_text(hip, "20 treated with prolotherapy")
    assert nested.refs == ("9",)
    introduced = claim_with_text(hip, "The above study was referenced in a November 2021 paper")
    assert (introduced.refs, introduced.basis) == (("2",), "antecedent")
    texts = [claim.text for claim in hip.claims]
    assert "Why were they giving up?" not in texts
    assert not [text for text in texts if text.startswith("In this video")]
    assert not [text for text in texts if "Here we have an x-ray" in text]


def test_hip_ids_are_author_year_and_number_in_article_order(hip: Draft) -> None:
    ids = [claim.id for claim in hip.claims]
    assert len(set(ids)) == len(ids)
    rostron = [claim.id for claim in hip.claims if claim.refs == ("2",)]
    assert rostron == [f"rostron-2021-{number}" for number in range(1, len(rostron) + 1)]
    assert "gul-2020-1" in ids and "buzin-2022-1" in ids and "loureiro-2019-1" in ids
    again = extract_article(HIP.read_text(encoding="utf-8"), source_name="hip-pain-article.txt")
    assert draft_to_yaml(again) == draft_to_yaml(hip)


def test_hip_title_and_source(hip: Draft) -> None:
    assert hip.title == "Why physical therapy and exercise may not help your hip pain"
    document = safe_load(draft_to_yaml(hip))
    assert isinstance(document, dict)
    assert document["article"] == {"title": hip.title, "source": "hip-pain-article.txt"}


# --- the same article as text, Markdown and HTML -------------------------------------------


@pytest.mark.parametrize(("name", "kind"), [("walking.md", "markdown"), ("walking.html", "html")])
def test_markdown_and_html_versions_give_the_text_versions_claims_file(name: str, kind: str) -> None:
    text_version = draft_to_yaml(extract_article((WALKING / "walking.txt").read_text(encoding="utf-8")))
    other = extract_article((WALKING / name).read_text(encoding="utf-8"), kind=kind)  # type: ignore[arg-type]
    assert draft_to_yaml(other) == text_version
    assert guess_kind((WALKING / name).read_text(encoding="utf-8")) == kind


def test_walking_claims_refs_and_reports() -> None:
    draft = extract_article((WALKING / "walking.txt").read_text(encoding="utf-8"))
    summary = [(claim.refs, claim.basis, claim.text[:20]) for claim in draft.claims]
    assert summary == [
        (("2", "3", "4"), "marker", "Several recent trial"),
        (("1",), "marker", "A 2019 trial from th"),
        (("1",), "restates", "The walkers reported"),
        (("1",), "quote", "The authors wrote: “"),
        (("2", "3"), "marker", "Two later studies lo"),
        (("2", "3"), "list", "Most participants st"),
        (("2", "3"), "quote", "“Adherence fell belo"),
        (("3",), "marker", "A Dutch team reporte"),
        (("3",), "restates", "Their participants w"),
        (("4",), "marker", "The review appeared "),
        (("4",), "restates", "Its authors pooled e"),
        (("4",), "quote", "They concluded: “Wal"),
    ]
    assert draft.claims[6].quotes == ("Adherence fell below half in the second year of the programme",)
    assert draft.claims[11].quotes == (
        "Walking programmes reduce pain slightly in knee osteoarthritis. "
        "The certainty of the evidence is low because most trials were small and unblinded.",
    )
    assert [claim.id for claim in draft.claims][:4] == ["brown-2020-1", "smith-2019-1", "smith-2019-2", "smith-2019-3"]
    assert draft.messages == (
        "line 24: quote “no single exercise suits every knee and every…” has no cited reference nearby (attach it by hand)",
        "line 26: marker [5] has no entry in the reference list",
    )


def test_html_messages_give_the_html_line() -> None:
    draft = extract_article((WALKING / "walking.html").read_text(encoding="utf-8"))
    assert [message.split(":")[0] for message in draft.messages] == ["line 31", "line 33"]


# --- markers ---------------------------------------------------------------------------------

REFERENCES = (
    "\n\nReferences\n"
    "1. Alpha A. First paper. J Test. 2019;1:1-2.\n"
    "2. Beta B. Second paper. J Test. 2020;2:3-4. PMID: 30000002\n"
    "3. Gamma C. Third paper. J Test. 2021;3:5-6. doi:10.5555/third.3\n"
    "4. Delta D. Fourth paper. J Test. 2022;4:7-8.\n"
)


@pytest.mark.parametrize(
    ("sentence", "refs", "text"),
    [
        ("Walking helped (1) in the trial.", ("1",), "Walking helped in the trial."),
        ("Walking helped [1].", ("1",), "Walking helped."),
        ("Walking helped [1,3].", ("1", "3"), "Walking helped."),
        ("Walking helped [1, 3].", ("1", "3"), "Walking helped."),
        ("Walking helped [2-4].", ("2", "3", "4"), "Walking helped."),
        ("Walking helped (2–4).", ("2", "3", "4"), "Walking helped."),
        ("It appeared in the Journal of Tests (2).", ("2",), "It appeared in the Journal of Tests."),
        ("It appeared in the Journal of Tests.(2)", ("2",), "It appeared in the Journal of Tests."),
        ("It appeared in the Journal of Tests. (2)", ("2",), "It appeared in the Journal of Tests."),
        ("Walking helped.¹", ("1",), "Walking helped."),
        ("Walking helped¹⁻³ in trials.", ("1", "2", "3"), "Walking helped in trials."),
        ("Walking helped (PMID: 30000002).", ("2",), "Walking helped."),
        ("Walking helped (doi:10.5555/third.3).", ("3",), "Walking helped."),
        ("Walking helped, https://pubmed.ncbi.nlm.nih.gov/30000002/ says.", ("2",), "Walking helped, says."),
    ],
)
def test_marker_forms_in_text(sentence: str, refs: tuple[str, ...], text: str) -> None:
    draft = extract_article("Title\n\n" + sentence + REFERENCES, kind="text")
    assert [(claim.refs, claim.text) for claim in draft.claims] == [(refs, text)]
    assert draft.messages == ()


@pytest.mark.parametrize(
    "sentence",
    [
        "Nineteen (19) people took part in the trial.",
        "Each plot covered 40 m² of grass in the trial.",
        "The trial ran from (2019) onwards, as planned.",
        "From the front of the hip (1:05), we can treat the ligament.",
        "The ratio was 10² in the trial.",
    ],
)
def test_numbers_that_are_not_markers(sentence: str) -> None:
    draft = extract_article("Title\n\n" + sentence + REFERENCES, kind="text")
    assert draft.claims == ()
    assert draft.messages == ()


def test_marker_missing_from_the_list_is_reported_and_not_claimed() -> None:
    draft = extract_article("Title\n\nWalking helped (9).\n\nIt helped [1, 9]." + REFERENCES, kind="text")
    assert [claim.refs for claim in draft.claims] == [("1",)]
    assert draft.messages == (
        "line 3: marker (9) has no entry in the reference list",
        "line 5: marker [9] has no entry in the reference list",
    )


def test_html_sup_and_links() -> None:
    article = (
        "<h1>T</h1><p>Walking helped<sup>1</sup> a lot. Running helped<sup>[2]</sup> too.</p>"
        '<p>A <a href="https://pubmed.ncbi.nlm.nih.gov/30000002/">trial</a> found less pain.</p>'
        '<p>Another <a href="https://doi.org/10.5555/third.3">review</a> agreed.</p>'
        '<p>A linked <a href="https://www.ncbi.nlm.nih.gov/pubmed/30000009">study</a> disagreed.</p>'
        "<p>Plots covered 40 m<sup>2</sup> of grass.</p>"
        "<h2>References</h2><ol><li>Alpha A. First paper. 2019.</li><li>Beta B. Second. 2020. PMID: 30000002</li>"
        "<li>Gamma C. Third paper. 2021. doi:10.5555/third.3</li></ol>"
    )
    draft = extract_article(article)
    assert [(claim.refs, claim.text) for claim in draft.claims] == [
        (("1",), "Walking helped a lot."),
        (("2",), "Running helped too."),
        (("2",), "A trial found less pain."),
        (("3",), "Another review agreed."),
        (("pmid-30000009",), "A linked study disagreed."),
    ]
    linked = draft.references[-1]
    assert (linked.key, linked.pmid, linked.linked_only) == ("pmid-30000009", "30000009", True)


def test_html_nested_lists_and_paragraphs_inside_items() -> None:
    article = (
        "<h1>T</h1><p>The trial<sup>1</sup> found:</p>"
        "<ul><li><p>Less pain in walkers.</p><ul><li>Most of all in the first month.</li></ul></li>"
        "<li>More steps a day.</li></ul><p>We add our own view here.</p>"
        "<h2>References</h2><ol start='1'><li><p>Alpha A. First paper. 2019.</p></li></ol>"
    )
    draft = extract_article(article)
    assert [(claim.basis, claim.text) for claim in draft.claims] == [
        ("marker", "The trial found:"),
        ("list", "Less pain in walkers."),
        ("list", "Most of all in the first month."),
        ("list", "More steps a day."),
    ]
    assert [reference.citation for reference in draft.references] == ["Alpha A. First paper. 2019."]


def test_sentence_citing_an_unlisted_source_ends_the_restating() -> None:
    article = (
        "Walking helped (1). Running helped (9). Swimming helped too.\n\nCycling helped [PMC7654321].\n\n"
        "Rowing helped (https://www.ncbi.nlm.nih.gov/pmc/articles/PMC7654321/)."
    )
    draft = extract_article("Title\n\n" + article + REFERENCES, kind="text")
    assert [claim.text for claim in draft.claims] == ["Walking helped."]
    link = "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC7654321/"
    assert draft.messages == (
        "line 3: marker (9) has no entry in the reference list",
        "line 5: link to PMC7654321 matches no reference and gives no PMID or DOI",
        f"line 7: link to {link} matches no reference and gives no PMID or DOI",
    )


def test_wiki_style_html() -> None:
    article = (
        '<html><head><link rel="canonical" href="https://example.org/wiki/Walking"></head><body>'
        "<nav><p>Menu: “a quote in the menu that is not the article's”</p></nav><h1>Walking</h1>"
        '<p>Walking eases knee pain.<sup class="reference"><a href="#cite_note-1">[1]</a></sup> '
        "Runners have fewer knee problems<sup>[<i>citation needed</i>]</sup>.</p>"
        "<h2><span>References</span><span>[edit]</span></h2><ol>"
        '<li><span><a href="#cite_ref-1a">^</a> <a href="#cite_ref-1b">a</a></span> <cite>Smith J (2019). '
        '"Walking". <i>J Test</i>. <a href="https://doi.org/10.5555%2Fjim.2019.045">doi:10.5555/jim.2019.045</a>. '
        '<a href="https://pubmed.ncbi.nlm.nih.gov/30000001">PMID 30000001</a>.</cite></li></ol></body></html>'
    )
    draft = extract_article(article)
    assert (draft.title, draft.url) == ("Walking", "https://example.org/wiki/Walking")
    (reference,) = draft.references
    assert reference.citation == 'Smith J (2019). "Walking". J Test. doi:10.5555/jim.2019.045. PMID 30000001.'
    assert (reference.pmid, reference.doi) == ("30000001", "10.5555/jim.2019.045")
    assert [(claim.id, claim.text) for claim in draft.claims] == [("smith-2019-1", "Walking eases knee pain.")]
    assert draft.messages == ()


def test_link_on_a_numbered_marker_fills_the_entrys_missing_pmid() -> None:
    article = (
        "# T\n\nWalking helped [1](https://pubmed.ncbi.nlm.nih.gov/31111111/).\n\n"
        "Running helped [(2)](https://pubmed.ncbi.nlm.nih.gov/39999999/).\n"
        "\n## References\n\n1. Alpha A. First. 2019.\n2. Beta B. Second. 2020. PMID: 30000002\n"
    )
    draft = extract_article(article, kind="markdown")
    references = {reference.key: reference for reference in draft.references}
    assert references["1"].pmid == "31111111"
    assert references["2"].pmid == "30000002"
    assert [claim.refs for claim in draft.claims] == [("1",), ("2",)]
    assert any("links to PMID 39999999, but reference 2 gives PMID 30000002" in message for message in draft.messages)


def test_markdown_footnotes() -> None:
    article = "# T\n\nWalking helped[^smith] a lot.\n\n[^smith]: Smith J. Walking. J Test. 2019. PMID: 30000001\n"
    draft = extract_article(article)
    assert [(reference.key, reference.pmid) for reference in draft.references] == [("smith", "30000001")]
    assert [(claim.id, claim.refs, claim.text) for claim in draft.claims] == [
        ("smith-2019-1", ("smith",), "Walking helped a lot.")
    ]


# --- reference lists -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entries",
    [
        "References\n1 Alpha A. First. 2019. [Google Scholar]\n2 Beta B. Second. 2020. [PubMed] [Google Scholar]\n",
        "References:\n1. Alpha A. First. 2019.\n\n2. Beta B. Second. 2020. [CrossRef]\n",
        "Bibliography\n[1] Alpha A. First. 2019.\n[2] Beta B. Second. 2020.\n",
        "Sources\n1) Alpha A. First. 2019.\n2) Beta B. Second. 2020.\n",
        "Further notes follow.\n\n1. Alpha A. First. 2019.\n2. Beta B. Second. 2020.\n",
        "## References\n\n1. Alpha A. First.\n   2019.\n1. Beta B. Second. 2020.\n",
    ],
)
def test_reference_list_forms(entries: str) -> None:
    draft = extract_article("Title\n\nWalking helped [1, 2].\n\n" + entries)
    assert [(reference.key, reference.citation) for reference in draft.references] == [
        ("1", "Alpha A. First. 2019."),
        ("2", "Beta B. Second. 2020."),
    ]
    assert draft.claims[0].refs == ("1", "2")


def test_identifiers_in_entries() -> None:
    entries = (
        "References\n"
        "1. Alpha A. First. 2019. https://pubmed.ncbi.nlm.nih.gov/30000001/\n"
        "2. Beta B. Second. 2020. https://doi.org/10.1000/xyz.2020.1\n"
        "3. Gamma C. Third. 2021. PMCID: PMC1234567 PMID: 30000003\n"
        "4. Delta D. Fourth. 2022. https://www.ncbi.nlm.nih.gov/pmc/articles/PMC7654321/\n"
        "5. Eta E. Fifth. 2023. DOI: 10.1002/(SICI)1097-0258(19980815)17:15<1661::AID-SIM968>3.0.CO;2-2.\n"
    )
    draft = extract_article("Title\n\nWalking helped [1-5].\n\n" + entries)
    found = [(reference.pmid, reference.doi, reference.pmcid) for reference in draft.references]
    assert found == [
        ("30000001", None, None),
        (None, "10.1000/xyz.2020.1", None),
        ("30000003", None, "PMC1234567"),
        (None, None, "PMC7654321"),
        (None, "10.1002/(SICI)1097-0258(19980815)17:15", None),
    ]
    yaml_text = draft_to_yaml(draft)
    assert "PMC7654321 named but no PMID" in yaml_text


def test_numbered_list_in_the_body_is_not_a_reference_list() -> None:
    draft = extract_article("Title\n\nThree tips:\n\n1. Walk daily.\n2. Sleep well.\n3. Eat greens.\n")
    assert draft.references == ()
    assert draft.messages == ('no reference list found (a "References" heading or a numbered list at the end)',)


# --- quotes -------------------------------------------------------------------------------


def quotes_of(article: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    draft = extract_article("Title\n\n" + article + REFERENCES, kind="text")
    return [(claim.refs, claim.quotes) for claim in draft.claims if claim.quotes]


def test_short_quote_in_a_citing_sentence_is_the_sources_words() -> None:
    assert quotes_of("The trial (1) called walking “a cheap and safe” option.") == [(("1",), ("a cheap and safe",))]
    assert quotes_of("Some call walking “a cheap and safe” option.") == []


def test_single_curly_quotes_and_apostrophes() -> None:
    found = quotes_of("The trial (1) called walking ‘the cheapest treatment we’ve tested so far’ in a note.")
    assert found == [(("1",), ("the cheapest treatment we’ve tested so far",))]
    assert quotes_of("The trial (1) said it’s the patients’ choice to walk or not at all.") == []


def test_straight_double_quotes() -> None:
    found = quotes_of('The trial (2) concluded: "Walking reduced pain in most of the patients."')
    assert found == [(("2",), ("Walking reduced pain in most of the patients.",))]


def test_quote_takes_the_nearest_cited_reference_before_it() -> None:
    article = (
        "The first trial (1) was small.\n\nThe second trial (2) was larger.\n\n"
        "Its authors wrote: “Walking reduced pain in most of the patients we followed.”\n\n"
        "A heading\n\n“This quote has nothing cited anywhere near it at all,” someone said."
    )
    draft = extract_article("Title\n\n" + article + REFERENCES, kind="text")
    quoted = [claim for claim in draft.claims if claim.quotes]
    assert [(claim.refs, claim.basis) for claim in quoted] == [(("2",), "quote")]
    assert any("This quote has nothing cited" in message for message in draft.messages)


def test_quote_inside_a_list_item_under_a_citing_sentence() -> None:
    article = "The review (3) found:\n\n  • “Walking reduced pain in most of the trials we pooled.”\n  • Less so in men."
    draft = extract_article("Title\n\n" + article + REFERENCES, kind="text")
    assert [(claim.refs, claim.basis, claim.quotes) for claim in draft.claims] == [
        (("3",), "marker", ()),
        (("3",), "quote", ("Walking reduced pain in most of the trials we pooled.",)),
        (("3",), "list", ()),
    ]


# --- YAML --------------------------------------------------------------------------------------


def test_yaml_keys_refs_and_pmids_are_strings_and_round_trip(hip: Draft) -> None:
    draft = extract_article((WALKING / "walking.txt").read_text(encoding="utf-8"), source_name="walking.txt")
    for text in (draft_to_yaml(draft), draft_to_yaml(hip)):
        document = safe_load(text)
        assert isinstance(document, dict)
        assert document["claimcheck"] == 1
        assert all(isinstance(key, str) for key in document["references"])
        for claim in document["claims"]:
            refs = claim["refs"] if "refs" in claim else [claim["ref"]]
            assert all(isinstance(ref, str) and ref in document["references"] for ref in refs)
        assert round_trip(text) == text
    walking = safe_load(draft_to_yaml(draft))
    assert isinstance(walking, dict)
    assert walking["references"]["2"]["pmid"] == "30000002"
    assert walking["claims"][0]["refs"] == ["2", "3", "4"]


def test_yaml_loads_as_a_claims_file(tmp_path: Path, hip: Draft) -> None:
    claims_file = pytest.importorskip("claimcheck.claims_file")
    draft = extract_article((WALKING / "walking.txt").read_text(encoding="utf-8"), source_name="walking.txt")
    for name, value in (("walking.yaml", draft), ("hip.yaml", hip)):
        path = tmp_path / name
        path.write_text(draft_to_yaml(value), encoding="utf-8")
        loaded = claims_file.load_claims(path)
        assert [claim.id for claim in loaded.claims] == [claim.id for claim in value.claims]
        assert [reference.key for reference in loaded.references] == [reference.key for reference in value.references]
        quotes = [tuple(quote.text for quote in claim.quotes) for claim in loaded.claims]
        assert quotes == [claim.quotes for claim in value.claims]


# --- merge -------------------------------------------------------------------------------------

HAND_EDITED = [
    ("    text: The walkers reported less pain at twelve weeks.\n",
     "    text: The walkers reported less pain at 12 weeks.  # checked against the trial\n"
     "    accept:\n      O301: \"the article rounds on purpose\"\n"),
    ("claims:\n", "claims:\n# Claims checked by J. Ortiz\n"),
    ("    citation: García L,", "    # Dutch cohort\n    citation: García L,"),
]


def hand_edited_claims_file(article: str) -> str:
    text = draft_to_yaml(extract_article(article, kind="text"))
    for old, new in HAND_EDITED:
        assert old in text
        text = text.replace(old, new, 1)
    return text


def test_merge_appends_new_claims_and_references_and_keeps_every_existing_byte() -> None:
    article = (WALKING / "walking.txt").read_text(encoding="utf-8")
    dutch = "A Dutch team reported the same pattern in older adults.³ Their participants walked less each month.\n\n"
    existing = hand_edited_claims_file(article.replace(dutch, ""))
    edited = article + "5. Epsilon E. Fifth paper. Invented Trials. 2023;9:1-2. PMID: 30000005\n"
    merged, messages = merge_into(existing, extract_article(edited, kind="text"))
    assert only_lines_added(existing, merged)
    document = safe_load(merged)
    assert isinstance(document, dict)
    assert list(document["references"]) == ["1", "2", "3", "4", "5"]
    ids = [claim["id"] for claim in document["claims"]]
    assert ids[-3:] == ["garcia-2021-1", "garcia-2021-2", "epsilon-2023-1"]
    assert len(ids) == len(set(ids))
    assert "# Claims checked by J. Ortiz" in merged and "O301" in merged
    assert messages == ["added 1 reference(s) and 3 claim(s)"]
    again, messages = merge_into(merged, extract_article(edited, kind="text"))
    assert again == merged
    assert messages == ["nothing new to add"]


def test_merge_keeps_and_reports_claims_gone_from_the_article() -> None:
    article = (WALKING / "walking.txt").read_text(encoding="utf-8")
    existing = hand_edited_claims_file(article)
    shorter = article.replace("The walkers reported less pain at twelve weeks. ", "")
    shorter = shorter.replace("Its authors pooled eleven trials and 2,400 patients.", "")
    merged, messages = merge_into(existing, extract_article(shorter, kind="text"))
    assert merged == existing
    assert messages == [
        "claim smith-2019-2: no longer found in the article (kept; delete it if it should go)",
        "claim muller-2022-2: no longer found in the article (kept; delete it if it should go)",
        "nothing new to add",
    ]


def test_merge_gives_a_new_claim_the_next_free_id_when_its_id_is_taken() -> None:
    article = "Title\n\nWalking helped (1).\n" + REFERENCES
    existing = draft_to_yaml(extract_article(article, kind="text"))
    longer = "Title\n\nRunning helped too (1).\n\nWalking helped (1).\n" + REFERENCES
    merged, _ = merge_into(existing, extract_article(longer, kind="text"))
    document = safe_load(merged)
    assert isinstance(document, dict)
    assert [(claim["id"], claim["text"]) for claim in document["claims"]] == [
        ("alpha-2019-1", "Walking helped."),
        ("alpha-2019-2", "Running helped too."),
    ]


def test_merge_into_a_file_with_unindented_claims() -> None:
    existing = 'claimcheck: 1\nreferences:\n  "1": {citation: Alpha}\nclaims:\n- id: a-1\n  ref: "1"\n  text: Old.\n'
    merged, _ = merge_into(existing, extract_article("Title\n\nWalking helped (1).\n" + REFERENCES, kind="text"))
    assert only_lines_added(existing, merged)
    assert "\n- id: alpha-2019-1\n  ref: \"1\"\n" in merged
    document = safe_load(merged)
    assert isinstance(document, dict)
    assert list(document["references"]) == ["1", "2", "3", "4"]


def test_merge_into_empty_sections_rewrites_them_and_says_so() -> None:
    existing = "# my claims\nclaimcheck: 1\narticle: {title: T}\nreferences: {}\nclaims: []\n"
    merged, messages = merge_into(existing, extract_article("Title\n\nWalking helped (1).\n" + REFERENCES, kind="text"))
    assert merged.startswith("# my claims\nclaimcheck: 1\narticle: {title: T}\n")
    document = safe_load(merged)
    assert isinstance(document, dict)
    assert [claim["id"] for claim in document["claims"]] == ["alpha-2019-1"]
    assert messages == [
        "an empty or flow-style section was rewritten in block style: check the diff",
        "added 4 reference(s) and 1 claim(s)",
    ]


@pytest.mark.parametrize(
    ("existing", "line"),
    [("claims: [\n  - id: x\n", 2), ("- just a list\n", 1), ("claimcheck: 1\nclaims: 5\n", 2)],
)
def test_merge_refuses_a_file_it_cannot_extend(existing: str, line: int) -> None:
    with pytest.raises(ClaimsFileError) as caught:
        merge_into(existing, extract_article("Title\n\nWalking helped (1).\n" + REFERENCES), name="claims/x.yaml")
    assert str(caught.value).startswith(f"claims/x.yaml:{line}: cannot merge")


# --- files -------------------------------------------------------------------------------------


def test_extract_file_writes_source_relative_to_the_output_and_merges(tmp_path: Path) -> None:
    article = tmp_path / "articles" / "walking.md"
    article.parent.mkdir()
    article.write_text((WALKING / "walking.md").read_text(encoding="utf-8"), encoding="utf-8")
    output = tmp_path / "claims" / "walking.yaml"
    text, messages = extract_file(article, output=output)
    document = safe_load(text)
    assert isinstance(document, dict)
    assert document["article"]["source"] == "../articles/walking.md"
    assert len(messages) == 2
    output.parent.mkdir()
    output.write_text(text + "# kept\n", encoding="utf-8")
    merged, messages = extract_file(article, output=output)
    assert merged == text + "# kept\n"
    assert messages[-1] == "nothing new to add"


def test_extract_file_reports_a_missing_article(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the article"):
        extract_file(tmp_path / "nope.txt", output=None)


def test_guess_kind() -> None:
    assert guess_kind("x", source_name="a/b.HTM") == "html"
    assert guess_kind("<p>x</p>", source_name="a.txt") == "text"
    assert guess_kind("<!DOCTYPE html><title>x</title>") == "html"
    assert guess_kind("# Title\n\ntext") == "markdown"
    assert guess_kind("Title\n\nWalking helped (1).") == "text"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(alphabet=st.sampled_from(list("ab (1)[2]¹“”‘’\"'.,:\n•-#<>/supa=h1")), max_size=300),
    st.sampled_from(["text", "markdown", "html"]),
)
def test_any_input_gives_a_loadable_claims_file(article: str, kind: str) -> None:
    draft = extract_article(article, kind=kind)  # type: ignore[arg-type]
    document = safe_load(draft_to_yaml(draft))
    assert isinstance(document, dict)
    assert len({claim.id for claim in draft.claims}) == len(draft.claims)
