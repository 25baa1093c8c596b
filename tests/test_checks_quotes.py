"""check_quotes: Q101-Q105 and U502 findings on records written for these tests, and on the real corpus."""

import itertools
import re
from pathlib import Path

import pytest

from claimcheck import rules
from claimcheck.checks.quotes import check_quotes
from claimcheck.model import AbstractSection, CheckSettings, Claim, Finding, Quote, Record, Severity
from claimcheck.records import iter_pubmed_file
from claimcheck.text import HEDGES, extract_numbers, split_sentences

HIP_TRIAL = Record(
    pmid="29000002",
    title="Hip strengthening for people with hip osteoarthritis: a randomised trial",
    abstract_sections=(
        AbstractSection(
            "OBJECTIVE",
            "OBJECTIVE",
            "To test whether hip strengthening reduces pain in people with hip osteoarthritis (OA).",
        ),
        AbstractSection(
            "METHODS",
            "METHODS",
            "We randomly assigned 102 patients with hip OA to 12 weeks of hip strengthening or sham exercise.",
        ),
        AbstractSection(
            "RESULTS",
            "RESULTS",
            "Pain fell by 1.6 points with strengthening and by 0.8 points with sham exercise. Adherence was 81%, "
            "and no serious adverse events occurred.",
        ),
        AbstractSection(
            "CONCLUSION",
            "CONCLUSION",
            "Hip strengthening may reduce pain slightly in people with OA, but the evidence is of low quality.",
        ),
    ),
)
LETTER = Record(pmid="29000003", title="Hip pain in older adults is not a simple matter")


def claim_with(*quotes: str, text: str | None = None) -> Claim:
    return Claim(
        id="hip-1",
        refs=("3",),
        file="claims/hip.yaml",
        line=20,
        text=text,
        quotes=tuple(Quote(quote, 30 + number) for number, quote in enumerate(quotes)),
    )


def findings_for(*quotes: str, record: Record = HIP_TRIAL, text: str | None = None) -> list[Finding]:
    return list(check_quotes(claim_with(*quotes, text=text), record, CheckSettings()))


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, findings
    return findings[0]


# --- each rule fires --------------------------------------------------------------------------


def test_Q101_a_quote_not_in_the_abstract_says_it_may_come_from_the_full_text():
    finding = only(findings_for("Strengthening cured hip pain in every single patient within days"))
    assert finding.rule is rules.QUOTE_NOT_FOUND and finding.severity is Severity.WARNING
    assert "PMID 29000002" in finding.message
    assert "full text" in finding.message and "cannot be verified against the abstract" in finding.message
    assert f"score {finding.evidence.score:.2f}" in finding.message
    assert f'"{finding.evidence.source_text}"' in finding.message
    assert finding.evidence.score < CheckSettings().quote_match_threshold


def test_Q102_a_dropped_hedge_is_an_error_that_names_the_word():
    finding = only(findings_for("Hip strengthening reduces pain slightly in people with OA"))
    assert finding.rule is rules.QUOTE_ALTERED and finding.severity is Severity.ERROR
    assert finding.message.startswith('the quote drops the hedge "may"')
    assert "(PMID 29000002, abstract, CONCLUSION)" in finding.message
    assert 'source "Hip strengthening may reduce pain slightly in people with OA"' in finding.message
    assert 'quote "Hip strengthening reduces pain slightly in people with OA"' in finding.message


@pytest.mark.parametrize(
    ("quote", "words"),
    [
        ("Pain fell by 2.6 points with strengthening", 'changes the number "1.6" to "2.6"'),
        ("Adherence was 81%, and serious adverse events occurred", 'drops the negation "no"'),
        ("Adherence was 81%, and no serious adverse events never occurred", 'adds the negation "never"'),
        ("reduce pain slightly in people with OA", 'drops the hedge "may" just before the quoted words'),
        ("Hip strengthening may reduce pain in people with OA", 'drops the qualifier "slightly"'),
        ("Pain fell by 1.6 points more with strengthening", 'adds the comparative "more"'),
    ],
)
def test_Q102_names_the_changed_words(quote, words):
    finding = only(findings_for(quote))
    assert finding.rule is rules.QUOTE_ALTERED
    assert words in finding.message


