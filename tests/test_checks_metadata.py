"""Metadata checks M201-M207 on records written for these tests, and the accuracy set's thresholds."""

from dataclasses import replace

import pytest

import bench.accuracy as bench
from claimcheck import rules
from claimcheck.checks.metadata import check_metadata
from claimcheck.checks.references import check_reference
from claimcheck.facts import MONTHS, country_for
from claimcheck.model import (
    AbstractSection,
    Author,
    CheckSettings,
    Claim,
    Finding,
    PartialDate,
    Record,
    Reference,
    Severity,
    Stated,
)
from claimcheck.records import iter_pubmed_file


OSLO_TRIAL = Record(
    pmid="26600001",
    title=(
        "Long-term effects of supervised exercise and education on walking capacity in hip osteoarthritis: "
        "secondary analysis of a randomized trial"
    ),
    abstract_sections=(
        AbstractSection(
            "METHODS",
            "METHODS",
            "One hundred and nine participants were randomized to exercise plus education (n = 55) or education "
            "alone (n = 54).",
        ),
        AbstractSection(
            "RESULTS", "RESULTS", "Adherence was 53%. No between-group differences were found at 10 years."
        ),
    ),
    journal_title="Physical Therapy",
    iso_abbreviation="Phys Ther",
    medline_ta="Phys Ther",
    volume="96",
    issue="6",
    pages="818-27",
    pub_date=PartialDate(2016, 6),
    article_date=PartialDate(2015, 12, 17),
    authors=(
        Author(
            "Svege", "Inger", "I", affiliations=("Institute of Clinical Medicine, University of Oslo, Oslo, Norway",)
        ),
        Author(
            "Fernandez",
            "Luis",
            "L",
            affiliations=("Norwegian Research Centre for Active Rehabilitation, Oslo, Norway",),
        ),
        Author(
            "van der Berg",
            "Hanne",
            "H",
            affiliations=("Division of Orthopaedic Surgery, Oslo University Hospital, Oslo, Norway",),
        ),
    ),
    publication_types=("Journal Article", "Randomized Controlled Trial"),
)

REVIEW = Record(
    pmid="33060001",
    title="Which patients with hip osteoarthritis respond to exercise therapy? A systematic review and meta-analysis",
    abstract_sections=(
        AbstractSection(
            "",
            "",
            "We searched five databases for trials of exercise therapy. Twelve trials with 1,314 participants were "
            "included. About one in seven patients responded.",
        ),
    ),
    journal_title="International Journal of Environmental Research and Public Health",
    iso_abbreviation="Int J Environ Res Public Health",
    medline_ta="Int J Environ Res Public Health",
    pub_date=PartialDate(2020, 10, 13),
    article_date=PartialDate(2020, 10, 13),
    authors=(
        Author(
            "Teunissen",
            "Carla H",
            "CH",
            affiliations=(
                "Department of General Practice, Erasmus MC University Medical Center Rotterdam, "
                "Rotterdam, The Netherlands",
            ),
        ),
    ),
    publication_types=("Journal Article", "Meta-Analysis", "Systematic Review"),
)

BMC = Record(
    pmid="30100001",
    title="People with mild-to-moderate hip osteoarthritis have lower limb strength and muscle volume deficits",
    abstract_sections=(
        AbstractSection(
            "METHODS",
            "METHODS",
            "People with hip osteoarthritis (unilateral n = 12; bilateral n = 7) and 17 healthy controls were tested.",
        ),
    ),
    journal_title="BMC Musculoskeletal Disorders",
    iso_abbreviation="BMC Musculoskelet Disord",
    medline_ta="BMC Musculoskelet Disord",
    pub_date=PartialDate(2018, 8, 21),
    article_date=PartialDate(2018, 8, 21),
    authors=(
        Author(
            "Lourenco",
            "Ana",
            "A",
            affiliations=("School of Allied Health Sciences, Griffith University, Gold Coast, Queensland, Australia",),
        ),
        Author(
            "Gül",
            "Deniz",
            "D",
            affiliations=("Menzies Health Institute Queensland, Griffith University, Gold Coast, Australia",),
        ),
    ),
    publication_types=("Journal Article", "Comparative Study"),
)

