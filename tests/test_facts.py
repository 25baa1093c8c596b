"""Reading the facts a claim states about its source, from its words and its ``stated:`` block."""

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimcheck import facts as facts_module
from claimcheck.facts import (
    canonical_design,
    country_for,
    fold,
    parse_count,
    parse_date,
    read_facts,
    surname_of,
)
from claimcheck.model import Claim, Fact, Quote, Stated


def claim(text: str | None = None, *, stated: Stated | None = None, quotes: tuple[Quote, ...] = ()) -> Claim:
    return Claim(
        id="c1", refs=("1",), file="claims/x.yaml", line=10, text=text, quotes=quotes, stated=stated or Stated()
    )


def values(facts: tuple[Fact, ...], kind: str) -> list[str]:
    return [fact.value for fact in facts if fact.kind == kind]


def test_reads_journal_date_and_institution_from_the_copenhagen_sentence():
    facts = read_facts(
        claim(
            "Doctors at the University of Copenhagen published a study in the October 2017 edition of "
            "Physiotherapy Research International (1) in which they examined patients with hip osteoarthritis."
        )
    )
    assert values(facts, "journal") == ["Physiotherapy Research International"]
    assert values(facts, "date") == ["October 2017"]
    assert values(facts, "institution") == ["University of Copenhagen"]
    assert all(fact.origin == "text" for fact in facts)


def test_reads_two_institutions_a_country_and_an_article_type_journal():
    facts = read_facts(
        claim(
            "The above study was referenced in a November 2021 paper from La Trobe University and the University "
            "of Auckland in New Zealand. It was published in the journal Review Biology (2)."
        )
    )
    assert values(facts, "institution") == ["La Trobe University", "University of Auckland"]
    assert values(facts, "country") == ["New Zealand"]
    assert values(facts, "journal") == ["Review Biology"]
    assert values(facts, "date") == ["November 2021"]


def test_reads_oslo_university_norway_and_a_journal_before_a_comma_mark():
    facts = read_facts(
        claim(
            "A team of researchers from Oslo University in Norway evaluated exercise therapy. Published in the "
            "journal Physical Therapy, (3) the key to this Oslo University study was walking."
        )
    )
    assert values(facts, "institution") == ["Oslo University"]
    assert values(facts, "country") == ["Norway"]
    assert values(facts, "journal") == ["Physical Therapy"]


def test_reads_the_netherlands_a_chart_review_and_a_journal_named_journal():
    facts = read_facts(
        claim(
            "We stop at an October 2020 study (4) in the International Journal of Environmental Research and Public "
            "Health that gives surprising outcomes. In this study, a research team in the Netherlands was asked to "
            "examine patients\u2019 medical records to assess the effectiveness of exercise for hip pain."
        )
    )
    assert values(facts, "journal") == ["International Journal of Environmental Research and Public Health"]
    assert values(facts, "country") == ["Netherlands"]
    assert values(facts, "design") == ["examine patients' medical records"]
    assert values(facts, "date") == ["October 2020"]


def test_reads_counts_in_words_digits_and_brackets():
    facts = read_facts(
        claim(
            "Nineteen (19) people with mild-to-moderate hip osteoarthritis took part: 12 people had one hip affected "
            "and 7 people had both. There were 46 hips of 41 patients, n = 21 in the exercise group."
        )
    )
    counts = values(facts, "count")
    assert counts == ["Nineteen (19) people", "12 people", "7 people", "46 hips", "41 patients", "n = 21"]
    assert [parse_count(count) for count in counts] == [19, 12, 7, 46, 41, 21]


@pytest.mark.parametrize("place", ["Oslo", "İzmir"])  # "İ" lower-cases to two characters
def test_counts_keep_the_claims_own_letters_whatever_their_case(place):
    facts = read_facts(claim(f"The review pooled 12 RCTs and Forty-Two Older ADULTS in {place}, then 9 Patients more."))
    assert values(facts, "count") == ["12 RCTs", "Forty-Two Older ADULTS", "9 Patients"]


