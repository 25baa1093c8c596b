"""verify_quote on a structured abstract written for these tests: every verdict, and its near misses."""

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimcheck.matching import QuoteMatch, Verdict, verify_quote, word_diff
from claimcheck.model import AbstractSection, CheckSettings, Record
from claimcheck.text import split_sentences

TRIAL = Record(
    pmid="31000001",
    title="High-intensity strength training for older adults with hip osteoarthritis: a randomised controlled trial",
    abstract_sections=(
        AbstractSection(
            "BACKGROUND",
            "BACKGROUND",
            "Hip osteoarthritis (OA) is a leading cause of pain and disability in older adults. Few trials have "
            "tested high-intensity programmes in this group.",
        ),
        AbstractSection(
            "METHODS",
            "METHODS",
            "We randomly assigned 152 adults aged 60 years or older with hip OA to 12 weeks of supervised "
            "high-intensity resistance training (n = 76) or usual care (n = 76). The primary outcome was pain on a "
            "0-10 scale at 12 weeks; utilisation of health services was a secondary outcome.",
        ),
        AbstractSection(
            "RESULTS",
            "RESULTS",
            "Pain decreased by 1.8 points in the training group and by 0.6 points in the usual-care group (mean "
            "difference 1.2 points, 95% CI 0.4 to 2.0; p = 0.003). Hip abduction strength was 15% higher than at "
            "baseline. Training was ineffective for stiffness. Adherence was 85%, and no serious adverse events "
            "occurred.",
        ),
        AbstractSection(
            "CONCLUSIONS",
            "CONCLUSIONS",
            "High-intensity resistance programmes may increase hip abduction strength slightly and could reduce "
            "pain in people with OA. Low-quality evidence from earlier trials suggests that the benefits are not "
            "sustained after training stops.",
        ),
    ),
)


def check(quote: str, **options) -> QuoteMatch:
    return verify_quote(quote, TRIAL, **options)


def assert_points_into_the_record(match: QuoteMatch) -> None:
    text = TRIAL.abstract if match.field == "abstract" else TRIAL.title
    assert text[match.start : match.end] == match.source_text


# --- exact ------------------------------------------------------------------------------------


def test_every_sentence_of_the_abstract_is_exact():
    for section in TRIAL.abstract_sections:
        for sentence in split_sentences(section.text):
            match = check(sentence.text)
            assert match.verdict is Verdict.EXACT, (sentence.text, match)
            assert match.section == section.label
            assert match.score == 1.0
            assert_points_into_the_record(match)


@pytest.mark.parametrize(
    "quote",
    [
        '"Adherence was 85%, and no serious adverse events occurred."',
        "\u201cHigh-intensity resistance programmes may increase hip abduction strength slightly\u201d",
        "High\u2013intensity resistance   programmes may\nincrease hip abduction strength slightly",
        "Hip abduction strength was 15 percent higher than at baseline",
        "by 0.6 points in the usual care group",
    ],
)
def test_quotation_marks_dashes_spaces_and_symbols_are_normalised_away(quote):
    match = check(quote)
    assert match.verdict is Verdict.EXACT, match
    assert match.cosmetic_notes == ()


def test_a_title_quote_is_found_in_the_title():
    match = check("High-intensity strength training for older adults with hip osteoarthritis")
    assert (match.verdict, match.field, match.start) == (Verdict.EXACT, "title", 0)
    assert_points_into_the_record(match)


def test_offsets_diff_and_section_of_an_exact_match():
    match = check("Hip abduction strength was 15% higher than at baseline")
    assert match.field == "abstract" and match.section == "RESULTS"
    assert_points_into_the_record(match)
    assert match.diff[:3] == (("=", "Hip"), ("=", "abduction"), ("=", "strength"))
    assert all(op == "=" for op, _ in match.diff)


# --- cosmetic (Q104): editorial conventions ---------------------------------------------------


