"""--changed-since: which claims a change touched, on real git repositories built in tmp_path."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from claimcheck.changes import (
    ChangeSelection,
    Hunk,
    changed_claims,
    claims_touched_by,
    keep_claims,
    lines_that_matter,
    parse_hunks,
    select_changed,
)
from claimcheck.claims_file import load_claims
from claimcheck.errors import ClaimsFileError, ConfigError

CLAIMS = """\
claimcheck: 1

references:
  "1":
    citation: Alpha A. A trial of walking. Journal One. 2020.
    pmid: "90000001"
  "2":
    citation: Beta B. A review of stretching. Journal Two. 2021.
    pmid: "90000002"

claims:
  - id: walking-journal
    ref: "1"
    text: A 2020 paper in Journal One studied walking.

  - id: walking-quote
    ref: "1"
    quote:
      - Walking may reduce pain slightly.
      - Effects were small.

  - id: stretching-text
    ref: "2"
    text: Stretching helped most people.
    stated:
      journal: Journal Two

  - id: both
    refs: ["1", "2"]
    text: Both walking and stretching were studied.
"""

CLAIMS_BEFORE_REFERENCES = """\
claimcheck: 1
claims:
  - id: first
    ref: "1"
    text: Walking was studied.
  - id: last
    ref: "2"
    text: Stretching was studied.
references:
  "1":
    citation: Alpha A. A trial of walking. Journal One. 2020.
  "2":
    citation: Beta B. A review of stretching. Journal Two. 2021.
"""

ALL_IDS = {"walking-journal", "walking-quote", "stretching-text", "both"}


def git(repo: Path, *arguments: str) -> None:
    subprocess.run(["git", *arguments], cwd=repo, check=True, capture_output=True)


@pytest.fixture(autouse=True)
def quiet_git(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the user's git configuration out of the tests, and give commits an author."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test Editor")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "editor@example.org")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose first commit holds claims/article.yaml; the tests run inside it."""
    monkeypatch.chdir(tmp_path)
    git(tmp_path, "init", "-q", "-b", "main")
    write("claims/article.yaml", CLAIMS)
    commit(tmp_path, "claims")
    return tmp_path


def write(name: str, text: str) -> Path:
    path = Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def edit(old: str, new: str, name: str = "claims/article.yaml") -> None:
    text = Path(name).read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    write(name, text.replace(old, new))


def selected(since: str = "HEAD", name: str = "claims/article.yaml") -> ChangeSelection:
    return changed_claims(load_claims(name), since)


def test_an_unchanged_file_selects_nothing(repo: Path) -> None:
    selection = selected()
    assert selection.claim_ids == frozenset()
    assert selection.skipped == 4
    assert "4 unchanged since HEAD" in selection.reason


def test_an_uncommitted_edit_selects_only_that_claim(repo: Path) -> None:
    edit("Stretching helped most people.", "Stretching helped all people.")
    selection = selected()
    assert selection.claim_ids == {"stretching-text"}
    assert selection.skipped == 3


def test_a_committed_edit_counts_against_the_older_commit_only(repo: Path) -> None:
    edit("Walking may reduce pain slightly.", "Walking reduces pain.")
    commit(repo, "edit a quote")
    assert selected("HEAD~1").claim_ids == {"walking-quote"}
    assert selected("HEAD").claim_ids == frozenset()
    assert selected("main~1").claim_ids == {"walking-quote"}


def test_an_added_claim_is_selected_alone(repo: Path) -> None:
    with Path("claims/article.yaml").open("a", encoding="utf-8") as stream:
        stream.write('\n  - id: added\n    ref: "2"\n    text: Stretching was compared with rest.\n')
    assert selected().claim_ids == {"added"}


def test_comments_and_blank_lines_select_nothing(repo: Path) -> None:
    edit("    quote:\n", "    # checked against the abstract\n    quote:\n")
    edit("    text: Stretching helped most people.\n", "    text: Stretching helped most people.  # as printed\n")
    edit("      journal: Journal Two\n\n", "      journal: Journal Two\n")
    edit("claims:\n", "# Claims in article order.\n\nclaims:\n")
    selection = selected()
    assert selection.claim_ids == {"stretching-text"}