def test_reads_authors_in_their_usual_forms():
    facts = read_facts(
        claim("Bieler et al. agreed with van Middelkoop and colleagues, in a trial led by Dr. Ana Ruiz.")
    )
    assert values(facts, "author") == ["Bieler", "van Middelkoop", "Ruiz"]


def test_reads_designs_but_not_the_studies_a_review_pooled():
    facts = read_facts(claim("A meta-analysis of randomized controlled trials, and a randomised controlled trial."))
    assert values(facts, "design") == ["meta-analysis", "randomised controlled trial"]
    assert [canonical_design(value) for value in values(facts, "design")] == ["meta-analysis", "randomized trial"]


def test_reads_a_journal_with_lower_case_words_before_its_reference_mark():
    facts = read_facts(
        claim("An April 2022 paper in the journal Orthopedic research and reviews (11) gave this summary.")
    )
    assert values(facts, "journal") == ["Orthopedic research and reviews"]
    assert values(facts, "date") == ["April 2022"]


def test_reads_a_date_after_published_and_the_journal():
    facts = read_facts(claim("A paper published in Osteoarthritis Cartilage (10) in November 2021 describes this."))
    assert values(facts, "journal") == ["Osteoarthritis Cartilage"]
    assert values(facts, "date") == ["November 2021"]


def test_reads_countries_from_demonyms_before_researchers():
    facts = read_facts(claim("Listen to what a team of German surgeons at the University of Leipzig published."))
    assert values(facts, "country") == ["Germany"]
    assert values(facts, "institution") == ["University of Leipzig"]


def test_stated_values_win_over_the_text_for_their_kind():
    stated = Stated(journal="Physical Therapy", sample_size=109, line=14)
    facts = read_facts(claim("It was published in the journal Physiotherapy (3) in June 2016.", stated=stated))
    assert [(fact.kind, fact.value, fact.origin) for fact in facts] == [
        ("journal", "Physical Therapy", "stated"),
        ("date", "June 2016", "text"),
        ("count", "109", "stated"),
    ]


def test_every_stated_field_becomes_a_fact():
    stated = Stated(
        journal="BMJ",
        date="2019-03",
        institution="Karolinska Institutet",
        country="Sweden",
        sample_size=40,
        author="Svensson A",
        design="cohort study",
        line=3,
    )
    facts = read_facts(claim(None, stated=stated))
    assert [fact.kind for fact in facts] == ["journal", "date", "institution", "country", "count", "author", "design"]
    assert {fact.origin for fact in facts} == {"stated"}


def test_quotes_are_not_a_source_of_facts():
    quote = Quote(text="published in the journal Nature in March 2010 by 300 patients", line=12)
    assert read_facts(claim("The authors concluded as follows.", quotes=(quote,))) == ()


@pytest.mark.parametrize(
    "text",
    [
        "14% of hip osteoarthritis patients responded to exercise programs.",
        "Four months of training for 12 months, 3 weeks and 6 months of follow-up.",
        "Many of these patients read about 5 great exercises to strengthen the hip.",
        "About 1,200 adults in the region have hip pain, and nearly 300 patients wait for surgery.",
        "One in 7 of the people who were not exercising would benefit, about 14%.",
    ],
)
def test_numbers_that_are_not_study_counts_are_not_read(text):
    assert values(read_facts(claim(text)), "count") == []


@pytest.mark.parametrize(
    "text",
    [
        "Patients recruited in 2015 were followed until 2019 and treated in March 2016.",
        "Between 2010 and 2015, hip replacements rose.",
        "This article was updated January 6, 2022.",
    ],
)
def test_years_that_are_not_publication_dates_are_not_read(text):
    assert values(read_facts(claim(text)), "date") == []


