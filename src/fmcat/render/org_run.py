"""`fmcat render` of a monorepo, of interchange files (`--from`), or as a TechDocs tree."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fmcat.errors import UsageError
from fmcat.org.backstage import check_export_folder
from fmcat.org.discover import find_org
from fmcat.org.interchange import read_interchange
from fmcat.org.load import ServiceCatalog, as_org, load_org
from fmcat.render import build
from fmcat.render.code import CodeScan, RepoLinks, collect
from fmcat.render.org import org_site, publish, refuse_invalid
from fmcat.render.site import LONG_BUILD_PAGES, RenderResult

if TYPE_CHECKING:
    from fmcat.scan.engine import Progress

Note = Callable[[str], None]


@dataclass(frozen=True)
class OrgRenderOptions:
    path: Path = Path()
    #: Interchange files (`fmcat export json`) to build the site from, instead of ``path``.
    sources: tuple[Path, ...] = ()
    output: Path = Path("site")
    templates: Path | None = None
    repo_url: str | None = None
    scan_code: bool = True
    build: bool = True
    techdocs: bool = False
    use_cache: bool = True
    note: Note | None = None
    progress: Progress | None = None


def scan_service(service: ServiceCatalog, options: OrgRenderOptions) -> CodeScan | None:
    # Imported here, as in site.py: a site without the code need not load the scan.
    from fmcat.lint import LintOptions
    from fmcat.org.lint import lint_service

    result = lint_service(
        service.service, LintOptions(use_cache=options.use_cache, progress=options.progress)
    )
    if not result.python_files:
        return None
    settings = service.service.project.settings
    links = RepoLinks.parse(options.repo_url or settings.repo_url)
    return collect(
        result.files,
        result.findings,
        service.catalog,
        service.service.root,
        links,
        result.python_files,
    )


def _from_folder(
    options: OrgRenderOptions, note: Note
) -> tuple[str, list[ServiceCatalog], dict[str, CodeScan | None], bool]:
    if not options.path.exists():
        raise UsageError(f"{options.path}: no such folder")
    # Found once: finding it walks the folders and reads every service's pyproject.toml.
    found = find_org(options.path)
    org = found if found is not None else as_org(options.path)
    services = load_org(org)
    # A site inside a catalog (or the shared) folder would be read back as catalog files.
    check_export_folder(options.output, services)
    refuse_invalid(services)
    codes: dict[str, CodeScan | None] = {}
    for index, service in enumerate(services):
        if options.scan_code:
            if len(services) >= 10 and (index % 25 == 0 or index == len(services) - 1):
                note(f"scanning service {index + 1}/{len(services)}: {service.name}")
            codes[service.name] = scan_service(service, options)
        else:
            codes[service.name] = None
    single = found is None
    return org.root.name, services, codes, single


def render_org(options: OrgRenderOptions) -> RenderResult:
    started = time.perf_counter()
    note = options.note or (lambda _message: None)
    build.check_output(options.output)
    if options.sources:
        services, codes = read_interchange(options.sources)
        name, single = "organisation", False
    else:
        name, services, codes, single = _from_folder(options, note)
    site = org_site(name, services, codes, options.templates, single)
    if options.build and not options.techdocs and len(site.pages) >= LONG_BUILD_PAGES:
        note(f"building {len(site.pages)} pages with MkDocs Material...")
    publish(options.output, site, f"{name} runbooks", options.techdocs, options.build)
    python_files = [c.python_files for c in codes.values() if c is not None]
    return RenderResult(
        output=options.output,
        pages=len(site.pages),
        dependencies=sum(len(s.catalog.entries) for s in services),
        failure_modes=site.failure_modes,
        python_files=sum(python_files) if python_files else None,
        seconds=time.perf_counter() - started,
    )
