"""Every service's catalog, loaded (not linted), for the commands that read catalogs only:
`blast`, `export backstage`, and the organisation's site."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fmcat.catalog.load import Catalog, discover, load_catalog
from fmcat.catalog.uses import SharedCatalog, shared_catalog
from fmcat.config import find_project
from fmcat.errors import UsageError
from fmcat.org.discover import Org, Service, find_org


@dataclass(frozen=True)
class ServiceCatalog:
    service: Service
    catalog: Catalog
    shared: SharedCatalog | None = None

    @property
    def name(self) -> str:
        return self.service.name


def as_org(path: Path) -> Org:
    """The monorepo at ``path``, or the one service there as an organisation of one."""
    if not path.exists():
        raise UsageError(f"{path}: no such folder")
    org = find_org(path)
    if org is not None:
        return org
    project = find_project(path)
    name = project.settings.service or re.sub(r"[^A-Za-z0-9_.-]+", "-", project.root.name)
    return Org(
        project.root, project, (Service(name.strip("-") or "service", project.root, project, None),)
    )


def load_service(service: Service) -> ServiceCatalog:
    folder = service.catalog_dir
    files = discover(folder) if folder.is_dir() else []
    shared = shared_catalog(service.shared_dir, service.project)
    catalog = load_catalog(files, shared)
    if shared is not None:
        catalog.findings += shared.findings
    return ServiceCatalog(service, catalog, shared)


def load_org(org: Org) -> list[ServiceCatalog]:
    return [load_service(service) for service in org.services]
