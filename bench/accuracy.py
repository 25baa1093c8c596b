"""Precision and recall of claimcheck's checks, per rule family, on the labelled set in tests/data/accuracy/.

Run: python bench/accuracy.py [SET...]   (default: every .json and .yaml set in tests/data/accuracy/)

Each item of the set is a claim about an invented record, labelled accurate (``expect: []``) or with every
rule code that should fire. A finding counts when its severity is warning or above (the info "could not be
checked" findings do not). To measure another family (Q, O), add items with the fields its check reads and
add the check to CLAIM_CHECKS.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from claimcheck.checks.metadata import check_metadata
from claimcheck.checks.overstatement import check_overstatement
from claimcheck.checks.quotes import check_quotes
from claimcheck.checks.references import check_reference
from claimcheck.model import (
    AbstractSection,
    Author,
    CheckSettings,
    Claim,
    CommentCorrection,
    Finding,
    PartialDate,
    Quote,
    Record,
    Reference,
    Severity,
    Stated,
)

SET_FOLDER = Path(__file__).resolve().parent.parent / "tests" / "data" / "accuracy"
DEFAULT_SET = SET_FOLDER / "claims.json"

ClaimCheck = Callable[[Claim, Record, CheckSettings], Iterable[Finding]]
CLAIM_CHECKS: tuple[ClaimCheck, ...] = (check_quotes, check_metadata, check_overstatement)
"""The (claim, record, settings) checks measured: every set runs through all of them, so a check that
fires on another family's items counts against its precision."""


@dataclass(frozen=True)
class Score:
    """How one rule family did on the set."""

    family: str
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        """Share of findings that were expected (1.0 when nothing fired)."""
        fired = self.true_positives + self.false_positives
        return self.true_positives / fired if fired else 1.0

    @property
    def recall(self) -> float:
        """Share of expected findings that fired (1.0 when nothing was expected)."""
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0


@dataclass(frozen=True)
class Outcome:
    """One item: the codes it should raise and the codes it did."""

    item_id: str
    expected: frozenset[str]
    fired: frozenset[str]


def load_set(path: Path = DEFAULT_SET) -> tuple[dict[str, Record], list[dict[str, Any]]]:
    """The records and the labelled items of an accuracy set."""
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else YAML(typ="safe").load(text)
    records = {key: record_from_dict(value) for key, value in data["records"].items()}
    return records, list(data["items"])


def record_from_dict(data: dict[str, Any]) -> Record:
    """A Record from the set's plain JSON form."""
    abstract = data.get("abstract", "")
    sections = (AbstractSection(label="", category="", text=abstract),) if abstract else ()
    return Record(
        pmid=data["pmid"],
        title=data["title"],
        abstract_sections=sections,
        journal_title=data.get("journal_title", ""),
        iso_abbreviation=data.get("iso_abbreviation", ""),
        medline_ta=data.get("medline_ta", ""),
        volume=data.get("volume", ""),
        issue=data.get("issue", ""),
        pages=data.get("pages", ""),
        pub_date=_date(data.get("pub_date")),
        article_date=_date(data.get("article_date")),
        authors=tuple(
            Author(**{**author, "affiliations": tuple(author.get("affiliations", ()))})
            for author in data.get("authors", ())
        ),
        publication_types=tuple(data.get("publication_types", ())),
        mesh_headings=tuple(data.get("mesh_headings", ())),
        keywords=tuple(data.get("keywords", ())),
        comments_corrections=tuple(CommentCorrection(**link) for link in data.get("comments_corrections", ())),
    )


def _date(data: dict[str, Any] | None) -> PartialDate | None:
    if data is None:
        return None
    return PartialDate(year=data.get("year"), month=data.get("month"), day=data.get("day"), raw=data.get("raw", ""))


def claim_from_item(item: dict[str, Any]) -> Claim:
    """The claim an item describes (its text, quotes and ``stated:``)."""
    stated = Stated(**item.get("stated", {}), line=2)
    quotes = tuple(Quote(text=text, line=3) for text in item.get("quotes", ()))
    return Claim(
        id=item["id"], refs=("1",), file="accuracy.json", line=1, text=item.get("text"), quotes=quotes, stated=stated
    )


def findings_for(item: dict[str, Any], records: dict[str, Record]) -> Iterator[Finding]:
    """Every finding the checks give for one item."""
    claim = claim_from_item(item)
    record = records.get(item["record"]) if item.get("record") else None
    reference_data = item.get("reference") or {"key": "1", "pmid": record.pmid if record else None}
    reference = Reference(line=4, **reference_data)
    yield from check_reference(claim, reference, record)
    if record is None:
        return
    for check in CLAIM_CHECKS:
        yield from check(claim, record, CheckSettings())


def run(records: dict[str, Record], items: list[dict[str, Any]]) -> list[Outcome]:
    """Each item's expected and fired codes."""
    outcomes: list[Outcome] = []
    for item in items:
        fired = {finding.rule.code for finding in findings_for(item, records) if finding.severity >= Severity.WARNING}
        outcomes.append(Outcome(item["id"], frozenset(item["expect"]), frozenset(fired)))
    return outcomes


def score(outcomes: list[Outcome]) -> dict[str, Score]:
    """Precision and recall per family (the code's first letter), over every family seen."""
    families = sorted({code[0] for outcome in outcomes for code in outcome.expected | outcome.fired})
    scores: dict[str, Score] = {}
    for family in families:
        tp = fp = fn = 0
        for outcome in outcomes:
            expected = {code for code in outcome.expected if code.startswith(family)}
            fired = {code for code in outcome.fired if code.startswith(family)}
            tp += len(expected & fired)
            fp += len(fired - expected)
            fn += len(expected - fired)
        scores[family] = Score(family, tp, fp, fn)
    return scores


def machine() -> str:
    """The platform, CPU count and Python version, for the record."""
    return f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def all_sets() -> list[Path]:
    """Every labelled set in tests/data/accuracy/."""
    return sorted([*SET_FOLDER.glob("*.json"), *SET_FOLDER.glob("*.yaml")])


def main(argv: list[str]) -> int:
    outcomes: list[Outcome] = []
    for path in [Path(arg) for arg in argv] or all_sets():
        records, items = load_set(path)
        outcomes += run(records, items)
        print(f"accuracy set: {path.name} ({len(items)} items)")
    print(f"machine: {machine()}")
    print(f"{'family':<8}{'precision':>10}{'recall':>8}{'tp':>5}{'fp':>5}{'fn':>5}")
    for family_score in score(outcomes).values():
        print(
            f"{family_score.family:<8}{family_score.precision:>10.2f}{family_score.recall:>8.2f}"
            f"{family_score.true_positives:>5}{family_score.false_positives:>5}{family_score.false_negatives:>5}"
        )
    for outcome in outcomes:
        if outcome.expected != outcome.fired:
            missed = ", ".join(sorted(outcome.expected - outcome.fired)) or "-"
            extra = ", ".join(sorted(outcome.fired - outcome.expected)) or "-"
            print(f"  {outcome.item_id}: missed {missed}; unexpected {extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