@pytest.mark.parametrize(
    "text",
    [
        "The results were published in Norway first.",
        "A study in Oslo (3) looked at walking.",
        "Recent comparative meta-analyses have tended to favor arthroscopic intervention.",
        "Multiple randomized trials have been conducted.",
        "Scores on the Hospital Anxiety and Depression Scale fell.",
        "A non-randomized study compared two groups.",
        "Clinical practice guidelines recommend exercise as the first line of management.",
    ],
)
def test_near_misses_read_no_journal_design_or_institution(text):
    facts = read_facts(claim(text))
    assert values(facts, "journal") == []
    assert values(facts, "design") == []
    assert values(facts, "institution") == []


def test_a_country_without_researchers_before_it_is_not_where_the_study_was_done():
    facts = read_facts(claim("Hip osteoarthritis is common in Norway, and a trial tested walking."))
    assert values(facts, "country") == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("October 2017", (2017, 10)),
        ("2019", (2019, None)),
        ("2016 Jun 1", (2016, 6)),
        ("Sept. 2020", (2020, 9)),
        ("2019-03", (2019, 3)),
        ("spring", (None, None)),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Nineteen (19) people", 19),
        ("Forty-one patients", 41),
        ("1,314 participants", 1314),
        ("n = 21", 21),
        ("x", None),
    ],
)
def test_parse_count(value, expected):
    assert parse_count(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("reviewed medical records", "chart review"),
        ("systematic review", "systematic review"),
        ("Randomised Controlled Trial", "randomized trial"),
        ("prospective cohort study", "cohort study"),
        ("a good read", None),
    ],
)
def test_canonical_design(value, expected):
    assert canonical_design(value) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Svege I", "Svege"),
        ("Svege, Inger", "Svege"),
        ("Inger Svege", "Svege"),
        ("Marienke van Middelkoop", "van Middelkoop"),
        ("Dr. Ana Ruiz", "Ruiz"),
    ],
)
def test_surname_of(name, expected):
    assert surname_of(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("the Netherlands", "Netherlands"),
        ("USA", "United States"),
        ("Türkiye", "Turkey"),
        ("Danish", "Denmark"),
        ("Atlantis", None),
    ],
)
def test_country_for(name, expected):
    assert country_for(name) == expected


def test_reads_a_list_of_countries():
    facts = read_facts(claim("Researchers in Australia and New Zealand are embarking on a new study."))
    assert values(facts, "country") == ["Australia", "New Zealand"]


@pytest.mark.parametrize(
    ("text", "journal"),
    [
        (
            "It was published in the journal American journal of health-system pharmacy (1).",
            "American journal of health-system pharmacy",
        ),
        ("The paper appeared in An Pediatr (Barc) (1).", "An Pediatr"),
        ("It was published in the journal Addictive behaviors reports (1).", "Addictive behaviors reports"),
        ("It was published in the journal Journal d'urologie (1).", "Journal d'urologie"),
    ],
)
def test_reads_journal_names_with_unusual_words(text, journal):
    assert values(read_facts(claim(text)), "journal") == [journal]


def test_reads_surnames_with_a_glued_particle():
    assert values(read_facts(claim("d'Allaines et al. reported this.")), "author") == ["d'Allaines"]


def test_reads_countries_named_before_researchers():
    facts = read_facts(claim("Australian and New Zealand researchers, and US scientists, reviewed the trials."))
    assert values(facts, "country") == ["Australia", "New Zealand", "United States"]


def test_reads_a_date_after_a_sentence_opening_published():
    facts = read_facts(claim("Published in BMC Musculoskeletal Disorders in 2017, the study measured muscle volume."))
    assert values(facts, "date") == ["2017"]
    assert values(facts, "journal") == ["BMC Musculoskeletal Disorders"]


# --- what the faster reading rests on ------------------------------------------------------------