BIOLOGY = Record(
    pmid="34900001",
    title="Resistance programmes and hip muscle function in hip osteoarthritis: a systematic review with meta-analysis",
    abstract_sections=(AbstractSection("", "", "Twenty-two trials with 1,184 participants were included."),),
    journal_title="Biology",
    iso_abbreviation="Biology (Basel)",
    medline_ta="Biology (Basel)",
    pub_date=PartialDate(2021, 12),
    authors=(
        Author(
            "Rowe",
            "Zoe",
            "Z",
            affiliations=("School of Allied Health, La Trobe University, Melbourne, VIC 3086, Australia",),
        ),
    ),
    publication_types=("Journal Article", "Systematic Review", "Meta-Analysis"),
)


def claim(text: str | None = None, *, stated: Stated | None = None) -> Claim:
    return Claim(id="c1", refs=("1",), file="claims/hip.yaml", line=20, text=text, stated=stated or Stated())


def findings(text: str | None, record: Record, *, stated: Stated | None = None) -> list[Finding]:
    return list(check_metadata(claim(text, stated=stated), record, CheckSettings()))


def codes(text: str | None, record: Record, *, stated: Stated | None = None) -> list[str]:
    return [
        finding.rule.code for finding in findings(text, record, stated=stated) if finding.severity >= Severity.WARNING
    ]


# --- M201 journal-mismatch ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "record"),
    [
        ("Published in the journal Physical Medicine, (3) the study focused on walking.", OSLO_TRIAL),
        ("It was published in the journal Biology of Sport (2).", BIOLOGY),
        ("The trial appeared in the journal Physiotherapy Research International (3).", OSLO_TRIAL),
        ("This research appears in the medical journal BioMed Central Musculoskeletal Research (5).", BMC),
    ],
)
def test_m201_fires_for_another_journal(text, record):
    assert codes(text, record) == ["M201"]


def test_m201_reports_a_near_miss_spelling_as_a_misspelling_of_the_right_journal():
    plos = replace(BMC, journal_title="PloS one", iso_abbreviation="PLoS One", medline_ta="PLoS One")
    [finding] = findings("A team at the hospital has recently published in the health journal PLusOne.(7)", plos)
    assert finding.rule is rules.JOURNAL_MISMATCH
    assert "misspelling" in finding.message and '"PLusOne"' in finding.message and "PloS one" in finding.message
    assert (finding.evidence.field, finding.evidence.record_value, finding.evidence.article_text) == (
        "journal",
        "PloS one",
        "PLusOne",
    )


def test_m201_from_stated_is_placed_at_the_stated_line():
    [finding] = findings("A Norwegian trial.", OSLO_TRIAL, stated=Stated(journal="Journal of Physiotherapy", line=24))
    assert finding.rule.code == "M201"
    assert (finding.file, finding.line, finding.claim_id, finding.pmid) == ("claims/hip.yaml", 24, "c1", "26600001")
    assert "Journal of Physiotherapy" in finding.message and "Physical Therapy" in finding.message


@pytest.mark.parametrize(
    ("text", "record"),
    [
        ("This research appears in the medical journal BioMed Central Musculoskeletal Disorders (5).", BMC),
        ("Published in the journal Physical therapy, (3) the study focused on walking.", OSLO_TRIAL),
        ("It was published in the journal Review Biology (2).", BIOLOGY),
        ("The results appeared in BMC Musculoskelet. Disord. (5).", BMC),
        ("A study (4) in the international journal of environmental research & public health found this.", REVIEW),
        ("The study was published in the journal PHYSICAL THERAPY (3).", OSLO_TRIAL),
        ("The results appeared in Int. J. Environ. Res. Public Health (4).", REVIEW),
    ],
)
def test_m201_near_misses_do_not_fire(text, record):
    assert "M201" not in codes(text, record)


def test_m201_accepts_acronyms_and_medline_abbreviations():
    jama = replace(OSLO_TRIAL, journal_title="JAMA", iso_abbreviation="JAMA", medline_ta="JAMA")
    assert "M201" not in codes("It was published in the Journal of the American Medical Association (3).", jama)
    cartilage = replace(OSLO_TRIAL, journal_title="Osteoarthritis and Cartilage", medline_ta="Osteoarthritis Cartilage")
    assert "M201" not in codes("A paper published in Osteoarthritis Cartilage (10) reviewed this.", cartilage)


