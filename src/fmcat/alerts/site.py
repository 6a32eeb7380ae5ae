"""Where an alert's `runbook_url` leads on the runbook site, and where it should lead.

The site's pages and anchors are known from the catalog alone (`fmcat.render.scheme`), so a
link is checked without building or fetching the site.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from fmcat.catalog.load import Catalog
from fmcat.render.scheme import (
    ALERTS_PAGE,
    DEPENDENCIES,
    OPERATIONS_PAGE,
    dependency_page,
    mode_fragment,
    operation_fragment,
)

# Sections every runbook page has besides its failure modes (see dependency.md.j2).
_PAGE_SECTIONS = frozenset({"policies", "operations", "failure-modes"})


@dataclass(frozen=True)
class Mode:
    """A failure mode, as a link target."""

    dependency: str
    id: str

    @property
    def page(self) -> str:
        return dependency_page(self.dependency)

    @property
    def fragment(self) -> str:
        return mode_fragment(self.id)

    def __str__(self) -> str:
        return f'failure mode "{self.id}" of {self.dependency}'


@dataclass(frozen=True)
class Resolved:
    """What a URL leads to: a problem (a sentence), or a page and maybe a failure mode."""

    problem: str | None = None
    page: str | None = None
    mode: Mode | None = None
    operation: str | None = None


class SiteMap:
    def __init__(self, catalog: Catalog, site_url: str | None) -> None:
        self.site_url = site_url
        self.anchors: dict[str, set[str]] = {ALERTS_PAGE: set(), "index.html": set()}
        self.modes: dict[tuple[str, str], Mode] = {}
        operations: set[str] = set()
        for entry in catalog.entries:
            page = dependency_page(entry.name)
            anchors = self.anchors.setdefault(page, set(_PAGE_SECTIONS))
            for failure_mode in entry.model.failure_modes:
                mode = Mode(entry.name, failure_mode.id)
                anchors.add(mode.fragment)
                self.modes[(page, mode.fragment)] = mode
            operations.update(op.name for op in entry.model.operations)
        self.operations = operations
        self.anchors[OPERATIONS_PAGE] = {operation_fragment(name) for name in operations}

    def url(self, page: str, fragment: str) -> str | None:
        return f"{self.site_url}{page}#{fragment}" if self.site_url else None

    def mode_url(self, mode: Mode) -> str | None:
        return self.url(mode.page, mode.fragment)

    def operation_url(self, name: str) -> str | None:
        return self.url(OPERATIONS_PAGE, operation_fragment(name))

    def resolve(self, url: str) -> Resolved:
        parts = urlsplit(url.strip())
        if not parts.scheme or not parts.netloc:
            return Resolved("is relative: a notification needs an absolute URL")
        if self.site_url is not None:
            if not url.startswith(self.site_url):
                return Resolved(f"is not on the runbook site ({self.site_url})")
            path = urlsplit(url[len(self.site_url) :]).path
        else:
            # Without site_url the base is unknown: read the path from the last `dependencies/`.
            whole = parts.path
            cut = whole.rfind("/" + DEPENDENCIES)
            if cut >= 0:
                path = whole[cut + 1 :]
            elif whole.endswith("/" + OPERATIONS_PAGE):
                path = OPERATIONS_PAGE
            else:
                return Resolved("names no runbook page (dependencies/<page>.html#fm-<id>)")
        path = unquote(path)
        fragment = unquote(parts.fragment)
        if path not in self.anchors:
            return Resolved(f'names page "{path or "/"}", which the runbook site does not have')
        if fragment and fragment not in self.anchors[path]:
            return Resolved(f'names anchor "#{fragment}", which {path} does not have')
        if path == OPERATIONS_PAGE and fragment:
            return Resolved(page=path, operation=fragment.removeprefix("op-"))
        return Resolved(page=path, mode=self.modes.get((path, fragment)))
