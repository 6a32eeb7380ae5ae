"""What every output format receives."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from fmcat.findings import Finding


@dataclass(frozen=True)
class Report:
    findings: list[Finding]
    catalog_files: int
    dependencies: int

    def summary(self) -> dict[str, Any]:
        return {
            "findings": len(self.findings),
            "catalog_files": self.catalog_files,
            "dependencies": self.dependencies,
            "by_code": dict(sorted(Counter(f.code for f in self.findings).items())),
            "by_severity": dict(sorted(Counter(str(f.severity) for f in self.findings).items())),
        }
