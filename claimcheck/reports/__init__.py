"""Report renderers: pure functions from a Report to text in one format (they never write or print).

``FORMATS`` maps each format name to its ``render(report, *, color=False) -> str``.
"""

from __future__ import annotations

from collections.abc import Callable

from claimcheck.errors import ConfigError
from claimcheck.model import Report
from claimcheck.reports import github, html_report, json_report, junit, markdown, sarif, text
from claimcheck.reports._common import summary_line

Renderer = Callable[..., str]
"""``render(report, *, color=False) -> str``."""

FORMATS: dict[str, Renderer] = {
    "text": text.render,
    "json": json_report.render,
    "markdown": markdown.render,
    "html": html_report.render,
    "github": github.render,
    "junit": junit.render,
    "sarif": sarif.render,
}


def render(report: Report, fmt: str, *, color: bool = False) -> str:
    """The report in format ``fmt`` (a key of FORMATS); ``color`` only affects ``text``."""
    renderer = FORMATS.get(fmt)
    if renderer is None:
        known = ", ".join(sorted(FORMATS))
        raise ConfigError(f"unknown report format {fmt!r} (use one of: {known})")
    return renderer(report, color=color)


__all__ = ["FORMATS", "Renderer", "render", "summary_line"]
