"""The rule table is the single source of truth: unique codes, full docs, tests for each, docs in sync."""

import re
from pathlib import Path

from claimcheck.cli import main
from claimcheck.rules import RULES, rule_by_code, rules_matching
from claimcheck.rules_doc import rules_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_codes_are_unique_well_formed_and_in_order():
    codes = [rule.code for rule in RULES]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[A-Z]\d{3}", code) for code in codes)
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", name) for name in names)


def test_every_rule_is_documented():
    for rule in RULES:
        for text in (rule.summary, rule.explanation, rule.example, rule.fix):
            assert len(text) > 10, rule.code


def test_every_rule_has_tests_that_name_it():
    test_text = "\n".join(
        path.read_text(encoding="utf-8") for path in (ROOT / "tests").glob("test_*.py") if path.name != "test_rules.py"
    )
    for rule in RULES:
        assert rule.code in test_text, f"{rule.code} {rule.name} has no test naming it"


def test_docs_rules_md_is_generated_from_the_table():
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == rules_markdown()


def test_prefix_selection():
    assert rule_by_code("Q102").name == "quote-altered"
    assert rule_by_code("Q999") is None
    assert {rule.code for rule in rules_matching("q10")} >= {"Q101", "Q102", "Q103", "Q104", "Q105"}


def test_rules_command_lists_and_explains(capsys):
    assert main(["rules"]) == 0
    listing = capsys.readouterr().out
    assert all(rule.code in listing for rule in RULES)
    assert main(["rules", "q102"]) == 0
    assert "quote-altered" in capsys.readouterr().out
    assert main(["rules", "Z999"]) == 2
    assert "no rule" in capsys.readouterr().err
