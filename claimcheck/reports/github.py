"""GitHub Actions workflow commands: one annotation per finding (``::error file=...,line=...::message``).

Severity error -> ``error``, warning -> ``warning``, info -> ``notice``. An accepted finding is still
emitted, as a ``notice`` whose title ends with "(accepted)", because an accepted finding stays visible
in every report but must not look like a failure. The last line is the summary, as plain log text.
"""

from __future__ import annotations

from claimcheck.model import Finding, Report, Severity
from claimcheck.reports._common import sorted_findings, summary_line, visible_controls
from claimcheck.reports.text import evidence_lines

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render(report: Report, *, color: bool = False) -> str:
    """The report as GitHub workflow commands, one per line, then the summary line."""
    lines: list[str] = []
    for result in report.results:
        for finding in sorted_findings(result):
            lines.append(annotation(finding))
    lines.append(summary_line(report.summary))
    return "\n".join(lines) + "\n"


def annotation(finding: Finding) -> str:
    """One workflow command for one finding."""
    command = "notice" if finding.accepted is not None else _COMMANDS[finding.severity]
    title = finding.rule.title + (" (accepted)" if finding.accepted is not None else "")
    properties = [f"file={escape_property(finding.file)}"]
    if finding.line > 0:
        properties.append(f"line={finding.line}")
    properties.append(f"title={escape_property(title)}")
    message = finding.message
    if finding.accepted is not None:
        message += f" (accepted: {finding.accepted})"
    details = [line.strip() for line in evidence_lines(finding)]
    if details:
        message += "\n" + "\n".join(details)
    return f"::{command} {','.join(properties)}::{escape_data(visible_controls(message))}"


def escape_data(text: str) -> str:
    """A workflow command's message, escaped as the Actions runner expects (``%``, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: the message escapes plus ``:`` and ``,``."""
    return escape_data(visible_controls(text)).replace(":", "%3A").replace(",", "%2C")
