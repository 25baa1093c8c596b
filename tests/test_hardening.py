"""Hardening: every E-utilities failure, interruptions, shared stores, hostile XML and claims files, the API key.

Everything that needs a service goes through the fake E-utilities server running in this process; the
client is never mocked. Interruption tests run ``claimcheck`` in a subprocess and signal it. Where a
signal must land inside one precise step (a snapshot write, a store transaction, the rewrite of a
claims file), the subprocess runs a small driver that pauses inside that step and says so by creating
a marker file; the product code itself runs unchanged.
"""

from __future__ import annotations

import functools
import gzip
import io
import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
import traceback
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from claimcheck import reports
from claimcheck.claims_file import load_claims
from claimcheck.cli import main
from claimcheck.errors import ClaimsFileError, MalformedXMLError, ServiceError
from claimcheck.pubmed import CitationQuery, EutilsClient
from claimcheck.records import parse_record, parse_records, split_pubmed_set
from claimcheck.store import RecordStore
from tests.builders import one_quote_claims
from tests.fake_eutils import FAILURE_KINDS, FakeEutils, make_article_xml, pubmed_set_xml

KEY = "hardening-secret-0a1b2c3d4e5f60718293"
"""The NCBI API key every run here carries; it must never appear anywhere but in the request body."""

FAST = ["--max-tries", "2", "--retry-wait", "0.01", "--timeout", "0.5"]
SLOW_ANSWER = 5.0
"""Seconds a "slow" answer waits: ten times the --timeout above, so only the timeout can end the wait."""
GUARD = 60.0
"""Upper bound on any wait for a subprocess, so a hang fails the test instead of stalling the suite."""

PMID = "30000001"
QUOTE = "Walking programmes may reduce knee pain slightly in retired lighthouse keepers."
ONE_QUOTE = one_quote_claims(PMID, QUOTE)


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every test runs with the API key set, in its own folder, with no cache or URL from the environment."""
    monkeypatch.setenv("NCBI_API_KEY", KEY)
    monkeypatch.delenv("CLAIMCHECK_CACHE_DIR", raising=False)
    monkeypatch.delenv("CLAIMCHECK_EUTILS_URL", raising=False)
    monkeypatch.delenv("NCBI_EMAIL", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def served(fake_eutils: FakeEutils) -> FakeEutils:
    fake_eutils.add_record(PMID, make_article_xml(PMID, "Walking and the knee.", abstract_sections=QUOTE))
    return fake_eutils


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str


def cli(*args: str) -> Ran:
    """Run the command line in this process; its output must hold no traceback and no API key."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    ran = Ran(code, out.getvalue(), err.getvalue())
    assert "Traceback" not in ran.err and "Traceback" not in ran.out
    assert KEY not in ran.out + ran.err
    return ran


def online(server: FakeEutils, cache: Path) -> list[str]:
    return ["--eutils-url", server.url, "--cache-dir", str(cache), *FAST]


def claimcheck_lines(err: str) -> list[str]:
    """The messages the command line printed, apart from the client's retry notices."""
    return [line for line in err.splitlines() if line.startswith("claimcheck:") and "; retrying in " not in line]


