"""Quote checks: is each quoted passage the source's own words (Q101-Q105, U502)?"""

from __future__ import annotations

from collections.abc import Iterator

from claimcheck import rules
from claimcheck.matching import QuoteMatch, Verdict, verify_quote
from claimcheck.model import CheckSettings, Claim, Evidence, Finding, Quote, Record, Rule

_MESSAGE_QUOTE_LIMIT = 160

_RULE_FOR_VERDICT: dict[Verdict, Rule] = {
    Verdict.NOT_FOUND: rules.QUOTE_NOT_FOUND,
    Verdict.ALTERED: rules.QUOTE_ALTERED,
    Verdict.REWORDED: rules.QUOTE_REWORDED,
    Verdict.COSMETIC: rules.QUOTE_COSMETIC,
    Verdict.SPLICED: rules.QUOTE_SPLICED,
}


def check_quotes(claim: Claim, record: Record, settings: CheckSettings) -> Iterator[Finding]:
    """Yield one finding for each quote of the claim that is not the record's words verbatim."""
    has_abstract = bool(record.abstract.strip())
    for quote in claim.quotes:
        match = verify_quote(quote.text, record, settings=settings, context=claim.text or "")
        if match.verdict is Verdict.EXACT:
            continue
        if match.verdict is Verdict.NOT_FOUND and not has_abstract:
            yield _finding(claim, record, quote, match, rules.NO_ABSTRACT, _no_abstract_message(record, quote, match))
            continue
        rule = _RULE_FOR_VERDICT[match.verdict]
        yield _finding(claim, record, quote, match, rule, _message(record, quote, match))


def _finding(claim: Claim, record: Record, quote: Quote, match: QuoteMatch, rule: Rule, message: str) -> Finding:
    evidence = Evidence(
        field=match.field,
        section=match.section,
        article_text=quote.text,
        source_text=match.source_text,
        start=match.start,
        end=match.end,
        score=match.score,
        diff=match.diff,
    )
    return Finding.about(claim, rule, message, line=quote.line, pmid=record.pmid, evidence=evidence)


def _message(record: Record, quote: Quote, match: QuoteMatch) -> str:
    """One sentence saying what differs, where, and quoting both sides."""
    where = _where(record, match)
    sides = f'source "{_clip(match.source_text)}", quote "{_clip(quote.text)}"'
    if match.verdict is Verdict.NOT_FOUND:
        if not match.source_text:
            return f'quote "{_clip(quote.text)}" has no words that could be looked for in PMID {record.pmid}'
        return (
            f'quote "{_clip(quote.text)}" is not in the title or abstract of PMID {record.pmid}; the words may come '
            f"from the full text and cannot be verified against the abstract (closest passage, {_field(match)}, "
            f'score {match.score:.2f}: "{_clip(match.source_text)}")'
        )
    if match.verdict is Verdict.ALTERED:
        return f"the quote {_join(match.meaning_changes + match.splices)} ({where}): {sides}"
    if match.verdict is Verdict.SPLICED:
        return f"the quote {_join(match.splices)} ({where}) with no ellipsis to mark the gap"
    if match.verdict is Verdict.REWORDED:
        return f"the quote {_join(match.rewordings)} ({where}): {sides}"
    return (
        f"the quote differs from the source ({where}) only by editorial conventions: {'; '.join(match.cosmetic_notes)}"
    )


def _no_abstract_message(record: Record, quote: Quote, match: QuoteMatch) -> str:
    closest = f' (closest passage, score {match.score:.2f}: "{_clip(match.source_text)}")' if match.source_text else ""
    return (
        f'PMID {record.pmid} has no abstract, so quote "{_clip(quote.text)}" could be checked only against the '
        f"title, which does not hold it{closest}; check it against the full text"
    )


def _where(record: Record, match: QuoteMatch) -> str:
    return f"PMID {record.pmid}, {_field(match)}"


def _field(match: QuoteMatch) -> str:
    return f"{match.field}, {match.section}" if match.section else match.field


def _join(parts: tuple[str, ...]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _clip(text: str) -> str:
    """Shorten long passages in messages; the evidence keeps them whole."""
    flat = " ".join(text.split())
    if len(flat) <= _MESSAGE_QUOTE_LIMIT:
        return flat
    half = (_MESSAGE_QUOTE_LIMIT - 5) // 2
    return f"{flat[:half]} ... {flat[-half:]}"
