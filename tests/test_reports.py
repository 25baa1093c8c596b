"""The report renderers: golden files per format, structure read back, and escaping of hostile data.

Golden files live in tests/golden/report.<ext>. After an intended change to a format, regenerate them
with ``UPDATE_GOLDEN=1 pytest tests/test_reports.py`` and review the diff before committing. The tool's
version is written as ``VERSION`` in them so a release does not touch every golden file.
"""

from __future__ import annotations

import html
import json
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from claimcheck import rules
from claimcheck.errors import ConfigError
from claimcheck.model import (
    Author,
    Claim,
    ClaimResult,
    Evidence,
    Fact,
    Finding,
    PartialDate,
    Quote,
    Record,
    Report,
    Rule,
    Severity,
    Status,
)
from claimcheck.reports import FORMATS, github, html_report, markdown, render, summary_line
from claimcheck.reports._common import pubmed_url, tool_version

GOLDEN = Path(__file__).parent / "golden"
DOCS = Path(__file__).parent.parent / "docs" / "report-format.md"
EXTENSIONS = {
    "text": "txt",
    "json": "json",
    "markdown": "md",
    "html": "html",
    "github": "github.txt",
    "junit": "junit.xml",
    "sarif": "sarif",
}

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
HOSTILE = f"{SCRIPT}{IMG} | `tick` *star* _under_ [link](x) 100% a,b: c\r\nnext line \x1b[31m"
HOSTILE_FILE = "claims/odd,name: 100%.yaml"


# --- the report every test renders ------------------------------------------------------------


def _finding(rule, claim: Claim, line: int, message: str, **changes) -> Finding:
    base = Finding(
        rule=rule,
        severity=rule.severity,
        message=message,
        file=claim.file,
        line=line,
        claim_id=claim.id,
    )
    return replace(base, **changes)


def _record() -> Record:
    return Record(
        pmid="90000001",
        title="Strength training for invented hip pain: a made-up trial",
        journal_title="Journal of Invented Studies",
        iso_abbreviation="J Invent Stud",
        volume="12",
        issue="3",
        pages="45-67",
        pub_date=PartialDate(2021, 10),
        authors=(
            Author("Rostron", "Jane", "J"),
            Author("Okafor", "Ada", "A"),
            Author("Lind", "Per", "P"),
            Author("Moreau", "Lea", "L"),
        ),
        doi="10.1000/invented.1",
    )


