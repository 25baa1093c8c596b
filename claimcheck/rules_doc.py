"""docs/rules.md, generated from the rule table (``claimcheck rules --markdown``)."""

from __future__ import annotations

from claimcheck.rules import RULES

_FAMILIES = {
    "Q": "Quotes",
    "M": "Metadata",
    "O": "Overstatement",
    "R": "References",
    "U": "Unavailable sources",
    "C": "The claims file",
}


def rules_markdown() -> str:
    """The Markdown page documenting every rule: summary, explanation, example and how to fix."""
    lines = [
        "# Rules",
        "",
        "<!-- Generated from claimcheck/rules.py by `claimcheck rules --markdown > docs/rules.md`; do not edit. -->",
        "",
        "Every finding claimcheck reports comes from one rule of this table. Codes are a family letter and",
        "three digits and are never reused; any prefix selects (`Q`, `Q10`, `Q102`) in `--ignore` and in",
        "the `rules` table of the configuration. Severities: `error` > `warning` > `info`.",
        "",
        "| code | name | severity | summary |",
        "|---|---|---|---|",
    ]
    for rule in RULES:
        lines.append(f"| [{rule.code}](#{rule.code.lower()}) | {rule.name} | {rule.severity.label} | {rule.summary} |")
    family = ""
    for rule in RULES:
        if rule.code[0] != family:
            family = rule.code[0]
            lines += ["", f"## {_FAMILIES.get(family, family)}"]
        lines += [
            "",
            f"### {rule.code}",
            "",
            f"**{rule.name}** (default severity: {rule.severity.label})",
            "",
            rule.summary,
            "",
            rule.explanation,
            "",
            f"*Example:* {rule.example}",
            "",
            f"*How to fix:* {rule.fix}",
        ]
    return "\n".join(lines) + "\n"