def assert_no_key_in_files(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


# --- every failure of eutils-notes §10: retried to the right records, or exit 3 and a clear message ---------

ALL_KINDS = sorted(FAILURE_KINDS)


def inject(server: FakeEutils, kind: str, *, always: bool, endpoint: str | None = None) -> None:
    delay = SLOW_ANSWER if kind == "slow" else None
    if always:
        server.always_fail(kind, endpoint=endpoint, delay=delay)
    else:
        server.fail_next(kind, endpoint=endpoint, delay=delay)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_one_failure_is_retried_and_the_claim_is_checked(served: FakeEutils, tmp_path: Path, kind: str) -> None:
    claims = write(tmp_path / "claims" / "article.yaml", ONE_QUOTE)
    inject(served, kind, always=False)
    ran = cli("check", "--format", "json", str(claims), *online(served, tmp_path / "cache"))
    assert ran.code == 0, ran.err
    result = json.loads(ran.out)["claims"][0]
    assert result["status"] == "verified" and result["pmids"] == [PMID]
    assert served.count("efetch") == 2, "one failed try, then the good answer"
    assert claimcheck_lines(ran.err) == []
    with RecordStore(cache_dir=tmp_path / "cache") as store:
        assert parse_record(store.get(PMID).data).abstract == QUOTE  # type: ignore[union-attr]


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_a_failure_that_never_ends_gives_exit_3_and_an_unverified_claim(
    served: FakeEutils, tmp_path: Path, kind: str
) -> None:
    claims = write(tmp_path / "claims" / "article.yaml", ONE_QUOTE)
    inject(served, kind, always=True)
    fetched = cli("fetch", str(claims), *online(served, tmp_path / "cache"))
    assert fetched.code == 3
    (message,) = claimcheck_lines(fetched.err)
    assert PMID in message and "E-utilities failed" in message and "2 tries" in message
    assert "no record" not in fetched.err
    for line in fetched.err.splitlines():
        assert line == message or "try 1 of 2 failed" in line, line
    assert "0 stored" in fetched.out and "1 could not be had" in fetched.out

    checked = cli("check", "--format", "json", str(claims), *online(served, tmp_path / "cache"))
    assert checked.code == 3
    result = json.loads(checked.out)["claims"][0]
    assert result["status"] == "unverified"
    (finding,) = result["findings"]
    assert finding["code"] == "U501"
    assert "E-utilities failed" in finding["message"] and "no record" not in finding["message"]
    assert served.count("efetch") == 4
    with RecordStore(cache_dir=tmp_path / "cache") as store:
        assert store.get(PMID) is None


def test_a_hung_server_is_cut_off_by_the_timeout(served: FakeEutils, tmp_path: Path) -> None:
    claims = write(tmp_path / "claims" / "article.yaml", ONE_QUOTE)
    served.always_fail("slow", delay=GUARD * 2)
    done = subprocess.run(
        [sys.executable, "-m", "claimcheck", "fetch", str(claims), "--eutils-url", served.url,
         "--cache-dir", str(tmp_path / "cache"), "--timeout", "0.3", "--max-tries", "2", "--retry-wait", "0.01"],
        capture_output=True, text=True, timeout=GUARD, check=False,
    )
    assert done.returncode == 3
    assert "timed out" in done.stderr and "Traceback" not in done.stderr and KEY not in done.stderr
    assert served.count("efetch") == 2


def test_a_server_that_is_not_there_gives_exit_3(tmp_path: Path) -> None:
    with FakeEutils() as gone:
        url = gone.url
    claims = write(tmp_path / "claims" / "article.yaml", ONE_QUOTE)
    ran = cli("fetch", str(claims), "--eutils-url", url, "--cache-dir", str(tmp_path / "cache"), *FAST)
    assert ran.code == 3
    (message,) = claimcheck_lines(ran.err)
    assert PMID in message and "ConnectionError" in message


TITLE = "Invented walking programmes improve knee comfort in retired lighthouse keepers."
JOURNAL = "Journal of Invented Studies"
DOI = "10.5555/invented.2019.001"
CITATION = f"Quill A, Dunmore F. {TITLE} {JOURNAL}. 2019;12(3):101-10."


def resolvable_claims(doi: str = DOI) -> str:
    return (f'claimcheck: 1\nreferences:\n  "1":\n    citation: "{CITATION}"\n    doi: {doi}\n'
            'claims:\n  - id: walking\n    ref: "1"\n    text: Walking helped the keepers (1).\n')


def serve_resolvable(server: FakeEutils, pmid: str = "31000001", doi: str = DOI) -> None:
    server.add_record(pmid, make_article_xml(pmid, TITLE, authors=("Quill, Amara", "Dunmore, Felix"), journal=JOURNAL,
                                             year=2019, volume="12", pages="101-110", doi=doi))
    server.add_search(f"{doi}[aid]", [pmid])
    server.add_citation_match(f"{JOURNAL}|2019|12|101|Quill|", pmid)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_resolve_retries_each_service_and_never_writes_a_guess(fake_eutils: FakeEutils, tmp_path: Path, kind: str) -> None:
    serve_resolvable(fake_eutils)
    claims = write(tmp_path / "claims" / "article.yaml", resolvable_claims())
    original = claims.read_bytes()
    inject(fake_eutils, kind, always=True)
    failed = cli("resolve", "--write", str(claims), *online(fake_eutils, tmp_path / "cache"))
    assert failed.code == 3
    assert "reference 1 failed" in failed.out and "E-utilities failed" in failed.out
    assert claims.read_bytes() == original

    fake_eutils.clear_failures()
    inject(fake_eutils, kind, always=False, endpoint="esearch")
    inject(fake_eutils, kind, always=False, endpoint="efetch")
    resolved = cli("resolve", "--write", str(claims), *online(fake_eutils, tmp_path / "cache"))
    assert resolved.code == 0, resolved.out + resolved.err
    assert load_claims(claims).references[0].pmid == "31000001"


# --- interruptions: Ctrl-C and kill in the middle of fetch, a store transaction, resolve --write -------------

DRIVER = r"""
import os, sys, time
from pathlib import Path

marker, hook, wanted = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
seen = [0]

def pause():
    # Say where we are, then wait there to be signalled.
    seen[0] += 1
    if seen[0] == wanted:
        marker.touch()
        time.sleep(600)

if hook.startswith("fsync:"):
    part = hook.split(":", 1)[1]
    real_fsync = os.fsync
    def fsync(fd):
        real_fsync(fd)
        if part in os.readlink(f"/proc/self/fd/{fd}"):
            pause()
    os.fsync = fsync
elif hook == "row":
    # store._row builds each cache row inside put_many's open transaction, before its COMMIT.
    import claimcheck.store as store
    real_row = store._row
    def row(*args):
        pause()
        return real_row(*args)
    store._row = row

import resource
from claimcheck.cli import main
code = main(sys.argv[4:])
# VmHWM belongs to this program; ru_maxrss can carry the forking parent's peak across exec.
peak = next((line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")), None)
print("PEAK_RSS_KB", peak or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""

needs_proc = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="the pause driver reads /proc/self/fd")


def subprocess_env() -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("CLAIMCHECK_")}
    env["NCBI_API_KEY"] = KEY
    env.pop("CI", None)
    return env


def start(args: list[str], cwd: Path, *, hook: str = "", wanted: int = 0, marker: Path | None = None) -> subprocess.Popen[str]:
    """``python -m claimcheck ARGS``, or the pause driver when a hook is named."""
    if hook:
        assert marker is not None
        command = [sys.executable, "-c", DRIVER, str(marker), hook, str(wanted), *args]
    else:
        command = [sys.executable, "-m", "claimcheck", *args]
    return subprocess.Popen(command, cwd=cwd, env=subprocess_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_until(condition, process: subprocess.Popen[str]) -> None:  # type: ignore[no-untyped-def]
    """Poll until the condition holds; fail if the process ends first or the guard runs out."""
    deadline = time.monotonic() + GUARD
    while not condition():
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"the process ended (exit {process.returncode}) before it was signalled:\n{out}\n{err}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("the process never reached the point where it was to be signalled")
        time.sleep(0.005)


def signal_and_collect(process: subprocess.Popen[str], signum: int) -> tuple[str, str]:
    process.send_signal(signum)
    out, err = process.communicate(timeout=GUARD)
    if signum == signal.SIGINT:
        assert process.returncode == 130, err
        assert "claimcheck: interrupted" in err.splitlines()
    else:
        assert process.returncode == -signum
    assert "Traceback" not in err and KEY not in out + err
    return out, err


def assert_sound_store(cache: Path, pmids: list[str]) -> int:
    """The cache passes SQLite's integrity check and every row in it is a sound record; return how many."""
    database = cache / "records.sqlite3"
    if not database.exists():
        return 0
    connection = sqlite3.connect(database)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        count = connection.execute("SELECT COUNT(*) FROM records").fetchone()[0]
    finally:
        connection.close()
    with RecordStore(cache_dir=cache, read_only=True) as store:
        found = store.get_many(pmids)
        assert store.problems == []
    assert len(found) == count
    for pmid, stored in found.items():
        assert parse_record(stored.data).pmid == pmid
    return count


def temporary_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob(".*.tmp"))


