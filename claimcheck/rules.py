"""THE rule table: every finding claimcheck can report, with its code, name, severity and docs.

Codes are a family letter and three digits and are never reused: Q quotes, M metadata, O
overstatement, R references, U unavailable sources, C the claims file itself. Any prefix selects
(``Q``, ``Q10``, ``Q102``). docs/rules.md and ``claimcheck rules`` are generated from this table.
"""

from __future__ import annotations

from claimcheck.model import Rule, Severity

QUOTE_NOT_FOUND = Rule(
    code="Q101",
    name="quote-not-found",
    severity=Severity.WARNING,
    summary="No passage of the source's title or abstract matches the quote.",
    explanation=(
        "The quote was aligned against the title and every section of the abstract and no span came "
        "close. The words may come from the full text, which claimcheck cannot read, so they cannot "
        "be verified against the abstract. The finding shows the closest passage and its score."
    ),
    example='quote: "Exercise cured every patient in the trial." (nothing like it in the abstract)',
    fix=(
        "Check the quote against the full text. If it is there, accept the finding with the page "
        "or section as the reason; if not, remove the quotation marks and paraphrase honestly."
    ),
)
QUOTE_ALTERED = Rule(
    code="Q102",
    name="quote-altered",
    severity=Severity.ERROR,
    summary="The quote changes words that can flip or inflate the source's meaning.",
    explanation=(
        "The quote matches a passage of the source, but a negation was added or removed, a number, "
        "unit or percentage changed, a hedge or qualifier (may, might, suggest, slightly, limited "
        "evidence ...) dropped or added, or a comparative (more, less, higher, than, versus) changed."
    ),
    example='source "may increase hip abduction strength slightly", quote "increases hip abduction strength"',
    fix="Quote the source's exact words, or paraphrase outside quotation marks keeping its hedges and numbers.",
)
QUOTE_REWORDED = Rule(
    code="Q103",
    name="quote-reworded",
    severity=Severity.WARNING,
    summary="The quote differs from the source by words that do not obviously change its meaning.",
    explanation=(
        "Words were added, dropped or replaced, including explanations inserted in plain "
        "parentheses. A quotation presents words as the source's own, so any change is reported; "
        "editorial insertions belong in [square brackets]."
    ),
    example='source "patients with hip osteoarthritis", quote "people with hip osteoarthritis"',
    fix="Restore the source's words, put your own insertions in [square brackets], or mark gaps with an ellipsis.",
)
QUOTE_COSMETIC = Rule(
    code="Q104",
    name="quote-cosmetic",
    severity=Severity.INFO,
    summary="The quote differs from the source only by accepted editorial conventions.",
    explanation=(
        "Ellipses for gaps, [square brackets] for insertions, a changed first letter, an "
        "abbreviation replaced by the long form the source defines, British and American spellings "
        "and a trailing full stop are allowed; they are listed so the editor sees every difference."
    ),
    example='source "High-intensity resistance programs may", quote "high-intensity [exercise] programs may"',
    fix="Nothing to fix; this is information.",
)
QUOTE_SPLICED = Rule(
    code="Q105",
    name="quote-spliced",
    severity=Severity.WARNING,
    summary="The quote joins passages that are not adjacent in the source, without an ellipsis.",
    explanation=(
        "Each part of the quote is in the source, but they are separated there by other words, and "
        "the quote runs them together as if they were one passage."
    ),
    example='the end of RESULTS and the start of CONCLUSION quoted as one sentence with no "..."',
    fix="Mark the gap with an ellipsis (...) or quote the passages separately.",
)
JOURNAL_MISMATCH = Rule(
    code="M201",
    name="journal-mismatch",
    severity=Severity.WARNING,
    summary="The journal the claim names is not the journal that published the source.",
    explanation=(
        "The journal named in the claim (or its `stated:`) is neither the record's journal title, its "
        "ISO abbreviation nor its MEDLINE abbreviation. Case, '&' for 'and', a leading 'The', "
        "'BioMed Central' for 'BMC', dropped small words and an article-type word before the name "
        "('Review Biology') are accepted. A name that is a near-miss spelling of the record's journal "
        "is reported as a misspelling of it."
    ),
    example='"published in the journal Physical Medicine (3)" for a record in Physical Therapy',
    fix="Name the journal as PubMed does, or accept the finding with a reason (e.g. house style).",
)
DATE_MISMATCH = Rule(
    code="M202",
    name="date-mismatch",
    severity=Severity.WARNING,
    summary="The publication date the claim gives matches neither the print nor the electronic date.",
    explanation=(
        "The year, or the month and year, the claim gives for the source ('an October 2017 study', "
        "'published in 2019') differs from both the issue date (PubDate) and the electronic "
        "publication date (ArticleDate) of the record. Either of the two counts as right."
    ),
    example='"a November 2021 paper" for a record printed in December 2021 with no electronic date',
    fix="Give the month and year of the print or electronic publication, or drop the month.",
)
INSTITUTION_MISMATCH = Rule(
    code="M203",
    name="institution-mismatch",
    severity=Severity.WARNING,
    summary="An institution the claim names is not among the authors' affiliations.",
    explanation=(
        "Every institution the claim credits with the study ('researchers from Oslo University', "
        "'the University of Auckland') is looked for in the authors' affiliations, ignoring word "
        "order, case, accents and the 'University of X' / 'X University' forms. Where the record "
        "lists no affiliations the claim cannot be checked, and an info finding says so."
    ),
    example='"La Trobe University and the University of Auckland" for authors all at La Trobe University',
    fix="Name the institutions the authors' affiliations give, or drop the one that is not there.",
)
COUNTRY_MISMATCH = Rule(
    code="M204",
    name="country-mismatch",
    severity=Severity.WARNING,
    summary="A country the claim places the study in is not in any of the authors' affiliations.",
    explanation=(
        "Countries named in the claim ('in Norway', 'a team in the Netherlands', 'Danish "
        "researchers') are looked for in the affiliations, with common alternative names (UK, USA, "
        "Holland, US states). When no affiliation names any country the claim cannot be checked, "
        "and an info finding says so instead."
    ),
    example='"researchers in New Zealand" for authors whose affiliations are all in Australia',
    fix="Name the country the affiliations give, or drop it.",
)
AUTHOR_MISMATCH = Rule(
    code="M205",
    name="author-mismatch",
    severity=Severity.WARNING,
    summary="A person the claim names as an author of the source is not among its authors.",
    explanation=(
        "Names given as authors ('Smith et al.', 'Jones and colleagues', 'a team led by Dr. Ana "
        "Ruiz', `stated: author`) are compared with the record's author list by surname, ignoring "
        "case, accents, hyphens and particles such as 'van' or 'de'."
    ),
    example='"Svensson and colleagues found" for a record whose authors are Svege, Fernandes and Holm',
    fix="Correct the name to one of the record's authors, or attribute the finding to the study.",
)
COUNT_MISMATCH = Rule(
    code="M206",
    name="count-mismatch",
    severity=Severity.ERROR,
    summary="A number of participants the claim gives is not in the source's title or abstract.",
    explanation=(
        "Counts the claim attributes to the study ('Nineteen (19) people', '46 hips of 41 "
        "patients', 'n = 21', `stated: sample_size`) are looked for among the abstract's numbers, "
        "written in digits or words; the sum of two adjacent counts (12 unilateral and 7 bilateral "
        "for 19) also matches. A wrong sample size misleads readers about how strong the evidence is."
    ),
    example='"a trial of 120 patients" for an abstract reporting "Ninety-one patients were randomized"',
    fix="Give the count the abstract reports, or accept the finding with where the full text gives it.",
)
DESIGN_MISMATCH = Rule(
    code="M207",
    name="design-mismatch",
    severity=Severity.WARNING,
    summary="The study design the claim describes contradicts the record's publication types and abstract.",
    explanation=(
        "The design the claim gives ('a randomized trial', 'a meta-analysis', 'reviewed medical "
        "records') belongs to a different family (review, trial, observational study, case report) "
        "than the one the record's publication types and title give. Designs of one family "
        "(systematic review and meta-analysis; cohort study and chart review) are not told apart."
    ),
    example='"the team examined patients\' medical records" for a systematic review and meta-analysis',
    fix="Describe the design the record gives (e.g. 'a review of 20 trials').",
)
HEDGE_DROPPED = Rule(
    code="O301",
    name="hedge-dropped",
    severity=Severity.WARNING,
    summary="The source states the finding with a hedge; the claim states it as settled.",
    explanation=(
        "The sentence of the abstract that best matches the claim hedges the finding (may, might, "
        "suggest, appear, possibly, slightly, limited or low-certainty evidence ...), and the claim "
        "carries no hedge of its own (may, can, some, small, limited, the authors suggest ...). If another "
        "sentence of the abstract states the same finding plainly, nothing is reported."
    ),
    example=(
        'source "Four months of supervised strength training may be less effective than expected", '
        'claim "Four months of physical therapy was less effective than thought"'
    ),
    fix="Keep the source's hedge in your own words (\"may\", \"the authors suggest\", \"limited evidence\").",
)
CERTAINTY_BOOSTED = Rule(
    code="O302",
    name="certainty-boosted",
    severity=Severity.WARNING,
    summary="The claim adds words of certainty or extent that the source never uses.",
    explanation=(
        "Words such as clearly, proves, always, cure, definitely, eliminate, completely, dramatically or "
        "'all patients' appear in the claim but nothing of the kind appears in the source's title or "
        "abstract. Negated uses ('not always', 'no cure') are not reported."
    ),
    example='claim "exercise cures hip pain in all patients" for an abstract reporting "a small reduction in pain"',
    fix="Drop the word, or use the source's own measure of certainty and size.",
)
RELATIVE_AS_ABSOLUTE = Rule(
    code="O303",
    name="relative-as-absolute",
    severity=Severity.ERROR,
    summary="A figure the source gives as a difference or ratio is stated as a share of people.",
    explanation=(
        "The claim says 'X% of patients ...' while the source gives X only as a difference between "
        "groups ('X% more than', a risk difference, 'X percentage points'), a ratio, or a number needed "
        "to treat that comes to X% (an NNT of 7 is a difference of about 14%). A difference between "
        "groups says nothing about how many people responded. A claim that keeps the comparison "
        "('14% more patients than without exercise', 'one in 7 would benefit') is not reported."
    ),
    example=(
        'claim "14% of hip osteoarthritis patients responded to exercise programs" for a review '
        'reporting "a number needed to treat of 7" for response to exercise versus no exercise'
    ),
    fix="Say what the figure compares: 'about one in seven more patients responded than without exercise'.",
)
NUMBER_NOT_IN_SOURCE = Rule(
    code="O304",
    name="number-not-in-source",
    severity=Severity.WARNING,
    summary="A number the claim attributes to the source appears nowhere in its title or abstract.",
    explanation=(
        "Every number of the claim is looked for among the source's numbers, written in digits or "
        "words, rounded as the claim rounds it (loosely after 'about', 'nearly', 'over'), as a "
        "proportion or percentage, as a simple fraction (half, a third), as an NNT or 'one in N', as the "
        "difference of two percentages or the sum of two adjacent counts, and in other units (12 months "
        "for 1 year). Years, reference marks like '(4)', clock times, numbers inside names (SF-36), "
        "counts of participants (checked by M206) and the article's own statements are left out."
    ),
    example='claim "pain fell by 40%" for an abstract whose only figures are 12 weeks, 64 patients and 2.1 points',
    fix="Give the number the abstract gives, or accept the finding with where the full text gives it.",
)
PROTOCOL_AS_RESULT = Rule(
    code="O305",
    name="protocol-as-result",
    severity=Severity.ERROR,
    summary="The claim reports findings from a source that is a protocol and has no results.",
    explanation=(
        "The record is a study protocol: its publication type is 'Clinical Trial Protocol', its title "
        "says protocol, or its abstract describes what will be done ('will be randomised', 'this trial "
        "will'). The claim says the study found, showed or improved something. Describing the plan "
        "('the trial will test', 'aims to') and citing the protocol's background is fine."
    ),
    example='claim "the GHOst trial showed that gluteal exercise improved function" citing the trial\'s protocol',
    fix="Describe the study as planned or under way, or cite the paper that reports its results.",
)
CAUSAL_FROM_ASSOCIATION = Rule(
    code="O306",
    name="causal-from-association",
    severity=Severity.WARNING,
    summary="The claim states cause and effect where the observational source reports an association.",
    explanation=(
        "The source is observational (publication type, MeSH terms or wording: cohort, cross-sectional, "
        "case-control, observational, registry) and not randomised, and it speaks of association "
        "(associated with, correlated, linked, predicts, odds ratio). The claim uses causal wording "
        "(causes, prevents, cures, leads to, reduces, improves, protects against). Claims that say "
        "'is linked to' or 'is associated with', or hedge the verb ('may reduce'), are not reported."
    ),
    example='claim "walking prevents hip fractures" for a cohort study reporting "walking was associated with fewer fractures"',
    fix="Say what the study observed: 'people who walked more had fewer fractures', 'was linked to'.",
)
COMPARISON_NOT_IN_SOURCE = Rule(
    code="O307",
    name="comparison-not-in-source",
    severity=Severity.WARNING,
    summary="The claim ranks the intervention against something the source never compared it with.",
    explanation=(
        "The claim says the intervention is more effective than, better than, superior to or as good "
        "as something (surgery, drugs ...), and that comparator is named neither in the source's title "
        "nor in any sentence of its abstract that compares groups (versus, compared with, control, "
        "group, than). Generic comparators (placebo, no treatment, usual care, 'than thought') are not "
        "checked; synonyms, related words and abbreviations count as named."
    ),
    example=(
        'claim "prolotherapy is more effective than surgery or exercise" for a trial of prolotherapy '
        "versus exercise that mentions surgery only as something prolotherapy might delay"
    ),
    fix="Name only the comparison the source made ('more effective than a supervised exercise programme').",
)
ANIMAL_TO_HUMAN = Rule(
    code="O308",
    name="animal-to-human",
    severity=Severity.WARNING,
    summary="The source studies animals, cells or cadavers, and the claim does not say so.",
    explanation=(
        "The record's MeSH terms (Animals without Humans, Cadaver, In Vitro Techniques, Cells, Cultured) "
        "or its abstract (mice, rats, in vitro, cell cultures, cadavers, with no patients or "
        "participants) show a study of non-living or non-human material. Readers take unqualified "
        "findings to be about people; the claim should say 'in mice', 'in cadavers', 'in the lab'."
    ),
    example='claim "hip ligaments stiffen with age" for a study of ligaments taken from 15 cadavers',
    fix="Say what was studied: 'in a laboratory study of ligaments from cadavers', 'in mice'.",
)
OFF_TOPIC_CLAIM = Rule(
    code="O309",
    name="off-topic-claim",
    severity=Severity.WARNING,
    summary="The intervention or outcome the claim credits the source with does not occur in the source at all.",
    explanation=(
        "The claim says something improves, reduces, helps, prevents or treats something; none of the "
        "specific words of that intervention or outcome (nor related words, synonyms or abbreviations) "
        "occurs in the source's title, abstract, MeSH terms or keywords. The source may be the wrong "
        "reference, or the claim may stretch it to a topic it does not cover."
    ),
    example='claim "prolotherapy relieves migraine" citing a trial of prolotherapy for hip osteoarthritis',
    fix="Cite a source about that intervention and outcome, or limit the claim to what this source studied.",
)
CITATION_UNRESOLVED = Rule(
    code="R401",
    name="reference-unresolved",
    severity=Severity.ERROR,
    summary="The reference has no PMID, so nothing the claim says about it can be checked.",
    explanation=(
        "The claims file gives no PMID for the reference. Run `claimcheck resolve --write` to look "
        "it up from its DOI or citation, or add it by hand."
    ),
    example='references: {"1": {citation: "Bieler T ... 2017"}} (no pmid)',
    fix="Add the PMID (claimcheck resolve --write), or accept the finding if the source is not in PubMed.",
)
CITATION_MISMATCH = Rule(
    code="R402",
    name="citation-mismatch",
    severity=Severity.WARNING,
    summary="The reference list's citation disagrees with the PubMed record it points to.",
    explanation=(
        "The citation text of the reference entry is read (authors, title, journal, year, volume, "
        "pages) and compared with the record the PMID names. Case, abbreviated journal names, "
        "abbreviated page ranges (818-27 for 818-827) and an electronic date ('Published 2018 Aug "
        "21') are accepted; every difference is listed. A wrong PMID shows up as many differences."
    ),
    example="citation 'Physical therapy. 2016;96(6):818-27' for a record of volume 95, pages 818-827",
    fix="Correct the citation from the record (or the PMID, if it names another paper).",
)
RETRACTED = Rule(
    code="R403",
    name="retracted",
    severity=Severity.ERROR,
    summary="The cited record has been retracted.",
    explanation=(
        "PubMed marks the record as retracted (a RetractionIn link or the publication type "
        "'Retracted Publication'). The finding names the retraction notice's PMID."
    ),
    example="a claim citing PMID 30000001, retracted by PMID 30000099",
    fix="Remove the claim or cite a sound source; if the retraction itself is the point, say so and accept.",
)
CORRECTION_NOTICE = Rule(
    code="R404",
    name="correction-notice",
    severity=Severity.WARNING,
    summary="The cited record has an erratum or an expression of concern.",
    explanation=(
        "PubMed links the record to an erratum or an expression of concern. This is not a "
        "retraction, but the editor should read the notice before relying on the source."
    ),
    example="a claim citing a record with an ErratumIn link",
    fix="Read the notice; if it does not affect the claim, accept the finding with a reason.",
)
SOURCE_UNAVAILABLE = Rule(
    code="U501",
    name="source-unavailable",
    severity=Severity.ERROR,
    summary="The record could not be had, so the claim is unverified.",
    explanation=(
        "The record is not stored and could not be fetched: --offline, PubMed does not know the "
        "PMID, or the service failed after every retry. The claim's status is `unverified`."
    ),
    example="claimcheck check --offline with an empty cache",
    fix="Run again online (or with `claimcheck fetch --snapshot`), or correct the PMID.",
)
NO_ABSTRACT = Rule(
    code="U502",
    name="no-abstract",
    severity=Severity.WARNING,
    summary="The record has no abstract to check the quote against.",
    explanation=(
        "PubMed has a title but no abstract for this record, so a quote can only be checked against "
        "the title. Check it against the full text by hand."
    ),
    example="a quote citing a letter or an old record with no abstract",
    fix="Check the quote against the full text and accept the finding with the place you found it.",
)
UNUSED_ACCEPT = Rule(
    code="C901",
    name="unused-accept",
    severity=Severity.WARNING,
    summary="An `accept` entry of the claim silenced nothing.",
    explanation=(
        "The claim accepts a code that no finding of this run carried. The problem was fixed, or the "
        "code is wrong; a stale acceptance would hide a future problem."
    ),
    example="accept: {M201: house style} on a claim whose journal now matches",
    fix="Delete the entry, or correct its code.",
)

