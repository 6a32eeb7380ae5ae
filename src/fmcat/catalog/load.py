"""Load a catalog folder: find the files, parse each, validate it, and keep what is valid."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from fmcat.catalog.model import Dependency
from fmcat.catalog.review import DEFAULT_MAX_AGE_DAYS, today
from fmcat.catalog.schema_errors import schema_findings
from fmcat.catalog.source import Source, read_source
from fmcat.catalog.uses import SharedCatalog, is_use, resolve_use
from fmcat.errors import ConfigError
from fmcat.findings import Finding

CATALOG_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Entry:
    """A valid dependency and the file it came from (for positions)."""

    source: Source
    model: Dependency
    #: The shared dependency this file `uses:` (docs/org.md), if any.
    shared: str | None = None

    @property
    def name(self) -> str:
        return self.model.dependency


@dataclass(frozen=True)
class Peer:
    """Another service's declaration of a shared dependency."""

    service: str
    path: str
    model: Dependency


@dataclass
class Catalog:
    entries: list[Entry] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    #: Teams that may own a dependency (``[tool.fmcat] owners``); None when not configured.
    known_owners: frozenset[str] | None = None
    #: Alert names defined in the service's alerting rules; None when not configured.
    known_alerts: frozenset[str] | None = None
    #: ``[tool.fmcat] review_max_age_days``, and the day it is measured from (FM024).
    review_max_age_days: int = DEFAULT_MAX_AGE_DAYS
    today: date = field(default_factory=today)
    #: Other services' declarations of the shared dependencies, by id (FM026; docs/org.md).
    peers: dict[str, list[Peer]] = field(default_factory=dict)

    def call_patterns(self) -> tuple[str, ...]:
        """The `match: call:` globs: the code scan also parses files that import these modules."""
        return tuple(rule.call for e in self.entries for rule in e.model.match if rule.call)


def discover(folder: Path) -> list[Path]:
    """Every catalog file in ``folder`` (recursively), hidden ones aside, in a stable order."""
    if not folder.exists() and not folder.is_symlink():
        raise ConfigError(f"catalog folder {folder} does not exist")
    if not folder.is_dir():
        raise ConfigError(f"catalog path {folder} is not a folder")
    found = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        # Directories named *.yaml and broken links are listed too, so they get a located message.
        if path.suffix in CATALOG_SUFFIXES:
            found.append(path)
    return sorted(found)


def load_entry(path: Path, shared: SharedCatalog | None = None) -> Entry | list[Finding]:
    source = read_source(path)
    if isinstance(source, Finding):
        return [source]
    if is_use(source.data):
        used = resolve_use(source, shared)
        return (
            Entry(source, used, str(source.data["uses"])) if isinstance(used, Dependency) else used
        )
    try:
        model = Dependency.model_validate(source.data)
    except ValidationError as error:
        return schema_findings(error, source, Dependency)
    return Entry(source, model)


def load_catalog(paths: Iterable[Path], shared: SharedCatalog | None = None) -> Catalog:
    catalog = Catalog()
    for path in paths:
        catalog.files += 1
        loaded = load_entry(path, shared)
        if isinstance(loaded, Entry):
            catalog.entries.append(loaded)
        else:
            catalog.findings.extend(loaded)
    return catalog