MANY = [str(31000000 + n) for n in range(1, 251)]
"""Two EFetch batches (200 + 50)."""


@pytest.fixture
def many(fake_eutils: FakeEutils) -> FakeEutils:
    for number, pmid in enumerate(MANY, start=1):
        abstract = f"Walking for {number} minutes a day may reduce knee pain slightly in invented keepers."
        fake_eutils.add_record(pmid, make_article_xml(pmid, f"Invented study number {number}.", abstract_sections=abstract))
    return fake_eutils


def citing_many(claims: int = 3) -> str:
    references = "".join(f'  "{n}":\n    pmid: "{pmid}"\n' for n, pmid in enumerate(MANY, start=1))
    body = f"claimcheck: 1\nreferences:\n{references}claims:\n"
    for n in range(1, claims + 1):
        minutes = n if n != 2 else 99  # the second claim misquotes its source
        body += (f'  - id: claim-{n}\n    ref: "{n}"\n'
                 f'    quote: "Walking for {minutes} minutes a day may reduce knee pain slightly in invented keepers."\n')
    return body


@needs_proc
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
@pytest.mark.parametrize("phase", ["network", "store", "snapshot"])
def test_fetch_interrupted_leaves_store_and_files_usable(many: FakeEutils, tmp_path: Path, phase: str, signum: int) -> None:
    claims = write(tmp_path / "claims" / "article.yaml", citing_many())
    (tmp_path / "claims" / "records").mkdir()
    original = claims.read_bytes()
    cache = tmp_path / "cache"
    marker = tmp_path / "paused"
    args = ["fetch", "--snapshot", str(claims), "--eutils-url", many.url, "--cache-dir", str(cache), *FAST]
    if phase == "network":
        many.latency = 0.3
        process = start(args, tmp_path)
        wait_until(lambda: many.count("efetch") >= 2, process)  # the second batch is on its way
    elif phase == "store":
        process = start(args, tmp_path, hook="row", wanted=100, marker=marker)
        wait_until(marker.exists, process)  # inside the transaction storing the 100th record, before COMMIT
    else:
        process = start(args, tmp_path, hook="fsync:/records/.", wanted=10, marker=marker)
        wait_until(marker.exists, process)  # the tenth snapshot file is written but not yet renamed
    signal_and_collect(process, signum)

    assert claims.read_bytes() == original
    stored = assert_sound_store(cache, MANY)
    if phase == "network":
        assert stored in (0, 200), "only whole EFetch batches are stored"
    elif phase == "store":
        assert stored < 100, "the record being written when the signal came was not committed"
    else:
        assert stored == len(MANY)
    snapshots = sorted((tmp_path / "claims" / "records").glob("*.xml"))
    assert len(snapshots) == (9 if phase == "snapshot" else 0)
    for path in snapshots:
        assert parse_record(path.read_bytes()).pmid == path.stem
    if signum == signal.SIGINT:
        assert temporary_files(tmp_path) == []

    many.latency = 0.0
    again = subprocess.run([sys.executable, "-m", "claimcheck", *args], cwd=tmp_path, env=subprocess_env(),
                           capture_output=True, text=True, timeout=GUARD, check=False)
    assert again.returncode == 0, again.stderr
    assert f"{len(MANY)} records: {len(MANY)} stored" in again.stdout
    assert assert_sound_store(cache, MANY) == len(MANY)
    assert len(list((tmp_path / "claims" / "records").glob("*.xml"))) == len(MANY)