def sample_report() -> Report:
    """Verified, flagged and unverified claims; accepted findings; every severity; a diff; facts; hostile text."""
    flagged = Claim(
        id="strength-quote",
        refs=("2",),
        file="claims/hip.yaml",
        line=12,
        text="A trial found that high-intensity training will increase strength.",
        quotes=(Quote("High-intensity training will increase strength", 14),),
    )
    altered = _finding(
        rules.QUOTE_ALTERED,
        flagged,
        14,
        'The quote drops the hedge "may": the source says "may increase", the quote "will increase".',
        pmid="90000001",
        evidence=Evidence(
            field="abstract",
            section="CONCLUSION",
            article_text="High-intensity training will increase strength",
            source_text="High-intensity training may increase strength slightly.",
            start=120,
            end=176,
            score=0.9134,
            diff=(
                ("=", "High-intensity"),
                ("=", "training"),
                ("-", "may"),
                ("+", "will"),
                ("=", "increase"),
                ("=", "strength"),
                ("-", "slightly."),
            ),
        ),
    )
    cosmetic = _finding(
        rules.QUOTE_COSMETIC,
        flagged,
        14,
        "The quote changes the first letter's case.",
        pmid="90000001",
    )
    accepting = Claim(id="accepted-claim", refs=("2",), file="claims/hip.yaml", line=30, text="Patients improved.")
    reworded = _finding(
        rules.QUOTE_REWORDED,
        accepting,
        31,
        'The quote says "people" where the source says "patients".',
        pmid="90000001",
        accepted="house style",
        evidence=Evidence(
            field="title",
            article_text="people improved",
            source_text="patients improved",
            diff=(("-", "patients"), ("+", "people"), ("=", "improved")),
        ),
    )
    quiet = Claim(id="quiet-claim", refs=("3",), file="claims/hip.yaml", line=40)
    unavailable_claim = Claim(id="offline-claim", refs=("1",), file="claims/other.yaml", line=5)
    unavailable = _finding(
        rules.SOURCE_UNAVAILABLE,
        unavailable_claim,
        5,
        "PMID 90000009 could not be had (not stored); the claim is unverified.",
        pmid="90000009",
        evidence=Evidence(field="record", record_value="not stored"),
    )
    hostile_claim = Claim(
        id=f"hostile{SCRIPT}{IMG}|`x`\x00",
        refs=("4",),
        file=HOSTILE_FILE,
        line=3,
        text=HOSTILE,
        quotes=(Quote(HOSTILE, 4),),
        accept=(("M201", "old reason"),),
    )
    not_found = _finding(
        rules.QUOTE_NOT_FOUND,
        hostile_claim,
        4,
        f"No passage matches the quote {HOSTILE}",
        pmid="90000002",
        evidence=Evidence(field="abstract", article_text=HOSTILE, source_text=f"closest {HOSTILE}", score=0.42),
    )
    unused = _finding(rules.UNUSED_ACCEPT, hostile_claim, 2, "accept entry M201 silenced nothing.", accepted=None)
    return Report(
        results=(
            ClaimResult(
                claim=flagged,
                pmids=("90000001",),
                status=Status.FLAGGED,
                findings=(altered, cosmetic),
                facts=(Fact("journal", "J Invent Stud", "text"), Fact("date", "2021-10", "stated")),
                records=(_record(),),
            ),
            ClaimResult(
                claim=accepting, pmids=("90000001",), status=Status.VERIFIED, findings=(reworded,), records=(_record(),)
            ),
            ClaimResult(claim=quiet, pmids=("90000003",), status=Status.VERIFIED, findings=()),
            ClaimResult(
                claim=unavailable_claim, pmids=("90000009",), status=Status.UNVERIFIED, findings=(unavailable,)
            ),
            ClaimResult(
                claim=hostile_claim,
                pmids=("90000002",),
                status=Status.FLAGGED,
                findings=(not_found, unused),
                facts=(Fact("country", HOSTILE, "text"),),
            ),
        ),
        files=("claims/hip.yaml", "claims/other.yaml", HOSTILE_FILE),
        notes=("2 of 7 claims changed since origin/main; 5 unchanged claims skipped",),
    )


def _shuffled(report: Report) -> Report:
    """The same report with every claim's findings in reverse order."""
    return replace(
        report, results=tuple(replace(result, findings=result.findings[::-1]) for result in report.results)
    )


# --- every format -----------------------------------------------------------------------------


def test_formats_are_the_documented_seven() -> None:
    assert set(FORMATS) == {"text", "json", "markdown", "html", "github", "junit", "sarif"}


def test_unknown_format_is_a_config_error_naming_the_choices() -> None:
    with pytest.raises(ConfigError, match="use one of: github, html, json"):
        render(sample_report(), "yaml")


@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
def test_matches_golden_file(fmt: str) -> None:
    output = render(sample_report(), fmt).replace(tool_version(), "VERSION")
    golden = GOLDEN / f"report.{EXTENSIONS[fmt]}"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(output.encode("utf-8"))
    assert golden.exists(), f"{golden} is missing; run UPDATE_GOLDEN=1 pytest {__file__}"
    assert output == golden.read_bytes().decode("utf-8"), f"{fmt} changed; if intended, run with UPDATE_GOLDEN=1"


@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
def test_output_does_not_depend_on_finding_order(fmt: str) -> None:
    assert render(_shuffled(sample_report()), fmt) == render(sample_report(), fmt)


@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
def test_empty_report_renders_a_zero_summary(fmt: str) -> None:
    output = render(Report(results=()), fmt)
    assert output.endswith("\n")
    if fmt in {"text", "markdown", "html", "github"}:
        assert "0 claims: 0 verified, 0 flagged, 0 unverified" in output


def test_summary_line_adds_accepted_only_when_any() -> None:
    report = sample_report()
    assert summary_line(report.summary) == "5 claims: 2 verified, 2 flagged, 1 unverified, 1 accepted"
    without = replace(report, results=report.results[2:])
    assert summary_line(without.summary) == "3 claims: 1 verified, 1 flagged, 1 unverified"


