"""What every output format receives."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fmcat import __version__
from fmcat.findings import Finding


def with_service(finding: Finding) -> str:
    """The message as findings of several services show it: ``[service] message``, as the
    text format prints it; the message alone for one service (docs/org.md)."""
    if finding.service is None:
        return finding.message
    return f"[{finding.service}] {finding.message}"


@dataclass(frozen=True)
class Report:
    findings: list[Finding]
    catalog_files: int
    dependencies: int
    #: The folder the findings' relative paths start from: the current directory, where
    #: `display_path` makes them relative (SARIF names it as `%SRCROOT%`).
    root: Path = field(default_factory=Path.cwd)
    #: The fmcat that made the report (SARIF's tool.driver.version).
    tool_version: str = __version__

    def summary(self) -> dict[str, Any]:
        return {
            "findings": len(self.findings),
            "catalog_files": self.catalog_files,
            "dependencies": self.dependencies,
            "by_code": dict(sorted(Counter(f.code for f in self.findings).items())),
            "by_severity": dict(sorted(Counter(str(f.severity) for f in self.findings).items())),
        }
