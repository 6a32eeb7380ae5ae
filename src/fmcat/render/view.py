"""What the pages show, computed once: the templates only lay it out.

Everything a template needs that takes more than reading a field (risk levels, policy
summaries, worst cases, which operations cross which dependencies, page paths and anchors) is
here, in plain frozen dataclasses, so a user's own template gets the same facts as ours and
the arithmetic lives in one tested place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from fmcat.catalog.drafts import shown, todo_values
from fmcat.catalog.load import Entry
from fmcat.catalog.model import Dependency, FailureMode, Operation
from fmcat.catalog.review import DEFAULT_MAX_AGE_DAYS, age_days, is_stale, today
from fmcat.catalog.worst_case import worst_case
from fmcat.render.code import CallSite, CodeScan, ConsumerView, OpenFinding, RepoLinks
from fmcat.render.graph import mermaid
from fmcat.render.markdown import tag
from fmcat.render.policies import breaker, bulkhead, delivery, objective, retry, timeouts
from fmcat.render.scheme import page_slug

#: FMEA risk (severity x likelihood x detectability, 1-125) from which a mode is "high" or
#: "medium". 40 is, for example, severity 5 x likelihood 4 x detectability 2.
HIGH_RISK = 40
MEDIUM_RISK = 15

_UNSAFE_SLUG = re.compile(r"[^a-z0-9_-]+")
_ANCHOR_SAFE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")

#: Home page order: what the service cannot do without comes first.
CRITICALITY_ORDER = {"critical": 0, "degradable": 1, "optional": 2}

#: Code findings that contradict the declared timeout, and how the policy row says it.
CONTRADICTS_TIMEOUT = {
    "FM101": "has no timeout",
    "FM102": "switches the timeout off",
    "FM105": "waits longer than declared",
    "FM107": "relies on the library's default",
}

MECHANISM_NAMES = {
    "timeout": "timeout",
    "retry": "retry",
    "circuit_breaker": "circuit breaker",
    "bulkhead": "bulkhead",
    "fallback": "fallback",
}


def risk_level(risk: int | None) -> str:
    if risk is None:
        return "unscored"
    if risk >= HIGH_RISK:
        return "high"
    return "medium" if risk >= MEDIUM_RISK else "low"


def anchor(prefix: str, ident: str) -> str:
    """`fm-timeout`, `op-checkout`: catalog ids are slugs already, so anchors are stable."""
    if not _ANCHOR_SAFE.match(ident):  # the model guarantees it; a template may not
        ident = _UNSAFE_SLUG.sub("-", ident.lower()).strip("-") or "x"
    return f"{prefix}-{ident}"


def page_slugs(ids: Iterable[str]) -> dict[str, str]:
    """A file name for each dependency id, from that id alone (see `fmcat.render.scheme`).

    Ids that would share a file name are refused before this (FM003), so none is renamed.
    """
    return {ident: page_slug(ident) for ident in sorted(ids)}


@dataclass(frozen=True)
class ModeSection:
    """One failure mode: its section on the runbook page and its row on the risk page."""

    model: FailureMode
    dependency: str
    page: str
    anchor: str
    risk: int | None
    level: str
    automatic: tuple[str, ...]
    operations: tuple[str, ...]
    escalation: str | None
    diagnose: tuple[str, ...] = ()
    mitigate: tuple[str, ...] = ()
    #: The mode's last_reviewed, else its dependency's; its age in days, and whether it is
    #: older than [tool.fmcat] review_max_age_days (FM024).
    reviewed: date | None = None
    review_age: int | None = None
    stale: bool = False

    @property
    def rpn(self) -> str:
        """The FMEA number, labelled as one: it ranks catalog work, it is not a severity."""
        return f"RPN {self.risk} of 125" if self.risk is not None else "RPN unscored"


@dataclass(frozen=True)
class Contradiction:
    """A call site whose code says otherwise than a declared policy."""

    code: str
    what: str
    path: str
    line: int
    #: The code host's line (repo_url), else None: the Code page's section is linked instead.
    url: str | None
    message: str


@dataclass(frozen=True)
class OperationUse:
    """An operation as one dependency declares it, and what that dependency can cost it."""

    operation: Operation
    dependency: str
    page: str
    criticality: str
    worst_case: str | None
    worst_seconds: float | None
    #: None when there is no budget or no worst case to compare.
    fits_budget: bool | None

    @property
    def anchor(self) -> str:
        return anchor("op", self.operation.name)

    @property
    def objective(self) -> str | None:
        return objective(self.operation)


@dataclass(frozen=True)
class OperationEntry:
    """A user-visible operation across every dependency that declares it."""

    name: str
    anchor: str
    description: str | None
    budgets: tuple[str, ...]
    uses: tuple[OperationUse, ...]


@dataclass(frozen=True)
class DependencyPage:
    model: Dependency
    slug: str
    page: str
    source: str
    tags: tuple[str, ...]
    timeouts: str | None
    retry: str | None
    breaker: str | None
    bulkhead: str | None
    delivery: str | None
    modes: tuple[ModeSection, ...]
    operations: tuple[OperationUse, ...]
    highest: ModeSection | None
    sites: tuple[CallSite, ...]
    findings: tuple[OpenFinding, ...]
    #: Catalog values that still say TODO (FM023): the page is a draft while there are any.
    draft: tuple[str, ...] = ()
    #: Where to edit the catalog file on the code host (repo_url), if known.
    edit_url: str | None = None
    #: Call sites that contradict the declared timeout (FM101, FM102, FM105, FM107).
    timeout_contradictions: tuple[Contradiction, ...] = ()
    #: The consumers the code has for it, with the delivery semantics each really has.
    consumers: tuple[ConsumerView, ...] = ()

    @property
    def name(self) -> str:
        return self.model.dependency

    @property
    def protection(self) -> str | None:
        """The breaker, bulkhead and fallback declared, in a few words for the home page."""
        policies = self.model.policies
        parts = [
            "breaker" if policies.circuit_breaker else "",
            f"bulkhead {policies.bulkhead.max_concurrent}" if policies.bulkhead else "",
            "fallback" if policies.fallback else "",
        ]
        return ", ".join(p for p in parts if p) or None

    @property
    def anchor(self) -> str:
        """The dependency's section on the Code page."""
        return f"dep-{self.slug}"


