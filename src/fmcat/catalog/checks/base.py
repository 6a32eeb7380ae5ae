"""The interface of a catalog check: one class per file, run once per dependency."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from fmcat.catalog.load import Catalog, Entry
from fmcat.catalog.source import Key
from fmcat.findings import Finding
from fmcat.rule import Rule


class CatalogCheck(Rule):
    #: Reported by the loader, not by ``check``; the class carries the docs and the cases.
    from_loader: ClassVar[bool] = False

    def check(self, entry: Entry, catalog: Catalog) -> Iterator[Finding]:
        """Findings for one dependency; ``catalog`` gives the others, for cross-file checks."""
        return iter(())

    def finding(
        self, entry: Entry, loc: tuple[Key, ...], message: str, *, at_key: bool = False
    ) -> Finding:
        return Finding(
            self.code,
            message,
            entry.source.locate(loc, at_key=at_key),
            self.severity,
            entry.name,
        )