def test_removing_comments_and_blank_lines_selects_nothing(repo: Path) -> None:
    edit("claims:\n", "claims:\n  # first section\n")
    edit("    text: Stretching helped most people.\n", "    text: Stretching helped most people.\n\n\n")
    commit(repo, "comments")
    edit("claims:\n  # first section\n", "claims:\n")
    edit("    text: Stretching helped most people.\n\n\n", "    text: Stretching helped most people.\n")
    assert selected().claim_ids == frozenset()


def test_hash_lines_inside_block_text_are_text(repo: Path) -> None:
    edit("    text: Both walking and stretching were studied.\n",
         "    text: >-\n      Both were studied:\n      #1 walking\n")
    commit(repo, "block text")
    edit("      #1 walking\n", "      #1 brisk walking\n")
    assert selected().claim_ids == {"both"}
    edit("      #1 brisk walking\n", "")
    assert selected().claim_ids == {"both"}


def test_a_changed_reference_selects_every_claim_citing_it(repo: Path) -> None:
    edit('pmid: "90000002"', 'pmid: "90000003"')
    assert selected().claim_ids == {"stretching-text", "both"}


def test_deleted_lines_count_in_the_entry_they_left(repo: Path) -> None:
    edit("      - Effects were small.\n", "")
    assert selected().claim_ids == {"walking-quote"}


def test_deleting_the_last_lines_of_an_entry_selects_that_entry(repo: Path) -> None:
    edit("    stated:\n      journal: Journal Two\n", "")
    assert selected().claim_ids == {"stretching-text"}


def test_deleting_a_whole_claim_selects_only_the_claim_above_it(repo: Path) -> None:
    edit(
        '  - id: walking-quote\n    ref: "1"\n    quote:\n      - Walking may reduce pain slightly.\n'
        "      - Effects were small.\n\n",
        "",
    )
    assert selected().claim_ids == {"walking-journal"}


def test_the_last_claim_ends_before_the_next_top_level_key(repo: Path) -> None:
    write("claims/reversed.yaml", CLAIMS_BEFORE_REFERENCES)
    commit(repo, "claims before references")
    edit("A trial of walking.", "A trial of brisk walking.", "claims/reversed.yaml")
    assert selected(name="claims/reversed.yaml").claim_ids == {"first"}


def test_an_untracked_file_counts_as_changed_throughout(repo: Path) -> None:
    write("claims/new.yaml", CLAIMS)
    selection = selected(name="claims/new.yaml")
    assert selection.claim_ids == ALL_IDS
    assert selection.skipped == 0
    assert "not in HEAD" in selection.reason


def test_a_file_the_revision_lacks_counts_as_changed_throughout(repo: Path) -> None:
    write("claims/new.yaml", CLAIMS)
    commit(repo, "add a second file")
    assert selected("HEAD~1", "claims/new.yaml").claim_ids == ALL_IDS
    assert selected("HEAD", "claims/new.yaml").claim_ids == frozenset()


def test_an_unknown_revision_is_a_config_error_saying_what_to_do(repo: Path) -> None:
    with pytest.raises(ConfigError, match="origin/nope") as caught:
        selected("origin/nope")
    assert "git:" in str(caught.value)
    assert "fetch" in str(caught.value)


def test_a_revision_that_looks_like_an_option_is_refused(repo: Path) -> None:
    with pytest.raises(ConfigError, match="not a git revision"):
        selected("--output=/tmp/x")


def test_a_file_outside_any_repository_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    write("claims/article.yaml", CLAIMS)
    with pytest.raises(ConfigError, match="not in a git repository"):
        selected()


def test_a_file_that_no_longer_loads_fails_before_any_selection(repo: Path) -> None:
    edit('  - id: both\n    refs: ["1", "2"]', '  - id: both\n    refs: ["1", "9"]')
    with pytest.raises(ClaimsFileError, match="not in 'references'"):
        load_claims("claims/article.yaml")
    edit("    text: Stretching helped most people.", "    text: [unclosed")
    with pytest.raises(ClaimsFileError):
        load_claims("claims/article.yaml")