@dataclass(frozen=True)
class SiteView:
    service: str
    dependencies: tuple[DependencyPage, ...]
    operations: tuple[OperationEntry, ...]
    ranked: tuple[ModeSection, ...]
    code: CodeScan | None
    graph: str | None
    #: [tool.fmcat] channel_url: where a #channel in escalation text links to.
    channel_url: str | None = None
    review_max_age_days: int = DEFAULT_MAX_AGE_DAYS

    @property
    def by_criticality(self) -> tuple[DependencyPage, ...]:
        """Critical first, then the highest risk, then by name: the home page's order."""
        return tuple(
            sorted(
                self.dependencies,
                key=lambda p: (
                    CRITICALITY_ORDER.get(p.model.criticality, 9),
                    -(p.highest.risk or 0) if p.highest else 0,
                    p.name,
                ),
            )
        )

    @property
    def failure_modes(self) -> int:
        return len(self.ranked)


def _modes(model: Dependency, page: str, max_age: int, on: date) -> tuple[ModeSection, ...]:
    sections = []
    for mode in model.failure_modes:
        response = mode.response
        automatic = tuple(MECHANISM_NAMES[m] for m in response.automatic) if response else ()
        override = response.escalation if response else None
        reviewed = model.reviewed(mode)
        sections.append(
            ModeSection(
                model=mode,
                dependency=model.dependency,
                page=page,
                anchor=anchor("fm", mode.id),
                risk=mode.risk,
                level=risk_level(mode.risk),
                automatic=automatic,
                operations=tuple(op.name for op in model.operations_of(mode)),
                escalation=override or model.escalation,
                diagnose=tuple(response.diagnose) if response else (),
                mitigate=tuple(response.mitigation) if response else (),
                reviewed=reviewed,
                review_age=age_days(reviewed, on) if reviewed else None,
                stale=reviewed is not None and is_stale(reviewed, max_age, on),
            )
        )
    return tuple(sections)


def _contradictions(findings: Sequence[OpenFinding]) -> tuple[Contradiction, ...]:
    return tuple(
        Contradiction(f.code, CONTRADICTS_TIMEOUT[f.code], f.path, f.line, f.url, f.message)
        for f in findings
        if f.code in CONTRADICTS_TIMEOUT
    )


