"""max-age: cached records older than it are fetched again, so retractions published since are seen."""

from __future__ import annotations

import io
import json
import sqlite3
from contextlib import redirect_stderr, redirect_stdout
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from claimcheck.cli import main
from claimcheck.config import load_config
from claimcheck.errors import ConfigError
from claimcheck.pipeline import check, obtain_records
from claimcheck.pubmed import EutilsClient
from claimcheck.store import DATABASE_NAME, RecordStore, StoredRecord
from tests.builders import one_quote_claims
from tests.fake_eutils import FakeEutils, make_article_xml, pubmed_set_xml

PMID = "30000021"
TEXT = "Walking programmes may reduce knee pain slightly."
CLAIMS = one_quote_claims(PMID, TEXT)
RETRACTED = make_article_xml(
    PMID,
    abstract_sections=TEXT,
    publication_types=("Journal Article", "Retracted Publication"),
    comments_corrections=(("RetractionIn", "J Invent Stud. 2026;14:1", "39000001"),),
)
LONG_AGO = "2020-01-01T00:00:00Z"


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def age_every_row(cache: Path) -> None:
    """Make every cached record look fetched long ago."""
    with sqlite3.connect(cache / DATABASE_NAME) as connection:
        connection.execute("UPDATE records SET fetched_at = ?", (LONG_AGO,))
    connection.close()


def checked_once(server: FakeEutils, folder: Path) -> tuple[Path, Path, list[str]]:
    """A claims file checked once, its record fetched into a fresh cache: the file, the cache, the options."""
    claims = folder / "claims.yaml"
    claims.write_text(CLAIMS, encoding="utf-8")
    cache = folder / "cache"
    options = ["--format", "json", "--eutils-url", server.url, "--cache-dir", str(cache), "--retry-wait", "0.01"]
    server.add_record(PMID, make_article_xml(PMID, abstract_sections=TEXT))
    assert run("check", *options, str(claims))[0] == 0
    return claims, cache, options


def codes(stdout: str) -> list[str]:
    return [finding["code"] for claim in json.loads(stdout)["claims"] for finding in claim["findings"]]


def test_a_record_older_than_max_age_is_fetched_again_and_its_retraction_seen(
    fake_eutils: FakeEutils, tmp_path: Path
) -> None:
    claims, cache, options = checked_once(fake_eutils, tmp_path)
    fake_eutils.add_record(PMID, RETRACTED)  # retracted since it was cached
    age_every_row(cache)

    kept = run("check", *options, str(claims))
    assert (kept[0], fake_eutils.count("efetch")) == (0, 1)  # without max-age the cached copy is trusted
    assert "R403" not in codes(kept[1])

    refreshed = run("check", *options, "--max-age", "30", str(claims))
    assert fake_eutils.count("efetch") == 2
    assert refreshed[0] == 1 and "R403" in codes(refreshed[1])

    again = run("check", *options, "--max-age", "30", str(claims))
    assert fake_eutils.count("efetch") == 2  # fetched just now: young enough
    assert "R403" in codes(again[1])


def test_an_aged_record_that_cannot_be_fetched_again_is_used_as_stored_and_said_so(
    fake_eutils: FakeEutils, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    with RecordStore(cache_dir=cache) as store:
        store.put(PMID, pubmed_set_xml([make_article_xml(PMID, abstract_sections=TEXT)]))
    age_every_row(cache)
    fake_eutils.always_fail("503")
    client = EutilsClient(base_url=fake_eutils.url, backoff=0.01, max_tries=2, requests_per_second=50)
    with client, RecordStore(cache_dir=cache) as store:
        obtained = obtain_records([PMID], store=store, client=client, max_age=timedelta(days=30))
    assert fake_eutils.count("efetch") == 2
    assert obtained.records[PMID].abstract == TEXT
    assert obtained.unavailable == {}
    (problem,) = obtained.problems
    assert problem.startswith(f"PMID {PMID}: the stored record, fetched {LONG_AGO}, is older than max-age")
    assert "503" in problem and problem.endswith("it was used as stored")


def test_offline_runs_use_aged_records_without_asking(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with RecordStore(cache_dir=cache) as store:
        store.put(PMID, pubmed_set_xml([make_article_xml(PMID, abstract_sections=TEXT)]))
    age_every_row(cache)
    with RecordStore(cache_dir=cache) as store:
        obtained = obtain_records([PMID], store=store, client=None, max_age=timedelta(days=1))
    assert list(obtained.records) == [PMID] and obtained.problems == ()


@pytest.mark.parametrize(
    ("fetched_at", "older"),
    [("2026-11-01T12:00:00Z", True), ("2026-11-29T12:00:00Z", False), ("not a time", True), (None, False)],
)
def test_only_cache_rows_age_and_an_unreadable_time_counts_as_old(fetched_at: str | None, older: bool) -> None:
    stored = StoredRecord(pmid=PMID, data=b"", origin="cache" if fetched_at else "snapshot:x.xml", fetched_at=fetched_at)
    now = datetime(2026, 11, 30, 12, tzinfo=timezone.utc)
    assert stored.is_older_than(timedelta(days=7), now=now) is older


def test_max_age_is_read_from_the_config_file_and_the_command_line(tmp_path: Path, capsys) -> None:
    (tmp_path / "claimcheck.toml").write_text("max-age = 30\n", encoding="utf-8")
    config = load_config(tmp_path, environ={})
    assert config.max_age == 30.0 and config.origin("max-age") == "claimcheck.toml"
    assert config.with_overrides(max_age=7).max_age == 7.0
    (tmp_path / "claimcheck.toml").write_text("max-age = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"max-age.*must be a number greater than 0.*max-age = 30"):
        load_config(tmp_path, environ={})
    with pytest.raises(SystemExit) as exited:
        main(["check", "--max-age", "0", str(tmp_path)])
    assert exited.value.code == 2 and "--max-age: '0' must be greater than 0" in capsys.readouterr().err


def test_the_report_notes_an_aged_record_used_as_stored(fake_eutils: FakeEutils, tmp_path: Path) -> None:
    claims, cache, options = checked_once(fake_eutils, tmp_path)
    age_every_row(cache)
    fake_eutils.always_fail("503")
    code, out, err = run("check", *options, "--max-tries", "1", "--max-age", "30", str(claims))
    assert code == 0 and json.loads(out)["claims"][0]["status"] == "verified"
    (note,) = json.loads(out)["notes"]
    assert note.startswith(f"PMID {PMID}: the stored record, fetched {LONG_AGO}, is older than max-age")
    assert f"claimcheck: {note}" in err
    client = EutilsClient(base_url=fake_eutils.url, backoff=0.01, max_tries=1, requests_per_second=50)
    with client:
        report = check([claims], cache_dir=cache, client=client, max_age=timedelta(days=30))
    assert report.notes == (note,)
