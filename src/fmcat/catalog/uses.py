"""Shared dependencies: a file that says `uses: postgres` takes the shared declaration of
`postgres` (from the folder `[tool.fmcat] shared` names) and adds the service's own part.

A shared file is a whole dependency (owner, kind, policies, failure modes); it may itself
`uses:` another shared one. A service's file names the shared id and adds what only the
service knows: its operations, its criticality, its own failure modes and match rules, and
policy overrides (which FM026 compares across services). The merge is plain data: the
shared file's values, then the service's keys over them (lists appended, the service's
first, so positions in the service's file stay right), validated as one `Dependency`.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field, ValidationError

from fmcat.catalog.checks.fm020_dangling_reference import DanglingReference
from fmcat.catalog.model import (
    Criticality,
    Delivery,
    Dependency,
    FailureMode,
    Link,
    MatchRule,
    Operation,
    Policies,
    Slug,
    Strict,
    Text,
)
from fmcat.catalog.schema_errors import schema_findings
from fmcat.catalog.source import Source, read_source
from fmcat.errors import ConfigError
from fmcat.findings import Finding
from fmcat.paths import display_path

if TYPE_CHECKING:  # config imports the reports, which import the checks, which import this
    from fmcat.config import Project

#: Bound on `uses:` chains; a longer one is a cycle in all but name.
MAX_CHAIN = 20

#: Lists that the service's file appends to the shared declaration's.
APPENDED = ("links", "match", "operations", "failure_modes", "tags")


class SharedUse(Strict):
    """A service's file that references a shared dependency (`uses:`) and adds its part."""

    uses: Slug = Field(description="The id of a dependency in the `[tool.fmcat] shared` folder")
    description: Text | None = None
    escalation: Text | None = None
    criticality: Criticality | None = Field(None, description="Overrides the shared one")
    links: list[Link] = Field(default_factory=list)
    match: list[MatchRule] = Field(default_factory=list)
    policies: Policies | None = Field(
        None, description="Overrides, per mechanism (timeout, retry...), of the shared policies"
    )
    delivery: Delivery | None = None
    operations: list[Operation] = Field(default_factory=list)
    failure_modes: list[FailureMode] = Field(default_factory=list)
    notes: Text | None = None
    tags: list[Slug] = Field(default_factory=list)


def is_use(data: Any) -> bool:
    return isinstance(data, dict) and "uses" in data


@dataclass
class SharedCatalog:
    """The shared folder's files, by dependency id, resolved on demand."""

    folder: Path
    sources: dict[str, Source] = field(default_factory=dict)
    #: The shared files' own load errors (reported once, located in the shared file).
    findings: list[Finding] = field(default_factory=list)
    _resolved: dict[str, dict[str, Any] | None] = field(default_factory=dict)

    def resolve(self, ident: str, chain: tuple[str, ...] = ()) -> dict[str, Any] | Finding | None:
        """The shared declaration's plain data, its own `uses:` merged in; None if unknown."""
        if ident in chain:
            cycle = " -> ".join((*chain[chain.index(ident) :], ident))
            last = self.sources[chain[-1]]
            return _error(last, ("uses",), f"shared dependencies form a cycle: {cycle}")
        if ident in self._resolved:
            return self._resolved[ident]
        source = self.sources.get(ident)
        if source is None:
            return None
        data = dict(source.data)
        if is_use(data):
            if len(chain) >= MAX_CHAIN:
                return _error(source, ("uses",), f"`uses:` chain longer than {MAX_CHAIN}")
            parent = self.resolve(str(data["uses"]), (*chain, ident))
            if isinstance(parent, Finding):
                return parent
            if parent is None:
                return _unknown(source, str(data["uses"]), self)
            data = merge(parent, data)
            data["dependency"] = ident
        self._resolved[ident] = data
        return data


#: Shared folders read in this process, by folder, with the files' (name, mtime, size) they
#: were read from: a monorepo's 200 services read the one shared folder once.
_READ: dict[Path, tuple[tuple[tuple[str, int, int], ...], SharedCatalog]] = {}