def _uses(model: Dependency, page: str) -> tuple[OperationUse, ...]:
    worst = worst_case(model.policies)
    uses = []
    for op in model.operations:
        fits = None
        if worst is not None and op.latency_budget is not None:
            fits = worst.total.seconds <= op.latency_budget.seconds
        uses.append(
            OperationUse(
                operation=op,
                dependency=model.dependency,
                page=page,
                criticality=model.criticality,
                worst_case=worst.formula() if worst else None,
                worst_seconds=worst.total.seconds if worst else None,
                fits_budget=fits,
            )
        )
    return tuple(uses)


def _highest(modes: Sequence[ModeSection]) -> ModeSection | None:
    scored = [m for m in modes if m.risk is not None]
    return max(scored, key=lambda m: m.risk or 0) if scored else None


def _rank_key(mode: ModeSection) -> tuple[int, str, str]:
    return (-(mode.risk if mode.risk is not None else -1), mode.dependency, mode.model.id)


def _operations(pages: Sequence[DependencyPage]) -> tuple[OperationEntry, ...]:
    by_name: dict[str, list[OperationUse]] = {}
    for page in pages:
        for use in page.operations:
            by_name.setdefault(use.operation.name, []).append(use)
    entries = []
    for name in sorted(by_name):
        uses = tuple(sorted(by_name[name], key=lambda u: u.dependency))
        description = next((u.operation.description for u in uses if u.operation.description), None)
        budgets = sorted(
            {u.operation.latency_budget for u in uses if u.operation.latency_budget is not None}
        )
        entries.append(
            OperationEntry(name, anchor("op", name), description, tuple(map(str, budgets)), uses)
        )
    return tuple(entries)


def build_view(
    service: str,
    entries: Sequence[Entry],
    sources: dict[str, str],
    code: CodeScan | None,
    *,
    links: RepoLinks | None = None,
    channel_url: str | None = None,
    review_max_age_days: int = DEFAULT_MAX_AGE_DAYS,
    on: date | None = None,
) -> SiteView:
    """The whole site's facts. ``sources`` maps a dependency id to its catalog file's path;
    ``on`` is the day review ages are counted to (default: today, or SOURCE_DATE_EPOCH)."""
    on = on or today()
    slugs = page_slugs(e.name for e in entries)
    pages = []
    for entry in sorted(entries, key=lambda e: e.name):
        model = entry.model
        slug = slugs[model.dependency]
        page = f"dependencies/{slug}.md"
        modes = _modes(model, page, review_max_age_days, on)
        source = sources.get(model.dependency, "")
        findings = code.findings_of(model.dependency) if code else ()
        tags = (
            f"kind:{model.kind}",
            f"criticality:{model.criticality}",
            f"owner:{tag(model.owner)}",
            *(tag(t) for t in model.tags),
        )
        pages.append(
            DependencyPage(
                model=model,
                slug=slug,
                page=page,
                source=source,
                tags=tags,
                timeouts=timeouts(model.policies),
                retry=retry(model.policies),
                breaker=breaker(model.policies),
                bulkhead=bulkhead(model.policies),
                delivery=delivery(model),
                modes=modes,
                operations=_uses(model, page),
                highest=_highest(modes),
                sites=code.sites_of(model.dependency) if code else (),
                findings=findings,
                draft=tuple(shown(path) for path in todo_values(entry.source.data)),
                edit_url=links.edit_url(source) if links and source else None,
                timeout_contradictions=_contradictions(findings),
                consumers=code.consumers_of(model.dependency) if code else (),
            )
        )
    ranked = tuple(sorted((m for p in pages for m in p.modes), key=_rank_key))
    edges = [(u.operation.name, p.name, p.model.criticality) for p in pages for u in p.operations]
    targets = {p.name: p.page.removesuffix(".md") + ".html" for p in pages}
    targets.update({f"op:{op.name}": f"operations.html#{op.anchor}" for op in _operations(pages)})
    return SiteView(
        service,
        tuple(pages),
        _operations(pages),
        ranked,
        code,
        mermaid(edges, targets),
        channel_url=channel_url,
        review_max_age_days=review_max_age_days,
    )
