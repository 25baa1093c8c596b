"""The public Python API: claimcheck.check, verify_quote, load_claims, render, the client."""

from __future__ import annotations

import json

import claimcheck
from tests.fake_eutils import make_article_xml

CLAIMS = """\
claimcheck: 1
references:
  "1":
    pmid: "30000011"
claims:
  - id: exact
    ref: "1"
    quote: "Walking programmes may reduce knee pain slightly."
  - id: inflated
    ref: "1"
    quote: "Walking programmes reduce knee pain."
"""


def test_check_returns_a_report_that_renders_in_every_format(fake_eutils, tmp_path):
    fake_eutils.add_record("30000011", make_article_xml("30000011", abstract_sections="Walking programmes may reduce knee pain slightly."))
    path = tmp_path / "claims.yaml"
    path.write_text(CLAIMS, encoding="utf-8")
    client = claimcheck.EutilsClient(base_url=fake_eutils.url, backoff=0.01, requests_per_second=50)
    report = claimcheck.check([path], cache_dir=tmp_path / "cache", client=client)
    assert isinstance(report, claimcheck.Report)
    assert [result.status for result in report.results] == [claimcheck.Status.VERIFIED, claimcheck.Status.FLAGGED]
    assert report.results[1].findings[0].rule.code == "Q102"
    assert json.loads(claimcheck.render(report, "json"))["summary"]["flagged"] == 1
    offline = claimcheck.check([path], cache_dir=tmp_path / "cache", offline=True)
    assert offline.summary == report.summary


def test_verify_quote_needs_no_pubmed():
    match = claimcheck.verify_quote("may increase strength slightly", "Training may increase strength slightly in adults.")
    assert match.score >= 0.99
    assert match.source_text.lower().startswith("may increase strength")


def test_load_claims_and_errors_are_importable(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("claimcheck: 2\n", encoding="utf-8")
    try:
        claimcheck.load_claims(path)
    except claimcheck.ClaimsFileError as error:
        assert error.problems and all(problem.line >= 1 for problem in error.problems)
    else:
        raise AssertionError("a version-2 claims file must be refused")


def test_public_names_are_sorted_and_exist():
    assert claimcheck.__all__ == sorted(claimcheck.__all__)
    for name in claimcheck.__all__:
        assert hasattr(claimcheck, name), name
