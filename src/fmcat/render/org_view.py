"""What the organisation's pages show: services, the blast radius of every dependency, and
the graph of operations and dependencies with a lane (subgraph) per service."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fmcat.org.blast import Blast, blast_radius
from fmcat.org.load import ServiceCatalog
from fmcat.render.graph import MAX_EDGES, _label
from fmcat.render.markdown import Md
from fmcat.render.view import SiteView, page_slugs

#: Where each service's own site goes in the organisation's site.
SERVICES_DIR = "services"
BLAST_DIR = "blast"


@dataclass(frozen=True)
class ServiceSummary:
    name: str
    home: str
    owner: str | None
    view: SiteView
    findings: int | None

    @property
    def operations(self) -> int:
        return len(self.view.operations)


@dataclass(frozen=True)
class BlastPage:
    blast: Blast
    page: str
    shared: bool
    #: (service, its runbook page of this dependency), for each service that declares it.
    runbooks: tuple[tuple[str, str], ...]

    @property
    def name(self) -> str:
        return self.blast.dependency


@dataclass(frozen=True)
class OrgView:
    name: str
    services: tuple[ServiceSummary, ...]
    blasts: tuple[BlastPage, ...]
    graph: Md | None

    @property
    def shared(self) -> tuple[BlastPage, ...]:
        return tuple(b for b in self.blasts if b.shared)


def service_home(name: str) -> str:
    return f"{SERVICES_DIR}/{name}/index.md"


def build_org_view(
    name: str,
    services: Sequence[ServiceCatalog],
    views: dict[str, SiteView],
    findings: dict[str, int | None],
) -> OrgView:
    summaries = tuple(
        ServiceSummary(
            s.name,
            service_home(s.name),
            s.service.project.settings.owner,
            views[s.name],
            findings.get(s.name),
        )
        for s in services
    )
    ids = sorted({e.name for s in services for e in s.catalog.entries})
    slugs = page_slugs(ids)
    shared = {e.name for s in services for e in s.catalog.entries if e.shared is not None}
    blasts = []
    for ident in ids:
        runbooks = tuple(
            (s.name, f"{SERVICES_DIR}/{s.name}/{page.page}")
            for s in services
            for page in views[s.name].dependencies
            if page.name == ident
        )
        blasts.append(
            BlastPage(
                blast_radius(services, ident),
                f"{BLAST_DIR}/{slugs[ident]}.md",
                ident in shared,
                runbooks,
            )
        )
    return OrgView(name, summaries, tuple(blasts), lanes(services))


def lanes(services: Sequence[ServiceCatalog]) -> Md | None:
    """`graph LR` with a subgraph per service holding its operations and its own dependencies;
    shared dependencies sit outside every lane, so the lines that cross lanes are the shared
    blast radius. Solid: critical; dotted: degradable or optional. None when too big to read."""
    edges = [
        (s.name, op.name, e.name, e.shared is not None, e.model.criticality)
        for s in services
        for e in s.catalog.entries
        for op in e.model.operations
    ]
    if not edges or len(edges) > MAX_EDGES:
        return None
    lines = ["graph LR"]
    shared_ids = sorted({dep for _, _, dep, shared, _ in edges if shared})
    shared_nodes = {dep: f"d{index}" for index, dep in enumerate(shared_ids)}
    links = []
    for lane, service in enumerate(sorted({s for s, *_ in edges})):
        mine = [edge for edge in edges if edge[0] == service]
        ops = sorted({op for _, op, *_ in mine})
        own = sorted({dep for _, _, dep, shared, _ in mine if not shared})
        op_nodes = {op: f"s{lane}o{index}" for index, op in enumerate(ops)}
        own_nodes = {dep: f"s{lane}d{index}" for index, dep in enumerate(own)}
        lines.append(f'  subgraph s{lane}["{_label(service)}"]')
        lines += [f'    {op_nodes[op]}(["{_label(op)}"])' for op in ops]
        lines += [f'    {own_nodes[dep]}[("{_label(dep)}")]' for dep in own]
        lines.append("  end")
        for _, op, dep, shared, criticality in sorted(set(mine)):
            target = shared_nodes[dep] if shared else own_nodes[dep]
            arrow = "-->" if criticality == "critical" else "-.->"
            links.append(f"  {op_nodes[op]} {arrow} {target}")
    lines += [f'  {node}[("{_label(dep)}")]' for dep, node in shared_nodes.items()]
    return Md("\n".join(lines + links))
