"""The record store: snapshot folders beside the claims files, then a user cache in SQLite.

A snapshot folder holds ``<PMID>.xml`` files, each one PubmedArticleSet with exactly the bytes
EFetch returned for that PMID. The cache is one SQLite file (``records.sqlite3``) with a table
``records(pmid, xml, sha256, fetched_at, source)`` (``xml`` zlib-compressed, ``sha256`` of the
uncompressed bytes) and a ``meta`` table holding the schema version. It is sized for a PubMed
mirror of millions of records: WAL mode so readers never wait for a writer, a busy timeout so
two processes take turns, and bulk writes in one transaction.

The store keeps only bytes it is given and checks every record it hands out: a damaged cache
row is removed and reported in ``problems``, a damaged snapshot file is reported and skipped.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
import threading
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import TracebackType

from claimcheck.errors import MalformedXMLError, StoreError
from claimcheck.fileio import write_atomic
from claimcheck.model import Record
from claimcheck.records import parse_records

SCHEMA_VERSION = 1
DATABASE_NAME = "records.sqlite3"
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by claimcheck.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)
BUSY_TIMEOUT_SECONDS = 30.0
_WAL_RETRY_SECONDS = 0.01
EFETCH_SOURCE = "efetch"
MIRROR_SOURCE_PREFIX = "mirror:"

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS records (
        pmid INTEGER PRIMARY KEY,
        xml BLOB NOT NULL,
        sha256 TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        source TEXT NOT NULL
    )""",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)
_UPSERT = "INSERT OR REPLACE INTO records (pmid, xml, sha256, fetched_at, source) VALUES (?, ?, ?, ?, ?)"
# The largest PMID SQLite's INTEGER PRIMARY KEY can hold has 19 digits; today's PMIDs have 8.
_MAX_PMID_DIGITS = 18
_PARALLEL_COMPRESSION_MIN = 256
"""Below this many records, starting threads costs more than compressing on one core saves."""


@dataclass(frozen=True)
class StoredRecord:
    """The bytes of one PubMed record and where they came from."""

    pmid: str
    data: bytes
    origin: str
    """``snapshot:<path of the file>`` or ``cache``."""
    fetched_at: str | None = None
    """When the cache got the record (ISO 8601, UTC); None for a snapshot file."""
    record: Record | None = field(default=None, compare=False, repr=False)
    """The record ``data`` holds, read when the store checked the bytes, so nobody need parse them again."""

    def is_older_than(self, age: timedelta, *, now: datetime | None = None) -> bool:
        """Whether the cache got this record longer than ``age`` ago; snapshot files never age (they are pinned)."""
        if self.fetched_at is None:
            return False
        try:
            fetched = datetime.fromisoformat(self.fetched_at)
        except ValueError:
            return True  # a time the store cannot read proves nothing about the record's freshness
        if fetched.tzinfo is None:
            fetched = fetched.replace(tzinfo=timezone.utc)
        return (now or datetime.now(timezone.utc)) - fetched > age


@dataclass(frozen=True)
class StoreStats:
    """What the cache holds: how many records, how many bytes on disk, and from which sources."""

    path: Path | None
    records: int
    size_bytes: int
    sources: tuple[tuple[str, int], ...] = ()


def default_cache_dir(environ: Mapping[str, str] = os.environ, *, platform: str = sys.platform) -> Path:
    """The cache folder: ``CLAIMCHECK_CACHE_DIR`` if set, otherwise the platform's user cache folder."""
    chosen = environ.get("CLAIMCHECK_CACHE_DIR", "")
    if chosen:
        return Path(chosen).expanduser()
    if platform.startswith("win"):
        local = environ.get("LOCALAPPDATA", "")
        base = Path(local) if local else _home(environ) / "AppData" / "Local"
        return base / "claimcheck" / "Cache"
    if platform == "darwin":
        return _home(environ) / "Library" / "Caches" / "claimcheck"
    xdg = environ.get("XDG_CACHE_HOME", "")
    # The XDG spec says a relative path in XDG_CACHE_HOME is invalid and must be ignored.
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else _home(environ) / ".cache"
    return base / "claimcheck"