def load_shared(folder: Path) -> SharedCatalog:
    """Read every file of the shared folder; each must name its id with `dependency:`."""
    from fmcat.catalog.load import discover  # load imports this module

    files = discover(folder)
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files if p.is_file())
    key = folder.resolve()
    if key in _READ and _READ[key][0] == stamp:
        return _READ[key][1]
    shared = SharedCatalog(folder)
    for path in files:
        source = read_source(path)
        if isinstance(source, Finding):
            shared.findings.append(source)
            continue
        ident = source.data.get("dependency") if isinstance(source.data, dict) else None
        if not isinstance(ident, str):
            shared.findings.append(
                _error(source, (), "a shared dependency file must name its id with `dependency:`")
            )
            continue
        if ident in shared.sources:
            first = shared.sources[ident].display
            shared.findings.append(
                _error(source, ("dependency",), f'shared dependency "{ident}" is also in {first}')
            )
            continue
        shared.sources[ident] = source
    _READ[key] = (stamp, shared)
    return shared


def shared_catalog(folder: Path | None, project: Project) -> SharedCatalog | None:
    """The shared folder given (from a monorepo), else the one `[tool.fmcat] shared` names."""
    if folder is None and project.settings.shared is not None:
        folder = project.root / project.settings.shared
    if folder is None:
        folder = _monorepo_shared(project.root)
    if folder is None:
        return None
    if not folder.is_dir():
        origin = display_path(project.pyproject) if project.pyproject else "[tool.fmcat]"
        raise ConfigError(
            f"{origin}: shared = {display_path(folder)!r} is not a folder of shared dependencies"
        )
    return load_shared(folder)


def _monorepo_shared(root: Path) -> Path | None:
    """The shared folder of the monorepo ``root`` sits in, so that `fmcat lint <one service>`
    resolves `uses:` as linting the whole monorepo does: the nearest pyproject.toml above with
    a `[tool.fmcat] shared` key."""
    for parent in root.resolve().parents:
        pyproject = parent / "pyproject.toml"
        if not pyproject.is_file():
            continue
        try:
            table = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {})
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue  # that project's own runs report it
        fmcat = table.get("fmcat") if isinstance(table, dict) else None
        shared = fmcat.get("shared") if isinstance(fmcat, dict) else None
        if isinstance(shared, str):
            return parent / shared
    return None


def merge(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """The shared data with the service's keys over it; lists appended, the service's first."""
    merged = {k: v for k, v in base.items()}
    for key, value in overlay.items():
        if key == "uses":
            continue
        if key in APPENDED:
            merged[key] = [*value, *base.get(key, [])]
        elif key == "policies" and isinstance(value, dict):
            merged[key] = {**base.get("policies", {}), **value}
        else:
            merged[key] = value
    return merged


def resolve_use(source: Source, shared: SharedCatalog | None) -> Dependency | list[Finding]:
    """A service's `uses:` file as the dependency it declares, or located findings."""
    try:
        SharedUse.model_validate(source.data)
    except ValidationError as error:
        return schema_findings(error, source, SharedUse)
    ident = str(source.data["uses"])
    if shared is None:
        return [
            _error(
                source,
                ("uses",),
                f'uses "{ident}", but no folder of shared dependencies is configured '
                "(set [tool.fmcat] shared)",
            )
        ]
    resolved = shared.resolve(ident)
    if resolved is None:
        return [_unknown(source, ident, shared)]
    if isinstance(resolved, Finding):
        return [resolved]
    try:
        return Dependency.model_validate(merge(resolved, source.data))
    except ValidationError as error:
        return schema_findings(error, source, Dependency)


def _unknown(source: Source, ident: str, shared: SharedCatalog) -> Finding:
    close = difflib.get_close_matches(ident, sorted(shared.sources), n=1)
    hint = f'; did you mean "{close[0]}"?' if close else ""
    return _error(
        source,
        ("uses",),
        f'uses "{ident}", which is not a shared dependency in {display_path(shared.folder)}{hint}',
    )


def _error(source: Source, loc: tuple[str, ...], message: str) -> Finding:
    # Built by the rule, so that the code's severity is the one `fmcat rules` documents.
    return DanglingReference.located(source.locate(loc), message)
