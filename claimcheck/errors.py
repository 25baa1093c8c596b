"""The exceptions claimcheck raises, one tree; the CLI maps each branch to an exit code.

    ClaimcheckError
    ├── InputError                exit 2: the user's input is wrong; nothing was checked
    │   ├── ClaimsFileError       one or more problems in claims files, each with file and line
    │   └── ConfigError           a bad option or configuration value
    ├── ServiceError              exit 3: E-utilities could not give an answer after every retry
    ├── StoreError                exit 3: the record store could not be read or written
    └── MalformedXMLError         an answer or file is not the PubMed XML it should be
"""

from __future__ import annotations

from dataclasses import dataclass


class ClaimcheckError(Exception):
    """Base of every error claimcheck raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a claims file: where, what, and what to do about it."""

    file: str
    line: int
    message: str
    hint: str = ""

    def __str__(self) -> str:
        hint = f" ({self.hint})" if self.hint else ""
        return f"{self.file}:{self.line}: {self.message}{hint}"


class InputError(ClaimcheckError):
    """The user's input is wrong; nothing was checked."""


class ClaimsFileError(InputError):
    """One or more problems in claims files, all of them collected before any network call."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.message))
        super().__init__("\n".join(str(problem) for problem in self.problems))


class ConfigError(InputError):
    """A bad option or configuration value."""


class ServiceError(ClaimcheckError):
    """E-utilities gave no usable answer after every retry."""

    def __init__(self, message: str, *, pmids: tuple[str, ...] = ()) -> None:
        self.pmids = pmids
        super().__init__(message)


class StoreError(ClaimcheckError):
    """The record store could not be read or written."""


class MalformedXMLError(ClaimcheckError):
    """Bytes that should be PubMed XML are not (an error page, truncated XML, an empty body)."""
