"""The command line end to end: real client, real HTTP, the fake E-utilities server, every exit status."""

from __future__ import annotations

import gc
import json
import os
import time
from pathlib import Path

import pytest

from claimcheck.cli import main
from tests.builders import one_quote_claims
from tests.fake_eutils import make_article_xml

ABSTRACT = (
    ("BACKGROUND", "Hip osteoarthritis (OA) limits walking in older adults."),
    ("RESULTS", "Strength improved by 12% in the training group. Pain did not change between groups."),
    ("CONCLUSIONS", "Resistance training may increase hip abduction strength slightly in people with OA."),
)

FAST = ["--max-tries", "2", "--retry-wait", "0.01", "--timeout", "2"]


def write_claims(folder: Path, body: str, name: str = "article.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


def claims_citing(pmids: list[str]) -> str:
    references = "".join(f'  "{n}":\n    pmid: "{pmid}"\n' for n, pmid in enumerate(pmids, start=1))
    return f"claimcheck: 1\nreferences:\n{references}claims:\n  - id: first\n    ref: \"1\"\n    text: A claim.\n"


ONE_QUOTE = one_quote_claims(
    "30000001", "Resistance training may increase hip abduction strength slightly in people with OA.", claim_id="hedged"
)


@pytest.fixture
def served(fake_eutils):
    fake_eutils.add_record("30000001", make_article_xml("30000001", "Training and the arthritic hip.", abstract_sections=ABSTRACT))
    return fake_eutils


def run(args: list[str], served, tmp_path: Path) -> int:
    return main([*args, "--eutils-url", served.url, "--cache-dir", str(tmp_path / "cache"), *FAST])


def test_fetch_450_pmids_in_three_requests_then_none(fake_eutils, tmp_path, capsys):
    pmids = [str(31000000 + n) for n in range(450)]
    for pmid in pmids:
        fake_eutils.add_record(pmid, make_article_xml(pmid))
    claims = write_claims(tmp_path / "claims", claims_citing(pmids))
    assert run(["fetch", str(claims)], fake_eutils, tmp_path) == 0
    assert fake_eutils.count("efetch") <= 3
    assert "450 records: 450 stored (450 fetched)" in capsys.readouterr().out
    fake_eutils.reset_log()
    assert run(["fetch", str(claims)], fake_eutils, tmp_path) == 0
    assert fake_eutils.count() == 0


def test_offline_with_empty_cache_sends_nothing_and_exits_3(served, tmp_path, capsys):
    claims = write_claims(tmp_path / "claims", ONE_QUOTE)
    assert run(["fetch", "--offline", str(claims)], served, tmp_path) == 3
    assert served.count() == 0
    assert "PMID 30000001: not stored" in capsys.readouterr().err
    assert run(["check", "--offline", str(claims)], served, tmp_path) == 3
    assert served.count() == 0
    assert "U501 source-unavailable" in capsys.readouterr().out


@pytest.mark.parametrize("failures", [["500", "429", "html200", "truncated"]])
def test_failures_before_a_good_answer_still_yield_every_record(served, tmp_path, failures, capsys):
    for kind in failures:
        served.fail_next(kind)
    claims = write_claims(tmp_path / "claims", ONE_QUOTE)
    code = main(["fetch", str(claims), "--eutils-url", served.url, "--cache-dir", str(tmp_path / "cache"),
                 "--max-tries", "5", "--retry-wait", "0.01", "--timeout", "2"])
    assert code == 0
    assert "1 stored (1 fetched)" in capsys.readouterr().out
    assert served.count("efetch") == len(failures) + 1


def test_a_server_that_always_fails_gives_exit_3_and_one_clear_message(served, tmp_path, capsys):
    served.always_fail("500")
    claims = write_claims(tmp_path / "claims", ONE_QUOTE)
    assert run(["fetch", str(claims)], served, tmp_path) == 3
    err = capsys.readouterr().err
    assert "30000001" in err and "Traceback" not in err
    assert run(["check", str(claims)], served, tmp_path) == 3


def test_bad_claims_file_exits_2_before_any_request(served, tmp_path, capsys):
    bad = write_claims(tmp_path / "claims", "claimcheck: 1\nreferences:\n  \"1\":\n    pmid: \"12ab\"\nclaims: []\n")
    other = write_claims(tmp_path / "claims", "claimcheck: 1\nreferences: {}\nclaims:\n  - id: Bad Id\n    ref: \"9\"\n", "b.yaml")
    assert run(["check", str(bad), str(other)], served, tmp_path) == 2
    err = capsys.readouterr().err
    assert "article.yaml:4:" in err and "b.yaml:" in err
    assert served.count() == 0
    assert capsys.readouterr().out == ""


def test_check_exit_0_for_an_exact_quote_and_json_report(served, tmp_path, capsys):
    claims = write_claims(tmp_path / "claims", ONE_QUOTE)
    assert run(["check", "--format", "json", str(claims)], served, tmp_path) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["schema"] == "claimcheck.report/1"
    assert report["summary"] == {"claims": 1, "verified": 1, "flagged": 0, "unverified": 0, "accepted": 0}
    assert report["claims"][0]["status"] == "verified"
    assert report["claims"][0]["pmids"] == ["30000001"]


def test_check_exit_1_for_an_altered_quote_with_evidence(served, tmp_path, capsys):
    altered = ONE_QUOTE.replace("may increase hip abduction strength slightly", "increases hip abduction strength")
    claims = write_claims(tmp_path / "claims", altered)
    assert run(["check", "--format", "json", str(claims)], served, tmp_path) == 1
    finding = json.loads(capsys.readouterr().out)["claims"][0]["findings"][0]
    assert finding["code"] == "Q102" and finding["severity"] == "error"
    assert finding["line"] == 8
    assert finding["evidence"]["section"] == "CONCLUSIONS"
    assert ["-", "may"] in finding["evidence"]["diff"]


def test_fail_on_and_ignore_and_accept_change_the_exit_status(served, tmp_path, capsys):
    reworded = ONE_QUOTE.replace("in people with OA", "in adults with OA")
    claims = write_claims(tmp_path / "claims", reworded)
    assert run(["check", str(claims)], served, tmp_path) == 0  # Q103 is a warning; fail-on error
    assert run(["check", "--fail-on", "warning", str(claims)], served, tmp_path) == 1
    assert run(["check", "--fail-on", "warning", "--ignore", "Q10", str(claims)], served, tmp_path) == 0
    accepted = reworded + "    accept:\n      Q103: the editor shortened the population\n"
    write_claims(tmp_path / "claims", accepted)
    capsys.readouterr()
    assert run(["check", "--fail-on", "warning", "--format", "json", str(claims)], served, tmp_path) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["accepted"] == 1
    assert report["claims"][0]["findings"][0]["accepted"] == "the editor shortened the population"


def test_unused_accept_is_reported_as_c901(served, tmp_path, capsys):
    claims = write_claims(tmp_path / "claims", ONE_QUOTE + "    accept:\n      M201: house style\n")
    assert run(["check", "--fail-on", "warning", "--format", "json", str(claims)], served, tmp_path) == 1
    codes = [f["code"] for f in json.loads(capsys.readouterr().out)["claims"][0]["findings"]]
    assert codes == ["C901"]


def test_text_report_lines_and_summary(served, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    altered = ONE_QUOTE.replace("12%", "14%").replace("may increase", "increases")
    write_claims(tmp_path / "claims", altered)
    assert main(["check", "--eutils-url", served.url, "--cache-dir", "cache", *FAST]) == 1
    out = capsys.readouterr().out
    assert "claims/article.yaml:8: Q102 quote-altered:" in out
    assert "[error]" in out and "\x1b[" not in out
    assert out.rstrip().endswith("1 claims: 0 verified, 1 flagged, 0 unverified")


def test_output_file_is_written_and_quiet_prints_the_summary(served, tmp_path, capsys):
    claims = write_claims(tmp_path / "claims", ONE_QUOTE)
    target = tmp_path / "out" / "report.json"
    assert run(["check", "--format", "json", "--output", str(target), str(claims)], served, tmp_path) == 0
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["verified"] == 1
    assert capsys.readouterr().out == ""
    assert run(["check", "--quiet", str(claims)], served, tmp_path) == 0
    assert capsys.readouterr().out == "1 claims: 1 verified, 0 flagged, 0 unverified\n"


def test_unknown_pmid_is_unverified_not_a_crash(served, tmp_path, capsys):
    claims = write_claims(tmp_path / "claims", ONE_QUOTE.replace("30000001", "39999999"))
    assert run(["check", "--format", "json", str(claims)], served, tmp_path) == 3
    result = json.loads(capsys.readouterr().out)["claims"][0]
    assert result["status"] == "unverified"
    assert "no record" in result["findings"][0]["message"]


def test_snapshot_then_offline_check_uses_no_cache_and_no_network(served, tmp_path, capsys):
    claims = write_claims(tmp_path / "claims", ONE_QUOTE)
    assert run(["fetch", "--snapshot", str(claims)], served, tmp_path) == 0
    snapshot = tmp_path / "claims" / "records" / "30000001.xml"
    assert b"<PubmedArticleSet>" in snapshot.read_bytes()
    served.reset_log()
    empty_cache = ["--cache-dir", str(tmp_path / "other-cache")]
    assert main(["check", "--offline", *empty_cache, str(claims)]) == 0
    assert served.count() == 0


def test_a_snapshot_run_clears_away_what_a_killed_run_left_and_nothing_else(served, tmp_path, capsys):
    claims = write_claims(tmp_path / "claims", ONE_QUOTE)
    records = tmp_path / "claims" / "records"
    records.mkdir()
    two_hours_ago = time.time() - 7200
    left = {name: records / name for name in (".30000001.xml.k3x_9a2b.tmp", ".30000002.xml.q81mzz0c.tmp", ".notes.tmp")}
    for path in left.values():
        path.write_bytes(b"<PubmedArticleSet><PubmedArt")
        os.utime(path, (two_hours_ago, two_hours_ago))
    young = records / ".30000003.xml.abcd_123.tmp"
    young.write_bytes(b"")  # a run writing right now (in another process) may own it
    assert run(["fetch", "--snapshot", str(claims)], served, tmp_path) == 0
    assert sorted(path.name for path in records.iterdir()) == sorted([".notes.tmp", young.name, "30000001.xml"])


def test_show_prints_a_readable_record_and_raw_xml(served, tmp_path, capsys):
    assert run(["show", "30000001"], served, tmp_path) == 0
    out = capsys.readouterr().out
    assert "PMID 30000001: Training and the arthritic hip." in out and "CONCLUSIONS: Resistance" in out
    assert run(["show", "30000001", "--xml", "--offline"], served, tmp_path) == 0
    assert "<PubmedArticle>" in capsys.readouterr().out
    assert run(["show", "12x"], served, tmp_path) == 2


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("claimcheck 0.1.0")
    for verb in ("check", "fetch", "show", "rules"):
        with pytest.raises(SystemExit):
            main([verb, "--help"])
        assert "usage: claimcheck " + verb in capsys.readouterr().out


def test_api_key_never_appears_in_output_or_files(served, tmp_path, capsys, monkeypatch):
    secret = "s3cr3t-key-0123456789abcdef"
    monkeypatch.setenv("NCBI_API_KEY", secret)
    served.always_fail("500")
    claims = write_claims(tmp_path / "claims", ONE_QUOTE)
    assert run(["check", "--format", "json", str(claims)], served, tmp_path) == 3
    captured = capsys.readouterr()
    assert secret not in captured.out + captured.err
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path
    assert any(request.form_params.get("api_key") == secret for request in served.requests)
    assert all(secret not in str(request.url_params) + request.path for request in served.requests)


def test_python_m_claimcheck_runs(tmp_path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "claimcheck", "rules"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "Q102" in done.stdout


def test_jobs_gives_the_same_report_as_one_process(served, tmp_path, capsys):
    folder = tmp_path / "claims"
    write_claims(folder, ONE_QUOTE, "a.yaml")
    write_claims(folder, ONE_QUOTE.replace("may increase", "increases"), "b.yaml")
    write_claims(folder, ONE_QUOTE.replace("30000001", "39999999"), "c.yaml")
    assert run(["check", "--format", "json", str(folder)], served, tmp_path) == 1
    single = capsys.readouterr().out
    assert run(["check", "--format", "json", "--jobs", "2", str(folder)], served, tmp_path) == 1
    assert capsys.readouterr().out == single
    statuses = [claim["status"] for claim in json.loads(single)["claims"]]
    assert statuses == ["verified", "flagged", "unverified"]


def test_config_file_is_honoured_and_overridden_by_flags(served, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_claims(tmp_path / "claims", ONE_QUOTE.replace("in people with OA", "in adults with OA"))
    (tmp_path / "pyproject.toml").write_text('[tool.claimcheck]\nfail-on = "warning"\n', encoding="utf-8")
    assert main(["check", "--eutils-url", served.url, "--cache-dir", "cache", *FAST]) == 1  # Q103 warning fails
    assert main(["check", "--fail-on", "error", "--eutils-url", served.url, "--cache-dir", "cache", *FAST]) == 0
    (tmp_path / "pyproject.toml").write_text(
        '[tool.claimcheck]\nfail-on = "warning"\n[tool.claimcheck.rules]\nQ103 = "info"\n', encoding="utf-8"
    )
    assert main(["check", "--offline", "--cache-dir", "cache"]) == 0  # Q103 lowered to info
    capsys.readouterr()
    assert main(["config", "--cache-dir", "cache"]) == 0
    shown = capsys.readouterr().out
    assert "fail-on" in shown and "pyproject.toml" in shown and "command line" in shown


def test_unknown_config_key_exits_2_with_a_suggestion(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "claimcheck.toml").write_text('fail_onn = "warning"\n', encoding="utf-8")
    assert main(["check", "--offline"]) == 2
    assert "fail-on" in capsys.readouterr().err


def test_changed_since_audits_only_changed_claims(served, tmp_path, capsys, monkeypatch):
    import subprocess

    monkeypatch.chdir(tmp_path)
    two_claims = ONE_QUOTE + '  - id: second\n    ref: "1"\n    quote: "Pain did not change between groups."\n'
    write_claims(tmp_path / "claims", two_claims)

    def git(*args: str) -> None:
        subprocess.run(["git", *args], check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "--allow-empty", "-m", "empty")
    git("add", "claims")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "claims")
    write_claims(tmp_path / "claims", two_claims.replace("Pain did not change", "Pain did change"))
    assert main(["check", "--changed-since", "HEAD", "--format", "json", "--eutils-url", served.url,
                 "--cache-dir", "cache", *FAST]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [claim["id"] for claim in report["claims"]] == ["second"]
    assert report["notes"] == ["1 of 2 claims changed since HEAD; 1 unchanged claims skipped"]
    assert main(["check", "--changed-since", "HEAD", "--eutils-url", served.url, "--cache-dir", "cache", *FAST]) == 1
    assert "note: 1 of 2 claims changed since HEAD" in capsys.readouterr().out
    (tmp_path / "claims" / "article.yaml").write_text("claimcheck: 1\nclaims: [\n", encoding="utf-8")
    assert main(["check", "--changed-since", "HEAD", "--offline", "--cache-dir", "cache"]) == 2


def test_a_corrupt_cache_entry_is_reported_and_refetched(served, tmp_path, capsys):
    import sqlite3

    claims = write_claims(tmp_path / "claims", ONE_QUOTE)
    assert run(["fetch", str(claims)], served, tmp_path) == 0
    database = next((tmp_path / "cache").glob("*.sqlite3"))
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE records SET xml = ? WHERE pmid = 30000001", (b"not zlib at all",))
    served.reset_log()
    capsys.readouterr()
    assert run(["check", str(claims)], served, tmp_path) == 0
    assert "30000001" in capsys.readouterr().err
    assert served.count("efetch") == 1
    served.reset_log()
    assert run(["check", str(claims)], served, tmp_path) == 0
    assert served.count() == 0


def test_colour_only_on_a_terminal_and_never_with_no_color(served, tmp_path, capsys, monkeypatch):
    import sys

    claims = write_claims(tmp_path / "claims", ONE_QUOTE.replace("may increase", "increases"))
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert run(["check", str(claims)], served, tmp_path) == 1
    assert "\x1b[" in capsys.readouterr().out
    monkeypatch.setenv("NO_COLOR", "1")
    assert run(["check", str(claims)], served, tmp_path) == 1
    assert "\x1b[" not in capsys.readouterr().out


def test_progress_shows_done_total_and_rate_only_when_enabled():
    import io

    from claimcheck.cli import Progress

    shown = io.StringIO()
    progress = Progress("fetching records", stream=shown, enabled=True)
    progress(200, 450)
    progress.finish()
    assert "fetching records: 200/450 (" in shown.getvalue() and "/s)" in shown.getvalue()
    assert shown.getvalue().endswith("\n")
    silent = io.StringIO()
    quiet = Progress("fetching records", stream=silent, enabled=False)
    quiet(1, 2)
    quiet.finish()
    assert silent.getvalue() == ""


def test_a_run_keeps_full_garbage_collections_rare_and_leaves_the_collector_as_it_found_it(monkeypatch, capsys) -> None:
    import claimcheck.cli as cli

    seen: list[tuple[int, int, int]] = []
    handler = cli.run_rules

    def spy(args):
        seen.append(gc.get_threshold())
        return handler(args)

    monkeypatch.setattr(cli, "run_rules", spy)
    before = gc.get_threshold()
    assert main(["rules"]) == 0
    assert seen == [(before[0], before[1], cli._FULL_COLLECTION_RARELY)]
    assert gc.get_threshold() == before
