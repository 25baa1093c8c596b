"""A local PubMed mirror: baseline and update files streamed into the record store, so checks need no network.

Each article is stored as the file has it, wrapped as a one-article PubmedArticleSet (what EFetch
returns for one PMID), under the source ``mirror:<file name>``. Files are applied in the order
given, and within a file in file order: a record that appears again replaces the earlier version,
and a DeleteCitation removes the records it lists that are stored by then, whichever file or fetch
they came from. Records are written in batches, one transaction each, so an interrupted import
(Ctrl-C, a damaged file) leaves the store sound, holding every batch written before the stop. A
damaged file stops the import after storing the articles read before the damage; importing the
file again (a sound copy) is safe, as every record is simply written again.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from claimcheck.errors import InputError, MalformedXMLError, StoreError
from claimcheck.records import DeletedCitations, RawArticle, iter_raw_articles
from claimcheck.store import MIRROR_SOURCE_PREFIX, RecordStore, StoreStats

BATCH_RECORDS = 2_000
"""Records written per transaction: large enough that SQLite's commit cost vanishes, small enough to hold."""
BATCH_BYTES = 16 * 1024 * 1024
"""A batch is also written once its records reach this many bytes, so a run of huge records stays bounded."""


@dataclass(frozen=True)
class ImportProgress:
    """How far an import has got, reported after every batch written."""

    file: str
    """The name of the file being read."""
    file_number: int
    """Which of the files it is, counting from 1."""
    files: int
    records: int
    """Articles stored so far, over every file."""
    deleted: int
    """Records removed so far by DeleteCitation."""
    seconds: float

    @property
    def rate(self) -> float:
        """Records stored per second so far."""
        return self.records / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class ImportSummary:
    """What an import did."""

    files: int
    records: int
    """Articles read and stored; a PMID that appears twice counts twice, and its later version is kept."""
    deletions: int
    """PMIDs the files' DeleteCitation elements list."""
    deleted: int
    """Stored records those deletions removed (the others were not stored)."""
    seconds: float

    @property
    def rate(self) -> float:
        """Records stored per second."""
        return self.records / self.seconds if self.seconds > 0 else 0.0


ProgressCallback = Callable[[ImportProgress], None]


def import_files(
    paths: Sequence[str | os.PathLike[str]],
    *,
    store: RecordStore,
    progress: ProgressCallback | None = None,
    batch_records: int = BATCH_RECORDS,
) -> ImportSummary:
    """Stream PubMed baseline and update files (.xml or .xml.gz) into the store's cache, in the order given.

    Raises InputError when a path is not a readable file or the store has no writable cache (nothing
    is imported then), and MalformedXMLError naming the file and how far the import got when a file
    is damaged or truncated (the records read before the damage are stored).
    """
    files = _files_to_import(paths)
    _require_writable(store)
    importer = _Importer(store, progress, len(files), max(1, batch_records))
    for number, path in enumerate(files, start=1):
        importer.import_file(path, number)
    return importer.summary()


def describe_store(stats: StoreStats) -> str:
    """A few lines saying where the record cache is, how big it is, and how many records came from where."""
    if stats.path is None:
        return "No record cache: claimcheck was run without one, so records are fetched every time."
    lines = [f"Record cache: {stats.path} ({_size(stats.size_bytes)} on disk)"]
    if stats.records == 0:
        lines.append("It holds no records yet.")
        return "\n".join(lines)
    lines.append(f"{stats.records:,} {_plural(stats.records, 'record')}, by source:")
    width = max(len(_source_label(source)) for source, _ in stats.sources)
    for source, count in sorted(stats.sources, key=lambda item: (-item[1], item[0])):
        lines.append(f"  {_source_label(source):<{width}}  {count:>12,}")
    return "\n".join(lines)


def describe_import(summary: ImportSummary) -> str:
    """One sentence saying what an import did and how fast."""
    text = (
        f"Imported {summary.records:,} {_plural(summary.records, 'record')} from {summary.files} "
        f"{_plural(summary.files, 'file')} in {summary.seconds:.1f} s ({summary.rate:,.0f} records/s)"
    )
    if summary.deletions:
        text += (
            f"; DeleteCitation listed {summary.deletions:,} {_plural(summary.deletions, 'PMID')}, "
            f"{summary.deleted:,} of them stored and now removed"
        )
    return text + "."


def describe_progress(progress: ImportProgress) -> str:
    """One line for a terminal: the file, how many records so far, and how fast."""
    return (
        f"{progress.file} ({progress.file_number} of {progress.files}): "
        f"{progress.records:,} {_plural(progress.records, 'record')}, {progress.rate:,.0f} records/s"
    )


