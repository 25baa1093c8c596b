"""claimcheck resolve: PMIDs found by DOI, ECitMatch or title, verified, and written into the claims file."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimcheck.checks.references import parse_citation
from claimcheck.claims_file import load_claims, load_claims_files
from claimcheck.errors import ClaimsFileError
from claimcheck.model import ClaimsFile, Record, Reference
from claimcheck.pubmed import EutilsClient
from claimcheck.records import parse_record
from claimcheck.resolve import (
    Resolution,
    ResolutionStatus,
    Route,
    apply_resolutions,
    citation_query,
    doi_search_term,
    plan_writes,
    resolve_references,
    title_search_term,
    verify_candidate,
    write_resolutions,
)
from claimcheck.store import RecordStore
from tests.fake_eutils import FakeEutils, make_article_xml, pubmed_set_xml

FAST = {"backoff": 0.001, "max_backoff": 0.005, "timeout": 5.0, "max_tries": 2, "requests_per_second": 1000.0}

# Invented sources: titles, people and journals made up for these tests.
TITLE = "Invented walking programmes improve knee comfort in retired lighthouse keepers."
AUTHORS = ("Quill, Amara", "Dunmore, Felix")
JOURNAL = "Journal of Invented Studies"
DOI = "10.5555/invented.2019.001"
CITATION = f"Quill A, Dunmore F. {TITLE} {JOURNAL}. 2019;12(3):101-10."
CITATION_NO_VOLUME = f"Quill A, Dunmore F. {TITLE} {JOURNAL}. 2019 Mar 4."
TITLE_TERM = ("invented[ti] AND walking[ti] AND programmes[ti] AND improve[ti] AND knee[ti] AND comfort[ti] "
              "AND retired[ti] AND lighthouse[ti] AND quill[1au] AND 2019[dp]")
CITATION_LINE_PREFIX = f"{JOURNAL}|2019|12|101|Quill|"


def article(pmid: str, title: str = TITLE, **options: object) -> str:
    """The invented article behind CITATION, with any field changed."""
    fields: dict[str, object] = {"authors": AUTHORS, "journal": JOURNAL, "year": 2019, "volume": "12",
                                 "pages": "101-110", "doi": DOI}
    fields.update(options)
    return make_article_xml(pmid, title, **fields)  # type: ignore[arg-type]


def record(pmid: str, title: str = TITLE, **options: object) -> Record:
    return parse_record(pubmed_set_xml([article(pmid, title, **options)]))


@pytest.fixture
def client(fake_eutils: FakeEutils) -> Iterator[EutilsClient]:
    with EutilsClient(base_url=fake_eutils.url, **FAST) as eutils:  # type: ignore[arg-type]
        yield eutils


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def claims_text(references: str) -> str:
    """A claims file with these (indented) references and one claim citing reference 1."""
    return (
        "claimcheck: 1\n"
        "references:\n"
        f"{references}"
        "claims:\n"
        "  - id: walking\n"
        '    ref: "1"\n'
        "    text: Walking helped the keepers' knees (1).\n"
    )


def write_claims(folder: Path, text: str, name: str = "claims.yaml") -> Path:
    path = folder / name
    path.write_bytes(text.encode("utf-8"))
    return path


def load(path: Path) -> list[ClaimsFile]:
    return load_claims_files([path.name])


def one_reference(citation: str | None = None, doi: str | None = None) -> str:
    lines = '  "1":\n'
    if citation is not None:
        lines += f'    citation: "{citation}"\n'
    if doi is not None:
        lines += f"    doi: {doi}\n"
    return lines


def resolve_one(in_tmp: Path, client: EutilsClient, citation: str | None = None, doi: str | None = None,
                store: RecordStore | None = None) -> Resolution:
    path = write_claims(in_tmp, claims_text(one_reference(citation, doi)))
    (resolution,) = resolve_references(load(path), client=client, store=store)
    return resolution


# --- the three routes ---------------------------------------------------------------------------


def test_a_doi_finds_the_pmid_and_the_record_is_kept_in_the_store(in_tmp, fake_eutils, client):
    fake_eutils.add_search(f"{DOI}[aid]", ["31000001"])
    fake_eutils.add_record("31000001", article("31000001"))
    with RecordStore(cache_dir=in_tmp / "cache") as store:
        resolution = resolve_one(in_tmp, client, CITATION, DOI, store=store)
        assert store.get("31000001") is not None
        fetches = fake_eutils.count("efetch")
        again = resolve_one(in_tmp, client, CITATION, DOI, store=store)
    assert resolution.status is ResolutionStatus.RESOLVED
    assert (resolution.pmid, resolution.route) == ("31000001", Route.DOI)
    assert resolution.file == "claims.yaml" and resolution.key == "1" and resolution.line == 3
    assert resolution.candidates[0].accepted and resolution.candidates[0].title_score == 100
    assert "PMID 31000001" in resolution.message and "DOI" in resolution.message
    # The first route that confirms a PMID ends the search.
    assert fake_eutils.count("ecitmatch") == 0
    assert again.pmid == "31000001"
    assert fake_eutils.count("efetch") == fetches, "the second run read the record from the store"


def test_ecitmatch_finds_the_pmid_from_the_citations_parts(in_tmp, fake_eutils, client):
    fake_eutils.add_citation_match(CITATION_LINE_PREFIX, "31000001")
    fake_eutils.add_record("31000001", article("31000001"))
    resolution = resolve_one(in_tmp, client, CITATION)
    assert resolution.status is ResolutionStatus.RESOLVED
    assert (resolution.pmid, resolution.route) == ("31000001", Route.ECITMATCH)
    assert fake_eutils.count("esearch") == 0


def test_a_title_search_finds_the_pmid_when_the_citation_has_no_volume(in_tmp, fake_eutils, client):
    fake_eutils.add_search(TITLE_TERM, ["31000001"])
    fake_eutils.add_record("31000001", article("31000001"))
    resolution = resolve_one(in_tmp, client, CITATION_NO_VOLUME)
    assert resolution.status is ResolutionStatus.RESOLVED
    assert (resolution.pmid, resolution.route) == ("31000001", Route.TITLE)
    assert [request.params["term"] for request in fake_eutils.requests_to("esearch")] == [TITLE_TERM]
    assert fake_eutils.count("ecitmatch") == 0
    assert any(step.startswith("ecitmatch: skipped") for step in resolution.steps)


def test_a_route_that_finds_nothing_hands_over_to_the_next(in_tmp, fake_eutils, client):
    fake_eutils.add_search(TITLE_TERM, ["31000001"])
    fake_eutils.add_record("31000001", article("31000001", doi=None))
    resolution = resolve_one(in_tmp, client, CITATION_NO_VOLUME, "10.5555/unknown")
    assert (resolution.status, resolution.route) == (ResolutionStatus.RESOLVED, Route.TITLE)
    assert resolution.steps[0] == "doi: PubMed has no record with DOI 10.5555/unknown"


# --- what is left for the editor -----------------------------------------------------------------


def test_ecitmatch_ambiguity_between_records_that_both_fit_is_left_for_the_editor(in_tmp, fake_eutils, client):
    fake_eutils.add_citation_match(CITATION_LINE_PREFIX, "AMBIGUOUS 31000001,31000002")
    fake_eutils.add_record("31000001", article("31000001"))
    fake_eutils.add_record("31000002", article("31000002", journal="Invented Reviews", doi=None))
    path = write_claims(in_tmp, claims_text(one_reference(CITATION)))
    before = path.read_bytes()
    resolutions = resolve_references(load(path), client=client)
    (resolution,) = resolutions
    assert resolution.status is ResolutionStatus.AMBIGUOUS
    assert resolution.pmid is None and resolution.route is None
    assert [(candidate.pmid, candidate.accepted) for candidate in resolution.candidates] == [
        ("31000001", True), ("31000002", True)]
    assert "31000001, 31000002" in resolution.message
    assert plan_writes(resolutions) == []
    assert write_resolutions(resolutions) == []
    assert path.read_bytes() == before


def test_ecitmatch_ambiguity_is_settled_when_one_candidate_alone_fits(in_tmp, fake_eutils, client):
    fake_eutils.add_citation_match(CITATION_LINE_PREFIX, "AMBIGUOUS 31000002,31000001")
    fake_eutils.add_record("31000001", article("31000001"))
    fake_eutils.add_record("31000002", article("31000002", "Lighthouse lamps and their keepers.", year=2001))
    resolution = resolve_one(in_tmp, client, CITATION)
    assert (resolution.status, resolution.pmid) == (ResolutionStatus.RESOLVED, "31000001")
    rejected = resolution.candidates[0]
    assert rejected.pmid == "31000002" and not rejected.accepted


def test_ambiguous_without_named_candidates(in_tmp, fake_eutils, client):
    fake_eutils.add_citation_match(CITATION_LINE_PREFIX, "AMBIGUOUS (5 citations)")
    resolution = resolve_one(in_tmp, client, CITATION)
    assert resolution.status is ResolutionStatus.AMBIGUOUS
    assert resolution.candidates == ()
    assert "ecitmatch: ambiguous (5 citations match, none named)" in resolution.steps


def test_nothing_found_by_any_route(in_tmp, fake_eutils, client):
    resolution = resolve_one(in_tmp, client, CITATION, DOI)
    assert resolution.status is ResolutionStatus.NOT_FOUND
    assert [step.split(":")[0] for step in resolution.steps] == ["doi", "ecitmatch", "title"]
    assert "no PubMed record found" in resolution.message
    assert fake_eutils.count("efetch") == 0


def test_a_candidate_whose_record_disagrees_is_rejected_not_written(in_tmp, fake_eutils, client):
    fake_eutils.add_search(f"{DOI}[aid]", ["31000009"])
    fake_eutils.add_record("31000009", article("31000009", "Seabird counts on an invented island.", year=2015))
    path = write_claims(in_tmp, claims_text(one_reference(CITATION, DOI)))
    before = path.read_bytes()
    resolutions = resolve_references(load(path), client=client)
    (resolution,) = resolutions
    assert resolution.status is ResolutionStatus.REJECTED
    (candidate,) = resolution.candidates
    assert (candidate.pmid, candidate.route, candidate.accepted) == ("31000009", Route.DOI, False)
    assert any(reason.startswith("its title differs") for reason in candidate.reasons)
    assert 'its year is "2015", the citation says "2019"' in candidate.reasons
    assert "31000009" in candidate.summary and "rejected" in candidate.summary
    write_resolutions(resolutions)
    assert path.read_bytes() == before


def test_a_service_failure_fails_only_the_reference_it_hit(in_tmp, fake_eutils, client):
    fake_eutils.add_search("10.5555/broken[aid]", error="Search Backend failed: the query could not be read")
    fake_eutils.add_search(f"{DOI}[aid]", ["31000001"])
    fake_eutils.add_record("31000001", article("31000001"))
    references = one_reference(CITATION, DOI) + '  "2":\n    doi: 10.5555/broken\n'
    path = write_claims(in_tmp, claims_text(references))
    first, second = resolve_references(load(path), client=client)
    assert (first.status, first.pmid) == (ResolutionStatus.RESOLVED, "31000001")
    assert second.status is ResolutionStatus.FAILED
    assert "Search Backend failed" in second.message and "again later" in second.message


def test_an_efetch_failure_fails_the_references_whose_candidates_it_could_not_fetch(in_tmp, fake_eutils, client):
    fake_eutils.add_search(f"{DOI}[aid]", ["31000001"])
    fake_eutils.always_fail("503", endpoint="efetch")
    resolution = resolve_one(in_tmp, client, CITATION, DOI)
    assert resolution.status is ResolutionStatus.FAILED
    assert "doi: could not fetch PMIDs 31000001" in resolution.message


def test_references_with_a_pmid_are_left_alone(in_tmp, fake_eutils, client):
    references = '  "1":\n    citation: "Quill A. Title. J X. 2019."\n    pmid: "31000001"\n'
    path = write_claims(in_tmp, claims_text(references))
    assert resolve_references(load(path), client=client) == []
    assert fake_eutils.requests == []


# --- verification -------------------------------------------------------------------------------


def test_verification_accepts_a_record_that_fits_despite_small_differences():
    reference = Reference("1", 3, citation=CITATION.replace("programmes", "programs").lower())
    candidate = verify_candidate(reference, record("31000001", doi=None), route=Route.TITLE)
    assert candidate.accepted and candidate.reasons == ()
    assert 90 <= (candidate.title_score or 0) < 100
    assert (candidate.year, candidate.first_author) == ("2019", "Quill A")


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"authors": ("Dunmore, Felix", "Quill, Amara")}, 'its first author is "Dunmore F", the citation says "Quill"'),
        ({"year": 2018}, 'its year is "2018", the citation says "2019"'),
        ({"doi": "10.5555/other"}, f"its DOI is 10.5555/other, the reference's is {DOI}"),
        ({"title": "Invented running programmes worsen ankle comfort in young ferry pilots."}, "its title differs"),
    ],
)
def test_verification_rejects_a_record_that_disagrees(changes, reason):
    title = str(changes.pop("title", TITLE))
    candidate = verify_candidate(Reference("1", 3, citation=CITATION, doi=DOI), record("31000001", title, **changes),
                                 route=Route.DOI)
    assert not candidate.accepted
    assert any(found.startswith(reason) for found in candidate.reasons), candidate.reasons


def test_a_doi_alone_confirms_only_a_record_with_that_doi():
    by_doi = Reference("1", 3, doi=DOI.upper())
    assert verify_candidate(by_doi, record("31000001"), route=Route.DOI).accepted
    unconfirmed = verify_candidate(by_doi, record("31000001", doi=None), route=Route.DOI)
    assert not unconfirmed.accepted and unconfirmed.reasons[0].startswith("nothing confirms it")


def test_search_terms_and_citation_queries():
    assert doi_search_term(" 10.1000/abc.123 ") == "10.1000/abc.123[aid]"
    assert doi_search_term("10.1002/(SICI)1097-4636(199706)35:4") == '"10.1002/(SICI)1097-4636(199706)35:4"[aid]'
    assert title_search_term(parse_citation(CITATION_NO_VOLUME)) == TITLE_TERM
    assert title_search_term(parse_citation("Quill A. 2019.")) is None
    query = citation_query(parse_citation(CITATION), "ref0")
    assert query is not None
    assert (query.journal, query.year, query.volume, query.first_page, query.author) == (
        JOURNAL, "2019", "12", "101", "Quill")
    assert citation_query(parse_citation(CITATION_NO_VOLUME), "ref0") is None


# --- writing ------------------------------------------------------------------------------------

COMMENTED = """\
# Claims for an invented article about lighthouse keepers.
claimcheck: 1