RULES: tuple[Rule, ...] = (
    QUOTE_NOT_FOUND,
    QUOTE_ALTERED,
    QUOTE_REWORDED,
    QUOTE_COSMETIC,
    QUOTE_SPLICED,
    JOURNAL_MISMATCH,
    DATE_MISMATCH,
    INSTITUTION_MISMATCH,
    COUNTRY_MISMATCH,
    AUTHOR_MISMATCH,
    COUNT_MISMATCH,
    DESIGN_MISMATCH,
    HEDGE_DROPPED,
    CERTAINTY_BOOSTED,
    RELATIVE_AS_ABSOLUTE,
    NUMBER_NOT_IN_SOURCE,
    PROTOCOL_AS_RESULT,
    CAUSAL_FROM_ASSOCIATION,
    COMPARISON_NOT_IN_SOURCE,
    ANIMAL_TO_HUMAN,
    OFF_TOPIC_CLAIM,
    CITATION_UNRESOLVED,
    CITATION_MISMATCH,
    RETRACTED,
    CORRECTION_NOTICE,
    SOURCE_UNAVAILABLE,
    NO_ABSTRACT,
    UNUSED_ACCEPT,
)
"""Every rule, in code order."""


def rule_by_code(code: str) -> Rule | None:
    """The rule with exactly this code, or None."""
    for rule in RULES:
        if rule.code == code:
            return rule
    return None


def rules_matching(prefix: str) -> tuple[Rule, ...]:
    """The rules whose code starts with ``prefix`` (``Q``, ``Q10``, ``Q102``)."""
    wanted = prefix.strip().upper()
    return tuple(rule for rule in RULES if rule.code.startswith(wanted))