# --- text ---------------------------------------------------------------------------------------


def test_text_lists_each_finding_with_its_place_code_and_severity() -> None:
    output = render(sample_report(), "text")
    assert (
        "claims/hip.yaml:14: Q102 quote-altered: The quote drops the hedge \"may\": the source says "
        '"may increase", the quote "will increase". [error]'
    ) in output.splitlines()
    assert (
        'claims/hip.yaml:31: Q103 quote-reworded: The quote says "people" where the source says "patients". '
        "[warning] (accepted: house style)"
    ) in output
    assert "    - source: High-intensity training [-may-] increase strength [-slightly.-]" in output
    assert "    + quote: High-intensity training {+will+} increase strength" in output
    assert "  facts: journal=J Invent Stud (text), date=2021-10 (stated)" in output
    assert output.splitlines()[-1] == "5 claims: 2 verified, 2 flagged, 1 unverified, 1 accepted"


def test_text_groups_findings_under_a_claim_header_and_hides_quiet_verified_claims() -> None:
    lines = render(sample_report(), "text").splitlines()
    header = lines.index("FLAGGED strength-quote (claims/hip.yaml:12; ref 2; PMID 90000001)")
    assert lines[header + 1].startswith("claims/hip.yaml:14: Q102")
    assert any(line.startswith("VERIFIED accepted-claim ") for line in lines)
    assert any(line.startswith("UNVERIFIED offline-claim ") for line in lines)
    assert not any("quiet-claim" in line for line in lines)


def test_text_colour_marks_the_words_in_red_and_green_instead_of_brackets() -> None:
    plain = render(sample_report(), "text")
    coloured = render(sample_report(), "text", color=True)
    assert "\x1b[31mmay\x1b[0m" in coloured
    assert "\x1b[32mwill\x1b[0m" in coloured
    assert "[-may-]" not in coloured
    assert "\x1b[" not in plain.replace("\\x1b[", "")


def test_text_shows_control_and_bidi_characters_instead_of_sending_them_to_the_terminal() -> None:
    report = sample_report()
    claim = replace(report.results[0].claim, id="evil\u202eid\x07")
    result = replace(report.results[0], claim=claim)
    output = render(replace(report, results=(result,)), "text")
    assert "evil\\u202eid\\x07" in output
    assert "\u202e" not in output and "\x07" not in output
    assert "\x1b" not in render(sample_report(), "text")


# --- json ---------------------------------------------------------------------------------------


def test_json_has_the_schema_summary_and_claims() -> None:
    report = sample_report()
    document = json.loads(render(report, "json"))
    assert document["schema"] == "claimcheck.report/1"
    assert document["tool"] == {"name": "claimcheck", "version": tool_version()}
    assert document["summary"] == {"claims": 5, "verified": 2, "flagged": 2, "unverified": 1, "accepted": 1}
    assert [claim["id"] for claim in document["claims"]] == [result.claim.id for result in report.results]
    first = document["claims"][0]
    assert first["status"] == "flagged"
    assert first["facts"][1] == {"kind": "date", "value": "2021-10", "origin": "stated"}
    assert first["sources"][0]["url"] == "https://pubmed.ncbi.nlm.nih.gov/90000001/"
    assert first["sources"][0]["citation"].startswith("Rostron J, Okafor A, Lind P, et al. Strength training")
    altered = first["findings"][0]
    assert (altered["code"], altered["name"], altered["severity"]) == ("Q102", "quote-altered", "error")
    assert altered["evidence"]["diff"][2:4] == [["-", "may"], ["+", "will"]]
    assert altered["evidence"]["score"] == 0.9134
    assert document["claims"][1]["findings"][0]["accepted"] == "house style"
    assert document["claims"][4]["text"] == HOSTILE


def _keys(value: object) -> set[str]:
    if isinstance(value, dict):
        found = set(value)
        for item in value.values():
            found |= _keys(item)
        return found
    if isinstance(value, list):
        return set().union(*(_keys(item) for item in value)) if value else set()
    return set()


def test_every_json_key_is_documented() -> None:
    documented = set(re.findall(r"`([a-z_]+)`", DOCS.read_text(encoding="utf-8")))
    missing = _keys(json.loads(render(sample_report(), "json"))) - documented
    assert not missing, f"keys missing from {DOCS}: {sorted(missing)}"