def test_Q103_a_reworded_quote_is_a_warning():
    finding = only(findings_for("We randomly assigned 102 people with hip OA to 12 weeks of hip strengthening"))
    assert finding.rule is rules.QUOTE_REWORDED and finding.severity is Severity.WARNING
    assert 'replaces "patients" with "people"' in finding.message
    assert "(PMID 29000002, abstract, METHODS)" in finding.message


def test_Q103_an_explanation_in_plain_parentheses_is_a_change():
    finding = only(findings_for("We randomly assigned 102 patients with hip OA (osteoarthritis) to 12 weeks"))
    assert finding.rule is rules.QUOTE_REWORDED
    assert 'adds "(osteoarthritis)"' in finding.message


def test_Q104_editorial_conventions_give_one_info_finding_listing_them():
    quote = "\u201chip strengthening [programs] may reduce pain slightly in people with osteoarthritis.\u201d"
    finding = only(findings_for(quote))
    assert finding.rule is rules.QUOTE_COSMETIC and finding.severity is Severity.INFO
    notes = ("first letter", "[programs] is an editorial insertion", 'writes out "OA" as "osteoarthritis"', "full stop")
    for note in notes:
        assert note in finding.message


def test_Q105_passages_joined_without_an_ellipsis_are_spliced():
    quote = "Pain fell by 1.6 points with strengthening. Hip strengthening may reduce pain slightly"
    finding = only(findings_for(quote))
    assert finding.rule is rules.QUOTE_SPLICED and finding.severity is Severity.WARNING
    assert "(PMID 29000002, abstract, RESULTS, CONCLUSION)" in finding.message
    assert "no ellipsis" in finding.message


def test_Q102_names_a_splice_too_when_the_spliced_quote_also_drops_a_hedge():
    quote = "Pain fell by 1.6 points with strengthening. Hip strengthening may reduce pain"
    finding = only(findings_for(quote))
    assert finding.rule is rules.QUOTE_ALTERED
    assert 'drops the qualifier "slightly" just after the quoted words and joins' in finding.message


def test_U502_a_record_without_abstract_checks_the_title_and_says_so():
    finding = only(findings_for("strengthening halves hip pain", record=LETTER))
    assert finding.rule is rules.NO_ABSTRACT and finding.severity is Severity.WARNING
    assert "PMID 29000003 has no abstract" in finding.message and "full text" in finding.message
    assert finding.evidence.field == "title"


def test_U502_is_not_needed_when_the_title_holds_the_quote():
    assert findings_for("Hip pain in older adults is not a simple matter", record=LETTER) == []
    assert only(findings_for("Hip pain in older adults is a simple matter", record=LETTER)).rule is rules.QUOTE_ALTERED


# --- near misses: no warning or error ---------------------------------------------------------


@pytest.mark.parametrize(
    "quote",
    [
        "Adherence was 81%, and no serious adverse events occurred",
        "\u201cpain fell by 1.6 points with strengthening\u201d",
        "Pain fell by 1.6 points ... by 0.8 points with sham exercise",
        "Hip strengthening [exercise] may reduce pain slightly in people with OA",
        "Hip strengthening may reduce pain slightly in people with osteoarthritis",
        "We randomly assigned 102 patients with hip OA to 12 weeks of hip strengthening or sham exercise.",
        "Adherence was 81 percent, and no serious adverse events occurred",
        "Hip strengthening for people with hip osteoarthritis",
    ],
)
def test_faithful_quotes_raise_no_warning_or_error(quote):
    assert all(finding.severity is Severity.INFO for finding in findings_for(quote))


def test_an_exact_quote_gives_no_finding_at_all():
    assert findings_for("Pain fell by 1.6 points with strengthening and by 0.8 points with sham exercise") == []


def test_a_hedge_the_claim_keeps_outside_the_quote_is_not_dropped():
    quote = "reduce pain slightly in people with OA"
    text = 'Hip strengthening may "reduce pain slightly in people with OA", the trial found'
    assert findings_for(quote, text=text) == []


# --- the finding itself -----------------------------------------------------------------------


