"""The command line: argparse verbs, printing and exit codes (the only module that prints or exits).

Exit codes: 0 ok; 1 findings at or above --fail-on that are not accepted; 2 bad input (nothing
checked); 3 some records could not be had (claims unverified); 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gc
import logging
import os
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from claimcheck import __version__, reports, rules
from claimcheck.changes import select_changed
from claimcheck.claims_file import load_claims_files
from claimcheck.config import Config, describe, load_config
from claimcheck.errors import ClaimcheckError, ClaimsFileError, InputError, MalformedXMLError, ServiceError, StoreError
from claimcheck.fileio import write_atomic
from claimcheck.mirror import describe_import, describe_progress, describe_store, import_files
from claimcheck.model import ClaimsFile, Report, Severity, Status
from claimcheck.pipeline import Obtained, audit, obtain_records, open_store, pmids_of, snapshot_records
from claimcheck.pubmed import EutilsClient
from claimcheck.records import parse_record
from claimcheck.reports import summary_line
from claimcheck.reports.record_text import describe_record
from claimcheck.rules_doc import rules_markdown
from claimcheck.store import RecordStore, default_cache_dir

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_UNAVAILABLE = 3
EXIT_INTERRUPTED = 130

FAIL_ON_CHOICES = ("error", "warning", "info", "never")
_FULL_COLLECTION_RARELY = 1000
"""Middle-generation collections before a full one (Python's default is 10; see _young_garbage_only)."""


class Progress:
    """A one-line progress display on a terminal; silent when stderr is not one or in CI."""

    def __init__(self, label: str, *, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            enabled = self.stream.isatty() and not os.environ.get("CI")
        self.enabled = enabled
        self.started = time.monotonic()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        self.show(f"{done}/{total} ({done / elapsed:.1f}/s)")

    def show(self, text: str) -> None:
        """Replace the progress line with ``text``."""
        if not self.enabled:
            return
        self.stream.write(f"\r\x1b[2K{self.label}: {text}")
        self.stream.flush()
        self.shown = True

    def finish(self) -> None:
        """End the progress line so later output starts on a fresh line."""
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every verb."""
    parser = argparse.ArgumentParser(
        prog="claimcheck",
        description="Check what an article says about its sources against the sources (PubMed).",
        epilog="Exit codes: 0 ok, 1 findings, 2 bad input, 3 records could not be had.",
    )
    parser.add_argument("--version", action="version", version=f"claimcheck {__version__}")
    verbs = parser.add_subparsers(dest="verb", metavar="COMMAND")

    check = verbs.add_parser("check", help="audit claims files against their sources")
    _add_paths(check)
    _add_record_options(check)
    check.add_argument("--format", choices=sorted(reports.FORMATS), default="text", help="report format (default text)")
    check.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE (atomically) instead of stdout")
    check.add_argument(
        "--fail-on",
        choices=FAIL_ON_CHOICES,
        help="exit 1 when a finding at or above this severity is not accepted (default error)",
    )
    check.add_argument("--ignore", metavar="CODES", help="comma-separated codes or prefixes to drop (Q10,M)")
    check.add_argument(
        "--changed-since",
        metavar="GIT_REF",
        help="audit only claims whose entries (or whose references' entries) changed since this git ref",
    )
    check.add_argument("--quiet", "-q", action="store_true", help="print only the summary line")
    check.add_argument("--jobs", "-j", type=_positive_int, default=1, metavar="N", help="check claims files in N processes (default 1)")
    check.set_defaults(handler=run_check)

    fetch = verbs.add_parser("fetch", help="fetch and store the records the claims files cite")
    _add_paths(fetch)
    _add_record_options(fetch)
    fetch.add_argument(
        "--snapshot",
        action="store_true",
        help="also write records/<PMID>.xml beside each claims file, for committing and offline CI",
    )
    fetch.set_defaults(handler=run_fetch)

    show = verbs.add_parser("show", help="show one PubMed record")
    show.add_argument("pmid", metavar="PMID")
    show.add_argument("--xml", action="store_true", help="print the raw PubMed XML")
    _add_record_options(show)
    show.set_defaults(handler=run_show)

    extract = verbs.add_parser("extract", help="draft a claims file from an article (text, Markdown or HTML)")
    extract.add_argument("article", metavar="ARTICLE", help="the article: .txt, .md or .html")
    extract.add_argument("--output", "-o", metavar="FILE", help="write the claims file here (default: standard output)")
    extract.add_argument(
        "--merge",
        metavar="EXISTING",
        help="update this claims file from the article, keeping hand edits, accept entries and comments",
    )
    extract.set_defaults(handler=run_extract)

    resolve = verbs.add_parser("resolve", help="find the PMID of every reference that has none")
    _add_paths(resolve)
    _add_record_options(resolve)
    resolve.add_argument(
        "--write", action="store_true", help="write the PMIDs found into the claims files (comments and layout kept)"
    )
    resolve.set_defaults(handler=run_resolve)

    mirror = verbs.add_parser("mirror", help="a local PubMed mirror in the record cache, for offline and bulk work")
    mirror.set_defaults(handler=lambda _args: _usage(mirror))
    mirror_verbs = mirror.add_subparsers(dest="mirror_verb", metavar="ACTION")
    mirror_import = mirror_verbs.add_parser("import", help="stream PubMed baseline/update files into the cache")
    mirror_import.add_argument("files", nargs="+", metavar="FILE", help="pubmedYYnNNNN.xml or .xml.gz files, in order")
    mirror_import.add_argument("--cache-dir", metavar="DIR", help="record cache folder (env CLAIMCHECK_CACHE_DIR)")
    mirror_import.set_defaults(handler=run_mirror_import)
    mirror_info = mirror_verbs.add_parser("info", help="report what the record cache holds")
    mirror_info.add_argument("--cache-dir", metavar="DIR", help="record cache folder (env CLAIMCHECK_CACHE_DIR)")
    mirror_info.set_defaults(handler=run_mirror_info)

    config = verbs.add_parser("config", help="show the effective settings and where each came from")
    _add_paths(config)
    _add_record_options(config)
    config.set_defaults(handler=run_config)

    rules_verb = verbs.add_parser("rules", help="list the rules, or explain one")
    rules_verb.add_argument("code", nargs="?", metavar="CODE")
    rules_verb.add_argument("--markdown", action="store_true", help="print docs/rules.md, generated from the rule table")
    rules_verb.set_defaults(handler=run_rules)
    return parser


def _usage(parser: argparse.ArgumentParser) -> int:
    """A verb that needs an action was given none: show its help and exit 2."""
    parser.print_help(sys.stderr)
    return EXIT_BAD_INPUT


def _add_paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="claims files or folders (default claims/)")


def _add_record_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--offline",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="never touch the network; use stored records only",
    )
    parser.add_argument("--eutils-url", metavar="URL", help="E-utilities base URL (env CLAIMCHECK_EUTILS_URL)")
    parser.add_argument("--cache-dir", metavar="DIR", help="record cache folder (env CLAIMCHECK_CACHE_DIR)")
    parser.add_argument("--timeout", type=_positive_float, metavar="SECONDS", help="per-request timeout (default 30)")
    parser.add_argument("--max-tries", type=_positive_int, metavar="N", help="tries per request before giving up (default 5)")
    parser.add_argument(
        "--retry-wait",
        type=_positive_float,
        metavar="SECONDS",
        help="first wait before a retry; doubles each time, with jitter (default 1)",
    )
    parser.add_argument(
        "--max-age",
        type=_positive_float,
        metavar="DAYS",
        help="fetch again cached records older than this, for new retractions and errata (default: keep them)",
    )


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be greater than 0")
    return value


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be a whole number of at least 1")
    return int(text)


@contextlib.contextmanager
def _young_garbage_only() -> Iterator[None]:
    """Keep the garbage collector to young objects while a command runs; as it was afterwards.

    A run's claims, records and results live until it ends. Python's full collections walk every one of
    them, again each time the heap has grown by a quarter, and find nothing: 5-10% of a large audit. The
    reference cycles a run makes (parsers, generators) die young, and young collections still free them.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(thresholds[0], thresholds[1], _FULL_COLLECTION_RARELY)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    _log_to_stderr()
    try:
        with _young_garbage_only():
            return int(args.handler(args))
    except ClaimsFileError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        count = len(error.problems)
        print(f"claimcheck: {count} problem{'s' if count != 1 else ''} in claims files; nothing was checked.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except InputError as error:
        print(f"claimcheck: {error}".replace("\n", "\nclaimcheck: "), file=sys.stderr)
        return EXIT_BAD_INPUT
    except (ServiceError, StoreError) as error:
        print(f"claimcheck: {error}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except ClaimcheckError as error:
        print(f"claimcheck: {error}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except KeyboardInterrupt:
        print("claimcheck: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


class _CliLogHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The CLI's own handler, so a later main() in the same process replaces it (tests call main often)."""


def _log_to_stderr() -> None:
    """Show the library's warnings (retries, store repairs) as ``claimcheck:`` lines on the current stderr."""
    logger = logging.getLogger("claimcheck")
    for handler in list(logger.handlers):
        if isinstance(handler, _CliLogHandler):
            logger.removeHandler(handler)
    handler = _CliLogHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("claimcheck: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)


def entry_point() -> None:
    """Console-script entry point."""
    sys.exit(main())


_OVERRIDABLE = (
    "paths", "fail_on", "offline", "cache_dir", "eutils_url", "timeout", "max_tries", "retry_wait", "max_age", "ignore"
)


def _config(args: argparse.Namespace) -> Config:
    """Defaults < claimcheck.toml / pyproject.toml < environment < command line."""
    given = {name: getattr(args, name, None) for name in _OVERRIDABLE}
    given["paths"] = given["paths"] or None
    return load_config().with_overrides(**given)


def _cache_dir(config: Config) -> Path:
    return config.cache_dir if config.cache_dir is not None else default_cache_dir()


def _client(config: Config) -> EutilsClient | None:
    if config.offline:
        return None
    return EutilsClient(
        base_url=config.eutils_url,
        email=config.email,
        api_key=os.environ.get("NCBI_API_KEY"),
        timeout=config.timeout,
        max_tries=config.max_tries,
        backoff=config.retry_wait,
    )


def _obtain(config: Config, claims_files: list[ClaimsFile], store: RecordStore) -> Obtained:
    client = _client(config)
    progress = Progress("fetching records")
    try:
        max_age = timedelta(days=config.max_age) if config.max_age is not None else None
        return obtain_records(pmids_of(claims_files), store=store, client=client, progress=progress, max_age=max_age)
    finally:
        progress.finish()
        if client is not None:
            client.close()


def _report_store_problems(obtained: Obtained) -> None:
    for problem in obtained.problems:
        print(f"claimcheck: {problem}", file=sys.stderr)


def run_check(args: argparse.Namespace) -> int:
    """``claimcheck check``: validate, obtain records, check, report; return the exit code."""
    config = _config(args)
    claims_files = load_claims_files(config.paths)
    notes: list[str] = []
    if args.changed_since:
        claims_files, skipped = select_changed(claims_files, args.changed_since)
        notes.append(skipped)
    with open_store(claims_files, cache_dir=_cache_dir(config)) as store:
        obtained = _obtain(config, claims_files, store)
    _report_store_problems(obtained)
    notes.extend(obtained.problems)  # the report keeps what stderr said of the stored records
    progress = Progress("checking claims")
    try:
        report = audit(
            claims_files,
            obtained,
            settings=config.settings,
            ignore=config.ignore,
            rule_overrides=config.rule_overrides,
            jobs=args.jobs,
            progress=progress,
        )
    finally:
        progress.finish()
    report = dataclasses.replace(report, notes=tuple(notes))
    _emit_report(args, report)
    return exit_status(report, config.fail_on)


def _emit_report(args: argparse.Namespace, report: Report) -> None:
    if args.output:
        write_atomic(args.output, reports.render(report, args.format))
        print(summary_line(report.summary), file=sys.stderr)
        return
    if args.quiet:
        print(summary_line(report.summary))
        return
    color = args.format == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    sys.stdout.write(reports.render(report, args.format, color=color))


def exit_status(report: Report, fail_on: str) -> int:
    """1 if a finding at or above fail_on is not accepted, else 3 if a claim is unverified, else 0."""
    if fail_on != "never":
        threshold = Severity.parse(fail_on)
        for finding in report.findings:
            # An unavailable source makes the claim unverified (exit 3), not a failed check.
            if finding.rule is rules.SOURCE_UNAVAILABLE or finding.accepted is not None:
                continue
            if finding.severity >= threshold:
                return EXIT_FINDINGS
    if any(result.status is Status.UNVERIFIED for result in report.results):
        return EXIT_UNAVAILABLE
    return EXIT_OK


def run_fetch(args: argparse.Namespace) -> int:
    """``claimcheck fetch``: store every record the claims files cite; 3 if some could not be had."""
    config = _config(args)
    claims_files = load_claims_files(config.paths)
    pmids = pmids_of(claims_files)
    with open_store(claims_files, cache_dir=_cache_dir(config)) as store:
        obtained = _obtain(config, claims_files, store)
        written = snapshot_records(claims_files, store, obtained.records) if args.snapshot else 0
    _report_store_problems(obtained)
    for pmid, reason in sorted(obtained.unavailable.items()):
        print(f"claimcheck: PMID {pmid}: {reason}", file=sys.stderr)
    stored = len(pmids) - len(obtained.unavailable)
    line = f"{len(pmids)} records: {stored} stored ({len(obtained.fetched)} fetched), {len(obtained.unavailable)} could not be had"
    if args.snapshot:
        line += f"; {written} snapshot files written"
    print(line)
    return EXIT_UNAVAILABLE if obtained.unavailable else EXIT_OK


def run_show(args: argparse.Namespace) -> int:
    """``claimcheck show PMID``: print one record, readable or as raw XML."""
    pmid = args.pmid.strip()
    if not pmid.isdigit():
        raise InputError(f"{args.pmid!r} is not a PMID (a PMID is digits only, e.g. 34943166)")
    config = _config(args)
    with RecordStore(cache_dir=_cache_dir(config)) as store:
        stored = store.get(pmid)
        data = stored.data if stored is not None else None
        if data is None:
            client = _client(config)
            if client is None:
                print(f"claimcheck: PMID {pmid} is not stored and --offline forbids fetching it", file=sys.stderr)
                return EXIT_UNAVAILABLE
            with client:
                result = client.efetch([pmid])
            if pmid not in result.records:
                print(f"claimcheck: PubMed has no record with PMID {pmid}", file=sys.stderr)
                return EXIT_UNAVAILABLE
            data = result.records[pmid]
            store.put(pmid, data)
    if args.xml:
        sys.stdout.write(data.decode("utf-8"))
        return EXIT_OK
    try:
        record = parse_record(data)
    except MalformedXMLError as error:
        print(f"claimcheck: PMID {pmid}: {error}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    sys.stdout.write(describe_record(record))
    return EXIT_OK


def run_extract(args: argparse.Namespace) -> int:
    """``claimcheck extract``: draft (or merge into) a claims file; say on stderr what could not be attached."""
    # Imported here, as resolve's module is: `check`, run on every content change, never pays for them.
    from claimcheck.extract import extract_file

    article = Path(args.article)
    output = Path(args.output) if args.output else None
    if args.merge:
        target = Path(args.merge)
        if not target.is_file():
            raise InputError(f"{args.merge}: no such claims file to merge into (drop --merge to draft a new one)")
        text, messages = extract_file(article, output=target)
        output = output or target
    else:
        if output is not None and output.exists():
            raise InputError(f"{output} exists; use --merge {output} to update it, or choose another name")
        text, messages = extract_file(article, output=output)
    for message in messages:
        print(f"{article}: {message}", file=sys.stderr)
    if output is None:
        sys.stdout.write(text)
        return EXIT_OK
    write_atomic(output, text)
    print(f"claimcheck: wrote {output}", file=sys.stderr)
    return EXIT_OK


def run_resolve(args: argparse.Namespace) -> int:
    """``claimcheck resolve``: look up missing PMIDs; 0 all found, 1 some left for the editor, 3 service failure."""
    from claimcheck.resolve import ResolutionStatus, plan_writes, resolve_references, write_resolutions

    config = _config(args)
    claims_files = load_claims_files(config.paths)
    client = _client(config)
    if client is None:
        raise InputError("resolve needs E-utilities; it cannot run with --offline")
    with client, open_store(claims_files, cache_dir=_cache_dir(config)) as store:
        resolutions = resolve_references(claims_files, client=client, store=store)
    for resolution in resolutions:
        print(f"{resolution.file}:{resolution.line}: reference {resolution.key} {resolution.status.value}: {resolution.message}")
        if resolution.status is not ResolutionStatus.RESOLVED:
            for candidate in resolution.candidates:
                print(f"    {candidate.summary}")
    changes = write_resolutions(resolutions) if args.write else plan_writes(resolutions)
    for change in changes:
        if args.write:
            print(f"claimcheck: wrote {len(change.additions)} PMID(s) into {change.path}", file=sys.stderr)
        else:
            sys.stdout.write(change.diff())
    if changes and not args.write:
        print("claimcheck: nothing written; run again with --write to apply", file=sys.stderr)
    resolved = sum(1 for resolution in resolutions if resolution.status is ResolutionStatus.RESOLVED)
    print(f"{len(resolutions)} references without a PMID: {resolved} resolved, {len(resolutions) - resolved} left for the editor")
    if any(resolution.status is ResolutionStatus.FAILED for resolution in resolutions):
        return EXIT_UNAVAILABLE
    return EXIT_OK if resolved == len(resolutions) else EXIT_FINDINGS


def run_mirror_import(args: argparse.Namespace) -> int:
    """``claimcheck mirror import``: stream PubMed files into the cache, applying DeleteCitation."""
    config = _config(args)
    progress = Progress("importing")
    try:
        with RecordStore(cache_dir=_cache_dir(config)) as store:
            summary = import_files(args.files, store=store, progress=lambda state: progress.show(describe_progress(state)))
    finally:
        progress.finish()
    print(describe_import(summary))
    return EXIT_OK


def run_mirror_info(args: argparse.Namespace) -> int:
    """``claimcheck mirror info``: where the cache is and what it holds."""
    config = _config(args)
    with RecordStore(cache_dir=_cache_dir(config), read_only=True) as store:
        print(describe_store(store.stats()))
    return EXIT_OK


def run_config(args: argparse.Namespace) -> int:
    """``claimcheck config``: the effective settings and where each came from (never the API key)."""
    sys.stdout.write(describe(_config(args)))
    return EXIT_OK


def run_rules(args: argparse.Namespace) -> int:
    """``claimcheck rules [CODE]``: list every rule, or explain one."""
    if args.markdown:
        sys.stdout.write(rules_markdown())
        return EXIT_OK
    if not args.code:
        for rule in rules.RULES:
            print(f"{rule.code}  {rule.name:<26} {rule.severity.label:<8} {rule.summary}")
        return EXIT_OK
    rule = rules.rule_by_code(args.code.strip().upper())
    if rule is None:
        raise InputError(f"no rule {args.code!r} (run `claimcheck rules` to list them)")
    print(f"{rule.code} {rule.name} [{rule.severity.label}]\n")
    print(f"{rule.summary}\n\n{rule.explanation}\n\nExample: {rule.example}\n\nHow to fix: {rule.fix}")
    return EXIT_OK