def test_the_repo_argument_lets_git_run_elsewhere(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    edit("Both walking and stretching", "Walking and stretching")
    os.chdir(tmp_path_factory.mktemp("elsewhere"))
    claims_file = load_claims(repo / "claims" / "article.yaml")
    assert Path(claims_file.path).is_absolute()
    assert changed_claims(claims_file, "HEAD", repo=repo).claim_ids == {"both"}


def test_select_changed_narrows_files_and_their_references(repo: Path) -> None:
    write("claims/second.yaml", CLAIMS_BEFORE_REFERENCES)
    commit(repo, "second file")
    edit("Effects were small.", "Effects were large.")
    files = [load_claims("claims/article.yaml"), load_claims("claims/second.yaml")]
    narrowed, summary = select_changed(files, "HEAD")
    assert [claim.id for claim in narrowed[0].claims] == ["walking-quote"]
    assert [reference.key for reference in narrowed[0].references] == ["1"]
    assert narrowed[1].claims == () and narrowed[1].references == ()
    assert summary == "1 of 6 claims changed since HEAD; 5 unchanged claims skipped"


def test_claims_touched_by_reads_entries_from_line_to_line(tmp_path: Path) -> None:
    path = tmp_path / "article.yaml"
    path.write_text(CLAIMS, encoding="utf-8")
    claims_file = load_claims(path)
    text = CLAIMS
    lines = text.splitlines()
    blank_after_first = lines.index("    text: A 2020 paper in Journal One studied walking.") + 2
    assert lines[blank_after_first - 1] == ""
    assert claims_touched_by(claims_file, text, {blank_after_first}) == {"walking-journal"}
    claims_line = lines.index("claims:") + 1
    assert claims_touched_by(claims_file, text, {claims_line}) == frozenset()
    assert claims_touched_by(claims_file, text, {len(lines)}) == {"both"}
    assert claims_touched_by(claims_file, text, set()) == frozenset()


def test_keep_claims_is_pure(tmp_path: Path) -> None:
    path = tmp_path / "article.yaml"
    path.write_text(CLAIMS, encoding="utf-8")
    claims_file = load_claims(path)
    kept = keep_claims(claims_file, {"both"})
    assert [claim.id for claim in kept.claims] == ["both"]
    assert [reference.key for reference in kept.references] == ["1", "2"]
    assert len(claims_file.claims) == 4


def test_parse_hunks_reads_starts_counts_and_removed_lines() -> None:
    diff = (
        "diff --git a/c.yaml b/c.yaml\n--- a/c.yaml\n+++ b/c.yaml\n"
        "@@ -3 +3 @@ claims:\n-    text: old\n+    text: new\n"
        "@@ -9,2 +8,0 @@\n-  # gone\n-\n"
        "@@ -20,0 +21,3 @@\n+  - id: x\n+    ref: \"1\"\n+    text: y\n"
    )
    assert parse_hunks(diff) == [
        Hunk(3, 1, ("    text: old",)),
        Hunk(8, 0, ("  # gone", "")),
        Hunk(21, 3, ()),
    ]


def test_lines_that_matter_skips_blank_and_comment_lines() -> None:
    text = "claimcheck: 1\n# note\n\nclaims:\n  - id: a\n    text: >-\n      one\n      #two\n"
    assert lines_that_matter(text, [Hunk(2, 2)]) == set()
    assert lines_that_matter(text, [Hunk(5, 4)]) == {5, 6, 7, 8}
    assert lines_that_matter(text, [Hunk(4, 0, ("  # gone",))]) == set()
    assert lines_that_matter(text, [Hunk(7, 0, ("      #three",))]) == {7}
    assert lines_that_matter(text, [Hunk(5, 0, ("    ref: 1",))]) == {5}
    assert lines_that_matter(text, [Hunk(0, 0, ("# top",))]) == set()
    assert lines_that_matter(text, [Hunk(0, 0, ("x: 1",))]) == {1}