@pytest.mark.parametrize(
    ("quote", "note"),
    [
        ("pain decreased by 1.8 points in the training group", "first letter"),
        ("Pain decreased by 1.8 points ... in the usual-care group", "ellipsis stands for 8 omitted words"),
        ("Pain decreased by 1.8 points \u2026 in the usual-care group", "ellipsis"),
        ("Pain decreased by 1.8 points . . . in the usual-care group", "ellipsis"),
        ("Pain decreased by 1.8 points [...] in the usual-care group", "ellipsis"),
        ("High-intensity [exercise] programmes may increase hip abduction", '[exercise] stands for "resistance"'),
        ("[Supervised] high-intensity resistance programmes may increase", "[Supervised] is an editorial insertion"),
        ("could reduce pain in people with osteoarthritis", 'writes out "OA" as "osteoarthritis"'),
        ("High-intensity resistance programs may increase hip abduction", 'spells "programmes" as "programs"'),
        ("utilization of health services was a secondary outcome", 'spells "utilisation" as "utilization"'),
        ("Pain decreased by 1.8 points in the training group.", "full stop"),
        ("[t]he primary outcome was pain on a 0-10 scale at 12 weeks", "[t] marks a changed letter"),
    ],
)
def test_editorial_conventions_are_only_cosmetic(quote, note):
    match = check(quote)
    assert match.verdict is Verdict.COSMETIC, match
    assert match.verified
    assert any(note in text for text in match.cosmetic_notes), match.cosmetic_notes
    assert match.meaning_changes == () and match.rewordings == ()
    assert_points_into_the_record(match)


def test_an_ellipsis_gap_puts_the_omitted_words_in_the_diff():
    match = check("Pain decreased by 1.8 points ... in the usual-care group")
    removed = [word for op, word in match.diff if op == "-"]
    assert removed == ["in", "the", "training", "group", "and", "by", "0.6", "points"]
    assert match.source_text.startswith("Pain decreased") and match.source_text.endswith("usual-care group")


def test_ellipsis_pieces_must_come_in_the_source_order():
    match = check("in the usual-care group ... Pain decreased by 1.8 points")
    assert not match.verified


def test_a_quote_ending_where_the_sentence_ends_has_no_full_stop_note():
    assert check("no serious adverse events occurred.").verdict is Verdict.EXACT


# --- altered (Q102): changes that can flip or inflate meaning --------------------------------


@pytest.mark.parametrize(
    ("quote", "change"),
    [
        ("Pain decreased by 2.8 points in the training group", 'changes the number "1.8" to "2.8"'),
        ("Adherence was 95%, and no serious adverse events occurred", 'changes the number "85" to "95"'),
        ("We randomly assigned 152 adults aged 60 months or older with hip OA", 'changes the unit "years" to "months"'),
        ("Adherence was 85%, and serious adverse events occurred", 'drops the negation "no"'),
        ("suggests that the benefits are sustained after training stops", 'drops the negation "not"'),
        ("Hip abduction strength was not 15% higher than at baseline", 'adds the negation "not"'),
        ("Training was effective for stiffness", 'changes "ineffective" to "effective"'),
        ("High-intensity resistance programmes increase hip abduction strength slightly", 'drops the hedge "may"'),
        ("increase hip abduction strength slightly and could reduce pain", 'drops the hedge "may" just before'),
        ("resistance programmes may increase hip abduction strength", 'drops the qualifier "slightly" just after'),
        ("Pain may have decreased by 1.8 points in the training group", 'adds the hedge "may"'),
        ("Hip abduction strength was 15% lower than at baseline", 'changes the comparative "higher" to "lower"'),
        ("programmes may significantly increase hip abduction strength slightly", 'adds the qualifier "significantly"'),
        ("evidence from earlier trials suggests that the benefits are not", 'drops the qualifier "Low" just before'),
        ("Adherence was 85%, and [some] serious adverse events occurred", 'drops the negation "no"'),
    ],
)
def test_meaning_changes_are_altered(quote, change):
    match = check(quote)
    assert match.verdict is Verdict.ALTERED, match
    assert any(change in text for text in match.meaning_changes), match.meaning_changes
    assert_points_into_the_record(match)


def test_the_rule_example_names_both_dropped_words():
    match = verify_quote("increases hip abduction strength", "Programmes may increase hip abduction strength slightly.")
    assert match.verdict is Verdict.ALTERED
    assert match.meaning_changes == (
        'drops the hedge "may" just before the quoted words',
        'drops the qualifier "slightly" just after the quoted words',
    )
    assert match.source_text == "may increase hip abduction strength slightly"
    assert match.diff[0] == ("-", "may") and match.diff[-1] == ("-", "slightly")