RESOLVE_FILES = 3


@needs_proc
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
@pytest.mark.parametrize("phase", ["network", "write"])
def test_resolve_write_interrupted_leaves_each_claims_file_whole(
    fake_eutils: FakeEutils, tmp_path: Path, phase: str, signum: int
) -> None:
    names = [f"article-{n}.yaml" for n in range(1, RESOLVE_FILES + 1)]
    for n, name in enumerate(names, start=1):
        doi = f"10.5555/invented.2019.{n:03d}"
        serve_resolvable(fake_eutils, pmid=f"3100000{n}", doi=doi)
        write(tmp_path / "done" / name, resolvable_claims(doi))
        write(tmp_path / "claims" / name, resolvable_claims(doi))
    # The fully updated files, from an uninterrupted run on a copy.
    assert cli("resolve", "--write", str(tmp_path / "done"), *online(fake_eutils, tmp_path / "done-cache")).code == 0
    updated = {name: (tmp_path / "done" / name).read_bytes() for name in names}
    original = {name: (tmp_path / "claims" / name).read_bytes() for name in names}
    assert all(updated[name] != original[name] for name in names)

    cache = tmp_path / "cache"
    marker = tmp_path / "paused"
    args = ["resolve", "--write", str(tmp_path / "claims"), "--eutils-url", fake_eutils.url, "--cache-dir", str(cache),
            *FAST]
    fake_eutils.reset_log()
    if phase == "network":
        fake_eutils.latency = 0.3
        process = start(args, tmp_path)
        wait_until(lambda: fake_eutils.count() >= 2, process)
    else:
        # Pause after the second file's new text is on disk under its temporary name, before the rename.
        process = start(args, tmp_path, hook="fsync:/claims/.article-", wanted=2, marker=marker)
        wait_until(marker.exists, process)
    signal_and_collect(process, signum)

    states = []
    for name in names:
        now = (tmp_path / "claims" / name).read_bytes()
        assert now in (original[name], updated[name]), f"{name} was left half-written"
        states.append("updated" if now == updated[name] else "original")
    assert states == (["original"] * 3 if phase == "network" else ["updated", "original", "original"])
    assert_sound_store(cache, [f"3100000{n}" for n in range(1, RESOLVE_FILES + 1)])
    if signum == signal.SIGINT:
        assert temporary_files(tmp_path) == []

    fake_eutils.latency = 0.0
    again = subprocess.run([sys.executable, "-m", "claimcheck", *args], cwd=tmp_path, env=subprocess_env(),
                           capture_output=True, text=True, timeout=GUARD, check=False)
    assert again.returncode == 0, again.stdout + again.stderr
    assert {name: (tmp_path / "claims" / name).read_bytes() for name in names} == updated


