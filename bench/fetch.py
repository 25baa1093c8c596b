"""A cold fetch of 1,000 references through the real client, against a fake E-utilities server.

Run from the repository root: python bench/fetch.py [--references N] [--naive-sample N]

The fake server (tests/fake_eutils.py) answers on 127.0.0.1 after 100 ms of latency and refuses
(HTTP 429) a fourth request within any second, as NCBI does without an API key. It serves 1,000
invented records (the same generator as bench/audit.py). Two ways of getting them are timed with
the real client, ``EutilsClient(base_url=fake.url)`` at its default pace (3 requests/s):

  1. claimcheck's way: ``claimcheck.pipeline.obtain_records`` into a fresh record cache
     (EFetch in batches of 200, then every record parsed and stored);
  2. the naive loop: one EFetch POST per PMID. It is bounded by the 3/s pacing, so it is timed on a
     sample (30 PMIDs by default) and extrapolated to all the references; the extrapolation is
     labelled as such. It only fetches (no parsing, no storing), which flatters it.

Targets: at most 5 EFetch requests, no 429 seen, and at least 100x faster than the naive loop.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench._machine import megabytes, peak_rss_bytes, print_machine, verdict  # noqa: E402
from bench.audit import FIRST_PMID, SEED, article_xml, invent_study  # noqa: E402
from claimcheck.pipeline import obtain_records  # noqa: E402
from claimcheck.pubmed import EFETCH_BATCH_SIZE, EutilsClient  # noqa: E402
from claimcheck.store import RecordStore  # noqa: E402
from tests.fake_eutils import FakeEutils, RecordedRequest  # noqa: E402

LATENCY_SECONDS = 0.1
RATE_LIMIT = 3
MAX_EFETCH_REQUESTS = 5
MIN_SPEEDUP = 100.0


def serve_invented_records(fake: FakeEutils, count: int) -> list[str]:
    """Put ``count`` invented records on the fake server; their PMIDs."""
    rng = random.Random(SEED)
    pmids: list[str] = []
    for index in range(count):
        study = invent_study(rng, str(FIRST_PMID + index))
        fake.add_record(study.pmid, article_xml(study, rng))
        pmids.append(study.pmid)
    return pmids


def statuses(requests: Sequence[RecordedRequest]) -> str:
    """The HTTP statuses the server answered with, counted ("200 x5")."""
    counted = Counter(request.status for request in requests)
    return ", ".join(f"{status} x{number}" for status, number in sorted(counted.items())) or "none"


def wait_for_quiet_window() -> None:
    """Let the last second's requests age out of the server's window and the client's pacing."""
    time.sleep(1.1)


def main(argv: Sequence[str]) -> int:
    """Time the batched cold fetch and the naive loop; print figures and PASS/FAIL per target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--references", type=int, default=1000)
    parser.add_argument("--naive-sample", type=int, default=30)
    args = parser.parse_args(argv)
    print_machine()
    print(f"fake E-utilities: {LATENCY_SECONDS * 1000:.0f} ms latency, at most {RATE_LIMIT} requests/s (429 beyond); "
          f"client: default pacing, EFetch batches of {EFETCH_BATCH_SIZE}")
    with FakeEutils(latency=LATENCY_SECONDS, rate_limit=RATE_LIMIT) as fake, \
            tempfile.TemporaryDirectory(prefix="claimcheck-bench-fetch-") as tmp:
        pmids = serve_invented_records(fake, args.references)
        with EutilsClient(base_url=fake.url) as client, RecordStore(cache_dir=Path(tmp) / "cache") as store:
            print(f"client: {client!r}")
            wait_for_quiet_window()
            rate = client.requests_per_second
            started = time.perf_counter()
            obtained = obtain_records(pmids, store=store, client=client)
            bulk_seconds = time.perf_counter() - started
            bulk_requests = fake.requests
            stored = store.stats().records

            fake.reset_log()
            started = time.perf_counter()
            warm = obtain_records(pmids, store=store, client=client)
            warm_seconds = time.perf_counter() - started
            warm_requests = fake.count()

            wait_for_quiet_window()
            fake.reset_log()
            sample = pmids[: args.naive_sample]
            started = time.perf_counter()
            naive_found = 0
            for pmid in sample:
                naive_found += len(client.efetch([pmid]).records)
            naive_sample_seconds = time.perf_counter() - started
            naive_requests = fake.requests

    efetch_requests = sum(1 for request in bulk_requests if request.endpoint == "efetch")
    too_many = sum(1 for request in [*bulk_requests, *naive_requests] if request.status == 429)
    naive_seconds = naive_sample_seconds / len(sample) * len(pmids)
    speedup = naive_seconds / bulk_seconds

    print(f"\ncold fetch of {len(pmids):,} references via obtain_records (fetch, parse, store):")
    print(f"  {len(bulk_requests)} requests ({efetch_requests} EFetch; statuses {statuses(bulk_requests)}), "
          f"{bulk_seconds:.2f} s wall, {len(pmids) / bulk_seconds:,.0f} records/s")
    floor = (len(bulk_requests) - 1) / rate + LATENCY_SECONDS
    print(f"  the floor at {rate:g} requests/s: {len(bulk_requests)} requests cannot take less than {floor:.2f} s "
          f"((n - 1) / rate + one latency); the rest is transfer, parsing and storing")
    print(f"  records obtained {len(obtained.records):,}, unavailable {len(obtained.unavailable)}, "
          f"fetched {len(obtained.fetched):,}, in the cache {stored:,}")
    print(f"warm run (same cache): {warm_requests} requests, {warm_seconds:.2f} s, {len(warm.records):,} records")
    print(f"\nnaive loop, one EFetch POST per PMID (fetch only), measured on {len(sample)} PMIDs:")
    print(f"  {len(naive_requests)} requests (statuses {statuses(naive_requests)}), {naive_found} records, "
          f"{naive_sample_seconds:.2f} s = {naive_sample_seconds / len(sample):.3f} s per PMID")
    print(f"  EXTRAPOLATED to {len(pmids):,} PMIDs: {naive_seconds:,.0f} s ({naive_seconds / 60:.1f} min)")
    print(f"peak RSS of this process: {megabytes(peak_rss_bytes())}")

    checks = [
        (efetch_requests <= MAX_EFETCH_REQUESTS, f"at most {MAX_EFETCH_REQUESTS} EFetch requests: {efetch_requests}"),
        (too_many == 0, f"no 429 seen: {too_many}"),
        (speedup >= MIN_SPEEDUP, f"at least {MIN_SPEEDUP:.0f}x faster than the naive loop: {speedup:,.0f}x "
                                 "(against the extrapolated naive time)"),
        (len(obtained.records) == len(pmids), f"every record obtained: {len(obtained.records):,} of {len(pmids):,}"),
    ]
    print("\ntargets:")
    for passed, text in checks:
        print(f"  {verdict(passed)}  {text}")
    return 0 if all(passed for passed, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