references:
  # The first source, as the article prints it.
  "1":
    citation: >-
      Quill A, Dunmore F. Invented walking programmes improve knee comfort in retired
      lighthouse keepers. Journal of Invented Studies. 2019;12(3):101-10.

    # Found in the printed list only.
  "2":
    doi: 10.5555/invented.2020.002   # the article gives the DOI alone
  "3":
    citation: 'Known Z. Already resolved. J Invent Stud. 2018;1:1.'
    pmid: "31000003"
  4:
      citation: Marsh B. Tidal clocks
        and keepers. Invented Reviews. 2021;7:55.  # a plain scalar over two lines

claims:
  - id: walking   # the one claim
    ref: "1"
    text: Walking helped the keepers' knees (1).
"""
ADDED = ['    pmid: "31000001"', '    pmid: "31000002"', '      pmid: "31000004"']


def serve_commented(fake_eutils: FakeEutils) -> None:
    fake_eutils.add_citation_match(CITATION_LINE_PREFIX, "31000001")
    fake_eutils.add_record("31000001", article("31000001"))
    fake_eutils.add_search("10.5555/invented.2020.002[aid]", ["31000002"])
    fake_eutils.add_record("31000002", article("31000002", "Fog signals.", doi="10.5555/invented.2020.002"))
    fake_eutils.add_citation_match("Invented Reviews|2021|7|55|Marsh|", "31000004")
    fake_eutils.add_record("31000004", article("31000004", "Tidal clocks and keepers.", authors=("Marsh, Bo",),
                                               year=2021, doi=None))


def only_added_lines(original: str, updated: str) -> list[str]:
    """The lines ``updated`` adds to ``original``; fails if it changes or removes any."""
    before, after = original.splitlines(keepends=True), updated.splitlines(keepends=True)
    added: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        assert tag in ("equal", "insert"), (tag, before[i1:i2], after[j1:j2])
        if tag == "insert":
            added.extend(after[j1:j2])
    return added


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_write_adds_only_pmid_lines_and_keeps_everything_else(in_tmp, fake_eutils, client, newline):
    serve_commented(fake_eutils)
    original = COMMENTED.replace("\n", newline)
    path = write_claims(in_tmp, original)
    resolutions = resolve_references(load(path), client=client)
    assert [(r.key, r.status, r.pmid) for r in resolutions] == [
        ("1", ResolutionStatus.RESOLVED, "31000001"),
        ("2", ResolutionStatus.RESOLVED, "31000002"),
        ("4", ResolutionStatus.RESOLVED, "31000004"),
    ]
    (change,) = write_resolutions(resolutions)
    updated = path.read_bytes().decode("utf-8")
    assert updated == change.updated
    assert only_added_lines(original, updated) == [line + newline for line in ADDED]
    lines = updated.split(newline)
    # Each PMID sits right after its citation (before the comment that followed it) or first in its mapping.
    assert lines[lines.index(ADDED[0]) - 1].endswith("2019;12(3):101-10.")
    assert lines[lines.index(ADDED[1]) + 1].startswith("    doi: 10.5555/invented.2020.002")
    assert lines[lines.index(ADDED[2]) - 1].endswith("# a plain scalar over two lines")
    assert [(a.key, a.line) for a in change.additions] == [(key, lines.index(text) + 1) for key, text in
                                                            zip(["1", "2", "4"], ADDED)]
    loaded = load_claims(path)
    assert [(ref.key, ref.pmid) for ref in loaded.references] == [
        ("1", "31000001"), ("2", "31000002"), ("3", "31000003"), ("4", "31000004")]


def test_without_write_nothing_changes_and_the_plan_shows_the_lines(in_tmp, fake_eutils, client):
    serve_commented(fake_eutils)
    path = write_claims(in_tmp, COMMENTED)
    resolutions = resolve_references(load(path), client=client)
    (change,) = plan_writes(resolutions)
    assert path.read_text(encoding="utf-8") == COMMENTED
    assert change.path == "claims.yaml" and change.original == COMMENTED
    added = [line[1:] for line in change.diff().splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert added == ADDED


def test_the_write_is_atomic(in_tmp, fake_eutils, client, monkeypatch):
    serve_commented(fake_eutils)
    path = write_claims(in_tmp, COMMENTED)
    resolutions = resolve_references(load(path), client=client)

    def refuse(source: str, target: str) -> None:
        raise PermissionError(13, "Permission denied")

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", refuse)
        with pytest.raises(ClaimsFileError) as caught:
            write_resolutions(resolutions)
    assert "claims.yaml:1: cannot write the file: Permission denied" in str(caught.value)
    assert path.read_text(encoding="utf-8") == COMMENTED
    assert sorted(entry.name for entry in in_tmp.iterdir()) == ["claims.yaml"], "no temporary file is left"
    inode = path.stat().st_ino
    write_resolutions(resolutions)
    assert path.stat().st_ino != inode, "the file is replaced by a rename, never rewritten in place"
    assert sorted(entry.name for entry in in_tmp.iterdir()) == ["claims.yaml"]


def resolved(key: str, pmid: str, line: int = 1, file: str = "x.yaml") -> Resolution:
    return Resolution(file, key, line, ResolutionStatus.RESOLVED, "found", pmid=pmid, route=Route.DOI)


def test_flow_style_entries_get_the_pair_in_their_line():
    text = claims_text('  "1": {citation: "Quill A. Walking. J X. 2019;1:2.", doi: 10.5/a}  # flow\n'
                       '  "2": { doi: 10.5/b }\n')
    change = apply_resolutions(text, [resolved("1", "11"), resolved("2", "22")])
    assert change.updated == text.replace('2019;1:2.",', '2019;1:2.", pmid: "11",').replace(
        "{ doi: 10.5/b }", '{ pmid: "22", doi: 10.5/b }')
    assert [(a.key, a.line) for a in change.additions] == [("1", 3), ("2", 4)]


def test_block_scalars_keep_their_value():
    text = claims_text('  "1":\n    citation: |+\n      Quill A. Walking. J X. 2019.\n\n    doi: 10.5/a\n'
                       '  "2":\n    citation: >\n      Dunmore F. Keepers. J X. 2020.\n\n\n')
    change = apply_resolutions(text, [resolved("1", "11"), resolved("2", "22")])
    assert change.updated == text.replace('2019.\n\n', '2019.\n\n    pmid: "11"\n').replace(
        'Keepers. J X. 2020.\n', 'Keepers. J X. 2020.\n    pmid: "22"\n')


def test_a_file_without_a_final_line_break_and_a_byte_order_mark():
    text = "\ufeffclaimcheck: 1\nclaims: []\nreferences:\n  \"1\":\n    doi: 10.5/a"
    change = apply_resolutions(text, [resolved("1", "11")])
    assert change.updated == "\ufeffclaimcheck: 1\nclaims: []\nreferences:\n  \"1\":\n    pmid: \"11\"\n    doi: 10.5/a"


def test_only_resolved_references_are_written():
    text = claims_text('  "1":\n    doi: 10.5/a\n')
    ambiguous = Resolution("x.yaml", "1", 3, ResolutionStatus.AMBIGUOUS, "two fit")
    change = apply_resolutions(text, [ambiguous])
    assert change.updated == text and change.additions == ()


def test_a_file_changed_since_it_was_resolved_is_refused():
    text = claims_text('  "1":\n    doi: 10.5/a\n    pmid: "5"\n')
    with pytest.raises(ClaimsFileError) as caught:
        apply_resolutions(text, [resolved("1", "11", 3), resolved("7", "77", 9)], file="claims/x.yaml")
    again = "(run claimcheck resolve again on the file as it is now)"
    assert [str(problem) for problem in caught.value.problems] == [
        f"claims/x.yaml:3: reference '1' has a pmid already {again}",
        f"claims/x.yaml:9: reference '7' is no longer in the file {again}",
    ]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chosen=st.sets(st.sampled_from(["1", "2", "4"])), newline=st.sampled_from(["\n", "\r\n"]),
       pmids=st.lists(st.integers(min_value=1, max_value=10**9), min_size=3, max_size=3))
def test_any_set_of_resolutions_only_adds_lines(chosen, newline, pmids):
    original = COMMENTED.replace("\n", newline)
    resolutions = [resolved(key, str(pmid)) for key, pmid in zip(["1", "2", "4"], pmids) if key in chosen]
    change = apply_resolutions(original, resolutions)
    added = only_added_lines(original, change.updated)
    assert sorted(added) == sorted(f'{" " * (6 if r.key == "4" else 4)}pmid: "{r.pmid}"{newline}' for r in resolutions)
    assert all(re.fullmatch(r' +pmid: "\d+"\r?\n', line) for line in added)