def test_findings_carry_place_claim_record_and_evidence():
    claim = claim_with("Pain fell by 1.6 points with strengthening", "Pain fell by 2.6 points with strengthening")
    (finding,) = check_quotes(claim, HIP_TRIAL, CheckSettings())
    assert (finding.file, finding.line, finding.claim_id, finding.pmid) == ("claims/hip.yaml", 31, "hip-1", "29000002")
    evidence = finding.evidence
    assert (evidence.field, evidence.section) == ("abstract", "RESULTS")
    assert evidence.article_text == "Pain fell by 2.6 points with strengthening"
    assert HIP_TRIAL.abstract[evidence.start : evidence.end] == evidence.source_text
    assert evidence.source_text == "Pain fell by 1.6 points with strengthening"
    assert ("-", "1.6") in evidence.diff and ("+", "2.6") in evidence.diff
    assert 0.8 < evidence.score < 1.0


def test_one_finding_per_quote_in_quote_order_and_messages_end_without_a_full_stop():
    quotes = (
        "Pain fell by 2.6 points with strengthening",
        "Pain fell by 1.6 points with strengthening",
        "We randomly assigned 102 people with hip OA",
        "Strengthening cured hip pain in every single patient within days",
    )
    findings = findings_for(*quotes)
    assert [(finding.line, finding.rule.code) for finding in findings] == [(30, "Q102"), (32, "Q103"), (33, "Q101")]
    assert all(not finding.message.endswith(".") for finding in findings)


def test_checking_is_repeatable():
    quotes = ("Pain fell by 2.6 points with strengthening", "hip strengthening may reduce pain")
    assert findings_for(*quotes) == findings_for(*quotes)


# --- the real corpus --------------------------------------------------------------------------

_VERB = re.compile(r"\b(is|are|was|were|did|does|do|can|could|may|might|will|would|should|has|have|had)\b(?! not\b)")
_HEDGE = re.compile(r"\b(" + "|".join(sorted(HEDGES, key=len, reverse=True)) + r")\b ?", re.IGNORECASE)
_PLAIN_NUMBER = re.compile(r"-?[\d.,]+")


def changed_number(sentence: str) -> str | None:
    """The sentence with the last digit of its first plain number changed, or None."""
    for mention in extract_numbers(sentence):
        if _PLAIN_NUMBER.fullmatch(mention.text):
            index = mention.end - 1
            return sentence[:index] + str((int(sentence[index]) + 1) % 10) + sentence[index + 1 :]
    return None


def negated(sentence: str) -> str | None:
    match = _VERB.search(sentence)
    return None if match is None else sentence[: match.end()] + " not" + sentence[match.end() :]


def without_hedge(sentence: str) -> str | None:
    match = _HEDGE.search(sentence)
    return None if match is None else sentence[: match.start()] + sentence[match.end() :]


def quoted_sentence(record: Record) -> str | None:
    """A middle sentence of the abstract, of 8 to 60 words."""
    sentences = [
        span.text
        for section in record.abstract_sections
        for span in split_sentences(section.text)
        if 8 <= len(span.text.split()) <= 60
    ]
    return sentences[len(sentences) // 2] if sentences else None


@pytest.mark.corpus
def test_corpus_verbatim_sentences_verify_and_meaning_changes_are_Q102(pubmed_corpus: dict[str, Path]) -> None:
    records = (item for item in iter_pubmed_file(pubmed_corpus["pubmed21n1298.xml.gz"]) if isinstance(item, Record))
    with_abstract = itertools.islice((record for record in records if record.abstract.strip()), 2000)
    counts = {"verbatim": 0, "number": 0, "negation": 0, "hedge": 0}
    failures: list[str] = []
    for record in with_abstract:
        sentence = quoted_sentence(record)
        if sentence is None:
            continue
        cases = {"verbatim": sentence, "number": changed_number(sentence), "negation": negated(sentence)}
        cases["hedge"] = without_hedge(sentence)
        for kind, quote in cases.items():
            if quote is None:
                continue
            counts[kind] += 1
            findings = list(check_quotes(claim_with(quote), record, CheckSettings()))
            serious = [finding for finding in findings if finding.severity >= Severity.WARNING]
            if kind == "verbatim" and serious:
                failures.append(f"{record.pmid} verbatim: {serious[0].message}")
            if kind != "verbatim" and [finding.rule for finding in serious] != [rules.QUOTE_ALTERED]:
                failures.append(f"{record.pmid} {kind}: {[finding.message for finding in findings]}")
    assert counts["verbatim"] >= 1900 and min(counts.values()) >= 100, counts
    assert not failures, f"{len(failures)} of {sum(counts.values())} checks wrong, e.g. " + " | ".join(failures[:5])
