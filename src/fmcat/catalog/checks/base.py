"""The interface of a catalog check: one class per file, run once per dependency."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from fmcat.findings import Finding, Location
from fmcat.rule import Rule

if TYPE_CHECKING:
    from fmcat.catalog.load import Catalog, Entry
    from fmcat.catalog.yaml_guard import Key


class CatalogCheck(Rule):
    #: Reported by the loader, not by ``check``; the class carries the docs and the cases.
    from_loader: ClassVar[bool] = False

    @classmethod
    def located(cls, location: Location, message: str) -> Finding:
        """A finding the loader reports (``from_loader``): the file did not load as an entry."""
        # Reports are one finding a line; ruamel's messages can span several.
        return Finding(cls.code, " ".join(message.split()), location, cls.severity)

    @classmethod
    def at(cls, path: str, message: str, line: int = 1, column: int = 1) -> Finding:
        return cls.located(Location(path, line, column), message)

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