def test_a_hedge_the_article_keeps_outside_the_quotation_marks_is_not_dropped():
    quote = "increase hip abduction strength slightly and could reduce pain"
    match = check(quote, context='Such programmes may "increase hip abduction strength slightly and could reduce pain"')
    assert match.verdict is Verdict.EXACT


# --- reworded (Q103): other word changes ------------------------------------------------------


@pytest.mark.parametrize(
    ("quote", "rewording"),
    [
        ("Pain decreased by 1.8 points in the exercise group", 'replaces "training" with "exercise"'),
        ("We randomly assigned 152 adults (people) aged 60 years or older", 'adds "(people)"'),
        ("could reduce pain in people with OA (osteoarthritis)", 'adds "(osteoarthritis)"'),
        ("Hip abduction strength was 15% higher than baseline", 'drops "at"'),
        ("resistance programmes might increase hip abduction strength slightly", 'replaces "may" with "might"'),
        ("with hip OA to twelve weeks of supervised high-intensity resistance training", 'replaces "12" with "twelve"'),
    ],
)
def test_other_word_changes_are_reworded(quote, rewording):
    match = check(quote)
    assert match.verdict is Verdict.REWORDED, match
    assert rewording in match.rewordings, match.rewordings
    assert match.meaning_changes == ()
    assert not match.verified


# --- spliced (Q105) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quote", "join"),
    [
        (
            "Pain decreased by 1.8 points in the training group. Hip abduction strength was 15% higher than at",
            'joins "...1.8 points in the training group" to "Hip abduction strength was 15%...", which is 21 words',
        ),
        (
            "Pain decreased by 1.8 points in the training group. High-intensity resistance programmes may increase",
            "further on in the source",
        ),
        (
            "High-intensity resistance programmes may increase hip abduction strength. Pain decreased by 1.8 points",
            "comes earlier in the source",
        ),
        (
            "We randomly assigned 152 adults aged 60 years or older to 12 weeks of supervised training",
            'leaving out "with hip OA"',
        ),
    ],
)
def test_joining_passages_without_an_ellipsis_is_spliced(quote, join):
    match = check(quote)
    assert match.verdict is Verdict.SPLICED, match
    assert any(join in text for text in match.splices), match.splices
    assert_points_into_the_record(match)


def test_a_splice_across_sections_names_both_sections():
    match = check("Pain decreased by 1.8 points in the training group. High-intensity resistance programmes may")
    assert match.section == "RESULTS, CONCLUSIONS"


def test_the_same_join_with_an_ellipsis_is_cosmetic():
    match = check("Pain decreased by 1.8 points in the training group ... High-intensity resistance programmes")
    assert match.verdict is Verdict.COSMETIC


# --- not found (Q101) -------------------------------------------------------------------------


def test_a_fabricated_quote_is_not_found_and_the_closest_passage_is_shown():
    match = check("Exercise cured every patient in the trial within a week")
    assert match.verdict is Verdict.NOT_FOUND
    assert match.score < CheckSettings().quote_match_threshold
    assert match.source_text and match.meaning_changes == () and match.rewordings == ()
    assert_points_into_the_record(match)


def test_the_threshold_decides_what_counts_as_found():
    quote = "Pain decreased by 1.8 points in the exercise group"
    assert check(quote).verdict is Verdict.REWORDED
    assert check(quote, settings=CheckSettings(quote_match_threshold=0.99)).verdict is Verdict.NOT_FOUND


@pytest.mark.parametrize("quote", ["", "   ", "...", "\u201c\u201d", "[ ]"])
def test_a_quote_without_words_is_not_found(quote):
    match = check(quote)
    assert (match.verdict, match.score, match.source_text) == (Verdict.NOT_FOUND, 0.0, "")


def test_a_record_without_text_finds_nothing():
    match = verify_quote("any words at all", Record(pmid="1", title=""))
    assert match.verdict is Verdict.NOT_FOUND and match.start is None


# --- plain text, word_diff, robustness --------------------------------------------------------


def test_any_text_can_be_the_source():
    match = verify_quote("may increase strength slightly", "Programmes may increase strength slightly in adults.")
    assert (match.verdict, match.field, match.section) == (Verdict.EXACT, "text", "")
    assert (match.start, match.end) == (11, 41)


