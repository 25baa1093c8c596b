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
    CITATION_UNRESOLVED,
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