def _home(environ: Mapping[str, str]) -> Path:
    """The user's home folder, from the given environment when it says."""
    home = environ.get("HOME") or environ.get("USERPROFILE")
    return Path(home) if home else Path.home()


def write_snapshot(folder: Path, pmid: str, data: bytes) -> Path:
    """Write ``folder/<PMID>.xml`` atomically; refuse (ValueError) bytes that are not that one article."""
    _require_article(pmid, data)
    path = Path(folder) / f"{pmid}.xml"
    write_atomic(path, data)
    return path


class RecordStore:
    """Records by PMID from snapshot folders (in order), then from the user cache."""

    def __init__(
        self,
        *,
        cache_dir: Path | None,
        snapshot_dirs: Sequence[Path] = (),
        read_only: bool = False,
    ) -> None:
        self.snapshot_dirs = tuple(Path(folder) for folder in snapshot_dirs)
        self.read_only = read_only
        self.problems: list[str] = []
        self.cache_path = Path(cache_dir) / DATABASE_NAME if cache_dir is not None else None
        self._lock = threading.RLock()
        self._connection: sqlite3.Connection | None = None
        self._closed = False
        self._batch_size = 1
        if cache_dir is not None:
            self._connection = self._open(Path(cache_dir))
        if self._connection is not None:
            # One query per get_many unless there are more PMIDs than SQLite takes parameters.
            self._batch_size = self._connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)

    # --- opening and closing ----------------------------------------------------------------

    def _open(self, cache_dir: Path) -> sqlite3.Connection | None:
        """Open (and, unless read-only, create) the cache; None when read-only and there is none."""
        path = cache_dir / DATABASE_NAME
        if self.read_only:
            return self._open_read_only(path)
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            if not (cache_dir / "CACHEDIR.TAG").exists():
                write_atomic(cache_dir / "CACHEDIR.TAG", CACHEDIR_TAG)
        except OSError as error:
            raise StoreError(
                f"cannot create the record cache folder {cache_dir} ({error.strerror or error}); "
                "choose a writable folder with --cache-dir or CLAIMCHECK_CACHE_DIR"
            ) from None
        with self._errors("open"):
            connection = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
            )
            try:
                self._prepare(connection)
            except BaseException:
                connection.close()
                raise
        return connection

    def _prepare(self, connection: sqlite3.Connection) -> None:
        """Set WAL mode and the busy timeout, create the tables, and check the schema version."""
        connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        _switch_to_wal(connection)
        # In WAL mode NORMAL keeps every commit atomic and the file consistent; it only skips an fsync.
        connection.execute("PRAGMA synchronous = NORMAL")
        with _transaction(connection):
            for statement in _SCHEMA:
                connection.execute(statement)
            connection.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
        self._check_version(connection)

    def _open_read_only(self, path: Path) -> sqlite3.Connection | None:
        """Open an existing cache without creating any file; None when there is no cache."""
        if not path.is_file():
            return None
        uri = path.resolve().as_uri() + "?mode=ro"
        # A reader of a WAL database creates the -wal and -shm files unless they exist, which they do
        # only while some process has the cache open; otherwise nobody writes it and it can be read as
        # an unchanging file.
        if not Path(f"{path}-wal").exists():
            uri += "&immutable=1"
        with self._errors("open"):
            connection = sqlite3.connect(
                uri, uri=True, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
            )
            try:
                connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
                tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                if "records" not in tables:
                    connection.close()
                    return None
                self._check_version(connection)
            except BaseException:
                connection.close()
                raise
        return connection

    def _check_version(self, connection: sqlite3.Connection) -> None:
        """Refuse a cache written with another schema version."""
        row = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        version = row[0] if row else None
        if version != str(SCHEMA_VERSION):
            raise StoreError(
                f"the record cache {self.cache_path} has schema version {version}, and this claimcheck reads "
                f"version {SCHEMA_VERSION}; delete the file (claimcheck will fetch the records again) or "
                "use another folder with --cache-dir"
            )

    def close(self) -> None:
        """Close the cache; the store cannot be used afterwards."""
        with self._lock:
            self._closed = True
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def __enter__(self) -> RecordStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def has_cache(self) -> bool:
        """Whether there is a cache to read (and, unless read-only, to write)."""
        return self._connection is not None

    # --- reading ----------------------------------------------------------------------------

    def get(self, pmid: str) -> StoredRecord | None:
        """The record for this PMID from the first snapshot folder that has it, else the cache, else None."""
        return self.get_many([pmid]).get(pmid)

    def get_many(self, pmids: Iterable[str]) -> dict[str, StoredRecord]:
        """The stored records among these PMIDs, by PMID; snapshots first, then one cache query."""
        wanted = list(dict.fromkeys(pmids))
        for pmid in wanted:
            _pmid_number(pmid)  # a malformed PMID is refused before anything is read
        self._cache()
        found: dict[str, StoredRecord] = {}
        for pmid in wanted:
            stored = self._from_snapshots(pmid)
            if stored is not None:
                found[pmid] = stored
        rest = [pmid for pmid in wanted if pmid not in found]
        found.update(self._from_cache(rest))
        return found

    def _from_snapshots(self, pmid: str) -> StoredRecord | None:
        """The record from the first snapshot folder holding a sound ``<PMID>.xml``, or None."""
        for folder in self.snapshot_dirs:
            path = folder / f"{pmid}.xml"
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                continue
            except OSError as error:
                self._report(f"PMID {pmid}: the snapshot file {path} could not be read ({error.strerror or error}); skipped it")
                continue
            record, reason = _read_article(pmid, data)
            if record is None:
                self._report(
                    f"PMID {pmid}: the snapshot file {path} is not a usable PubMed record ({reason}); "
                    "skipped it (delete it or write the snapshot again)"
                )
                continue
            return StoredRecord(pmid=pmid, data=data, origin=f"snapshot:{path}", record=record)
        return None

    def _from_cache(self, pmids: Sequence[str]) -> dict[str, StoredRecord]:
        """The sound cache rows for these PMIDs; damaged rows are reported and removed."""
        if not pmids:
            return {}
        found: dict[str, StoredRecord] = {}
        damaged: list[tuple[int, bytes]] = []
        with self._lock, self._errors("read"):
            connection = self._cache()
            if connection is None:
                return {}
            for start in range(0, len(pmids), self._batch_size):
                batch = [_pmid_number(pmid) for pmid in pmids[start : start + self._batch_size]]
                marks = ", ".join("?" * len(batch))
                query = f"SELECT pmid, xml, sha256, fetched_at FROM records WHERE pmid IN ({marks})"
                for number, packed, digest, fetched_at in connection.execute(query, batch):
                    pmid = str(number)
                    data, record, reason = _unpack(pmid, packed, digest)
                    if record is None:
                        damaged.append((number, packed))
                        self._report_damaged_row(pmid, reason or "it holds no record")
                        continue
                    found[pmid] = StoredRecord(
                        pmid=pmid, data=data, origin="cache", fetched_at=fetched_at, record=record
                    )
            if damaged and not self.read_only:
                self._remove_rows(connection, damaged)
        return found

    def _report_damaged_row(self, pmid: str, reason: str) -> None:
        """Note a damaged cache row, saying what happens to it."""
        outcome = "ignored it (the cache is read-only)" if self.read_only else "removed it; it will be fetched again"
        self._report(f"PMID {pmid}: the cached record in {self.cache_path} is damaged ({reason}); {outcome}")

    @staticmethod
    def _remove_rows(connection: sqlite3.Connection, rows: Sequence[tuple[int, bytes]]) -> None:
        """Delete exactly these rows, so a sound row another process wrote meanwhile stays."""
        with _transaction(connection):
            connection.executemany("DELETE FROM records WHERE pmid = ? AND xml = ?", rows)

    def _report(self, message: str) -> None:
        """Add a problem once, however often the same record is asked for."""
        if message not in self.problems:
            self.problems.append(message)

    # --- writing ----------------------------------------------------------------------------

    def put(self, pmid: str, data: bytes, *, source: str = EFETCH_SOURCE) -> None:
        """Keep one record in the cache (nothing to do without a cache); ValueError if it is not that article."""
        self.put_many([(pmid, data)], source=source)

    def put_many(self, items: Iterable[tuple[str, bytes]], *, source: str, split_by_claimcheck: bool = False) -> int:
        """Keep many records in one transaction (all or none); return how many were written.

        ``split_by_claimcheck`` says the bytes come straight from records.iter_raw_articles or
        split_pubmed_set, which already parsed them, so they are not parsed a second time.
        """
        _require_source(source)
        with self._lock, self._errors("write"):
            connection = self._require_writable()
            if connection is None:
                # No cache to keep them in, but bad bytes are refused all the same.
                for pmid, data in items:
                    _require_article(pmid, data)
                return 0
            fetched_at = _now()
            batch = list(items)
            if not split_by_claimcheck:
                for pmid, data in batch:
                    _require_article(pmid, data)
            packed = _pack_all([data for _, data in batch])
            with _transaction(connection):
                rows = (_row(pmid, data, fetched_at, source, blob) for (pmid, data), blob in zip(batch, packed))
                connection.executemany(_UPSERT, rows)
            return len(batch)

    def delete_many(self, pmids: Iterable[str]) -> int:
        """Remove these records from the cache (PubMed's DeleteCitation) in one transaction; return how many."""
        numbers = [(_pmid_number(pmid),) for pmid in pmids]
        with self._lock, self._errors("write"):
            connection = self._require_writable()
            if connection is None:
                return 0
            with _transaction(connection):
                before = connection.total_changes
                connection.executemany("DELETE FROM records WHERE pmid = ?", numbers)
                return connection.total_changes - before

    def stats(self) -> StoreStats:
        """How many records the cache holds, its size on disk, and how many records came from each source."""
        with self._lock, self._errors("read"):
            connection = self._cache()
            if connection is None or self.cache_path is None:
                return StoreStats(path=self.cache_path, records=0, size_bytes=0)
            count = connection.execute("SELECT COUNT(*) FROM records").fetchone()[0]
            rows = connection.execute("SELECT source, COUNT(*) FROM records GROUP BY source ORDER BY source")
            sources = tuple((source, number) for source, number in rows)
        size = sum(_file_size(Path(f"{self.cache_path}{suffix}")) for suffix in ("", "-wal"))
        return StoreStats(path=self.cache_path, records=count, size_bytes=size, sources=sources)

    # --- helpers ----------------------------------------------------------------------------

    def _cache(self) -> sqlite3.Connection | None:
        """The cache connection, None when there is no cache; ValueError once the store is closed."""
        if self._closed:
            raise ValueError("the record store is closed")
        return self._connection

    def _require_writable(self) -> sqlite3.Connection | None:
        """The cache connection for a write; StoreError when the store is read-only."""
        if self.read_only:
            raise StoreError(f"the record cache {self.cache_path} was opened read-only; nothing can be stored in it")
        return self._cache()

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        """Turn SQLite's errors into StoreError messages that say which file and what to do."""
        try:
            yield
        except sqlite3.Error as error:
            raise StoreError(_explain(self.cache_path, action, error)) from None