# --- markdown -----------------------------------------------------------------------------------


class _Elements(HTMLParser):
    """Collects every start tag with its attributes, and the text, of an HTML fragment or page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(markup: str) -> _Elements:
    parser = _Elements()
    parser.feed(markup)
    parser.close()
    return parser


def _assert_inert(markup: str, allowed_tags: set[str]) -> _Elements:
    parsed = _parse(markup)
    tags = {tag for tag, _ in parsed.tags}
    assert tags <= allowed_tags, f"unexpected elements: {sorted(tags - allowed_tags)}"
    for tag, attributes in parsed.tags:
        assert not any(name.startswith("on") for name in attributes), (tag, attributes)
        assert "src" not in attributes, (tag, attributes)
    assert "<script" not in markup.lower() and "<img" not in markup.lower()
    return parsed


def test_markdown_has_a_table_and_one_details_block_per_claim_needing_attention() -> None:
    output = render(sample_report(), "markdown")
    assert "**5 claims: 2 verified, 2 flagged, 1 unverified, 1 accepted**" in output
    assert output.count("<details>") == 3 == output.count("</details>")
    assert "| ❌ flagged | <code>strength-quote</code> | claims/hip.yaml:12 | 90000001 | Q102, Q104 |" in output
    assert "source: High-intensity training <del>may</del> increase strength <del>slightly.</del>" in output
    assert '<a href="docs/rules.md#q102"><code>Q102</code> quote-altered</a>' in output
    assert "accepted-claim" not in output


def test_markdown_escapes_pipes_backticks_and_html_in_cells_and_details() -> None:
    output = render(sample_report(), "markdown")
    rows = [line for line in output.splitlines() if line.startswith("| ")]
    assert len(rows) == 2 + 3
    for row in rows:
        assert row.count("|") == 6, row
    assert "`" not in output
    allowed = {"details", "summary", "strong", "code", "a", "blockquote", "ul", "li", "br", "del", "ins", "em", "p"}
    _assert_inert(output, allowed)
    blocks = re.findall(r"<details>.*?</details>", output, flags=re.S)
    assert all("\n\n" not in block for block in blocks), "a blank line would end the HTML block"


def test_markdown_escape_keeps_the_words_readable() -> None:
    escaped = markdown.escape("a|b `c` <d> *e*")
    assert html.unescape(escaped) == "a|b `c` <d> *e*"
    assert not set(escaped) & set("|`<>*")


def test_markdown_says_so_when_everything_is_verified() -> None:
    report = sample_report()
    output = render(replace(report, results=report.results[1:3]), "markdown")
    assert "All claims verified." in output and "<details>" not in output


# --- github -------------------------------------------------------------------------------------

_COMMAND = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")


def _unescape(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def _commands(output: str) -> list[tuple[str, dict[str, str], str]]:
    commands = []
    for line in output.splitlines()[:-1]:
        match = _COMMAND.match(line)
        assert match, line
        properties = dict(part.split("=", 1) for part in match.group(2).split(","))
        unescaped = {key: _unescape(value) for key, value in properties.items()}
        commands.append((match.group(1), unescaped, _unescape(match.group(3))))
    return commands


def test_github_emits_one_command_per_finding_with_the_mapped_level() -> None:
    report = sample_report()
    output = render(report, "github")
    commands = _commands(output)
    assert len(commands) == len(report.findings)
    by_title = {properties["title"]: (command, properties, message) for command, properties, message in commands}
    assert by_title["Q102 quote-altered"][0] == "error"
    assert by_title["Q102 quote-altered"][1] == {"file": "claims/hip.yaml", "line": "14", "title": "Q102 quote-altered"}
    assert by_title["Q104 quote-cosmetic"][0] == "notice"
    assert by_title["Q101 quote-not-found"][0] == "warning"
    assert by_title["Q103 quote-reworded (accepted)"][0] == "notice"
    assert by_title["Q103 quote-reworded (accepted)"][2].startswith('The quote says "people"')
    assert "(accepted: house style)" in by_title["Q103 quote-reworded (accepted)"][2]
    assert "+ quote: High-intensity training {+will+} increase strength" in by_title["Q102 quote-altered"][2]
    assert output.splitlines()[-1] == summary_line(report.summary)


def test_github_escapes_data_and_properties() -> None:
    output = render(sample_report(), "github")
    assert "\r" not in output and output.count("\n") == len(output.splitlines())
    hostile = [line for line in output.splitlines() if "Q101" in line][0]
    assert hostile.startswith("::warning file=claims/odd%2Cname%3A 100%25.yaml,line=4,title=Q101 quote-not-found::")
    assert "100%25 a,b: c%0D%0Anext line" in hostile
    _, properties, message = _commands(output)[[i for i, line in enumerate(output.splitlines()) if "Q101" in line][0]]
    assert properties["file"] == HOSTILE_FILE
    assert message.startswith("No passage matches the quote " + HOSTILE.replace("\x1b", "\\x1b"))
    assert github.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


# --- junit --------------------------------------------------------------------------------------


def test_junit_has_a_suite_per_file_and_a_case_per_claim() -> None:
    root = ET.fromstring(render(sample_report(), "junit"))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("skipped"), root.get("errors")) == ("5", "2", "1", "0")
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    assert list(suites) == ["claims/hip.yaml", "claims/other.yaml", HOSTILE_FILE]
    hip = suites["claims/hip.yaml"]
    assert (hip.get("tests"), hip.get("failures"), hip.get("skipped")) == ("3", "1", "0")
    cases = {case.get("name"): case for case in hip.findall("testcase")}
    assert all(case.get("classname") == "claims/hip.yaml" for case in cases.values())
    failure = cases["strength-quote"].find("failure")
    assert failure is not None and failure.get("type") == "Q102"
    assert failure.get("message", "").startswith("Q102 quote-altered: The quote drops the hedge")
    assert "claims/hip.yaml:14: Q104 quote-cosmetic" in (failure.text or "")
    assert cases["quiet-claim"].find("failure") is None and cases["quiet-claim"].find("skipped") is None
    assert cases["accepted-claim"].find("failure") is None
    assert "(accepted: house style)" in (cases["accepted-claim"].findtext("system-out") or "")
    other = suites["claims/other.yaml"]
    assert (other.get("tests"), other.get("failures"), other.get("skipped")) == ("1", "0", "1")
    skipped = other.find("testcase/skipped")
    assert skipped is not None and skipped.get("message", "").startswith("U501 source-unavailable")


def test_junit_stays_well_formed_with_hostile_data() -> None:
    root = ET.fromstring(render(sample_report(), "junit"))
    case = root.find("testsuite[3]/testcase")
    assert case is not None
    failure = case.find("failure")
    assert failure is not None and failure.get("message", "").startswith("C901 unused-accept")
    assert SCRIPT in (failure.text or "") and "next line \\x1b[31m" in (failure.text or "")
    assert case.get("name") == f"hostile{SCRIPT}{IMG}|`x`\\x00"


# --- sarif --------------------------------------------------------------------------------------


def test_sarif_rules_come_from_the_rule_table() -> None:
    log = json.loads(render(sample_report(), "sarif"))
    assert log["version"] == "2.1.0" and "sarif-2.1.0" in log["$schema"]
    driver = log["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("claimcheck", tool_version())
    assert driver["informationUri"].startswith("https://")
    assert [rule["id"] for rule in driver["rules"]] == [rule.code for rule in rules.RULES]
    altered = driver["rules"][[rule.code for rule in rules.RULES].index("Q102")]
    assert altered["name"] == "quote-altered"
    assert altered["shortDescription"]["text"] == rules.QUOTE_ALTERED.summary
    assert altered["fullDescription"]["text"] == rules.QUOTE_ALTERED.explanation
    assert altered["helpUri"] == f"{html_report.DOCS_URL}#q102"
    assert altered["defaultConfiguration"]["level"] == "error"
    assert driver["rules"][[rule.code for rule in rules.RULES].index("Q104")]["defaultConfiguration"]["level"] == "note"


def test_sarif_results_point_at_rules_files_and_lines() -> None:
    report = sample_report()
    run = json.loads(render(report, "sarif"))["runs"][0]
    results = run["results"]
    assert len(results) == len(report.findings)
    for result in results:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    first = results[0]
    assert (first["ruleId"], first["level"]) == ("Q102", "error")
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "claims/hip.yaml"},
        "region": {"startLine": 14},
    }
    assert {result["ruleId"]: result["level"] for result in results}["Q104"] == "note"
    suppressed = [result for result in results if "suppressions" in result]
    assert [(result["ruleId"], result["suppressions"]) for result in suppressed] == [
        ("Q103", [{"kind": "external", "justification": "house style"}])
    ]


def test_sarif_adds_a_rule_missing_from_the_table_so_indices_stay_valid() -> None:
    report = sample_report()
    stray = Rule("Z999", "stray-rule", Severity.WARNING, "Stray.", "Not in the table.", "", "")
    result = report.results[0]
    extra = replace(result.findings[0], rule=stray)
    report = replace(report, results=(replace(result, findings=(extra,)),))
    run = json.loads(render(report, "sarif"))["runs"][0]
    index = run["results"][0]["ruleIndex"]
    assert run["tool"]["driver"]["rules"][index]["id"] == "Z999"
    assert index == len(rules.RULES)


def test_pubmed_links_keep_an_odd_pmid_inside_one_path_segment() -> None:
    assert pubmed_url("90000001") == "https://pubmed.ncbi.nlm.nih.gov/90000001/"
    assert pubmed_url("1 2/../x") == "https://pubmed.ncbi.nlm.nih.gov/1%202%2F..%2Fx/"


# --- html ---------------------------------------------------------------------------------------


def test_html_escapes_every_piece_of_data() -> None:
    output = render(sample_report(), "html")
    parsed = _assert_inert(
        output,
        {
            "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p", "ul", "li",
            "span", "input", "label", "main", "section", "div", "code", "blockquote", "del", "ins", "a", "table",
            "tr", "th", "td", "footer",
        },
    )
    text = "".join(parsed.text)
    assert SCRIPT in text and IMG in text, "hostile data must show as text, not vanish"
    assert html.escape(SCRIPT, quote=True) in output and html.escape(IMG, quote=True) in output
    assert "\x1b" not in output


def test_html_is_self_contained() -> None:
    output = render(sample_report(), "html")
    parsed = _parse(output)
    assert not any(tag in {"link", "script", "img", "iframe", "object", "embed"} for tag, _ in parsed.tags)
    assert "url(" not in output and "@import" not in output
    csp = [attributes for tag, attributes in parsed.tags if tag == "meta" and attributes.get("http-equiv")]
    assert csp and "default-src 'none'" in (csp[0].get("content") or "")


def test_html_shows_summary_diff_citation_and_rule_links() -> None:
    output = render(sample_report(), "html")
    assert '<p class="summary">5 claims: 2 verified, 2 flagged, 1 unverified, 1 accepted</p>' in output
    assert "High-intensity training <del>may</del> <ins>will</ins> increase strength <del>slightly.</del>" in output
    pubmed_link = '<a href="https://pubmed.ncbi.nlm.nih.gov/90000001/">PMID 90000001</a>'
    assert f"{pubmed_link} Rostron J, Okafor A, Lind P, et al." in output
    assert f'<a href="{html_report.DOCS_URL}#q102"><code>Q102</code> quote-altered</a>' in output
    assert "<td>date</td><td>2021-10</td><td>stated</td>" in output
    parsed = _parse(output)
    assert ("input", {"type": "checkbox", "id": "only-attention"}) in parsed.tags
    sections = [attributes.get("class") for tag, attributes in parsed.tags if tag == "section"]
    assert sections == ["claim flagged", "claim verified", "claim verified", "claim unverified", "claim flagged"]
    assert "#only-attention:checked ~ main .claim.verified { display: none; }" in output


def test_json_puts_one_claim_per_line_and_reads_back_as_the_document() -> None:
    from claimcheck.reports import json_report

    report = sample_report()
    output = json_report.render(report)
    assert json.loads(output) == json.loads(json.dumps(json_report.report_document(report)))
    claim_lines = [line for line in output.splitlines() if line.startswith('    {"file": ')]
    assert len(claim_lines) == len(report.results)
    empty = json_report.render(Report(results=()))
    assert json.loads(empty)["claims"] == [] and '"claims": []' in empty
