"""The local mirror: PubMed files streamed into the record store, DeleteCitation, damage, Ctrl-C, the corpus."""

from __future__ import annotations

import gzip
import io
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from claimcheck.errors import InputError, MalformedXMLError, StoreError
from claimcheck.mirror import (
    ImportProgress,
    ImportSummary,
    describe_import,
    describe_progress,
    describe_store,
    import_files,
)
from claimcheck.model import Record, Severity, Status
from claimcheck.pipeline import check
from claimcheck.records import (
    DeletedCitations,
    RawArticle,
    iter_pubmed_file,
    iter_raw_articles,
    parse_record,
    split_pubmed_set,
)
from claimcheck.store import DATABASE_NAME, RecordStore

RECORDS_DATA = Path(__file__).parent / "data" / "records"
HEADER = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2019//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_190101.dtd">\n'
)


def article(pmid: str, title: str, *, cites: str = "7000001") -> str:
    """An invented PubmedArticle, laid out as baseline files lay it out, citing another PMID deeper down."""
    return f"""  <PubmedArticle>
    <MedlineCitation Status="MEDLINE" Owner="NLM">
      <PMID Version="1">{pmid}</PMID>
      <Article PubModel="Print">
        <Journal>
          <JournalIssue CitedMedium="Print"><Volume>4</Volume><PubDate><Year>2020</Year><Month>Mar</Month></PubDate></JournalIssue>
          <Title>Journal of Invented Results</Title>
        </Journal>
        <ArticleTitle>{title}</ArticleTitle>
        <Abstract>
          <AbstractText Label="RESULTS" NlmCategory="RESULTS">Made up for claimcheck's tests: café walkers (\u03b5 &lt; 2) slept longer.</AbstractText>
        </Abstract>
      </Article>
      <CommentsCorrectionsList>
        <CommentsCorrections RefType="Cites"><RefSource>An invented source</RefSource><PMID Version="1">{cites}</PMID></CommentsCorrections>
      </CommentsCorrectionsList>
    </MedlineCitation>
    <PubmedData><ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId></ArticleIdList></PubmedData>
  </PubmedArticle>
"""


def deletion(*pmids: str) -> str:
    """A DeleteCitation element, as update files end."""
    lines = "".join(f'<PMID Version="1">{pmid}</PMID>\n' for pmid in pmids)
    return f"  <DeleteCitation>\n{lines}</DeleteCitation>\n"


def pubmed_file(*parts: str, header: str = HEADER) -> bytes:
    """A PubmedArticleSet file holding these articles and DeleteCitations, in order."""
    return (header + "<PubmedArticleSet>\n" + "".join(parts) + "</PubmedArticleSet>\n").encode()


def write(path: Path, data: bytes) -> Path:
    """Write the file, gzipped when its name ends in .gz."""
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


@pytest.fixture
def store(tmp_path: Path) -> Iterator[RecordStore]:
    with RecordStore(cache_dir=tmp_path / "cache") as opened:
        yield opened


def title_of(store: RecordStore, pmid: str) -> str:
    stored = store.get(pmid)
    assert stored is not None, pmid
    return parse_record(stored.data).title


# --- the streaming splitter -------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(path.name for path in RECORDS_DATA.glob("*.xml")))
@pytest.mark.parametrize("chunk_bytes", [1, 7, 300, 1 << 20])
def test_streamed_articles_are_what_split_pubmed_set_makes(name: str, chunk_bytes: int) -> None:
    data = (RECORDS_DATA / name).read_bytes()
    streamed = list(iter_raw_articles(io.BytesIO(data), chunk_bytes=chunk_bytes))
    articles = [(item.pmid, item.data) for item in streamed if isinstance(item, RawArticle)]
    assert articles == split_pubmed_set(data)


