from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

from fmcat.catalog.checks.base import CatalogCheck
from fmcat.findings import Finding, Severity
from fmcat.render.scheme import dependency_page, page_slug

if TYPE_CHECKING:
    from fmcat.catalog.load import Catalog, Entry


class DuplicateId(CatalogCheck):
    """
    Two things share a name that must be unique: two failure modes of one dependency with the
    same `id`, two operations of one dependency with the same `name`, two catalog files for the
    same `dependency`, two dependencies whose ids give the same runbook page (`api.v2` and
    `api-v2` are both `dependencies/api-v2.html`: a page name is the id with dots turned into
    `-`), or a YAML key written twice in one mapping (YAML itself would keep only the last
    value, silently). Ids become anchors and page names in the runbook site, so a duplicate
    would make one of them unreachable, or send an alert's runbook link to the wrong page.
    """

    code = "FM003"
    name = "duplicate-id"
    summary = "An id, operation, dependency or YAML key is declared twice"
    severity = Severity.ERROR

    INVALID = (
        """\
dependency: search
owner: team-search
kind: http
criticality: optional
failure_modes:
  - id: unavailable
    title: Search API unreachable
  - id: unavailable  # expect: FM003 "is already used in this dependency"
    title: Search API returns 503
""",
        """\
dependency: search
owner: team-search
kind: http
criticality: optional
owner: team-web  # expect: FM003
""",
        """\
dependency: search
owner: team-search
kind: http
criticality: optional
operations:
  - name: search
  - name: search  # expect: FM003
""",
    )
    VALID = (
        """\
dependency: search
owner: team-search
kind: http
criticality: optional
failure_modes:
  - id: unavailable
    title: Search API unreachable
  - id: slow
    title: Search API answers slowly
""",
    )

    def check(self, entry: Entry, catalog: Catalog) -> Iterator[Finding]:
        model = entry.model
        seen: set[str] = set()
        for index, mode in enumerate(model.failure_modes):
            if mode.id in seen:
                yield self.finding(
                    entry,
                    ("failure_modes", index, "id"),
                    f'failure mode id "{mode.id}" is already used in this dependency',
                )
            seen.add(mode.id)
        seen = set()
        for index, op in enumerate(model.operations):
            if op.name in seen:
                yield self.finding(
                    entry,
                    ("operations", index, "name"),
                    f'operation "{op.name}" is listed twice',
                )
            seen.add(op.name)
        names = Counter(other.name for other in catalog.entries)
        if names[entry.name] > 1:
            first = next(other for other in catalog.entries if other.name == entry.name)
            if first is not entry:
                yield self.finding(
                    entry,
                    ("dependency",),
                    f'dependency "{entry.name}" is already declared in {first.source.display}',
                )
        slug = page_slug(entry.name)
        earlier = sorted(
            other.name
            for other in catalog.entries
            if other.name < entry.name and page_slug(other.name) == slug
        )
        if earlier:
            yield self.finding(
                entry,
                ("dependency",),
                f'dependency "{entry.name}" would have the same runbook page as "{earlier[0]}" '
                f"({dependency_page(entry.name)}): page names are the id with dots turned "
                'into "-"; rename one of them',
            )
