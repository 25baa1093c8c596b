"""The HTML report in a real browser: Debian's headless Chromium renders it, offline.

Skipped when /usr/bin/chromium is absent (``apt-get install chromium``). Set CLAIMCHECK_SCREENSHOT to a
path to keep the screenshot (for the docs), e.g.
``CLAIMCHECK_SCREENSHOT=docs/report.png pytest tests/test_html_browser.py``.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from claimcheck.reports import render
from tests.test_reports import sample_report

CHROMIUM = Path("/usr/bin/chromium")
WIDTH, HEIGHT = 1200, 1600

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("html-report")
    path = folder / "report.html"
    path.write_text(render(sample_report(), "html"), encoding="utf-8")
    return path


def _chromium(page: Path, *options: str) -> subprocess.CompletedProcess[str]:
    home = page.parent / "home"
    home.mkdir(exist_ok=True)
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        f"--user-data-dir={page.parent / 'profile'}",
        *options,
        page.as_uri(),
    ]
    # A private HOME keeps the browser from writing into the user's real one.
    environment = {**os.environ, "HOME": str(home)}
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env=environment, check=False)


@pytest.fixture(scope="module")
def dom(page: Path) -> str:
    finished = _chromium(page, "--dump-dom")
    assert finished.returncode == 0, finished.stderr[-2000:]
    return finished.stdout


def test_the_browser_renders_the_summary_and_the_word_diff(dom: str) -> None:
    assert "5 claims: 2 verified, 2 flagged, 1 unverified, 1 accepted" in dom
    assert "<del>may</del> <ins>will</ins>" in dom
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/90000001/"' in dom


def test_hostile_data_stays_text_in_the_browser(dom: str) -> None:
    assert "<body" in dom
    assert "<script" not in dom.lower() and "<img" not in dom.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom


def test_the_browser_takes_a_screenshot(page: Path) -> None:
    picture = page.parent / "report.png"
    finished = _chromium(page, f"--screenshot={picture}", f"--window-size={WIDTH},{HEIGHT}")
    assert finished.returncode == 0, finished.stderr[-2000:]
    data = picture.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (WIDTH, HEIGHT)
    assert len(data) > 20_000, "a page with styled claims compresses to more than a blank one"
    keep = os.environ.get("CLAIMCHECK_SCREENSHOT")
    if keep:
        Path(keep).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(picture, keep)