def test_word_diff_compares_normalised_words_and_reports_originals():
    assert word_diff(["Pain", "fell", "by", "12%"], ["pain", "rose", "by", "12%"]) == (
        ("=", "Pain"),
        ("-", "fell"),
        ("+", "rose"),
        ("=", "by"),
        ("=", "12%"),
    )
    assert word_diff([], ["new"]) == (("+", "new"),)


def test_quote_match_is_frozen():
    match = check("Training was ineffective for stiffness")
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.score = 0.0  # type: ignore[misc]


@settings(max_examples=200, deadline=None)
@given(quote=st.text(max_size=120), source=st.text(max_size=300))
def test_any_input_gives_a_verdict_and_a_score_between_0_and_1(quote, source):
    match = verify_quote(quote, source)
    assert 0.0 <= match.score <= 1.0
    if match.start is not None:
        assert source[match.start : match.end] == match.source_text


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_any_run_of_words_cut_at_clause_edges_is_verified(data):
    sentences = [span.text for section in TRIAL.abstract_sections for span in split_sentences(section.text)]
    sentence = data.draw(st.sampled_from(sentences))
    clauses = [clause.strip() for clause in sentence.rstrip(".").split(";") if clause.strip()]
    clause = data.draw(st.sampled_from(clauses))
    assert check(clause).verified


# --- hard cases found on the real corpus, rewritten as invented text --------------------------


def test_a_hedge_opening_the_sentence_is_dropped_even_across_its_comma():
    source = "Teeth grew fast. Possibly, growth slowed after the second year in every group."
    match = verify_quote("growth slowed after the second year", source)
    assert match.verdict is Verdict.ALTERED
    assert match.meaning_changes == ('drops the hedge "Possibly" just before the quoted words',)
    assert verify_quote("growth slowed after the second year", source.replace("Possibly", "However")).verified


def test_square_brackets_the_source_has_too_are_its_words():
    source = "Risk was higher in the first month [odds ratio 2.1, 95% confidence interval 1.2 to 3.4] than later."
    exact = verify_quote("in the first month [odds ratio 2.1, 95% confidence interval 1.2 to 3.4]", source)
    assert exact.verdict is Verdict.EXACT
    changed = verify_quote("in the first month [odds ratio 2.1, 95% confidence wide interval 1.2 to 3.4]", source)
    assert changed.verdict is Verdict.REWORDED and changed.rewordings == ('adds "wide"',)


def test_a_verbatim_search_respects_word_edges():
    source = "A median of 14 days passed. A median of 1 tumour was treated per patient."
    match = verify_quote("A median of 1 ... treated per patient", source)
    assert match.verdict is Verdict.COSMETIC
    assert match.source_text == "A median of 1 tumour was treated per patient"


def test_a_decimal_written_without_its_zero_is_one_number():
    source = "Admissions fell from 55% to 47% (RR 0.86, p = .19) in the intervention group."
    assert verify_quote("Admissions fell from 55% to 47% (RR 0.86, p = .19)", source).verdict is Verdict.EXACT
    match = verify_quote("Admissions fell from 55% to 40% (RR 0.86, p = .19)", source)
    assert match.meaning_changes == ('changes the number "47" to "40"',)


def test_a_full_stop_after_an_abbreviation_does_not_make_a_splice():
    source = "We read the report by Piano et al. suggesting improved outcomes after transplant in cirrhosis."
    match = verify_quote("the report by Piano et al. improved outcomes after transplant", source)
    assert match.verdict is Verdict.ALTERED
    assert match.meaning_changes == ('drops the hedge "suggesting"',)


def test_a_quote_that_leaves_a_word_out_is_placed_by_its_words_not_on_a_similar_sentence():
    source = (
        "We asked whether strengthening reduces pain in people with hip pain. "
        "Strengthening may reduce pain slightly in people with hip pain, at low cost."
    )
    match = verify_quote("Strengthening may reduce pain in people with hip pain", source)
    assert match.verdict is Verdict.ALTERED
    assert match.meaning_changes == ('drops the qualifier "slightly"',)
    assert match.source_text == "Strengthening may reduce pain slightly in people with hip pain"


def test_a_hedge_that_opens_the_words_after_the_quote_is_not_dropped_from_it():
    assert check("High-intensity resistance programmes").verdict is Verdict.EXACT
    assert check("Low-quality evidence from earlier trials suggests").verdict is Verdict.EXACT
