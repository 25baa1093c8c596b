"""The editor's path end to end: extract -> resolve --write -> check, for the seed article, over real HTTP."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from claimcheck.checks.references import parse_citation
from claimcheck.claims_file import load_claims
from claimcheck.cli import main
from claimcheck.resolve import citation_query, doi_search_term, title_search_term
from tests.fake_eutils import make_article_xml

ARTICLE = Path(__file__).resolve().parent / "data" / "hip-pain-article.txt"
FAST = ["--max-tries", "2", "--retry-wait", "0.01", "--timeout", "5"]


def serve_the_references(fake, claims_path: Path) -> dict[str, str]:
    """Teach the fake server a record for each reference, findable by the route resolve will take."""
    claims_file = load_claims(claims_path)
    expected: dict[str, str] = {}
    for number, reference in enumerate(claims_file.references, start=1):
        pmid = str(36000000 + number)
        citation = parse_citation(reference.citation or "")
        surname = citation.first_author.split()[0] if citation.first_author else "Doe"
        fake.add_record(
            pmid,
            make_article_xml(
                pmid,
                citation.title,
                journal=citation.journal or "Journal of Invented Studies",
                year=citation.year or 2020,
                volume=citation.volume or None,
                pages=citation.pages or None,
                authors=(f"{surname}, A",),
                doi=reference.doi,
                abstract_sections="Exercise therapy was studied in people with hip osteoarthritis.",
            ),
        )
        expected[reference.key] = pmid
        if reference.doi:
            fake.add_search(doi_search_term(reference.doi), [pmid])
            continue
        query = citation_query(citation, "key")
        if query is not None:
            fake.add_citation_match(f"{query.journal}|", pmid)
        term = title_search_term(citation)
        if term is not None:
            fake.add_search(term, [pmid])
    return expected


def test_extract_resolve_check_for_the_seed_article(fake_eutils, tmp_path, capsys):
    article = tmp_path / "articles" / "hip-pain.txt"
    article.parent.mkdir()
    shutil.copyfile(ARTICLE, article)
    claims_path = tmp_path / "claims" / "hip-pain.yaml"
    cache = ["--cache-dir", str(tmp_path / "cache")]

    assert main(["extract", str(article), "-o", str(claims_path)]) == 0
    drafted = load_claims(claims_path)
    assert [reference.key for reference in drafted.references] == [str(n) for n in range(1, 12)]
    assert main(["extract", str(article), "-o", str(claims_path)]) == 2  # never overwrites silently

    expected = serve_the_references(fake_eutils, claims_path)
    before = claims_path.read_text(encoding="utf-8")
    assert main(["resolve", str(claims_path), "--eutils-url", fake_eutils.url, *cache, *FAST]) == 0
    assert claims_path.read_text(encoding="utf-8") == before  # a dry run writes nothing
    assert main(["resolve", str(claims_path), "--write", "--eutils-url", fake_eutils.url, *cache, *FAST]) == 0
    resolved = load_claims(claims_path)
    assert {reference.key: reference.pmid for reference in resolved.references} == expected
    after = claims_path.read_text(encoding="utf-8").splitlines()
    assert [line for line in after if line not in before.splitlines()] == [
        line for line in after if line.strip().startswith("pmid:")
    ]
    capsys.readouterr()

    code = main(["check", str(claims_path), "--format", "json", "--eutils-url", fake_eutils.url, *cache, *FAST])
    report = json.loads(capsys.readouterr().out)
    assert code in (0, 1)
    assert report["summary"]["claims"] == len(resolved.claims)
    assert report["summary"]["unverified"] == 0
    assert fake_eutils.count("efetch") >= 1


def test_resolve_offline_is_refused(tmp_path, capsys):
    claims = tmp_path / "a.yaml"
    claims.write_text('claimcheck: 1\nreferences:\n  "1":\n    doi: 10.1/x\nclaims:\n  - id: a\n    ref: "1"\n    text: T.\n')
    assert main(["resolve", "--offline", str(claims)]) == 2
    assert "--offline" in capsys.readouterr().err


def test_extract_prints_to_stdout_and_merge_keeps_hand_edits(tmp_path, capsys):
    article = tmp_path / "hip-pain.txt"
    shutil.copyfile(ARTICLE, article)
    assert main(["extract", str(article)]) == 0
    drafted = capsys.readouterr().out
    assert drafted.startswith("# Claims drafted by `claimcheck extract`") and "claimcheck: 1" in drafted

    claims_path = tmp_path / "claims.yaml"
    assert main(["extract", str(article), "-o", str(claims_path)]) == 0
    edited = claims_path.read_text(encoding="utf-8").replace("claimcheck: 1\n", "claimcheck: 1  # reviewed by the desk\n", 1)
    claims_path.write_text(edited, encoding="utf-8")
    with article.open("a", encoding="utf-8") as stream:
        stream.write('\nA later study in the journal Biology (2) said "walking helped everyone".\n')
    assert main(["extract", str(article), "--merge", str(claims_path)]) == 0
    merged = claims_path.read_text(encoding="utf-8")
    assert "# reviewed by the desk" in merged
    assert merged.startswith(edited.rsplit("\nclaims:", 1)[0])
    assert "walking helped everyone" in merged
    assert main(["extract", str(article), "--merge", str(tmp_path / "missing.yaml")]) == 2