# --- the import -------------------------------------------------------------------------------


class _Importer:
    """Counters and the batch waiting to be written, over all the files of one import."""

    def __init__(self, store: RecordStore, progress: ProgressCallback | None, files: int, batch_records: int) -> None:
        self.store = store
        self.progress = progress
        self.files = files
        self.batch_records = batch_records
        self.started = time.monotonic()
        self.records = 0
        self.deletions = 0
        self.deleted = 0
        self.batch: list[tuple[str, bytes]] = []
        self.batch_bytes = 0
        self.file = ""
        self.file_number = 0
        self.file_records = 0

    def import_file(self, path: Path, number: int) -> None:
        """Read one file to its end, writing every batch; the last partial batch is written too."""
        self.file, self.file_number, self.file_records = path.name, number, 0
        source = f"{MIRROR_SOURCE_PREFIX}{path.name}"
        try:
            for item in iter_raw_articles(path):
                if isinstance(item, RawArticle):
                    self._add(item, source)
                else:
                    self._delete(item, source)
        except MalformedXMLError as error:
            self._write(source)
            raise MalformedXMLError(f"{error}; {self._how_far()}") from None
        except OSError as error:
            self._write(source)
            raise InputError(f"cannot read {path} ({error.strerror or error}); {self._how_far()}") from None
        self._write(source)

    def summary(self) -> ImportSummary:
        """What the import did, so far."""
        return ImportSummary(
            files=self.files,
            records=self.records,
            deletions=self.deletions,
            deleted=self.deleted,
            seconds=time.monotonic() - self.started,
        )

    def _add(self, article: RawArticle, source: str) -> None:
        self.batch.append((article.pmid, article.data))
        self.batch_bytes += len(article.data)
        if len(self.batch) >= self.batch_records or self.batch_bytes >= BATCH_BYTES:
            self._write(source)

    def _delete(self, deletion: DeletedCitations, source: str) -> None:
        # Records read before the DeleteCitation are written first, so that it can remove them.
        self._write(source)
        try:
            self.deleted += self.store.delete_many(deletion.pmids)
        except ValueError as error:
            raise MalformedXMLError(f"{self.file}: a DeleteCitation lists something other than a PMID ({error})") from None
        self.deletions += len(deletion.pmids)

    def _write(self, source: str) -> None:
        """Write the waiting batch in one transaction, then report progress."""
        if not self.batch:
            return
        batch, self.batch, self.batch_bytes = self.batch, [], 0
        try:
            self.store.put_many(batch, source=source, split_by_claimcheck=True)
        except ValueError as error:
            raise MalformedXMLError(f"{self.file}: an article is not a PubMed record claimcheck can store ({error})") from None
        self.records += len(batch)
        self.file_records += len(batch)
        if self.progress is not None:
            self.progress(
                ImportProgress(
                    file=self.file,
                    file_number=self.file_number,
                    files=self.files,
                    records=self.records,
                    deleted=self.deleted,
                    seconds=time.monotonic() - self.started,
                )
            )

    def _how_far(self) -> str:
        """Where the import stopped and what is stored, for the message of an error that stops it."""
        return (
            f"the import stopped there: the {self.file_records:,} {_plural(self.file_records, 'record')} read from "
            f"{self.file} before it, and {self.records - self.file_records:,} from earlier files, are stored "
            "(get a sound copy of the file and import it again; records are simply written again)"
        )


def _files_to_import(paths: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The paths as files, or one InputError listing every path that is not a readable file."""
    if not paths:
        raise InputError("name at least one PubMed baseline or update file (.xml or .xml.gz) to import")
    files: list[Path] = []
    problems: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            problems.append(f"{path}: is a folder (name the .xml.gz files in it)")
        elif not path.is_file():
            problems.append(f"{path}: no such file")
        elif not os.access(path, os.R_OK):
            problems.append(f"{path}: not readable (check its permissions)")
        else:
            files.append(path)
    if problems:
        raise InputError("nothing was imported: " + "; ".join(problems))
    return files


def _require_writable(store: RecordStore) -> None:
    """InputError unless the store has a cache it may write."""
    if not store.has_cache:
        raise InputError("there is no record cache to import into; give a cache folder (--cache-dir)")
    if store.read_only:
        raise StoreError(f"the record cache {store.cache_path} was opened read-only; nothing can be imported into it")


def _source_label(source: str) -> str:
    return "fetched from E-utilities" if source == "efetch" else source


def _plural(count: int, word: str) -> str:
    return word if count == 1 else f"{word}s"


def _size(size: int) -> str:
    """A byte count as people read it: 812 B, 3.4 MB, 1.2 GB."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1024
    return f"{value:,.1f} TB"