# --- M202 date-mismatch ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "record"),
    [
        ("The study was referenced in a November 2021 paper from La Trobe University.", BIOLOGY),
        ("The results were published in 2014 after ten years.", OSLO_TRIAL),
        ("Now look at a paper published in June 2019 in the BMC Musculoskeletal Disorders (5).", BMC),
        (
            "An October 2017 study looked at walking.",
            replace(OSLO_TRIAL, pub_date=PartialDate(2017, 12), article_date=PartialDate(2017, 11, 2)),
        ),
    ],
)
def test_m202_fires_when_neither_print_nor_electronic_date_matches(text, record):
    assert codes(text, record) == ["M202"]


def test_m202_names_both_dates_and_fields():
    [finding] = findings("The results were published in 2014 after ten years.", OSLO_TRIAL)
    assert "2016 Jun" in finding.message and "2015 Dec 17" in finding.message and '"2014"' in finding.message
    assert finding.evidence.field == "pub_date, article_date"
    assert finding.evidence.article_text == "2014"


@pytest.mark.parametrize(
    ("text", "record"),
    [
        ("A December 2015 paper reported the long-term results.", OSLO_TRIAL),
        ("A June 2016 paper reported the long-term results.", OSLO_TRIAL),
        ("An April 2022 paper gave this summary.", replace(OSLO_TRIAL, pub_date=PartialDate(2022), article_date=None)),
        (
            "A letter published in April 1996 described runners.",
            replace(OSLO_TRIAL, pub_date=PartialDate(1996, raw="1996 Mar-Apr"), article_date=None),
        ),
        ("The trial was published in 2016.", OSLO_TRIAL),
        ("A December 2021 paper from La Trobe University.", BIOLOGY),
    ],
)
def test_m202_near_misses_do_not_fire(text, record):
    assert "M202" not in codes(text, record)


def test_m202_says_nothing_when_the_record_has_no_date():
    assert codes("A 2019 study looked at walking.", replace(OSLO_TRIAL, pub_date=None, article_date=None)) == []


# --- M203 institution-mismatch ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "record", "named"),
    [
        (
            "A paper from La Trobe University and the University of Auckland reviewed the trials.",
            BIOLOGY,
            "University of Auckland",
        ),
        ("Doctors at the University of Copenhagen followed the patients.", OSLO_TRIAL, "University of Copenhagen"),
        ("Researchers at Leiden University pooled the trials.", REVIEW, "Leiden University"),
        ("Researchers pooled the trials.", REVIEW, "Karolinska Institutet"),
    ],
)
def test_m203_fires_for_an_institution_not_in_the_affiliations(text, record, named):
    stated = Stated(institution="Karolinska Institutet", line=22) if named == "Karolinska Institutet" else None
    [finding] = [found for found in findings(text, record, stated=stated) if found.rule.code == "M203"]
    assert finding.severity is Severity.WARNING
    assert f'"{named}"' in finding.message and record.pmid in finding.message
    assert finding.evidence.field == "affiliations"
    assert finding.evidence.record_value == "; ".join(record.affiliations)


@pytest.mark.parametrize(
    ("text", "record"),
    [
        ("A team of researchers from Oslo University evaluated exercise therapy.", OSLO_TRIAL),
        ("Doctors at Griffith University measured muscle volume.", BMC),
        ("A paper from LA TROBE UNIVERSITY's team reviewed the trials.", BIOLOGY),
        ("Researchers at Erasmus University Medical Center pooled the trials.", REVIEW),
        ("Surgeons at Oslo University Hospital followed the patients.", OSLO_TRIAL),
        ("Scores on the Hospital Anxiety and Depression Scale fell.", OSLO_TRIAL),
    ],
)
def test_m203_near_misses_do_not_fire(text, record):
    assert "M203" not in codes(text, record)


def test_m203_without_affiliations_says_it_could_not_check_and_never_flags():
    bare = replace(OSLO_TRIAL, authors=(Author("Svege", "Inger", "I"),))
    [finding] = findings("Doctors at Harvard University followed the patients.", bare)
    assert finding.rule is rules.INSTITUTION_MISMATCH
    assert finding.severity is Severity.INFO
    assert "could not be checked" in finding.message and "Harvard University" in finding.message