def _switch_to_wal(connection: sqlite3.Connection) -> None:
    """Put the cache in WAL mode, waiting out another process that is doing the same to a new cache.

    SQLite answers "database is locked" at once, without waiting its busy timeout, when two connections
    switch a new database's journal mode together; the switch is tried again for as long as that timeout.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if getattr(error, "sqlite_errorname", "") != "SQLITE_BUSY" or time.monotonic() >= deadline:
                raise
            time.sleep(_WAL_RETRY_SECONDS)


@contextmanager
def _transaction(connection: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, taken at once so two writers wait for each other instead of failing."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        # SQLite has already rolled back after some errors (a full disk, an I/O error).
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _explain(path: Path | None, action: str, error: sqlite3.Error) -> str:
    """A message for a SQLite error: the file, what went wrong, what to do."""
    name = getattr(error, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")):
        return (
            f"the record cache {path} is damaged or is not a claimcheck cache ({error}); delete it "
            "(claimcheck will fetch the records again) or use another folder with --cache-dir"
        )
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return (
            f"the record cache {path} stayed locked by another process for {BUSY_TIMEOUT_SECONDS:.0f} s; "
            "try again when the other claimcheck run has finished, or use another folder with --cache-dir"
        )
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_PERM", "SQLITE_AUTH")):
        return (
            f"cannot {action} the record cache {path} ({error}); check its permissions, "
            "use another folder with --cache-dir, or run with --offline on a read-only cache"
        )
    if name.startswith("SQLITE_FULL"):
        return f"cannot {action} the record cache {path}: the disk is full; free some space or use --cache-dir"
    return f"cannot {action} the record cache {path} ({error}); delete it or use another folder with --cache-dir"


def _pmid_number(pmid: str) -> int:
    """The PMID as the cache's integer key; ValueError unless it is written as PubMed writes PMIDs."""
    canonical = (
        isinstance(pmid, str)
        and pmid.isascii()
        and pmid.isdigit()
        and not pmid.startswith("0")
        and len(pmid) <= _MAX_PMID_DIGITS
    )
    if not canonical:
        raise ValueError(f"{pmid!r} is not a PMID (a PMID is a positive whole number without leading zeros)")
    return int(pmid)


