"""The record store: snapshots, the SQLite cache, damage, concurrency, read-only use."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sqlite3
import zlib
from datetime import datetime
from pathlib import Path

import pytest

from claimcheck.errors import StoreError
from claimcheck.records import split_pubmed_set
from claimcheck.store import (
    CACHEDIR_TAG,
    DATABASE_NAME,
    SCHEMA_VERSION,
    RecordStore,
    StoredRecord,
    default_cache_dir,
    write_snapshot,
)

_HEADER = (
    '<?xml version="1.0" ?>\n'
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
)


def article(pmid: str, title: str = "Walking after lunch and sleep in invented adults") -> str:
    """One invented PubmedArticle element."""
    return (
        f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}</PMID>'
        f"<Article><ArticleTitle>{title}</ArticleTitle><Abstract><AbstractText>Made up for the tests: "
        f"{pmid} people walked.</AbstractText></Abstract></Article></MedlineCitation></PubmedArticle>"
    )


def article_set(pmid: str, title: str = "Walking after lunch and sleep in invented adults") -> bytes:
    """A one-article PubmedArticleSet, laid out as EFetch lays it out."""
    return (_HEADER + f"<PubmedArticleSet>\n{article(pmid, title)}\n</PubmedArticleSet>").encode()


def cache_files(folder: Path) -> list[str]:
    """Every file under a folder, relative, sorted."""
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def raw_rows(cache_dir: Path) -> dict[int, tuple[bytes, str, str, str]]:
    """The cache table as SQLite holds it, read behind the store's back."""
    with sqlite3.connect(cache_dir / DATABASE_NAME) as connection:
        rows = connection.execute("SELECT pmid, xml, sha256, fetched_at, source FROM records").fetchall()
    return {row[0]: row[1:] for row in rows}


def test_the_sample_record_is_one_article_to_the_splitter() -> None:
    assert [pmid for pmid, _ in split_pubmed_set(article_set("31452104"))] == ["31452104"]


# --- round trip ---------------------------------------------------------------------------------


def test_a_put_record_is_found_by_a_later_store(tmp_path: Path) -> None:
    data = article_set("31452104")
    with RecordStore(cache_dir=tmp_path) as store:
        store.put("31452104", data)
    with RecordStore(cache_dir=tmp_path) as store:
        stored = store.get("31452104")
        assert store.problems == []
    assert stored is not None
    assert (stored.pmid, stored.data, stored.origin) == ("31452104", data, "cache")
    assert stored.fetched_at is not None
    assert datetime.fromisoformat(stored.fetched_at.replace("Z", "+00:00")).utcoffset() is not None


def test_an_unknown_pmid_is_not_found(tmp_path: Path) -> None:
    with RecordStore(cache_dir=tmp_path) as store:
        store.put("31452104", article_set("31452104"))
        assert store.get("31452105") is None
        assert store.get_many(["31452105", "31452104"]).keys() == {"31452104"}


def test_the_cache_table_holds_compressed_bytes_and_their_checksum(tmp_path: Path) -> None:
    data = article_set("1234")
    with RecordStore(cache_dir=tmp_path) as store:
        store.put("1234", data)
    packed, digest, _, source = raw_rows(tmp_path)[1234]
    assert zlib.decompress(packed) == data
    assert digest == hashlib.sha256(data).hexdigest()
    assert source == "efetch"


def test_the_cache_is_sqlite_in_wal_mode_with_a_schema_version(tmp_path: Path) -> None:
    RecordStore(cache_dir=tmp_path).close()
    with sqlite3.connect(tmp_path / DATABASE_NAME) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        version = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
        columns = [(row[1], row[2], row[5]) for row in connection.execute("PRAGMA table_info(records)")]
    assert version == str(SCHEMA_VERSION)
    assert columns == [
        ("pmid", "INTEGER", 1),
        ("xml", "BLOB", 0),
        ("sha256", "TEXT", 0),
        ("fetched_at", "TEXT", 0),
        ("source", "TEXT", 0),
    ]


def test_the_cache_folder_is_tagged_as_a_cache(tmp_path: Path) -> None:
    folder = tmp_path / "deep" / "cache"
    RecordStore(cache_dir=folder).close()
    tag = (folder / "CACHEDIR.TAG").read_text()
    assert tag == CACHEDIR_TAG
    assert tag.startswith("Signature: 8a477f597d28d172789f06886806bc55")


