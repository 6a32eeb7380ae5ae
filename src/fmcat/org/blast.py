"""The blast radius of a dependency: when it fails, which operations of which services fail
(it is critical to them), degrade (degradable or optional) or are unaffected, and the worst
risk (FMEA RPN) of the failure modes that reach each operation."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from fmcat.catalog.load import Entry
from fmcat.errors import UsageError
from fmcat.org.load import ServiceCatalog

Status = Literal["fails", "degrades", "unaffected"]
STATUSES: tuple[Status, ...] = ("fails", "degrades", "unaffected")
#: Bumped when a key changes meaning; incident tooling reads it.
BLAST_VERSION = 1


@dataclass(frozen=True)
class Impact:
    service: str
    operation: str
    status: Status
    criticality: str | None
    worst_risk: int | None
    worst_mode: str | None


@dataclass(frozen=True)
class Blast:
    dependency: str
    kind: str
    owner: str
    #: The catalog files that declare it (the shared file first, where there is one).
    declared_in: tuple[str, ...]
    services: tuple[str, ...]
    all_services: int
    impacts: tuple[Impact, ...]

    def of(self, status: Status) -> list[Impact]:
        return [i for i in self.impacts if i.status == status]


def _worst(entry: Entry, operation: str) -> tuple[int | None, str | None]:
    worst: tuple[int | None, str | None] = (None, None)
    for mode in entry.model.failure_modes:
        if mode.risk is None or operation not in {
            op.name for op in entry.model.operations_of(mode)
        }:
            continue
        if worst[0] is None or mode.risk > worst[0]:
            worst = (mode.risk, mode.id)
    return worst


def _impact(service: str, operation: str, entry: Entry | None) -> Impact:
    if entry is None:
        return Impact(service, operation, "unaffected", None, None, None)
    critical = entry.model.criticality == "critical"
    risk, mode = _worst(entry, operation)
    return Impact(
        service, operation, "fails" if critical else "degrades", entry.model.criticality, risk, mode
    )


def blast_radius(services: Sequence[ServiceCatalog], dependency: str) -> Blast:
    users = [(s, e) for s in services for e in s.catalog.entries if e.name == dependency]
    if not users:
        known = sorted({e.name for s in services for e in s.catalog.entries})
        close = difflib.get_close_matches(dependency, known, n=1)
        hint = (
            f'; did you mean "{close[0]}"?' if close else f" (known: {', '.join(known) or 'none'})"
        )
        raise UsageError(f'no service declares a dependency "{dependency}"{hint}')
    impacts: list[Impact] = []
    for service in services:
        mine = next((e for s, e in users if s is service), None)
        names = sorted({op.name for e in service.catalog.entries for op in e.model.operations})
        hit = {op.name for op in mine.model.operations} if mine else set()
        impacts += [_impact(service.name, name, mine if name in hit else None) for name in names]
    order = {status: index for index, status in enumerate(STATUSES)}
    impacts.sort(key=lambda i: (order[i.status], -(i.worst_risk or 0), i.service, i.operation))
    first = users[0][1].model
    shared = sorted(
        {
            s.shared.sources[e.shared].display
            for s, e in users
            if e.shared is not None and s.shared is not None and e.shared in s.shared.sources
        }
    )
    return Blast(
        dependency=dependency,
        kind=first.kind,
        owner=first.owner,
        declared_in=(*shared, *sorted({e.source.display for _, e in users})),
        services=tuple(sorted({s.name for s, _ in users})),
        all_services=len(services),
        impacts=tuple(impacts),
    )


def blast_json(blast: Blast) -> dict[str, Any]:
    return {
        "version": BLAST_VERSION,
        "dependency": blast.dependency,
        "kind": blast.kind,
        "owner": blast.owner,
        "declared_in": list(blast.declared_in),
        "services": list(blast.services),
        "summary": {status: len(blast.of(status)) for status in STATUSES},
        "operations": [
            {
                "service": i.service,
                "operation": i.operation,
                "status": i.status,
                "criticality": i.criticality,
                "worst_risk": i.worst_risk,
                "worst_mode": i.worst_mode,
            }
            for i in blast.impacts
        ],
    }


_HEADINGS = {
    "fails": "fails (the dependency is critical to it)",
    "degrades": "degrades (degradable or optional: a fallback serves)",
    "unaffected": "unaffected",
}


def blast_text(blast: Blast) -> str:
    used = len(blast.services)
    lines = [
        f"blast radius of {blast.dependency} ({blast.kind}, owner {blast.owner})",
        f"used by {used} of {blast.all_services} service{'s' * (blast.all_services != 1)}: "
        + ", ".join(blast.services),
        "declared in:",
        *(f"  {path}" for path in blast.declared_in),
    ]
    width_s = max((len(i.service) for i in blast.impacts), default=0)
    width_o = max((len(i.operation) for i in blast.impacts), default=0)
    for status in STATUSES:
        rows = blast.of(status)
        lines += ["", f"{_HEADINGS[status]}: {len(rows)}"]
        for i in rows:
            row = f"  {i.service:<{width_s}}  {i.operation:<{width_o}}"
            if i.status != "unaffected":
                risk = f"worst risk {i.worst_risk} ({i.worst_mode})" if i.worst_risk else "unscored"
                row += f"  {i.criticality:<10}  {risk}"
            lines.append(row.rstrip())
    return "\n".join(lines) + "\n"