DESIGN_PHRASES = (
    "a randomised controlled trial", "a Randomized double-blind placebo-controlled crossover trial", "one RCT",
    "a meta-analysis", "a meta analysis", "a systematic literature review", "a scoping review",
    "a narrative review", "an umbrella review", "a review of the literature", "they examined patients' medical records",
    "looked through the hospital case notes", "audited electronic health files", "a chart review",
    "a medical records review", "a retrospectively reviewed chart", "a retrospective chart review",
    "a population-based cohort study", "a case-control study", "a casecontrol study", "a cross-sectional survey",
    "an observational study", "a case report", "a case series", "A SYSTEMATIC REVIEW", "an Observational Study",
)
DESIGN_VOCABULARY = st.sampled_from(
    [word for phrase in DESIGN_PHRASES for word in phrase.split()] + ["of", "the", "their", "and", "trials", "Rct"]
)


@pytest.mark.parametrize("phrase", DESIGN_PHRASES)
def test_every_design_phrase_is_read_and_holds_a_word_of_its_design(phrase):
    patterns = facts_module._DESIGN_PATTERNS
    matched = [(design, match) for design, pattern in patterns for match in pattern.finditer(phrase)]
    assert matched
    for design, match in matched:
        assert any(word in match.group(0).lower() for word in facts_module._DESIGN_WORDS[design])
    assert canonical_design(phrase) is not None


@settings(max_examples=300, deadline=None)
@given(st.lists(DESIGN_VOCABULARY, min_size=1, max_size=12).map(" ".join))
def test_a_design_is_only_skipped_when_its_pattern_cannot_match(text):
    # designs_in skips a design whose words are not in the text: every match must hold one of them.
    for design, pattern in facts_module._DESIGN_PATTERNS:
        for match in pattern.finditer(text):
            assert any(word in match.group(0).lower() for word in facts_module._DESIGN_WORDS[design])


def test_text_that_does_not_lower_exactly_is_searched_for_every_design():
    # IGNORECASE takes the long s for an s; a check of the lowered text would not, and must not skip it.
    assert values(read_facts(claim("A \u017fystematic review found this.")), "design") == ["\u017fystematic review"]


@pytest.mark.parametrize(
    "text",
    [
        "Svege et al. found this.", "Bieler  et   al reported it.", "Svege and colleagues", "Holm and his co-workers",
        "Lee and coauthors", "a trial led by Dr. Ana Ruiz", "lead author, Prof. Jan van der Berg",
        "first author Kim said",
    ],
)
def test_every_author_match_holds_its_cue(text):
    matched = [(cue, match) for cue, pattern in facts_module._AUTHOR_PATTERNS for match in pattern.finditer(text)]
    assert matched
    for cue, match in matched:
        assert cue.search(match.group(0))
    assert values(read_facts(claim(text)), "author")


def test_facts_are_read_for_the_claim_asked_about_and_not_an_earlier_one():
    oslo = claim("Doctors at the University of Oslo ran the trial.")
    bergen = replace(oslo, text="Doctors at the University of Bergen ran the trial.")
    assert values(read_facts(oslo), "institution") == ["University of Oslo"]
    assert values(read_facts(bergen), "institution") == ["University of Bergen"]
    assert read_facts(claim(oslo.text)) == read_facts(oslo)
    assert values(read_facts(replace(oslo, stated=Stated(institution="Oslo University"))), "institution") == [
        "Oslo University"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Journal of Pain & Injury", "the journal of pain and injury"),
        ("St. John's College, Oxford", "st john college oxford"),
        ("Université Paris-Saclay", "universite paris saclay"),
        ("Türkiye", "turkiye"),
        ("ﬁnal report", "final report"),
        ("", ""),
    ],
)
def test_fold(text, expected):
    assert fold(text) == expected


@pytest.mark.parametrize(
    ("text", "countries"),
    [
        ("Researchers from the USA and the UK ran the trial.", ["United States", "United Kingdom"]),
        ("Researchers in the US and Canada ran the trial.", ["United States", "Canada"]),
        ("Researchers in Northern Ireland ran the trial.", ["United Kingdom"]),
        ("Researchers in Guinea ran the trial.", []),
    ],
)
def test_reads_countries_by_their_names_and_other_names(text, countries):
    assert values(read_facts(claim(text)), "country") == countries