def test_get_many_reads_many_records_in_batches(tmp_path: Path) -> None:
    pmids = [str(number) for number in range(100, 400)]
    with RecordStore(cache_dir=tmp_path) as store:
        store.put_many(((pmid, article_set(pmid)) for pmid in pmids), source="efetch")
        store._batch_size = 7  # as if SQLite took only 7 parameters per query
        found = store.get_many(pmids + ["999999"] + pmids[:5])
    assert sorted(found, key=int) == pmids
    assert all(found[pmid].data == article_set(pmid) for pmid in pmids)


def test_a_closed_store_refuses_to_be_used(tmp_path: Path) -> None:
    store = RecordStore(cache_dir=tmp_path)
    store.close()
    store.close()
    for use in (lambda: store.get("1"), lambda: store.put("1", article_set("1")), store.stats):
        with pytest.raises(ValueError, match="closed"):
            use()


# --- lookup order -------------------------------------------------------------------------------


def test_a_snapshot_wins_over_the_cache(tmp_path: Path) -> None:
    snapshots = tmp_path / "claims" / "records"
    write_snapshot(snapshots, "4242", article_set("4242", "Snapshot title"))
    with RecordStore(cache_dir=tmp_path / "cache") as store:
        store.put("4242", article_set("4242", "Cached title"))
        store.put("4343", article_set("4343", "Cached title"))
    with RecordStore(cache_dir=tmp_path / "cache", snapshot_dirs=[snapshots]) as store:
        found = store.get_many(["4242", "4343"])
    assert found["4242"] == StoredRecord("4242", article_set("4242", "Snapshot title"), f"snapshot:{snapshots / '4242.xml'}")
    assert found["4343"].origin == "cache"
    assert b"Cached title" in found["4343"].data


def test_the_first_snapshot_folder_that_has_the_record_wins(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "records", tmp_path / "b" / "records"
    write_snapshot(second, "77", article_set("77", "Second"))
    with RecordStore(cache_dir=None, snapshot_dirs=[first, second]) as store:
        assert store.get("77") == StoredRecord("77", article_set("77", "Second"), f"snapshot:{second / '77.xml'}")
    write_snapshot(first, "77", article_set("77", "First"))
    with RecordStore(cache_dir=None, snapshot_dirs=[first, second]) as store:
        stored = store.get("77")
    assert stored is not None and stored.origin == f"snapshot:{first / '77.xml'}"


def test_without_a_cache_only_snapshots_are_read_and_nothing_is_written(tmp_path: Path) -> None:
    snapshots = tmp_path / "records"
    write_snapshot(snapshots, "5", article_set("5"))
    before = cache_files(tmp_path)
    with RecordStore(cache_dir=None, snapshot_dirs=[snapshots]) as store:
        store.put("6", article_set("6"))
        assert store.get("6") is None
        assert store.get("5") is not None
        assert store.stats().records == 0
        assert not store.has_cache
    assert cache_files(tmp_path) == before


# --- snapshots ----------------------------------------------------------------------------------


def test_a_snapshot_file_holds_exactly_the_bytes_given(tmp_path: Path) -> None:
    data = article_set("8080") + b"\n"
    path = write_snapshot(tmp_path / "records", "8080", data)
    assert path == tmp_path / "records" / "8080.xml"
    assert path.read_bytes() == data
    assert cache_files(tmp_path) == ["records", "records/8080.xml"]


def test_a_snapshot_of_another_article_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="PMID 8080.*holds PMID 9090"):
        write_snapshot(tmp_path / "records", "8080", article_set("9090"))
    assert not (tmp_path / "records" / "8080.xml").exists()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"<html><body>Service unavailable</body></html>", "not <PubmedArticleSet>"),
        (article_set("31")[:-40], "not well-formed"),
        (article_set("32"), "holds PMID 32, not 31"),
        (b"", "empty"),
    ],
)
def test_a_damaged_snapshot_is_reported_and_skipped_but_kept(tmp_path: Path, content: bytes, reason: str) -> None:
    snapshots = tmp_path / "records"
    snapshots.mkdir()
    (snapshots / "31.xml").write_bytes(content)
    with RecordStore(cache_dir=tmp_path / "cache", snapshot_dirs=[snapshots]) as store:
        store.put("31", article_set("31"))
        stored = store.get("31")
        store.get("31")
        problems = store.problems
    assert stored is not None and stored.origin == "cache"
    assert len(problems) == 1
    assert "PMID 31" in problems[0] and str(snapshots / "31.xml") in problems[0] and reason in problems[0]
    assert (snapshots / "31.xml").read_bytes() == content


