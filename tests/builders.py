"""Small claims files that many tests write: built here once."""

from __future__ import annotations


def one_quote_claims(pmid: str, quote: str, *, claim_id: str = "walking") -> str:
    """A claims file whose one reference is ``pmid`` and whose one claim quotes it."""
    return f"""\
claimcheck: 1
references:
  "1":
    pmid: "{pmid}"
claims:
  - id: {claim_id}
    ref: "1"
    quote: "{quote}"
"""