# --- M204 country-mismatch --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "record", "named"),
    [
        ("Doctors in New Zealand measured muscle volume.", BMC, "New Zealand"),
        ("Danish researchers followed the patients for ten years.", OSLO_TRIAL, "Denmark"),
        ("A research team in Belgium pooled the trials.", REVIEW, "Belgium"),
        ("A paper from La Trobe University and the University of Auckland in New Zealand.", BIOLOGY, "New Zealand"),
    ],
)
def test_m204_fires_for_a_country_no_affiliation_names(text, record, named):
    [finding] = [found for found in findings(text, record) if found.rule.code == "M204"]
    assert finding.severity is Severity.WARNING
    assert f'"{named}"' in finding.message


@pytest.mark.parametrize(
    ("text", "record"),
    [
        ("A team of researchers from Oslo University in Norway evaluated exercise therapy.", OSLO_TRIAL),
        ("A research team in the Netherlands pooled the trials.", REVIEW),
        ("Researchers in Holland pooled the trials.", REVIEW),
        (
            "Surgeons in the United States reviewed the options.",
            replace(BMC, authors=(Author("Brandt", affiliations=("NYU Langone Health, New York, NY 10003",)),)),
        ),
        (
            "US researchers reviewed the options.",
            replace(BMC, authors=(Author("Brandt", affiliations=("Harvard Medical School, Boston, Massachusetts",)),)),
        ),
        (
            "Researchers in the UK reviewed the options.",
            replace(BMC, authors=(Author("Brandt", affiliations=("University of Leeds, Leeds, England",)),)),
        ),
        (
            "Researchers in Turkey compared the options.",
            replace(BMC, authors=(Author("Gül", affiliations=("Tokat State Hospital, Tokat, Türkiye",)),)),
        ),
    ],
)
def test_m204_near_misses_do_not_fire(text, record):
    assert "M204" not in codes(text, record)


def test_m204_without_any_country_in_the_affiliations_is_info_only():
    local = replace(BMC, authors=(Author("Lourenco", affiliations=("School of Allied Health Sciences, Gold Coast",)),))
    [finding] = findings("Doctors in New Zealand measured muscle volume.", local)
    assert (finding.rule.code, finding.severity) == ("M204", Severity.INFO)


def test_m204_australian_state_is_not_the_uk():
    sydney = replace(
        BMC, authors=(Author("Rowe", affiliations=("University of Sydney, Sydney, New South Wales, Australia",)),)
    )
    assert codes("Researchers in the UK measured muscle volume.", sydney) == ["M204"]


# --- M205 author-mismatch ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "record", "stated"),
    [
        ("Svensson and colleagues followed the patients for ten years.", OSLO_TRIAL, None),
        ("Hammond et al. measured muscle volume.", BMC, None),
        ("A team led by Dr. Laura Diamond measured muscle volume.", BMC, None),
        ("The team measured muscle volume.", BMC, Stated(author="Barrett R", line=21)),
    ],
)
def test_m205_fires_for_a_name_not_among_the_authors(text, record, stated):
    [finding] = findings(text, record, stated=stated)
    assert finding.rule.code == "M205"
    assert finding.evidence.field == "authors"
    assert record.authors[0].display_name in finding.message
    assert finding.line == (stated.line if stated else 20)


@pytest.mark.parametrize(
    ("text", "record"),
    [
        ("Svege and colleagues followed the patients for ten years.", OSLO_TRIAL),
        ("van der Berg et al. followed the patients.", OSLO_TRIAL),
        ("Gul et al. measured muscle volume.", BMC),
        ("LOURENCO and co-workers measured muscle volume.", BMC),
        ("A trial led by Professor Inger Svege followed the patients.", OSLO_TRIAL),
    ],
)
def test_m205_near_misses_do_not_fire(text, record):
    assert "M205" not in codes(text, record)


def test_m205_stated_author_with_initials_matches():
    assert codes(None, OSLO_TRIAL, stated=Stated(author="Svege I")) == []


# --- M206 count-mismatch ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "record", "count"),
    [
        ("The trial followed 120 people with hip osteoarthritis.", OSLO_TRIAL, "120"),
        ("Nineteen (19) people took part alongside 21 healthy controls.", BMC, "21"),
        ("The review pooled 14 trials.", REVIEW, "14"),
    ],
)
def test_m206_fires_for_a_count_the_abstract_does_not_give(text, record, count):
    [finding] = findings(text, record)
    assert finding.rule is rules.COUNT_MISMATCH
    assert finding.severity is Severity.ERROR
    assert f"count of {count}" in finding.message
    assert finding.evidence.field == "abstract"
    assert finding.evidence.record_value and finding.evidence.record_value != record.abstract