def test_an_end_tag_in_a_comment_or_cut_by_a_chunk_never_splits_an_article_wrongly() -> None:
    # The streaming splitter feeds expat without callbacks between an article's PMID and the end tag
    # bytes.find points at; a decoy in a comment, and end tags cut at every possible chunk edge, must
    # still give exactly what split_pubmed_set gives.
    decoy = article("2001", "Decoy.").replace("<ArticleTitle>", "<!-- </PubmedArticle> --><ArticleTitle>")
    parts = [decoy, article("2002", "Second."), deletion("9"), article("2003", "Third.")]
    # As in real files, "</PubmedData>" comes just before "</PubmedArticle>".
    closing = "</PubmedData></PubmedArticle>"
    parts = [part.replace("</PubmedArticle>", "<PubmedData></PubmedData></PubmedArticle>") for part in parts]
    assert all(closing in part for part in parts if "<PubmedArticle>" in part)
    data = pubmed_file(*parts)
    expected = split_pubmed_set(data)
    assert [pmid for pmid, _ in expected] == ["2001", "2002", "2003"]
    ends = [index for index in range(len(data)) if data.startswith(b"</PubmedArticle>", index)]
    # Chunk sizes that put each end tag at every offset from 0 to 40 into its chunk: the edges of a chunk
    # are where a tag is cut.
    sizes = {end - offset for end in ends for offset in range(41) if end - offset > 20}
    for chunk_bytes in sorted(sizes | set(range(20, 400, 7))):
        streamed = list(iter_raw_articles(io.BytesIO(data), chunk_bytes=chunk_bytes))
        assert [(item.pmid, item.data) for item in streamed if isinstance(item, RawArticle)] == expected, chunk_bytes


def test_streamed_items_keep_file_order_with_deletions_between_articles(tmp_path: Path) -> None:
    data = pubmed_file(
        article("1001", "First."), deletion("1001", "5"), article("1002", "Second.", cites="1001"), deletion("1002")
    )
    for chunk_bytes in (5, 1 << 20):
        items = list(iter_raw_articles(write(tmp_path / "update.xml.gz", data), chunk_bytes=chunk_bytes))
        shape = [item.pmid if isinstance(item, RawArticle) else item.pmids for item in items]
        assert shape == ["1001", ("1001", "5"), "1002", ("1002",)]


