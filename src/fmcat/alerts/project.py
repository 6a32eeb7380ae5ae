"""What the `fmcat alerts` commands start from: the project, its valid catalog and settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fmcat.catalog.load import Catalog, discover, load_catalog
from fmcat.config import Project, find_project, site_base
from fmcat.errors import ConfigError, FmcatError, UsageError
from fmcat.init.write import Planned, write_files
from fmcat.paths import display_path


class InvalidCatalogError(FmcatError):
    """The catalog has errors that would make generated links or rules wrong."""


@dataclass(frozen=True)
class AlertsProject:
    project: Project
    catalog: Catalog
    site_url: str | None


def load_project(path: Path, catalog: Path | None, site_url: str | None) -> AlertsProject:
    if not path.exists():
        raise UsageError(f"{path}: no such folder")
    project = find_project(path)
    folder = catalog or project.root / project.settings.catalog
    files = discover(folder)
    if not files:
        raise ConfigError(f"no catalog files (*.yaml) in {display_path(folder)}")
    loaded = load_catalog(files)
    if loaded.findings:
        errors = sorted(loaded.findings, key=lambda f: f.sort_key)
        lines = "".join(
            f"\n  {f.location.path}:{f.location.line}:{f.location.column}: {f.code} {f.message}"
            for f in errors
        )
        raise InvalidCatalogError(
            f"the catalog has {len(errors)} error(s); fix them first (nothing was written):{lines}"
        )
    if site_url is not None:
        # The flag is checked as the key is: an absolute http(s) URL, ending in `/`.
        try:
            site_url = site_base(site_url)
        except ValueError as error:
            raise UsageError(f"--site-url: {error}") from error
    return AlertsProject(project, loaded, site_url or project.settings.site_url)


def write_output(path: Path, text: str) -> None:
    """Write a generated file atomically; never over a folder, device, FIFO or socket."""
    target = path.resolve()
    if target.exists() and not target.is_file():
        raise UsageError(f"refusing to write {display_path(path)}: it is not a regular file")
    write_files(target.parent, [Planned(target, text, replace=True)])