# --- a local mirror: `claimcheck mirror import FILE`, once the command line offers it ------------------------


@functools.lru_cache(maxsize=1)
def mirror_wired() -> bool:
    done = subprocess.run([sys.executable, "-m", "claimcheck", "--help"], capture_output=True, text=True, check=False)
    return "mirror" in done.stdout


def require_mirror() -> None:
    if not mirror_wired():
        pytest.skip("mirror not wired: `claimcheck mirror` is not in `python -m claimcheck --help`")


def baseline_file(folder: Path, pmids: list[str]) -> Path:
    """A gzipped PubMed baseline-style file holding these invented articles."""
    path = folder / "pubmed-invented-0001.xml.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    articles = [make_article_xml(pmid, f"Mirrored invented study {pmid}.") for pmid in pmids]
    path.write_bytes(gzip.compress(pubmed_set_xml(articles)))
    return path


@needs_proc
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_mirror_import_interrupted_leaves_a_sound_store(tmp_path: Path, signum: int) -> None:
    require_mirror()
    pmids = [str(32000000 + n) for n in range(1, 4501)]
    source = baseline_file(tmp_path / "baseline", pmids)
    cache = tmp_path / "cache"
    marker = tmp_path / "paused"
    args = ["mirror", "import", str(source), "--cache-dir", str(cache)]
    process = start(args, tmp_path, hook="row", wanted=3000, marker=marker)
    wait_until(marker.exists, process)
    signal_and_collect(process, signum)
    stored = assert_sound_store(cache, pmids)
    assert stored < 3000, "the batch being written when the signal came was not committed"
    if signum == signal.SIGINT:
        assert temporary_files(tmp_path) == []
    again = subprocess.run([sys.executable, "-m", "claimcheck", *args], cwd=tmp_path, env=subprocess_env(),
                           capture_output=True, text=True, timeout=GUARD, check=False)
    assert again.returncode == 0, again.stderr
    assert assert_sound_store(cache, pmids) == len(pmids)


# --- one store shared by several processes at once -------------------------------------------------------


def test_two_checks_and_a_mirror_import_share_one_store(many: FakeEutils, tmp_path: Path) -> None:
    claims = write(tmp_path / "claims" / "article.yaml", citing_many())
    alone = cli("check", "--format", "json", str(claims), *online(many, tmp_path / "alone-cache"))
    assert alone.code == 1
    assert [claim["status"] for claim in json.loads(alone.out)["claims"]] == ["verified", "flagged", "verified"]

    shared = tmp_path / "shared-cache"
    many.latency = 0.1  # so the runs overlap on the network, then write their records at about the same time
    args = ["check", "--format", "json", str(claims), "--eutils-url", many.url, "--cache-dir", str(shared), *FAST]
    processes = [start(args, tmp_path), start(args, tmp_path)]
    mirror_pmids = [str(32000000 + n) for n in range(1, 2501)]
    if mirror_wired():
        source = baseline_file(tmp_path / "baseline", mirror_pmids)
        processes.append(start(["mirror", "import", str(source), "--cache-dir", str(shared)], tmp_path))
    results = [process.communicate(timeout=GUARD) for process in processes]
    for process, (out, err) in zip(processes[:2], results[:2]):
        assert process.returncode == 1, err
        assert out == alone.out
    for process, (out, err) in zip(processes, results):
        assert "locked" not in err.lower() and "Traceback" not in err and KEY not in out + err
    if mirror_wired():
        assert processes[2].returncode == 0, results[2][1]
        assert assert_sound_store(shared, MANY + mirror_pmids) == len(MANY) + len(mirror_pmids)
    else:
        assert assert_sound_store(shared, MANY) == len(MANY)


# --- hostile XML: refused or bounded, in bounded memory ---------------------------------------------------


