"""`fmcat render` as a library call: catalog (and code) in, runbook site out.

The steps, each in its own module: load the catalog and refuse it if it is invalid; scan the
code as `fmcat lint` does (`code.py`); compute what the pages show (`view.py`); render the
Jinja2 templates to Markdown (`templates.py`); write a MkDocs project with vendored assets
(`mkdocs_yml.py`, `assets.py`); build it and publish it atomically (`build.py`).
"""

from __future__ import annotations

import re
import tempfile
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import jinja2

from fmcat.alerts.rules import load_rule_set
from fmcat.catalog.checks.fm003_duplicate_id import DuplicateId
from fmcat.catalog.load import Catalog, discover, load_catalog
from fmcat.config import Project, find_project
from fmcat.errors import ConfigError, FmcatError, UsageError
from fmcat.findings import Finding
from fmcat.paths import display_path
from fmcat.render import assets, build, templates
from fmcat.render.alerts_page import AlertsView, alerts_view
from fmcat.render.code import CodeScan, RepoLinks, collect, project_path
from fmcat.render.mkdocs_yml import mkdocs_yml
from fmcat.render.view import SiteView, build_view

if TYPE_CHECKING:
    from fmcat.scan.engine import Progress

#: Past this many pages the build takes seconds, and the CLI says what it is doing.
LONG_BUILD_PAGES = 50

Note = Callable[[str], None]


class InvalidCatalogError(FmcatError):
    """The catalog has errors that make a runbook site wrong or incomplete."""


@dataclass(frozen=True)
class RenderOptions:
    path: Path = Path()
    output: Path = Path("site")
    catalog: Path | None = None
    templates: Path | None = None
    repo_url: str | None = None
    scan_code: bool = True
    #: False writes the MkDocs project (mkdocs.yml, docs/) to ``output`` instead of the site.
    build: bool = True
    use_cache: bool = True
    note: Note | None = None
    #: The scan's progress, as `fmcat lint` reports it.
    progress: Progress | None = None


@dataclass(frozen=True)
class RenderResult:
    output: Path
    pages: int
    dependencies: int
    failure_modes: int
    python_files: int | None
    seconds: float


def service_name(project: Project) -> str:
    """The site's title: [project] name, else the folder's name, in characters that are safe
    unescaped (Material puts site_name in pages as-is)."""
    name = project.root.name
    if project.pyproject is not None:
        try:
            data = tomllib.loads(project.pyproject.read_text(encoding="utf-8"))
            name = str(data.get("project", {}).get("name") or name)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            pass
    return re.sub(r"[^A-Za-z0-9 ._-]+", "-", name).strip("- ") or "service"


def _load(options: RenderOptions, project: Project) -> Catalog:
    folder = options.catalog or project.root / project.settings.catalog
    if not folder.is_dir() and options.catalog is None:
        raise ConfigError(
            f"no catalog at {display_path(folder)}: nothing to render; `fmcat init` writes "
            "one from the code's calls (or set [tool.fmcat] catalog, or pass --catalog)"
        )
    files = discover(folder)
    if not files:
        raise ConfigError(
            f"no catalog files (*.yaml) in {display_path(folder)}: nothing to render; "
            "`fmcat init` writes them from the code's calls"
        )
    return load_catalog(files)


def _refuse_invalid(catalog: Catalog) -> None:
    """A runbook site that silently leaves out a dependency is worse than no new site."""
    errors: list[Finding] = list(catalog.findings)
    duplicates = DuplicateId()
    for entry in catalog.entries:
        errors.extend(duplicates.check(entry, catalog))
    if not errors:
        return
    errors.sort(key=lambda f: f.sort_key)
    lines = "".join(
        f"\n  {f.location.path}:{f.location.line}:{f.location.column}: {f.code} {f.message}"
        for f in errors
    )
    count = len(errors)
    raise InvalidCatalogError(
        f"the catalog has {count} error{'s' * (count != 1)}; fix {'them' if count > 1 else 'it'} "
        f"and render again (nothing was written):{lines}"
    )