def test_m206_names_the_counts_the_abstract_gives():
    [finding] = findings("The trial followed 120 people with hip osteoarthritis.", OSLO_TRIAL)
    given = [count for count in finding.evidence.record_value.split("; ") if count]
    assert given and all(count in OSLO_TRIAL.abstract for count in given)
    assert f"(it counts {given[0]}" in finding.message


def test_m206_fires_for_a_stated_sample_size():
    [finding] = findings(
        "The trial followed people for ten years.", OSLO_TRIAL, stated=Stated(sample_size=300, line=23)
    )
    assert (finding.rule.code, finding.line, finding.evidence.article_text) == ("M206", 23, "300")


@pytest.mark.parametrize(
    ("text", "record"),
    [
        ("Nineteen (19) people took part: 12 people had one hip affected and 7 people had both.", BMC),
        ("One hundred and nine participants were followed for ten years.", OSLO_TRIAL),
        ("The trial randomised 109 people, 55 to exercise and 54 to education alone.", OSLO_TRIAL),
        ("The review included twelve trials with 1,314 participants.", REVIEW),
        ("About 1,200 participants were included in the review.", REVIEW),
        ("Seventeen healthy controls were compared.", BMC),
    ],
)
def test_m206_near_misses_do_not_fire(text, record):
    assert "M206" not in codes(text, record)


COHORT_COUNTS = replace(
    OSLO_TRIAL,
    pmid="26600002",
    abstract_sections=(
        AbstractSection(
            "METHODS",
            "METHODS",
            "We invited 2,120 residents. Twelve men agreed. Seven women joined later, and the hazard ratio was 0.120. "
            "In all, 1,120 questionnaires and 64 interviews were analysed. The 83 clinics were small.",
        ),
    ),
)


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("The study looked at 120 residents.", True),  # only inside 2,120, 1,120 and 0.120
        ("The study asked 212 residents.", True),  # only the start of 2,120
        ("The study looked at 19 people.", False),  # twelve and seven, across a full stop
        ("The study looked at 2,120 residents.", False),
        ("The study analysed 64 interviews.", False),
        ("The study looked at 83 clinics.", False),  # the count ends a sentence
        ("The study looked at 1184 people.", False),  # 1,120 and 64, one after the other
    ],
)
def test_m206_reads_counts_written_in_digits_inside_other_numbers_and_across_sentences(text, fires):
    assert ("M206" in codes(text, COHORT_COUNTS)) is fires


def test_metadata_findings_are_the_same_when_a_claim_and_record_are_checked_again():
    # The checks keep what they read from claims and records: a second check must give the same findings.
    for text in ("The study looked at 120 residents in Japan.", "A cohort study at the University of Bergen."):
        first = findings(text, COHORT_COUNTS)
        assert first and findings(text, COHORT_COUNTS) == first


def test_m206_says_nothing_without_an_abstract():
    assert codes("The trial followed 120 people.", replace(OSLO_TRIAL, abstract_sections=())) == []


# --- M207 design-mismatch ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "record"),
    [
        ("A research team was asked to examine patients' medical records to assess exercise.", REVIEW),
        ("A systematic review of exercise found no lasting benefit.", OSLO_TRIAL),
        (
            "A randomized controlled trial measured muscle volume.",
            replace(
                BMC,
                title="Muscle volume in hip osteoarthritis: a prospective cohort study",
                publication_types=("Journal Article", "Observational Study"),
            ),
        ),
        (
            "A randomised trial compared arthroscopy with therapy.",
            replace(BIOLOGY, title="Hip arthroscopy: where we stand", publication_types=("Journal Article", "Review")),
        ),
    ],
)
def test_m207_fires_for_a_design_of_another_family(text, record):
    [finding] = [found for found in findings(text, record) if found.rule.code == "M207"]
    assert finding.evidence.field == "publication_types"
    assert finding.evidence.record_value == ", ".join(record.publication_types)