def laughs(levels: int = 9) -> bytes:
    """A "billion laughs" answer: under a kilobyte that expands to gigabytes."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, levels + 1)
    )
    article = make_article_xml(PMID, abstract_sections="ABSTRACT").replace("ABSTRACT", f"&lol{levels};")
    doctype = f"<!DOCTYPE PubmedArticleSet [{entities}]>"
    return f'<?xml version="1.0"?>\n{doctype}\n<PubmedArticleSet>{article}</PubmedArticleSet>'.encode()


def external_entity(secret: Path) -> bytes:
    """An answer whose abstract is an external entity naming a local file."""
    article = make_article_xml(PMID, abstract_sections="ABSTRACT").replace("ABSTRACT", "&leak;")
    doctype = f'<!DOCTYPE PubmedArticleSet [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>'
    return f'<?xml version="1.0"?>\n{doctype}\n<PubmedArticleSet>{article}</PubmedArticleSet>'.encode()


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret" / "passwords.txt"
    write(path, "NEVER-READ-THIS-6d3f\n")
    return path


def test_billion_laughs_is_refused_by_both_readers() -> None:
    bomb = laughs()
    assert len(bomb) < 3000  # and 3 GB of "lol" once expanded
    with pytest.raises(MalformedXMLError, match="refused"):
        parse_records(bomb)
    with pytest.raises(MalformedXMLError, match="amplification"):
        split_pubmed_set(bomb)


def test_an_external_entity_is_never_read(secret_file: Path) -> None:
    document = external_entity(secret_file)
    with pytest.raises(MalformedXMLError) as caught:
        parse_records(document)
    assert "NEVER-READ" not in str(caught.value)
    for _, piece in split_pubmed_set(document):
        assert b"NEVER-READ" not in piece


def test_a_bomb_from_the_server_is_refused_then_retried(served: FakeEutils, tmp_path: Path,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    claims = write(tmp_path / "claims" / "article.yaml", ONE_QUOTE)
    served.serve_raw_next(laughs())
    ran = cli("check", "--format", "json", str(claims), *online(served, tmp_path / "cache"))
    assert ran.code == 0 and json.loads(ran.out)["claims"][0]["status"] == "verified"
    assert "amplification" in caplog.text  # the retry notice says why the first answer was refused
    assert served.count("efetch") == 2

    served.serve_raw_next(laughs(), times=2)
    refused = cli("fetch", str(claims), *online(served, tmp_path / "other-cache"))
    assert refused.code == 3
    (message,) = claimcheck_lines(refused.err)
    assert PMID in message and "amplification" in message


def test_an_external_entity_from_the_server_is_never_read(served: FakeEutils, tmp_path: Path, secret_file: Path) -> None:
    claims = write(tmp_path / "claims" / "article.yaml", ONE_QUOTE)
    served.serve_raw_next(external_entity(secret_file))
    ran = cli("check", "--format", "json", str(claims), *online(served, tmp_path / "cache"))
    assert ran.code in (0, 3)
    assert "NEVER-READ" not in ran.out + ran.err
    for path in (tmp_path / "cache").rglob("*"):
        if path.is_file():
            assert b"NEVER-READ" not in path.read_bytes()


def test_a_record_the_parser_refuses_leaves_that_claim_unverified_and_is_not_cached(
    served: FakeEutils, tmp_path: Path
) -> None:
    claims = write(tmp_path / "claims" / "article.yaml", ONE_QUOTE)
    # An entity the DTD might declare: expat's splitter skips it, the parser refuses it.
    unreadable = pubmed_set_xml([make_article_xml(PMID, abstract_sections="ABSTRACT")]).replace(b"ABSTRACT", b"&nbsp;")
    served.serve_raw_next(unreadable, times=2)
    ran = cli("check", "--format", "json", str(claims), *online(served, tmp_path / "cache"))
    assert ran.code == 3
    assert json.loads(ran.out)["claims"][0]["status"] == "unverified"
    with RecordStore(cache_dir=tmp_path / "cache") as store:
        assert store.get(PMID) is None


HUNDRED_MB_OF_WORDS = 20_000_000
"""Repeats of b"word " in the hostile text node: 100 MB, twenty million words."""
PEAK_RSS_LIMIT_KB = 600 * 1024

PARSE_HUGE = r"""
import resource, sys
from claimcheck.records import parse_records
from tests.fake_eutils import make_article_xml, pubmed_set_xml