def test_a_file_without_declaration_gets_ncbis_usual_header() -> None:
    (item,) = iter_raw_articles(io.BytesIO(pubmed_file(article("1001", "Bare."), header="")))
    assert isinstance(item, RawArticle)
    assert item.data.startswith(b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet')
    assert parse_record(item.data).title == "Bare."


# --- importing --------------------------------------------------------------------------------


def test_import_applies_repeats_and_deletions_in_file_order(tmp_path: Path, store: RecordStore) -> None:
    baseline = write(
        tmp_path / "pubmed99n0001.xml.gz",
        pubmed_file(
            article("1001", "Walking, first version."),
            article("1002", "Sleep, first version."),
            article("1003", "Diet, to be deleted."),
            article("1002", "Sleep, revised version."),
            deletion("1003", "9999"),
        ),
    )
    update = write(
        tmp_path / "pubmed99n0002.xml",
        pubmed_file(article("1003", "Diet, back again."), article("1004", "Stretching."), deletion("1001")),
    )
    summary = import_files([baseline, update], store=store)
    assert (summary.files, summary.records, summary.deletions, summary.deleted) == (2, 6, 3, 2)
    assert store.get("1001") is None
    assert title_of(store, "1002") == "Sleep, revised version."
    assert title_of(store, "1003") == "Diet, back again."
    assert title_of(store, "1004") == "Stretching."
    stats = store.stats()
    assert stats.records == 3
    assert dict(stats.sources) == {"mirror:pubmed99n0001.xml.gz": 1, "mirror:pubmed99n0002.xml": 2}


@pytest.mark.parametrize("batch_records", [1, 2, 1000])
def test_batching_does_not_change_what_is_stored(tmp_path: Path, store: RecordStore, batch_records: int) -> None:
    path = write(
        tmp_path / "update.xml",
        pubmed_file(
            article("2001", "Old."), article("2002", "Kept."), deletion("2001"), article("2001", "New."), deletion("2002")
        ),
    )
    summary = import_files([path], store=store, batch_records=batch_records)
    assert (summary.records, summary.deleted) == (3, 2)
    assert title_of(store, "2001") == "New."
    assert store.get("2002") is None


def test_stored_records_are_the_files_bytes_and_parse_as_the_streaming_parser_reads_them(
    tmp_path: Path, store: RecordStore
) -> None:
    data = pubmed_file(article("3001", "Tea."), article("3002", "Coffee.", cites="3001"))
    path = write(tmp_path / "pubmed99n0003.xml.gz", data)
    import_files([path], store=store)
    for pmid, expected in split_pubmed_set(data):
        stored = store.get(pmid)
        assert stored is not None and stored.data == expected
    records = [item for item in iter_pubmed_file(path) if isinstance(item, Record)]
    assert [parse_record(store.get(record.pmid).data) for record in records] == records  # type: ignore[union-attr]


def test_imported_records_serve_an_offline_store_opened_later(tmp_path: Path) -> None:
    path = write(tmp_path / "pubmed99n0004.xml", pubmed_file(article("4001", "Naps.")))
    with RecordStore(cache_dir=tmp_path / "cache") as writer:
        import_files([path], store=writer)
    with RecordStore(cache_dir=tmp_path / "cache", read_only=True) as reader:
        assert title_of(reader, "4001") == "Naps."


def test_progress_is_reported_after_each_batch(tmp_path: Path, store: RecordStore) -> None:
    path = write(tmp_path / "pubmed99n0005.xml", pubmed_file(*(article(str(5000 + n), f"R{n}.") for n in range(1, 6))))
    seen: list[ImportProgress] = []
    summary = import_files([path], store=store, progress=seen.append, batch_records=2)
    assert [progress.records for progress in seen] == [2, 4, 5]
    assert all(progress.file == "pubmed99n0005.xml" and progress.files == 1 for progress in seen)
    assert seen[-1].records == summary.records
    assert "pubmed99n0005.xml (1 of 1): 5 records" in describe_progress(seen[-1])


def test_descriptions_say_what_was_imported_and_what_is_stored(tmp_path: Path, store: RecordStore) -> None:
    path = write(tmp_path / "pubmed99n0006.xml", pubmed_file(article("6001", "A."), deletion("6001", "6002")))
    text = describe_import(import_files([path], store=store))
    assert text.startswith("Imported 1 record from 1 file in ")
    assert "DeleteCitation listed 2 PMIDs, 1 of them stored and now removed" in text
    store.put_many([("6003", pubmed_file(article("6003", "B.")))], source="mirror:pubmed99n0006.xml")
    description = describe_store(store.stats())
    assert str(store.cache_path) in description
    assert "1 record, by source:" in description
    assert "mirror:pubmed99n0006.xml" in description
    assert "No record cache" in describe_store(RecordStore(cache_dir=None).stats())


# --- bad input --------------------------------------------------------------------------------


def test_paths_that_are_not_files_stop_the_import_before_anything_is_stored(tmp_path: Path, store: RecordStore) -> None:
    good = write(tmp_path / "good.xml", pubmed_file(article("7001", "A.")))
    with pytest.raises(InputError, match=r"missing\.xml\.gz: no such file.*folder") as caught:
        import_files([good, tmp_path / "missing.xml.gz", tmp_path], store=store)
    assert "nothing was imported" in str(caught.value)
    assert store.stats().records == 0
    with pytest.raises(InputError, match="name at least one"):
        import_files([], store=store)


def test_a_store_without_a_writable_cache_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "good.xml", pubmed_file(article("7001", "A.")))
    with pytest.raises(InputError, match="no record cache"):
        import_files([path], store=RecordStore(cache_dir=None))
    RecordStore(cache_dir=tmp_path / "cache").close()
    with RecordStore(cache_dir=tmp_path / "cache", read_only=True) as reader:
        with pytest.raises(StoreError, match="read-only"):
            import_files([path], store=reader)