def _scan(
    options: RenderOptions, project: Project, catalog: Catalog, links: RepoLinks | None
) -> CodeScan | None:
    # Imported here: the scan's modules (libcst, the frameworks) cost a second of start-up that
    # a render without the code (--no-scan, a monorepo's site) does not need.
    from fmcat.lint import LintOptions, run_lint

    result = run_lint(
        LintOptions(
            paths=(options.path,),
            catalog=options.catalog,
            use_cache=options.use_cache,
            progress=options.progress,
        )
    )
    if not result.python_files:
        return None
    return collect(result.files, result.findings, catalog, project.root, links, result.python_files)


def render_pages(
    view: SiteView,
    overrides: Path | None,
    alerts: AlertsView | None = None,
    env: jinja2.Environment | None = None,
) -> dict[str, str]:
    """Every page's Markdown, by its path under docs/. A site of many services passes one
    ``env`` for all, so that each template is compiled once (docs/org.md)."""
    env = env or templates.environment(overrides)
    pages: dict[str, str] = {}
    shown = alerts or alerts_view(view.dependencies, None)

    def page(path: str, template: str, **context: object) -> None:
        pages[path] = templates.render(
            env, template, {"site": view, "page": path, "alerts": shown, **context}
        )

    page("index.md", "index.md.j2")
    for dep in view.dependencies:
        page(dep.page, "dependency.md.j2", dep=dep)
    page("operations.md", "operations.md.j2")
    page("risk.md", "risk.md.j2")
    page("alerts.md", "alerts.md.j2")
    if view.code is not None:
        page("code.md", "code.md.j2")
    page("tags.md", "tags.md.j2")
    # MkDocs' own 404.html links with root-absolute paths, which break from file:// and under
    # a sub-path; a 404 page of the site's own is built like any page, with relative links.
    page("404.md", "404.md.j2")
    return pages


def write_project(root: Path, view: SiteView, pages: dict[str, str]) -> None:
    """mkdocs.yml, docs/ with the pages and the assets, under ``root`` and nowhere else."""
    files: dict[str, bytes] = {f"docs/{p}": text.encode() for p, text in pages.items()}
    for asset in assets.assets_for(view.graph is not None):
        files[f"docs/{asset.path}"] = assets.read(asset)
    files["mkdocs.yml"] = mkdocs_yml(view, f"{view.service} runbooks").encode()
    for name, data in sorted(files.items()):
        relative = PurePosixPath(name)
        # Page names come from slugs; this is the backstop if a slug ever were not one.
        if relative.is_absolute() or ".." in relative.parts:
            raise UsageError(f"refusing to write {name!r} outside the output folder")
        target = root.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def render_site(options: RenderOptions) -> RenderResult:
    started = time.perf_counter()
    note = options.note or (lambda _message: None)
    if not options.path.exists():
        raise UsageError(f"{options.path}: no such folder")
    project = find_project(options.path)
    # The flag wins over [tool.fmcat] repo_url, as every flag does.
    links = RepoLinks.parse(options.repo_url or project.settings.repo_url)
    build.check_output(options.output)
    build.check_apart(options.output, options.catalog or project.root / project.settings.catalog)
    catalog = _load(options, project)
    _refuse_invalid(catalog)
    code = _scan(options, project, catalog, links) if options.scan_code else None
    sources = {e.name: project_path(e.source.display, project.root) for e in catalog.entries}
    settings = project.settings
    view = build_view(
        service_name(project),
        catalog.entries,
        sources,
        code,
        links=links,
        channel_url=settings.channel_url,
        review_max_age_days=settings.review_max_age_days,
    )
    rules = load_rule_set(project.root, settings.alert_rules)
    pages = render_pages(view, options.templates, alerts_view(view.dependencies, rules))
    staged = build.staging(options.output)
    try:
        if options.build:
            if len(pages) >= LONG_BUILD_PAGES:
                note(f"building {len(pages)} pages with MkDocs Material...")
            with tempfile.TemporaryDirectory(prefix="fmcat-render-") as source:
                write_project(Path(source), view, pages)
                build.build_site(Path(source) / "mkdocs.yml", staged)
        else:
            write_project(staged, view, pages)
        build.publish(staged, options.output)
    except BaseException:
        build.discard(staged)
        raise
    return RenderResult(
        output=options.output,
        pages=len(pages),
        dependencies=len(view.dependencies),
        failure_modes=view.failure_modes,
        python_files=code.python_files if code else None,
        seconds=time.perf_counter() - started,
    )
