"""The audit, start to end: claims files -> references -> records -> checks -> findings -> Report."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from claimcheck import rules
from claimcheck.checks import metadata, overstatement, quotes, references
from claimcheck.claims_file import load_claims_files
from claimcheck.config import apply_rule_overrides
from claimcheck.errors import MalformedXMLError, ServiceError
from claimcheck.facts import read_facts
from claimcheck.fileio import remove_stale_temporaries
from claimcheck.model import (
    CheckSettings,
    Claim,
    ClaimResult,
    ClaimsFile,
    Evidence,
    Finding,
    Record,
    Report,
    Severity,
    Status,
)
from claimcheck.pubmed import EutilsClient
from claimcheck.records import parse_record
from claimcheck.store import EFETCH_SOURCE, RecordStore, default_cache_dir, write_snapshot

Progress = Callable[[int, int], None]
"""Called with (done, total) as long work advances."""


@dataclass(frozen=True)
class Obtained:
    """The records a run could have, and why the others could not be had."""

    records: dict[str, Record]
    unavailable: dict[str, str]
    fetched: tuple[str, ...]
    problems: tuple[str, ...]


def pmids_of(claims_files: Iterable[ClaimsFile]) -> list[str]:
    """Every distinct PMID the references of these files name, in order of appearance."""
    seen: dict[str, None] = {}
    for claims_file in claims_files:
        for reference in claims_file.references:
            if reference.pmid:
                seen.setdefault(reference.pmid, None)
    return list(seen)


def snapshot_dirs_for(claims_files: Iterable[ClaimsFile]) -> list[Path]:
    """The ``records/`` folders beside the given claims files that exist."""
    folders: dict[Path, None] = {}
    for claims_file in claims_files:
        folder = Path(claims_file.path).parent / "records"
        if folder.is_dir():
            folders.setdefault(folder, None)
    return list(folders)


def obtain_records(
    pmids: Sequence[str],
    *,
    store: RecordStore,
    client: EutilsClient | None,
    progress: Progress | None = None,
    max_age: timedelta | None = None,
) -> Obtained:
    """Records for these PMIDs from the store, then from E-utilities (never when ``client`` is None).

    With ``max_age`` and a client, cached records older than that are fetched again, so that a
    retraction or erratum published since is seen; one that cannot be had again is used as stored.
    """
    records: dict[str, Record] = {}
    unavailable: dict[str, str] = {}
    aged: dict[str, tuple[Record, str]] = {}
    for pmid, stored in store.get_many(pmids).items():
        # get_many reads every record it returns (an unreadable one is reported as damaged and left out).
        record = stored.record if stored.record is not None else parse_record(stored.data)
        if client is not None and max_age is not None and stored.is_older_than(max_age):
            aged[pmid] = (record, stored.fetched_at or "")
            continue
        records[pmid] = record
    missing = [pmid for pmid in pmids if pmid not in records]
    fetched: list[str] = []
    if missing and client is None:
        for pmid in missing:
            unavailable[pmid] = "not stored, and --offline forbids fetching it"
        missing = []
    if missing and client is not None:

        def keep(batch: dict[str, bytes]) -> None:
            readable: list[tuple[str, bytes]] = []
            for pmid, data in batch.items():
                try:
                    records[pmid] = parse_record(data)
                except MalformedXMLError as error:
                    unavailable[pmid] = f"PubMed sent a record that could not be read ({error})"
                    continue
                readable.append((pmid, data))
            # The client cut these bytes out of its answer with split_pubmed_set, and each was just read:
            # the store need not check them again, and keeps the whole batch in one transaction.
            if readable:
                store.put_many(readable, source=EFETCH_SOURCE, split_by_claimcheck=True)
            fetched.extend(pmid for pmid, _ in readable)

        try:
            result = client.efetch(missing, progress=progress, on_batch=keep)
        except ServiceError as error:
            for pmid in missing:
                if pmid not in records:
                    unavailable.setdefault(pmid, f"E-utilities failed: {error}")
        else:
            for pmid in result.missing:
                unavailable[pmid] = "PubMed has no record with this PMID"
    for pmid, (record, fetched_at) in aged.items():
        if pmid in records:
            continue
        reason = unavailable.pop(pmid, "no answer")
        records[pmid] = record
        store.problems.append(
            f"PMID {pmid}: the stored record, fetched {fetched_at}, is older than max-age and could not be fetched "
            f"again ({reason}); it was used as stored"
        )
    return Obtained(records, unavailable, tuple(fetched), tuple(store.problems))


def snapshot_records(claims_files: Sequence[ClaimsFile], store: RecordStore, pmids: Iterable[str]) -> int:
    """Write ``records/<PMID>.xml`` beside each claims file for the records it cites; return files written."""
    wanted = set(pmids)
    written = 0
    for claims_file in claims_files:
        folder = Path(claims_file.path).parent / "records"
        # A run killed while writing a snapshot leaves its temporary file; the next one clears it away.
        remove_stale_temporaries(folder)
        for pmid in pmids_of([claims_file]):
            stored = store.get(pmid) if pmid in wanted else None
            if stored is None:
                continue
            write_snapshot(folder, pmid, stored.data)
            written += 1
    return written


def check_claim(claim: Claim, claims_file: ClaimsFile, obtained: Obtained, settings: CheckSettings) -> list[Finding]:
    """Every finding for one claim, before acceptances are applied (pure)."""
    findings: list[Finding] = []
    records: list[Record] = []
    for key in claim.refs:
        reference = claims_file.reference(key)
        if reference is None:
            continue
        record = obtained.records.get(reference.pmid) if reference.pmid else None
        if reference.pmid and record is None:
            findings.append(_unavailable(claim, reference.pmid, obtained.unavailable.get(reference.pmid, "")))
            continue
        findings.extend(references.check_reference(claim, reference, record))
        if record is not None:
            records.append(record)
    if not records:
        return findings
    findings.extend(_best_quote_findings(claim, records, settings))
    for record in records:
        findings.extend(metadata.check_metadata(claim, record, settings))
        findings.extend(overstatement.check_overstatement(claim, record, settings))
    return findings


def _best_quote_findings(claim: Claim, records: list[Record], settings: CheckSettings) -> list[Finding]:
    """Quote findings against the cited record the quotes fit best (a claim may cite several)."""
    best: list[Finding] | None = None
    for record in records:
        candidate = list(quotes.check_quotes(claim, record, settings))
        if best is None or _worst(candidate) < _worst(best):
            best = candidate
    return best or []


def _worst(findings: list[Finding]) -> int:
    return max((int(finding.severity) for finding in findings), default=0)


def _unavailable(claim: Claim, pmid: str, reason: str) -> Finding:
    message = f"PMID {pmid} could not be had ({reason}); the claim is unverified."
    return Finding.about(
        claim, rules.SOURCE_UNAVAILABLE, message, pmid=pmid, evidence=Evidence(field="record", record_value=reason)
    )


def apply_acceptances(claim: Claim, findings: list[Finding]) -> list[Finding]:
    """Mark findings the claim accepts, and report each acceptance that silenced nothing (C901)."""
    reasons = dict(claim.accept)
    lines = dict(claim.accept_lines)
    used: set[str] = set()
    marked: list[Finding] = []
    for finding in findings:
        reason = reasons.get(finding.rule.code)
        if reason is None:
            marked.append(finding)
            continue
        used.add(finding.rule.code)
        marked.append(replace(finding, accepted=reason))
    for code, reason in claim.accept:
        if code in used:
            continue
        marked.append(
            Finding.about(
                claim,
                rules.UNUSED_ACCEPT,
                f"accept entry {code} silenced nothing; delete it or correct its code.",
                line=lines.get(code, claim.line),
                evidence=Evidence(field="accept", article_text=f"{code}: {reason}"),
            )
        )
    return marked


def ignore_codes(findings: Iterable[Finding], prefixes: Sequence[str]) -> list[Finding]:
    """Drop findings whose code starts with any of the prefixes (``Q10``, ``M``)."""
    wanted = tuple(prefix.strip().upper() for prefix in prefixes if prefix.strip())
    return [finding for finding in findings if not finding.rule.code.startswith(wanted or ("\0",))]


def claim_status(findings: Iterable[Finding], *, unverified: bool = False) -> Status:
    """Unverified if a cited record could not be had; flagged if a warning or worse is not accepted; else verified."""
    if unverified:
        return Status.UNVERIFIED
    for finding in findings:
        if finding.accepted is None and finding.severity >= Severity.WARNING:
            return Status.FLAGGED
    return Status.VERIFIED


def _every_record_had(claim: Claim, claims_file: ClaimsFile, obtained: Obtained) -> bool:
    """Whether every reference the claim cites has a PMID whose record was obtained."""
    for key in claim.refs:
        reference = claims_file.reference(key)
        if reference is None or not reference.pmid or reference.pmid not in obtained.records:
            return False
    return True


def audit(
    claims_files: Sequence[ClaimsFile],
    obtained: Obtained,
    *,
    settings: CheckSettings = CheckSettings(),
    ignore: Sequence[str] = (),
    progress: Progress | None = None,
    jobs: int = 1,
    rule_overrides: Mapping[str, Severity | None] | None = None,
) -> Report:
    """Check every claim of the files against the records obtained; ``jobs`` > 1 checks files in parallel."""
    total = sum(len(claims_file.claims) for claims_file in claims_files)
    results: list[ClaimResult] = []
    overrides = dict(rule_overrides or {})
    if jobs > 1 and len(claims_files) > 1:
        # Imported only when asked for: a one-process run need not load multiprocessing at start-up.
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=jobs) as pool:
            parts = [_records_for(claims_file, obtained) for claims_file in claims_files]
            futures = [pool.submit(audit_file, part, claims_file, settings, ignore, overrides) for claims_file, part in zip(claims_files, parts)]
            for future in futures:
                results.extend(future.result())
                if progress is not None:
                    progress(len(results), total)
    else:
        for claims_file in claims_files:
            results.extend(audit_file(obtained, claims_file, settings, ignore, overrides))
            if progress is not None:
                progress(len(results), total)
    return Report(results=tuple(results), files=tuple(claims_file.path for claims_file in claims_files))


def audit_file(
    obtained: Obtained,
    claims_file: ClaimsFile,
    settings: CheckSettings,
    ignore: Sequence[str],
    rule_overrides: Mapping[str, Severity | None] | None = None,
) -> list[ClaimResult]:
    """Check every claim of one file (pure)."""
    results: list[ClaimResult] = []
    reference_findings_seen: set[tuple[str, int, str, str]] = set()
    for claim in claims_file.claims:
        findings = check_claim(claim, claims_file, obtained, settings)
        findings = _once_per_reference(findings, reference_findings_seen)
        findings = ignore_codes(apply_acceptances(claim, findings), ignore)
        findings = apply_rule_overrides(findings, rule_overrides or {})
        findings.sort(key=Finding.sort_key)
        pmids = _pmids_of_claim(claim, claims_file)
        results.append(
            ClaimResult(
                claim=claim,
                pmids=pmids,
                records=tuple(obtained.records[pmid] for pmid in pmids if pmid in obtained.records),
                status=claim_status(findings, unverified=not _every_record_had(claim, claims_file, obtained)),
                findings=tuple(_dedupe(findings)),
                facts=read_facts(claim),
            )
        )
    return results


def _records_for(claims_file: ClaimsFile, obtained: Obtained) -> Obtained:
    """The part of ``obtained`` one file needs, so a worker process is sent only that."""
    pmids = pmids_of([claims_file])
    return Obtained(
        records={pmid: obtained.records[pmid] for pmid in pmids if pmid in obtained.records},
        unavailable={pmid: obtained.unavailable[pmid] for pmid in pmids if pmid in obtained.unavailable},
        fetched=(),
        problems=(),
    )


def _once_per_reference(findings: list[Finding], seen: set[tuple[str, int, str, str]]) -> list[Finding]:
    """Keep a citation mismatch only on the first claim citing the reference: it is about the entry, not the claim."""
    kept: list[Finding] = []
    for finding in findings:
        if finding.rule is rules.CITATION_MISMATCH:
            key = finding.sort_key()
            if key in seen:
                continue
            seen.add(key)
        kept.append(finding)
    return kept


def _dedupe(findings: Iterable[Finding]) -> Iterator[Finding]:
    seen: set[tuple[str, int, str, str]] = set()
    for finding in findings:
        key = finding.sort_key()
        if key in seen:
            continue
        seen.add(key)
        yield finding


def _pmids_of_claim(claim: Claim, claims_file: ClaimsFile) -> tuple[str, ...]:
    pmids: list[str] = []
    for key in claim.refs:
        reference = claims_file.reference(key)
        if reference is not None and reference.pmid:
            pmids.append(reference.pmid)
    return tuple(pmids)


def open_store(claims_files: Sequence[ClaimsFile], *, cache_dir: Path | None) -> RecordStore:
    """The record store for a run: the snapshots beside the claims files, then the user cache."""
    return RecordStore(cache_dir=cache_dir, snapshot_dirs=snapshot_dirs_for(claims_files), read_only=False)


def check(
    paths: Sequence[str | os.PathLike[str]] = ("claims",),
    *,
    offline: bool = False,
    cache_dir: str | os.PathLike[str] | None = None,
    eutils_url: str | None = None,
    settings: CheckSettings = CheckSettings(),
    ignore: Sequence[str] = (),
    client: EutilsClient | None = None,
    max_age: timedelta | None = None,
) -> Report:
    """Audit the claims files at ``paths`` (files or folders) and return the Report.

    Raises ClaimsFileError (bad input, nothing checked) before any network call. ``max_age``: cached
    records older than this are fetched again (see obtain_records).
    """
    claims_files = load_claims_files(paths)
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    own_client = client is None and not offline
    if own_client:
        client = EutilsClient.from_environment(base_url=eutils_url)
    try:
        with open_store(claims_files, cache_dir=folder) as store:
            obtained = obtain_records(
                pmids_of(claims_files), store=store, client=None if offline else client, max_age=max_age
            )
    finally:
        if own_client and client is not None:
            client.close()
    report = audit(claims_files, obtained, settings=settings, ignore=ignore)
    return replace(report, notes=obtained.problems)
