"""The one currency every part of fmcat trades in: a located finding."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Location:
    """A span in a file. Lines and columns are 1-based, as editors and SARIF count them."""

    path: str
    line: int = 1
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None

    @property
    def end(self) -> tuple[int, int]:
        return (self.end_line or self.line, self.end_column or self.column)


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    location: Location
    severity: Severity = Severity.WARNING
    dependency: str | None = None
    #: What identifies the finding wherever it moves, for baselines: a code finding's call text
    #: (whitespace collapsed). None: the message serves. Not part of equality or the reports.
    fingerprint_text: str | None = field(default=None, compare=False)
    #: The service of a monorepo the finding belongs to (docs/org.md); None for one service.
    service: str | None = None

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.path, loc.line, loc.column, self.code, self.message)