# --- damaged cache rows -------------------------------------------------------------------------


def _flip_a_byte(packed: bytes) -> bytes:
    middle = len(packed) // 2
    return packed[:middle] + bytes([packed[middle] ^ 0xFF]) + packed[middle + 1 :]


_DAMAGE = {
    "flipped byte": lambda packed, digest, data: (_flip_a_byte(packed), digest),
    "truncated blob": lambda packed, digest, data: (packed[: len(packed) // 2], digest),
    "wrong checksum": lambda packed, digest, data: (packed, hashlib.sha256(b"other").hexdigest()),
    "sound blob of garbage": lambda packed, digest, data: (
        zlib.compress(b"<html>oops</html>"),
        hashlib.sha256(b"<html>oops</html>").hexdigest(),
    ),
    "another article": lambda packed, digest, data: (
        zlib.compress(article_set("66")),
        hashlib.sha256(article_set("66")).hexdigest(),
    ),
}


def _damage_row(cache_dir: Path, pmid: int, how: str) -> None:
    with sqlite3.connect(cache_dir / DATABASE_NAME) as connection:
        packed, digest = connection.execute("SELECT xml, sha256 FROM records WHERE pmid = ?", (pmid,)).fetchone()
        data = zlib.decompress(packed)
        new_packed, new_digest = _DAMAGE[how](packed, digest, data)
        connection.execute("UPDATE records SET xml = ?, sha256 = ? WHERE pmid = ?", (new_packed, new_digest, pmid))
    connection.close()


@pytest.mark.parametrize("how", sorted(_DAMAGE))
def test_a_damaged_cache_row_is_reported_and_removed(tmp_path: Path, how: str) -> None:
    with RecordStore(cache_dir=tmp_path) as store:
        store.put_many([("55", article_set("55")), ("56", article_set("56"))], source="efetch")
    _damage_row(tmp_path, 55, how)
    with RecordStore(cache_dir=tmp_path) as store:
        found = store.get_many(["55", "56"])
        assert store.get("55") is None
        problems = list(store.problems)
        store.put("55", article_set("55"))
        refetched = store.get("55")
    assert found.keys() == {"56"}
    assert len(problems) == 1
    assert problems[0].startswith("PMID 55:") and "damaged" in problems[0] and str(tmp_path) in problems[0]
    assert refetched is not None and refetched.data == article_set("55")


@pytest.mark.parametrize("how", ["flipped byte", "wrong checksum"])
def test_a_damaged_row_is_gone_from_the_file_after_get(tmp_path: Path, how: str) -> None:
    with RecordStore(cache_dir=tmp_path) as store:
        store.put_many([("55", article_set("55")), ("56", article_set("56"))], source="efetch")
    _damage_row(tmp_path, 55, how)
    with RecordStore(cache_dir=tmp_path) as store:
        assert store.get("55") is None
    assert set(raw_rows(tmp_path)) == {56}


def test_a_damaged_row_in_a_read_only_cache_is_reported_and_left(tmp_path: Path) -> None:
    with RecordStore(cache_dir=tmp_path) as store:
        store.put("55", article_set("55"))
    _damage_row(tmp_path, 55, "wrong checksum")
    with RecordStore(cache_dir=tmp_path, read_only=True) as store:
        assert store.get("55") is None
        assert len(store.problems) == 1 and "read-only" in store.problems[0]
    assert set(raw_rows(tmp_path)) == {55}


# --- damaged or foreign cache files -------------------------------------------------------------


@pytest.mark.parametrize("garbage", [b"not a database at all", os.urandom(8192), b"SQLite format 3\x00" + b"\xff" * 200])
@pytest.mark.parametrize("read_only", [False, True])
def test_a_file_that_is_not_a_database_raises_store_error(tmp_path: Path, garbage: bytes, read_only: bool) -> None:
    (tmp_path / DATABASE_NAME).write_bytes(garbage)
    with pytest.raises(StoreError) as caught:
        RecordStore(cache_dir=tmp_path, read_only=read_only)
    message = str(caught.value)
    assert str(tmp_path / DATABASE_NAME) in message
    assert "delete it" in message and "--cache-dir" in message
    assert (tmp_path / DATABASE_NAME).read_bytes() == garbage


def test_a_cache_of_a_newer_schema_raises_store_error(tmp_path: Path) -> None:
    RecordStore(cache_dir=tmp_path).close()
    with sqlite3.connect(tmp_path / DATABASE_NAME) as connection:
        connection.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    connection.close()
    with pytest.raises(StoreError, match=f"schema version {SCHEMA_VERSION + 1}.*--cache-dir"):
        RecordStore(cache_dir=tmp_path)


def test_a_cache_folder_that_is_a_file_raises_store_error(tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("I am a file")
    with pytest.raises(StoreError, match="--cache-dir"):
        RecordStore(cache_dir=tmp_path / "cache")


# --- refusing what is not a record --------------------------------------------------------------


_NOT_RECORDS = {
    "empty": b"",
    "html": b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>",
    "truncated": article_set("71")[:120],
    "error answer": b'<?xml version="1.0" ?><eFetchResult><ERROR>Empty id list</ERROR></eFetchResult>',
    "no article": (_HEADER + "<PubmedArticleSet></PubmedArticleSet>").encode(),
    "two articles": (_HEADER + f"<PubmedArticleSet>{article('71')}{article('72')}</PubmedArticleSet>").encode(),
    "another article": article_set("72"),
}


@pytest.mark.parametrize("name", sorted(_NOT_RECORDS))
def test_put_refuses_bytes_that_are_not_the_record(tmp_path: Path, name: str) -> None:
    with RecordStore(cache_dir=tmp_path) as store:
        with pytest.raises(ValueError, match="PMID 71"):
            store.put("71", _NOT_RECORDS[name])
        assert store.get("71") is None
    assert raw_rows(tmp_path) == {}


@pytest.mark.parametrize("pmid", ["", "0", "071", "abc", "12a", "١٢٣", "1" * 19])
def test_a_malformed_pmid_is_refused(tmp_path: Path, pmid: str) -> None:
    with RecordStore(cache_dir=tmp_path) as store:
        with pytest.raises(ValueError, match="not a PMID"):
            store.put(pmid, article_set(pmid))
        with pytest.raises(ValueError, match="not a PMID"):
            store.get(pmid)


def test_an_unknown_source_is_refused(tmp_path: Path) -> None:
    with RecordStore(cache_dir=tmp_path) as store:
        for source in ("web", "mirror:", ""):
            with pytest.raises(ValueError, match="source"):
                store.put("71", article_set("71"), source=source)
    assert raw_rows(tmp_path) == {}


# --- bulk writes, deletions, statistics ---------------------------------------------------------


def test_put_many_writes_all_records_with_their_source(tmp_path: Path) -> None:
    items = [(str(pmid), article_set(str(pmid))) for pmid in range(1000, 1050)]
    with RecordStore(cache_dir=tmp_path) as store:
        written = store.put_many(iter(items), source="mirror:pubmed25n0001.xml.gz")
    rows = raw_rows(tmp_path)
    assert written == 50
    assert sorted(rows) == list(range(1000, 1050))
    assert {row[3] for row in rows.values()} == {"mirror:pubmed25n0001.xml.gz"}


def test_put_many_writes_nothing_when_one_item_is_bad(tmp_path: Path) -> None:
    items = [("1", article_set("1")), ("2", article_set("2")), ("3", b"<html/>"), ("4", article_set("4"))]
    with RecordStore(cache_dir=tmp_path) as store:
        store.put("9", article_set("9"))
        with pytest.raises(ValueError, match="PMID 3"):
            store.put_many(items, source="mirror:x.xml")
        assert store.get_many(["1", "2", "4", "9"]).keys() == {"9"}
    assert set(raw_rows(tmp_path)) == {9}


def test_a_record_written_again_replaces_the_old_one(tmp_path: Path) -> None:
    with RecordStore(cache_dir=tmp_path) as store:
        store.put("12", article_set("12", "Old title"))
        store.put_many([("12", article_set("12", "Revised title"))], source="mirror:pubmed25n1300.xml.gz")
        stored = store.get("12")
        stats = store.stats()
    assert stored is not None and stored.data == article_set("12", "Revised title")
    assert stats.records == 1 and stats.sources == (("mirror:pubmed25n1300.xml.gz", 1),)


def test_delete_many_removes_the_given_records(tmp_path: Path) -> None:
    with RecordStore(cache_dir=tmp_path) as store:
        store.put_many([(str(pmid), article_set(str(pmid))) for pmid in range(1, 11)], source="efetch")
        removed = store.delete_many(["2", "4", "6", "404"])
        remaining = store.get_many([str(pmid) for pmid in range(1, 11)])
    assert removed == 3
    assert sorted(remaining, key=int) == ["1", "3", "5", "7", "8", "9", "10"]


def test_stats_counts_records_sources_and_bytes(tmp_path: Path) -> None:
    with RecordStore(cache_dir=tmp_path) as store:
        empty = store.stats()
        store.put_many([(str(pmid), article_set(str(pmid))) for pmid in range(1, 4)], source="mirror:b.xml")
        store.put("10", article_set("10"))
        store.put("11", article_set("11"))
        stats = store.stats()
    assert (empty.records, empty.sources) == (0, ())
    assert stats.path == tmp_path / DATABASE_NAME
    assert stats.records == 5
    assert stats.sources == (("efetch", 2), ("mirror:b.xml", 3))
    assert stats.size_bytes >= (tmp_path / DATABASE_NAME).stat().st_size > 0


# --- two processes ------------------------------------------------------------------------------


def _write_records(cache_dir: str, first: int, last: int, barrier: object) -> None:
    """Worker: open the shared cache when the other worker does, then write records one by one and in bulk."""
    barrier.wait()  # type: ignore[attr-defined]
    pmids = [str(pmid) for pmid in range(first, last)]
    with RecordStore(cache_dir=Path(cache_dir)) as store:
        for pmid in pmids:
            store.put(pmid, article_set(pmid))
        store.put_many(((pmid, article_set(pmid, "Bulk")) for pmid in pmids), source=f"mirror:{first}.xml")
        for pmid in pmids[::2]:
            store.put(pmid, article_set(pmid))


def test_two_processes_writing_one_cache_lose_nothing(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    workers = [
        context.Process(target=_write_records, args=(str(tmp_path), 1, 301, barrier)),
        context.Process(target=_write_records, args=(str(tmp_path), 201, 501, barrier)),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [worker.exitcode for worker in workers] == [0, 0]
    pmids = [str(pmid) for pmid in range(1, 501)]
    with RecordStore(cache_dir=tmp_path) as store:
        found = store.get_many(pmids)
        assert store.problems == []
        assert store.stats().records == 500
    assert sorted(found, key=int) == pmids
    for pmid, stored in found.items():
        assert stored.data in (article_set(pmid), article_set(pmid, "Bulk"))
    with sqlite3.connect(tmp_path / DATABASE_NAME) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    connection.close()


def _open_new_cache(cache_dir: str, barrier: object, outcomes: object) -> None:
    """Worker: open a cache no process has opened yet, at the same moment as the others."""
    barrier.wait()  # type: ignore[attr-defined]
    try:
        with RecordStore(cache_dir=Path(cache_dir)) as store:
            store.get("1")
        outcomes.put("ok")  # type: ignore[attr-defined]
    except StoreError as error:
        outcomes.put(str(error))  # type: ignore[attr-defined]


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork to start workers fast")
def test_processes_opening_a_new_cache_together_all_get_it(tmp_path: Path) -> None:
    # SQLite says "locked" at once, without its busy timeout, to two connections switching a new database
    # to WAL together; before the store waited that out, about one round in five failed here.
    context = multiprocessing.get_context("fork")
    outcomes = context.Queue()
    for round_number in range(20):
        barrier = context.Barrier(3)
        folder = str(tmp_path / f"cache-{round_number}")
        workers = [context.Process(target=_open_new_cache, args=(folder, barrier, outcomes)) for _ in range(3)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        assert [outcomes.get(timeout=5) for _ in workers] == ["ok"] * 3


# --- read-only use ------------------------------------------------------------------------------


def test_read_only_on_a_missing_cache_creates_nothing(tmp_path: Path) -> None:
    with RecordStore(cache_dir=tmp_path / "cache", read_only=True) as store:
        assert store.get("1") is None
        assert store.get_many(["1", "2"]) == {}
        assert store.stats().records == 0
        assert not store.has_cache
    assert cache_files(tmp_path) == []


def test_read_only_reads_an_existing_cache_and_creates_no_file(tmp_path: Path) -> None:
    with RecordStore(cache_dir=tmp_path) as store:
        store.put("3", article_set("3"))
    before = cache_files(tmp_path)
    with RecordStore(cache_dir=tmp_path, read_only=True) as store:
        stored = store.get("3")
        assert store.get_many(["3", "4"]).keys() == {"3"}
        assert store.stats().records == 1
        with pytest.raises(StoreError, match="read-only"):
            store.put("4", article_set("4"))
        with pytest.raises(StoreError, match="read-only"):
            store.delete_many(["3"])
        assert cache_files(tmp_path) == before
    assert stored is not None and stored.data == article_set("3")
    assert cache_files(tmp_path) == before


def test_read_only_sees_what_an_open_writer_has_written(tmp_path: Path) -> None:
    with RecordStore(cache_dir=tmp_path) as writer:
        writer.put("3", article_set("3"))
        with RecordStore(cache_dir=tmp_path, read_only=True) as reader:
            assert reader.get("3") is not None
            writer.put("4", article_set("4"))
            assert reader.get("4") is not None


def test_read_only_without_a_cache_folder_creates_no_tag(tmp_path: Path) -> None:
    (tmp_path / "cache").mkdir()
    RecordStore(cache_dir=tmp_path / "cache", read_only=True).close()
    assert cache_files(tmp_path) == ["cache"]


# --- where the cache lives ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "environ", "expected"),
    [
        ("linux", {"HOME": "/home/ada"}, "/home/ada/.cache/claimcheck"),
        ("linux", {"HOME": "/home/ada", "XDG_CACHE_HOME": "/var/cache/ada"}, "/var/cache/ada/claimcheck"),
        ("linux", {"HOME": "/home/ada", "XDG_CACHE_HOME": "relative/cache"}, "/home/ada/.cache/claimcheck"),
        ("linux", {"HOME": "/home/ada", "XDG_CACHE_HOME": ""}, "/home/ada/.cache/claimcheck"),
        ("freebsd14", {"HOME": "/home/ada"}, "/home/ada/.cache/claimcheck"),
        ("darwin", {"HOME": "/Users/ada"}, "/Users/ada/Library/Caches/claimcheck"),
        ("darwin", {"HOME": "/Users/ada", "XDG_CACHE_HOME": "/tmp/x"}, "/Users/ada/Library/Caches/claimcheck"),
        ("win32", {"LOCALAPPDATA": "C:/Users/ada/AppData/Local"}, "C:/Users/ada/AppData/Local/claimcheck/Cache"),
        ("win32", {"USERPROFILE": "C:/Users/ada"}, "C:/Users/ada/AppData/Local/claimcheck/Cache"),
        ("linux", {"HOME": "/home/ada", "CLAIMCHECK_CACHE_DIR": "/data/pubmed"}, "/data/pubmed"),
        ("win32", {"LOCALAPPDATA": "C:/L", "CLAIMCHECK_CACHE_DIR": "D:/pubmed"}, "D:/pubmed"),
        ("darwin", {"HOME": "/Users/ada", "CLAIMCHECK_CACHE_DIR": ""}, "/Users/ada/Library/Caches/claimcheck"),
    ],
)
def test_default_cache_dir_follows_the_platform(platform: str, environ: dict[str, str], expected: str) -> None:
    assert default_cache_dir(environ, platform=platform) == Path(expected)


def test_default_cache_dir_expands_a_tilde_in_the_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/grace")
    assert default_cache_dir({"CLAIMCHECK_CACHE_DIR": "~/pubmed"}, platform="linux") == Path("/home/grace/pubmed")


def test_default_cache_dir_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CLAIMCHECK_CACHE_DIR", str(tmp_path / "chosen"))
    assert default_cache_dir() == tmp_path / "chosen"
