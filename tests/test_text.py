"""Text helpers: normalisation, words with offsets, sentences, numbers, spelling, word lists."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claimcheck.text import (
    COMPARATIVES,
    HEDGES,
    NEGATIONS,
    QUALIFIERS,
    AnyCase,
    american_spelling,
    extract_numbers,
    is_negation,
    negation_prefix,
    normalize,
    normalize_word,
    parse_number,
    split_sentences,
    tokenize_words,
)

# --- AnyCase ----------------------------------------------------------------------------------

HEDGE_GATE = r"(?<!than\s)\b(?:we|i)\s+(?:think|may)\b|\bnot\s+proven\b"


@pytest.mark.parametrize(
    ("text", "found"),
    [("We think so", True), ("I MAY go", True), ("It is Not Proven.", True), ("more than we think", False),
     ("nothing here", False), ("İstanbul: we think so", True), ("İstanbul: no", False)],
)
def test_any_case_patterns_match_in_any_case_and_keep_look_behinds(text, found):
    assert AnyCase(HEDGE_GATE).occurs_in(text) is found


def test_any_case_patterns_must_be_written_in_lower_case():
    with pytest.raises(ValueError, match="lower case"):
        AnyCase(r"\bNNT\b")
    AnyCase(r"\W\S\D\bnnt\b")  # upper-case escapes are not letters to match


def test_any_case_skips_texts_without_any_of_its_needs():
    future = AnyCase(r"\bwe\s+will\b", needs=("will",))
    assert future.occurs_in("We WILL recruit") and not future.occurs_in("we shall recruit")
    # The needs are a promise the pattern's author makes: a wrong one hides matches, so tests check each.
    assert not AnyCase(r"\bwe\s+will\b", needs=("shall",)).occurs_in("we will")
    with pytest.raises(ValueError, match="lower case"):
        AnyCase(r"\bwill\b", needs=("Will",))


@given(st.text(alphabet="WeIi tThinkmayNOTprvenİ.", max_size=40))
def test_any_case_agrees_with_ignorecase(text):
    assert AnyCase(HEDGE_GATE).occurs_in(text) == (re.search(HEDGE_GATE, text, re.IGNORECASE) is not None)


# --- normalize --------------------------------------------------------------------------------


def test_normalize_straightens_quotes_dashes_spaces_and_case():
    assert normalize("  \u201cHip\u201d  OSTEOARTHRITIS \u2013 the patient\u2019s\n pain ") == (
        "\"hip\" osteoarthritis - the patient's pain"
    )


def test_normalize_applies_nfkc():
    assert normalize("\ufb01rst \uff11\uff12 mg \u2026") == "first 12 mg ..."


def test_normalize_drops_invisible_characters():
    assert normalize("treat\u00adment\u200b") == "treatment"


def test_normalize_maps_every_dash_to_a_hyphen():
    dashes = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
    assert normalize(f"a{dashes}b") == "a" + "-" * len(dashes) + "b"


@given(st.text())
def test_normalize_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once


@given(st.text(alphabet=st.characters(categories=("Lu", "Ll", "Nd")), min_size=1, max_size=20))
def test_normalize_word_agrees_with_normalize(word):
    assert normalize_word(word) == normalize(word)


# --- words ------------------------------------------------------------------------------------


def test_tokens_carry_offsets_into_the_original_text():
    text = "The patient\u2019s \u201cnon-significant\u201d rise of \u22120.5 mg was 20% & fell."
    tokens = tokenize_words(text)
    assert [token.text for token in tokens] == [
        "The", "patient\u2019s", "non", "significant", "rise", "of", "\u22120.5", "mg", "was", "20", "%", "&", "fell",
    ]
    assert all(text[token.start : token.end] == token.text for token in tokens)
    assert tokens[1].norm == "patient's"
    assert tokens[6].norm == "-0.5"


def test_tokens_keep_decimals_thousands_and_glued_units_whole():
    words = [token.text for token in tokenize_words("p = 0.03 in 1,250 adults given 5mg; COVID-19 and IL-6.")]
    assert words == ["p", "0.03", "in", "1,250", "adults", "given", "5mg", "COVID", "19", "and", "IL", "6"]


@given(st.text(max_size=200))
def test_token_offsets_always_slice_back_to_the_token(text):
    for token in tokenize_words(text):
        assert text[token.start : token.end] == token.text
        assert token.text.strip() == token.text != ""


# --- sentences --------------------------------------------------------------------------------


def test_sentences_do_not_break_after_abbreviations_initials_or_in_decimals():
    text = (
        "Smith et al. found a 2.5-fold rise vs. placebo (i.e. more pain). The U.S. trial had 3 arms. "
        "Was it J. Doe? Yes! 12 patients (e.g. the oldest) died."
    )
    sentences = [span.text for span in split_sentences(text)]
    assert sentences == [
        "Smith et al. found a 2.5-fold rise vs. placebo (i.e. more pain).",
        "The U.S. trial had 3 arms.",
        "Was it J. Doe?",
        "Yes!",
        "12 patients (e.g. the oldest) died.",
    ]


def test_sentence_spans_slice_back_and_keep_a_trailing_fragment():
    text = "  Pain fell. Trial registration NCT01234567"
    spans = split_sentences(text)
    assert [text[span.start : span.end] for span in spans] == ["Pain fell.", "Trial registration NCT01234567"]


def test_sentences_do_not_break_before_a_lower_case_word():
    assert len(split_sentences("Doses were approx. twice as high. Then it stopped.")) == 2


@given(st.text(max_size=300))
def test_sentence_spans_are_ordered_and_slice_back(text):
    previous_end = 0
    for span in split_sentences(text):
        assert text[span.start : span.end] == span.text
        assert span.start >= previous_end
        previous_end = span.end


# --- numbers ----------------------------------------------------------------------------------


def test_numbers_in_digits_with_percentages_units_and_signs():
    mentions = extract_numbers("Adherence was 45% (1,000 mg daily); change -0.5 kg; 3.5 per cent; 5mg.")
    assert [(m.text, m.value, m.is_percent, m.unit) for m in mentions] == [
        ("45%", 45.0, True, "%"),
        ("1,000", 1000.0, False, "mg"),
        ("-0.5", -0.5, False, "kg"),
        ("3.5 per cent", 3.5, True, "%"),
        ("5mg", 5.0, False, "mg"),
    ]


def test_numbers_in_words():
    mentions = extract_numbers("Twenty-five women, two hundred and ten men, one and two arms, five percent")
    assert [(m.text, m.value) for m in mentions] == [
        ("Twenty-five", 25.0),
        ("two hundred and ten", 210.0),
        ("one", 1.0),
        ("two", 2.0),
        ("five", 5.0),
    ]
    assert mentions[-1].is_percent


def test_number_offsets_slice_back():
    text = "Of 1,204 adults (sixty-two percent women), 12.5% improved over twelve weeks."
    for mention in extract_numbers(text):
        assert text[mention.start : mention.end] == mention.text
    assert [m.unit for m in extract_numbers(text)] == ["", "%", "%", "weeks"]


def test_number_words_keep_their_offsets_when_lower_casing_changes_the_length():
    # "İ" lower-cases to two characters, so number words are then searched in the text as it is.
    text = "In İzmir Twenty-Five of FORTY adults improved."
    mentions = extract_numbers(text)
    assert [(m.text, m.value) for m in mentions] == [("Twenty-Five", 25.0), ("FORTY", 40.0)]
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text


def test_digits_inside_names_are_not_numbers():
    assert [m.value for m in extract_numbers("T2DM and H1N1 in COVID-19")] == [19.0]


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,000", 1000.0), ("0.5", 0.5), ("1,5", 1.5), ("twenty-five", 25.0), ("a dozen", None), ("3 and 4", None)],
)
def test_parse_number(text, value):
    assert parse_number(text) == value


# --- spelling, negation and word lists --------------------------------------------------------


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("utilisation", "utilization"),
        ("randomised", "randomized"),
        ("analysed", "analyzed"),
        ("tumours", "tumors"),
        ("behaviour", "behavior"),
        ("centre", "center"),
        ("fibres", "fibers"),
        ("modelling", "modeling"),
        ("paediatric", "pediatric"),
        ("oedema", "edema"),
        ("haemoglobin", "hemoglobin"),
        ("anaemia", "anemia"),
        ("ageing", "aging"),
        ("programme", "program"),
        ("fulfilment", "fulfillment"),
    ],
)
def test_british_spellings_become_american(british, american):
    assert american_spelling(british) == american
    assert american_spelling(american) == american


@pytest.mark.parametrize(
    "word",
    ["four", "hour", "flour", "exercise", "precise", "promise", "contour", "advertise", "programmed", "fulfilled"],
)
def test_words_that_only_look_british_are_left_alone(word):
    assert american_spelling(word) == word


def test_negations_and_negating_prefixes():
    assert is_negation("not") and is_negation("didn't") and is_negation("without")
    assert not is_negation("note")
    assert negation_prefix("effective", "ineffective") == "in"
    assert negation_prefix("nonsignificant", "significant") == "non"
    assert negation_prefix("changed", "unchanged") == "un"
    assert negation_prefix("into", "to") is None
    assert negation_prefix("pain", "spain") is None


def test_word_lists_are_normalised_and_disjoint_where_it_matters():
    for words in (HEDGES, NEGATIONS, QUALIFIERS, COMPARATIVES):
        assert all(word == normalize(word) for word in words)
    assert {"may", "might", "could", "suggest", "appear"} <= HEDGES
    assert {"slightly", "possibly", "some", "only", "limited"} <= HEDGES | QUALIFIERS
    assert {"more", "less", "higher", "lower", "than", "versus"} <= COMPARATIVES
    assert not HEDGES & NEGATIONS


@given(st.text(alphabet="abcdefghilmnoprstuyz", min_size=3, max_size=14))
def test_american_spelling_is_idempotent(word):
    once = american_spelling(word)
    assert american_spelling(once) == once


def test_a_p_value_broken_by_a_space_does_not_end_a_sentence():
    sentences = [span.text for span in split_sentences("Pain fell (risk difference, 0.30; P <. 001). Function improved.")]
    assert sentences == ["Pain fell (risk difference, 0.30; P <. 001).", "Function improved."]
