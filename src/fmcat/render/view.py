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

from fmcat.catalog.load import Entry
from fmcat.catalog.model import Dependency, FailureMode, Operation, Policies
from fmcat.catalog.worst_case import worst_case
from fmcat.render.code import CallSite, CodeScan, OpenFinding
from fmcat.render.graph import mermaid
from fmcat.render.markdown import tag
from fmcat.render.scheme import page_slug

#: FMEA risk (severity x likelihood x detectability, 1-125) from which a mode is "high" or
#: "medium". 40 is, for example, severity 5 x likelihood 4 x detectability 2.
HIGH_RISK = 40
MEDIUM_RISK = 15

_UNSAFE_SLUG = re.compile(r"[^a-z0-9_-]+")
_ANCHOR_SAFE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")

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

    @property
    def name(self) -> str:
        return self.model.dependency

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

    @property
    def failure_modes(self) -> int:
        return len(self.ranked)


def objective(op: Operation) -> str | None:
    goal = op.objective
    if goal is None:
        return None
    parts = [
        f"{label} {value}"
        for label, value in (
            ("p50", goal.latency_p50),
            ("p95", goal.latency_p95),
            ("p99", goal.latency_p99),
            ("errors", goal.error_rate),
            ("availability", goal.availability),
        )
        if value is not None
    ]
    return ", ".join(parts) or None


def timeouts(policies: Policies) -> str | None:
    timeout = policies.timeout
    if timeout is None or timeout.is_empty():
        return None
    phases = [(name, getattr(timeout, name)) for name in ("connect", "read", "write", "total")]
    return ", ".join(f"{name} {value}" for name, value in phases if value is not None)


def retry(policies: Policies) -> str | None:
    policy = policies.retry
    if policy is None:
        return None
    parts = [f"{policy.attempts} attempts" if policy.attempts else "no attempt limit"]
    if policy.backoff and policy.backoff != "none":
        wait = f"{policy.backoff} backoff"
        if policy.initial is not None:
            wait += f" from {policy.initial}"
        if policy.max is not None:
            wait += f" up to {policy.max}"
        parts.append(wait)
    if policy.jitter:
        parts.append("jitter")
    if policy.errors:
        parts.append("on " + ", ".join(policy.errors))
    return ", ".join(parts)


def breaker(policies: Policies) -> str | None:
    policy = policies.circuit_breaker
    if policy is None:
        return None
    parts = []
    if policy.failure_rate is not None:
        opens = f"opens at {policy.failure_rate} failures"
        if policy.window is not None:
            opens += f" over {policy.window}"
        parts.append(opens)
    if policy.min_calls is not None:
        parts.append(f"after {policy.min_calls} calls")
    if policy.open_for is not None:
        parts.append(f"stays open {policy.open_for}")
    return ", ".join(parts) or "declared"


def bulkhead(policies: Policies) -> str | None:
    policy = policies.bulkhead
    if policy is None:
        return None
    text = f"{policy.max_concurrent} concurrent"
    if policy.max_wait is not None:
        text += f", callers wait up to {policy.max_wait}"
    return text


def delivery(model: Dependency) -> str | None:
    if model.delivery is None:
        return None
    parts: list[str] = []
    if model.delivery.semantics:
        parts.append(model.delivery.semantics)
    if model.delivery.dedup is not None:
        parts.append(f"dedup on {model.delivery.dedup.key}")
    poison = model.delivery.poison
    if poison is not None:
        if poison.max_deliveries is not None:
            parts.append(f"at most {poison.max_deliveries} deliveries")
        if poison.dead_letter is not None:
            parts.append(f"dead letter {poison.dead_letter}")
    return ", ".join(parts) or None


def _modes(model: Dependency, page: str) -> tuple[ModeSection, ...]:
    sections = []
    for mode in model.failure_modes:
        response = mode.response
        automatic = tuple(MECHANISM_NAMES[m] for m in response.automatic) if response else ()
        override = response.escalation if response else None
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
            )
        )
    return tuple(sections)


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
) -> SiteView:
    """The whole site's facts. ``sources`` maps a dependency id to its catalog file's path."""
    slugs = page_slugs(e.name for e in entries)
    pages = []
    for entry in sorted(entries, key=lambda e: e.name):
        model = entry.model
        slug = slugs[model.dependency]
        page = f"dependencies/{slug}.md"
        modes = _modes(model, page)
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
                source=sources.get(model.dependency, ""),
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
                findings=code.findings_of(model.dependency) if code else (),
            )
        )
    ranked = tuple(sorted((m for p in pages for m in p.modes), key=_rank_key))
    edges = [(u.operation.name, p.name, p.model.criticality) for p in pages for u in p.operations]
    return SiteView(service, tuple(pages), _operations(pages), ranked, code, mermaid(edges))
