"""`fmcat render` of several services: one site with a level per service, a blast-radius page
per dependency and the graph with service lanes; or, with `--techdocs`, the docs tree that
Backstage's TechDocs builds (docs/org.md).

Each service's pages are the single-service site's own (`site.render_pages`), moved under
`services/<name>/`: their links are relative, so they hold.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from fmcat.errors import UsageError
from fmcat.org.load import ServiceCatalog
from fmcat.render import assets, build, templates
from fmcat.render.code import CodeScan, project_path
from fmcat.render.markdown import Md
from fmcat.render.mkdocs_yml import mkdocs_yml, nav
from fmcat.render.org_view import OrgView, build_org_view
from fmcat.render.site import InvalidCatalogError, render_pages
from fmcat.render.techdocs import techdocs_yml
from fmcat.render.view import SiteView, build_view

#: Past this many services, the nav is the organisation's three index pages.
COMPACT_NAV = 20
#: The index pages of a large organisation's nav (the services, and every blast radius).
SERVICES_PAGE = "services.md"
BLAST_PAGE = "blast-radius.md"


@dataclass(frozen=True)
class OrgSite:
    pages: dict[str, str]
    nav: list[str]
    view: SiteView
    org: OrgView | None

    @property
    def failure_modes(self) -> int:
        if self.org is None:
            return self.view.failure_modes
        return sum(s.view.failure_modes for s in self.org.services)


def refuse_invalid(services: Sequence[ServiceCatalog]) -> None:
    errors = sorted({f for s in services for f in s.catalog.findings}, key=lambda f: f.sort_key)
    if errors:
        lines = "".join(
            f"\n  {f.location.path}:{f.location.line}:{f.location.column}: {f.code} {f.message}"
            for f in errors
        )
        raise InvalidCatalogError(
            f"the catalogs have {len(errors)} error{'s' * (len(errors) != 1)}; fix them and "
            f"render again (nothing was written):{lines}"
        )


def service_view(service: ServiceCatalog, code: CodeScan | None) -> SiteView:
    root = service.service.root
    sources = {e.name: project_path(e.source.display, root) for e in service.catalog.entries}
    return build_view(service.name, service.catalog.entries, sources, code)


def _q(text: str) -> str:
    return json.dumps(text)


def _service_nav(view: SiteView, prefix: str) -> list[str]:
    pad = " " * 10
    lines = [f"{pad}- Home: {_q(prefix + 'index.md')}", f"{pad}- Runbooks:"]
    lines += [f"{pad}    - {_q(d.name)}: {_q(prefix + d.page)}" for d in view.dependencies]
    if not view.dependencies:
        lines[-1] = f"{pad}- Runbooks: []"
    lines += [
        f"{pad}- Operations: {_q(prefix + 'operations.md')}",
        f"{pad}- Risk: {_q(prefix + 'risk.md')}",
    ]
    if view.code is not None:
        lines.append(f"{pad}- Code: {_q(prefix + 'code.md')}")
    lines.append(f"{pad}- Tags: {_q(prefix + 'tags.md')}")
    return lines


def org_site(
    name: str,
    services: Sequence[ServiceCatalog],
    codes: dict[str, CodeScan | None],
    overrides: Path | None,
    single: bool,
) -> OrgSite:
    """Every page's Markdown by its path under docs/, and the nav that lists them."""
    views = {s.name: service_view(s, codes.get(s.name)) for s in services}
    if single and len(services) == 1:
        view = views[services[0].name]
        return OrgSite(render_pages(view, overrides), nav(view), view, None)
    findings = {n: len(c.findings) if c else None for n, c in codes.items()}
    org = build_org_view(name, services, views, findings)
    env = templates.environment(overrides)
    # Each service's tags page lists that service's pages, not the whole organisation's.
    env.globals["tags_scope"] = True
    pages = {"index.md": templates.render(env, "org-index.md.j2", {"org": org, "page": "index.md"})}
    # The site's root 404 page, which sends an address under a service to that service's own.
    names = json.dumps([s.name for s in org.services]).replace("</", "<\\/")
    context = {"org": org, "page": "404.md", "services_json": Md(names)}
    pages["404.md"] = templates.render(env, "org-404.md.j2", context)
    compact = len(org.services) > COMPACT_NAV
    lines = ["nav:", f"  - Home: {_q('index.md')}"]
    if compact:
        # Material writes the whole nav into every page, so a nav that grows with the
        # services makes the build quadratic (pages x nav items). Past COMPACT_NAV it is three
        # index pages; each service's home page links its own pages (docs/org.md).
        for path, template, title in (
            (SERVICES_PAGE, "org-services.md.j2", "Services"),
            (BLAST_PAGE, "blast-index.md.j2", "Blast radius"),
        ):
            pages[path] = templates.render(env, template, {"org": org, "page": path})
            lines.append(f"  - {title}: {_q(path)}")
    else:
        lines.append("  - Services:")
    for summary in org.services:
        prefix = f"services/{summary.name}/"
        for path, text in render_pages(summary.view, overrides, env=env).items():
            pages[prefix + path] = text
        if not compact:
            lines.append(f"      - {_q(summary.name)}:")
            lines += _service_nav(summary.view, prefix)
    if not compact:
        lines.append("  - Blast radius:")
    for item in org.blasts:
        pages[item.page] = templates.render(env, "blast.md.j2", {"item": item, "page": item.page})
        if not compact:
            lines.append(f"      - {_q(item.name)}: {_q(item.page)}")
    # The Material site's mkdocs.yml wants a view: the first service's, with a graph, so that
    # mermaid.js is vendored for the lanes.
    first = dataclasses.replace(views[services[0].name], service=name, graph=org.graph or "")
    return OrgSite(pages, lines, first, org)


def site_yml(site: OrgSite, site_name: str, techdocs: bool) -> str:
    if techdocs:
        return techdocs_yml(site_name, site.nav)
    material = mkdocs_yml(site.view, site_name)
    return material.split("\nnav:\n", 1)[0] + "\n" + "\n".join(site.nav) + "\n"


def write_tree(root: Path, site: OrgSite, site_name: str, techdocs: bool) -> None:
    files: dict[str, bytes] = {f"docs/{p}": text.encode() for p, text in site.pages.items()}
    if not techdocs:
        for asset in assets.assets_for(True):
            files[f"docs/{asset.path}"] = assets.read(asset)
    files["mkdocs.yml"] = site_yml(site, site_name, techdocs).encode()
    for name, data in sorted(files.items()):
        relative = PurePosixPath(name)
        if relative.is_absolute() or ".." in relative.parts:
            raise UsageError(f"refusing to write {name!r} outside the output folder")
        target = root.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def publish(output: Path, site: OrgSite, site_name: str, techdocs: bool, build_it: bool) -> None:
    """Build (or write) the tree beside ``output`` and put it in place only once it is whole."""
    staged = build.staging(output)
    try:
        if build_it and not techdocs:
            with tempfile.TemporaryDirectory(prefix="fmcat-render-") as source:
                write_tree(Path(source), site, site_name, techdocs)
                build.build_site(Path(source) / "mkdocs.yml", staged)
        else:
            write_tree(staged, site, site_name, techdocs)
        build.publish(staged, output)
    except BaseException:
        build.discard(staged)
        raise