@pytest.mark.parametrize(
    ("text", "record"),
    [
        ("A meta-analysis of randomized trials found little benefit.", BIOLOGY),
        ("A systematic review pooled the trials.", REVIEW),
        ("A meta-analysis found that few patients respond.", REVIEW),
        ("A randomized controlled trial compared exercise with education.", OSLO_TRIAL),
        (
            "The team reviewed medical records.",
            replace(BMC, title="A retrospective cohort of hip osteoarthritis", publication_types=("Journal Article",)),
        ),
        ("A randomized trial measured muscle volume.", BMC),
    ],
)
def test_m207_near_misses_do_not_fire(text, record):
    assert "M207" not in codes(text, record)


def test_m207_abstract_confirming_the_design_wins_over_the_types():
    records_review = replace(
        REVIEW,
        publication_types=("Journal Article", "Review"),
        title="Exercise for hip osteoarthritis",
        abstract_sections=(AbstractSection("", "", "We reviewed the medical records of 300 patients."),),
    )
    assert "M207" not in codes("The team examined patients' medical records.", records_review)


def test_a_claim_that_states_nothing_checkable_has_no_findings():
    assert findings("Exercise may help some people with hip pain.", OSLO_TRIAL) == []
    assert findings(None, OSLO_TRIAL) == []


# --- the accuracy set -------------------------------------------------------------------------


def test_accuracy_set_meets_precision_and_recall_per_family():
    outcomes, items = [], []
    for path in bench.all_sets():  # every set runs through every check: cross-family false alarms count
        records, set_items = bench.load_set(path)
        outcomes += bench.run(records, set_items)
        items += set_items
    scores = bench.score(outcomes)
    labelled = {code[0] for item in items for code in item["expect"]}
    assert {"M", "R", "O", "Q"} <= labelled
    assert sum(1 for item in items if any(code[0] in "MR" for code in item["expect"]) or not item["expect"]) >= 40
    for family in labelled:
        score = scores[family]
        assert score.precision >= 0.9, (family, score)
        assert score.recall >= 0.8, (family, score)


# --- real records: what a record says of itself must never be flagged ---------------------------


def consistent_claims(record: Record) -> list[str]:
    """Claims that restate the record's own journal, date, first author and country, as articles word them."""
    texts = []
    if record.journal_title:
        texts.append(f"It was published in the journal {record.journal_title} (1).")
    if record.iso_abbreviation:
        texts.append(f"The paper appeared in {record.iso_abbreviation} (1).")
    if record.pub_date and record.pub_date.year and record.pub_date.month:
        month = list(MONTHS)[record.pub_date.month - 1].title()
        texts.append(f"A {month} {record.pub_date.year} paper reported this.")
    if record.authors and record.authors[0].last_name:
        texts.append(f"{record.authors[0].last_name} et al. reported this.")
    if record.affiliations:
        place = record.affiliations[0].rstrip(". ").split(",")[-1].strip()
        if country_for(place):
            texts.append(f"A team of researchers in {place} reported this.")
    return texts


def own_citation(record: Record) -> str | None:
    """The record's citation in the Vancouver style of reference lists."""
    if not (record.pub_date and record.pub_date.year and record.authors and record.volume):
        return None
    names = ", ".join(author.display_name for author in record.authors[:6])
    month = f" {list(MONTHS)[record.pub_date.month - 1][:3].title()}" if record.pub_date.month else ""
    issue = f"({record.issue})" if record.issue else ""
    pages = f":{record.pages}" if record.pages else ""
    journal = record.iso_abbreviation or record.journal_title
    return f"{names}. {record.title} {journal}. {record.pub_date.year}{month};{record.volume}{issue}{pages}."


@pytest.mark.corpus
def test_real_records_never_contradict_themselves(pubmed_corpus):
    checked = flagged = 0
    examples = []
    for path in pubmed_corpus.values():
        for index, record in enumerate(iter_pubmed_file(path)):
            if index % 10 or not isinstance(record, Record):
                continue
            for text in consistent_claims(record):
                checked += 1
                found = [finding.message for finding in findings(text, record) if finding.severity >= Severity.WARNING]
                flagged += bool(found)
                examples.extend(found[:1])
            citation = own_citation(record)
            if citation:
                checked += 1
                reference = Reference(key="1", line=1, citation=citation, pmid=record.pmid)
                found = [finding.message for finding in check_reference(claim(), reference, record)]
                flagged += bool(found)
                examples.extend(found[:1])
    assert checked > 20_000
    assert flagged / checked < 0.002, examples[:10]