head, tail = pubmed_set_xml([make_article_xml("30000001", abstract_sections="HUGE")]).split(b"HUGE")
data = b"".join((head, b"word " * int(sys.argv[1]), tail))
(record,) = parse_records(data)
assert record.abstract.startswith("word word") and len(record.abstract) == 5 * int(sys.argv[1]) - 1
# VmHWM belongs to this program; ru_maxrss can carry the forking parent's peak across exec.
peak = next((line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")), None)
print(peak or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def test_a_100_mb_text_node_is_parsed_in_bounded_memory() -> None:
    done = subprocess.run([sys.executable, "-c", PARSE_HUGE, str(HUNDRED_MB_OF_WORDS)], capture_output=True, text=True,
                          timeout=GUARD * 2, check=False, cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr
    peak_kb = int(done.stdout.split()[-1])
    assert peak_kb < PEAK_RSS_LIMIT_KB, f"peak RSS {peak_kb // 1024} MB for a 100 MB text node"


def test_a_100_mb_answer_from_the_server_is_refused_in_bounded_memory(fake_eutils: FakeEutils, tmp_path: Path) -> None:
    head, tail = pubmed_set_xml([make_article_xml(PMID, abstract_sections="HUGE")]).split(b"HUGE")
    fake_eutils.serve_raw_next(b"".join((head, b"word " * HUNDRED_MB_OF_WORDS, tail)))
    claims = write(tmp_path / "claims" / "article.yaml", ONE_QUOTE)
    args = ["fetch", str(claims), "--eutils-url", fake_eutils.url, "--cache-dir", str(tmp_path / "cache"),
            "--timeout", "60"]
    process = start(args, tmp_path, hook="none", wanted=0, marker=tmp_path / "unused")
    out, err = process.communicate(timeout=GUARD * 2)
    # The client reads at most MAX_ANSWER_BYTES: the answer is refused, not read into memory.
    assert process.returncode == 3, err
    assert "larger than 64 MB" in err and "Traceback" not in err
    assert "0 stored" in out
    peak_kb = int(err.split("PEAK_RSS_KB")[-1].split()[0])
    assert peak_kb < PEAK_RSS_LIMIT_KB // 2, f"peak RSS {peak_kb // 1024} MB for a 100 MB EFetch answer"


# --- hostile claims files: exit 2, file:line messages, no traceback, no request ---------------------------

HOSTILE_CLAIMS = {
    "deep flow nesting": "claimcheck: 1\nclaims: " + "[" * 5000 + "]" * 5000 + "\n",
    "unclosed nesting": "claimcheck: 1\nclaims: " + "{a: [" * 20000 + "\n",
    "deep block nesting": "claimcheck: 1\nclaims:\n" + "".join("  " * depth + "-\n" for depth in range(1, 400)),
    "python object": "claimcheck: 1\nreferences: {}\nclaims: !!python/object/apply:os.system ['echo pwned > pwned']\n",
    "python name": "claimcheck: 1\nreferences: {}\nclaims:\n  - !!python/name:os.system\n",
    "binary tag": "claimcheck: 1\nreferences: {}\nclaims: !!binary aGVsbG8=\n",
    "local tag": "claimcheck: !version 1\nreferences: {}\nclaims: []\n",
    "alias bomb": "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                  "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nclaimcheck: 1\nreferences: {}\nclaims: *c\n",
    "merge key": "claimcheck: 1\nreferences: {}\nclaims:\n  - <<: {id: walking}\n    ref: '1'\n",
    "larger than 5 MB": "claimcheck: 1\nreferences: {}\nclaims: []\n# " + "x" * (6 * 1024 * 1024) + "\n",
    "huge integer": "claimcheck: " + "9" * 5000 + "\nreferences: {}\nclaims: []\n",
    "huge key": "claimcheck: 1\nreferences: {}\nclaims: []\n" + "k" * 100_000 + ": 1\n",
    "NUL bytes": "claimcheck: 1\nreferences: {}\nclaims: [\x00]\n",
    "two documents": "claimcheck: 1\nreferences: {}\nclaims: []\n---\nclaimcheck: 1\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_CLAIMS))
def test_a_hostile_claims_file_gives_exit_2_with_messages(fake_eutils: FakeEutils, tmp_path: Path, name: str) -> None:
    claims = write(tmp_path / "claims" / "article.yaml", HOSTILE_CLAIMS[name])
    ran = cli("check", str(claims), *online(fake_eutils, tmp_path / "cache"))
    assert ran.code == 2
    problems = ran.err.splitlines()
    assert problems[-1].startswith("claimcheck: ") and "nothing was checked" in problems[-1]
    for line in problems[:-1]:
        assert line.startswith("claims/article.yaml:"), line
        assert int(line.split(":")[1]) >= 1
        assert len(line) < 1000, "a message must not repeat the hostile content"
    assert ran.out == ""
    assert fake_eutils.count() == 0
    assert not (tmp_path / "pwned").exists()


def test_invalid_utf8_gives_exit_2_naming_the_line(tmp_path: Path) -> None:
    claims = tmp_path / "claims" / "article.yaml"
    claims.parent.mkdir()
    claims.write_bytes(b"claimcheck: 1\nreferences: {}\nclaims:\n  - id: caf\xe9\n")
    ran = cli("check", "--offline", str(claims), "--cache-dir", str(tmp_path / "cache"))
    assert ran.code == 2
    assert ran.err.startswith("claims/article.yaml:4: the file is not UTF-8")


def test_a_quote_far_longer_than_any_abstract_is_refused_when_loading(tmp_path: Path) -> None:
    long_quote = "walking helped the knees " * 8000
    claims = write(tmp_path / "article.yaml", ONE_QUOTE.replace(QUOTE, long_quote))
    with pytest.raises(ClaimsFileError) as caught:
        load_claims(claims)
    assert any(problem.line == 8 for problem in caught.value.problems)


# --- the API key never appears: output, logs, files, reports, exceptions -----------------------------------


def all_texts_of(error: BaseException) -> str:
    """Everything an exception could show: message, repr, formatted chain, and the chain's arguments."""
    texts = ["".join(traceback.format_exception(error))]
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts.extend([str(current), repr(current), repr(current.args)])
        current = current.__cause__ or current.__context__
    return "\n".join(texts)


def test_the_api_key_never_appears_anywhere(fake_eutils: FakeEutils, tmp_path: Path,
                                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fake_eutils.add_record(PMID, make_article_xml(PMID, "Walking and the knee.", abstract_sections=QUOTE))
    serve_resolvable(fake_eutils)
    claims = write(tmp_path / "claims" / "article.yaml", ONE_QUOTE)
    unresolved = write(tmp_path / "unresolved" / "article.yaml", resolvable_claims())
    cache = tmp_path / "cache"
    outputs: list[str] = []

    def run(*args: str) -> int:
        ran = cli(*args)  # asserts the key is not in stdout or stderr
        outputs.append(ran.out + ran.err)
        return ran.code

    for kind in ("429", "500", "drop"):  # a 429 body carries the key, as NCBI's does
        fake_eutils.always_fail(kind)
        assert run("fetch", str(claims), *online(fake_eutils, cache)) == 3
        assert run("check", "--format", "json", str(claims), *online(fake_eutils, cache)) == 3
        assert run("show", PMID, *online(fake_eutils, cache)) == 3
        assert run("resolve", str(unresolved), *online(fake_eutils, cache)) == 3
        fake_eutils.clear_failures()
    assert run("fetch", "--snapshot", str(claims), *online(fake_eutils, cache)) == 0
    for format_name in sorted(reports.FORMATS):
        report = tmp_path / "reports" / f"report.{format_name}"
        assert run("check", "--format", format_name, "--output", str(report), str(claims), *online(fake_eutils, cache)) == 0
        assert report.stat().st_size > 0
    assert run("show", PMID, "--xml", *online(fake_eutils, cache)) == 0
    assert run("resolve", "--write", str(unresolved), *online(fake_eutils, cache)) == 0
    assert run("config", *online(fake_eutils, cache)) == 0
    assert "set (from NCBI_API_KEY)" in outputs[-1]

    fake_eutils.always_fail("429")
    with EutilsClient(base_url=fake_eutils.url, api_key=KEY, max_tries=2, backoff=0.001) as client:
        assert KEY not in repr(client) + str(client)
        calls = [lambda: client.efetch([PMID]), lambda: client.esearch("knee"),
                 lambda: client.ecitmatch([CitationQuery("ref1", JOURNAL, "2019", "12", "101", "Quill")])]
        for call in calls:
            with pytest.raises(ServiceError) as caught:
                call()
            assert KEY not in all_texts_of(caught.value)

    # The key did travel, in the request body only.
    assert any(request.form_params.get("api_key") == KEY for request in fake_eutils.requests)
    assert all(KEY not in request.path for request in fake_eutils.requests)
    logged = caplog.text + "".join(repr(record.args) + record.getMessage() for record in caplog.records)
    assert "POST" in logged, "the client's DEBUG log was captured"
    assert KEY not in logged
    assert_no_key_in_files(tmp_path)