def _read_article(pmid: str, data: bytes) -> tuple[Record, None] | tuple[None, str]:
    """The record ``data`` holds when it is one PubmedArticleSet of just the article ``pmid``; else why it is not."""
    try:
        records = parse_records(data)
    except MalformedXMLError as error:
        return None, str(error)
    found = [record.pmid for record in records]
    if found == [pmid]:
        return records[0], None
    if not found:
        return None, "it holds no article"
    if len(found) > 1:
        return None, f"it holds {len(found)} articles, not one"
    return None, f"it holds PMID {found[0]}, not {pmid}"


def _require_article(pmid: str, data: bytes) -> None:
    """Raise ValueError unless ``data`` is one PubmedArticleSet holding just the article ``pmid``."""
    _pmid_number(pmid)
    if not isinstance(data, bytes):
        raise ValueError(f"PMID {pmid}: a record must be bytes, not {type(data).__name__}")
    _, reason = _read_article(pmid, data)
    if reason is not None:
        raise ValueError(f"PMID {pmid}: refusing to store bytes that are not its PubMed record ({reason})")


def _require_source(source: str) -> None:
    """Raise ValueError unless ``source`` is ``efetch`` or ``mirror:<file name>``."""
    if source == EFETCH_SOURCE:
        return
    if source.startswith(MIRROR_SOURCE_PREFIX) and len(source) > len(MIRROR_SOURCE_PREFIX):
        return
    raise ValueError(f"unknown record source {source!r} (use 'efetch' or 'mirror:<file name>')")