def _three_articles() -> bytes:
    return pubmed_file(article("8001", "One."), article("8002", "Two."), article("8003", "Three."))


def test_truncated_gzip_stops_with_the_file_named_and_keeps_what_was_read(tmp_path: Path, store: RecordStore) -> None:
    # Several megabytes, so that whole chunks are read and split before the cut is reached.
    packed = gzip.compress(pubmed_file(*(article(str(100_000 + n), f"R{n}.") for n in range(3_000))))
    broken = tmp_path / "pubmed99n0007.xml.gz"
    broken.write_bytes(packed[: len(packed) * 2 // 3])
    with pytest.raises(MalformedXMLError, match=r"pubmed99n0007\.xml\.gz is not a readable gzip file") as caught:
        import_files([broken], store=store)
    stored = store.stats().records
    assert f"the {stored:,} records read from pubmed99n0007.xml.gz before it" in str(caught.value)
    assert 0 < stored < 3_000
    assert title_of(store, "100000") == "R0." and title_of(store, str(100_000 + stored - 1)) == f"R{stored - 1}."


def test_truncated_xml_stops_after_storing_the_articles_before_the_cut(tmp_path: Path, store: RecordStore) -> None:
    data = _three_articles()
    cut = data.index(b"Three.")
    earlier = write(tmp_path / "pubmed99n0001.xml", pubmed_file(article("8100", "Earlier.")))
    broken = write(tmp_path / "pubmed99n0008.xml", data[:cut])
    with pytest.raises(MalformedXMLError, match=r"pubmed99n0008\.xml is not well-formed XML") as caught:
        import_files([earlier, broken], store=store)
    assert "the 2 records read from pubmed99n0008.xml before it, and 1 from earlier files, are stored" in str(
        caught.value
    )
    assert sorted(pmid for pmid in ("8001", "8002", "8003", "8100") if store.get(pmid)) == ["8001", "8002", "8100"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<html><body>502 Bad Gateway</body></html>", "is <html>, not <PubmedArticleSet>"),
        (b"\x00\x01 not xml at all", "is not well-formed XML"),
        (b"", "is not well-formed XML"),
        (pubmed_file(article("", "No PMID.")), "has no usable PMID"),
        (pubmed_file(deletion("12a")), "DeleteCitation lists '12a'"),
        (pubmed_file(article("0123", "Leading zero.")), "not a PubMed record claimcheck can store"),
        (pubmed_file("  <ERROR>Unable to obtain query #1</ERROR>\n"), "answered with an error: Unable to obtain"),
    ],
    ids=["html", "binary", "empty", "no pmid", "bad deletion", "leading zero", "error document"],
)
def test_files_that_are_not_pubmed_xml_are_malformed(tmp_path: Path, store: RecordStore, content: bytes, message: str) -> None:
    path = write(tmp_path / "odd.xml", content)
    with pytest.raises(MalformedXMLError, match=message) as caught:
        import_files([path], store=store)
    assert "odd.xml" in str(caught.value)
    assert store.stats().records == 0


class _InterruptingStore(RecordStore):
    """A store whose second batch is cut short by Ctrl-C halfway through its transaction."""

    calls = 0

    def put_many(self, items: Iterable[tuple[str, bytes]], *, source: str, split_by_claimcheck: bool = False) -> int:
        self.calls += 1
        if self.calls == 2:
            items = _then_interrupt(items)
        return super().put_many(items, source=source, split_by_claimcheck=split_by_claimcheck)


def _then_interrupt(items: Iterable[tuple[str, bytes]]) -> Iterator[tuple[str, bytes]]:
    iterator = iter(items)
    yield next(iterator)
    raise KeyboardInterrupt


def test_ctrl_c_mid_import_leaves_the_store_sound_and_usable(tmp_path: Path) -> None:
    path = write(tmp_path / "pubmed99n0009.xml", pubmed_file(*(article(str(9000 + n), f"R{n}.") for n in range(1, 7))))
    cache = tmp_path / "cache"
    with _InterruptingStore(cache_dir=cache) as interrupted:
        with pytest.raises(KeyboardInterrupt):
            import_files([path], store=interrupted, batch_records=2)
    with sqlite3.connect(cache / DATABASE_NAME) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with RecordStore(cache_dir=cache) as reopened:
        # The first batch was committed; the one interrupted mid-transaction left nothing behind.
        assert sorted(pmid for pmid in ("9001", "9002", "9003") if reopened.get(pmid)) == ["9001", "9002"]
        assert import_files([path], store=reopened).records == 6
        assert reopened.stats().records == 6


# --- the real corpus and the offline demo -----------------------------------------------------

REPEATED = {"30271887": 4, "33728380": 2, "34017925": 2}
"""PMIDs that pubmed21n1298.xml.gz holds more than once, and how often (measured)."""
DEMO = Path(__file__).parent.parent / "examples" / "offline-demo"
PLANTED = {
    "knee-share": "O303",
    "knee-access": "O301",
    "sarcopenia-journal": "M201",
    "sarcopenia-bias": "Q102",
    "valve-date": "M202",
    "walking-survey": "M206",
}
"""The demo's claims that carry a planted mistake, and the one finding each must raise."""


@pytest.fixture(scope="module")
def imported_corpus(pubmed_corpus: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[ImportSummary, Path]:
    """pubmed21n1298.xml.gz imported once into a fresh cache: the import's summary and the cache folder."""
    cache = tmp_path_factory.mktemp("mirror") / "cache"
    with RecordStore(cache_dir=cache) as store:
        summary = import_files([pubmed_corpus["pubmed21n1298.xml.gz"]], store=store)
    return summary, cache


@pytest.mark.corpus
def test_corpus_file_imports_with_its_repeats_and_deletions(
    pubmed_corpus: dict[str, Path], imported_corpus: tuple[ImportSummary, Path]
) -> None:
    summary, cache = imported_corpus
    # 20,788 articles; the repeats add 5 rows that replace earlier ones; none of the 20 deleted PMIDs is in the file.
    assert (summary.records, summary.deletions, summary.deleted) == (20_788, 20, 0)
    with RecordStore(cache_dir=cache, read_only=True) as store:
        assert store.stats().records == 20_788 - sum(count - 1 for count in REPEATED.values())
        last_versions: dict[str, Record] = {}
        sample: list[Record] = []
        for index, item in enumerate(iter_pubmed_file(pubmed_corpus["pubmed21n1298.xml.gz"])):
            if isinstance(item, DeletedCitations):
                assert all(store.get(pmid) is None for pmid in item.pmids)
                continue
            if item.pmid in REPEATED:
                last_versions[item.pmid] = item
            elif index % 500 == 0:
                sample.append(item)
        for record in [*last_versions.values(), *sample]:
            stored = store.get(record.pmid)
            assert stored is not None
            assert parse_record(stored.data) == record


@pytest.mark.corpus
def test_offline_demo_flags_each_planted_mistake_and_verifies_the_rest(imported_corpus: tuple[ImportSummary, Path]) -> None:
    _, cache = imported_corpus
    report = check([DEMO], offline=True, cache_dir=cache)
    raised: dict[str, set[str]] = {}
    for result in report.results:
        raised[result.claim.id] = {
            finding.rule.code for finding in result.findings if finding.severity >= Severity.WARNING
        }
        assert result.status is (Status.FLAGGED if result.claim.id in PLANTED else Status.VERIFIED), result.claim.id
    assert raised == {claim_id: {PLANTED[claim_id]} if claim_id in PLANTED else set() for claim_id in raised}
    assert set(PLANTED) <= set(raised) and len(raised) == 11