Packed = tuple[bytes, str]
"""A record's bytes compressed, and the SHA-256 of the bytes."""


def _pack(data: bytes) -> Packed:
    # Level 1: a tenth larger than the default level and three times faster, which a mirror import needs.
    return zlib.compress(data, 1), hashlib.sha256(data).hexdigest()


def _pack_all(records: list[bytes]) -> list[Packed]:
    """Every record packed as _row would, on every core: zlib and hashlib let go of the GIL as they work."""
    if len(records) < _PARALLEL_COMPRESSION_MIN:
        return [_pack(data) for data in records]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return list(pool.map(_pack, records, chunksize=64))


def _row(
    pmid: str, data: bytes, fetched_at: str, source: str, packed: Packed | None = None
) -> tuple[int, bytes, str, str, str]:
    """The cache row for one record (``packed``: already compressed and hashed)."""
    blob, digest = packed if packed is not None else _pack(data)
    return (_pmid_number(pmid), blob, digest, fetched_at, source)


def _unpack(pmid: str, packed: object, digest: object) -> tuple[bytes, Record | None, str | None]:
    """The record bytes of a cache row and the record they hold; when the row is damaged, why."""
    if not isinstance(packed, bytes):
        return b"", None, "its data is not a compressed blob"
    try:
        data = zlib.decompress(packed)
    except zlib.error as error:
        return b"", None, f"its data does not decompress: {error}"
    if hashlib.sha256(data).hexdigest() != digest:
        return b"", None, "its checksum does not match its data"
    record, reason = _read_article(pmid, data)
    return data, record, reason


def _now() -> str:
    """The current time in UTC, to the second, as ISO 8601."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _file_size(path: Path) -> int:
    """The size of a file, or 0 when it does not exist."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0
