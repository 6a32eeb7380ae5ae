from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel

from fmcat.catalog.checks.base import CatalogCheck
from fmcat.findings import Finding

if TYPE_CHECKING:
    from fmcat.catalog.load import Catalog, Entry

#: The policies a shared dependency should have once: what the dependency tolerates, not what
#: one service wants. A fallback is each service's own answer, so it may differ.
COMPARED = ("timeout", "retry", "circuit_breaker", "bulkhead")


def describe(policy: BaseModel | None) -> str:
    if policy is None:
        return "none"
    values = policy.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    return ", ".join(f"{key} {value}" for key, value in values.items()) or "none"


class ConflictingDeclarations(CatalogCheck):
    """
    Two services declare a shared dependency differently: the same Postgres cluster with a
    2 s timeout in one service and 500 ms in another, or a breaker in one and none in the
    other. A shared dependency is declared once, in the folder `[tool.fmcat] shared` names,
    and each service `uses:` it; a service that overrides `policies.timeout`, `retry`,
    `circuit_breaker` or `bulkhead` so that it differs from another service's is reported
    on its own file, naming the other service (a service that inherits the shared value is
    not reported; the one that overrides it is). Runbooks, blast radius and capacity planning
    all assume one answer to "how long do we wait for this database?". Fallbacks are each
    service's own and may differ. Checked when fmcat lints a monorepo (docs/org.md).
    """

    code = "FM026"
    name = "conflicting-declarations"
    summary = "Services declare a shared dependency's policies differently"

    #: Other services' declarations of the same dependency, for the cases: (service, YAML).
    PEERS: ClassVar[tuple[tuple[str, str], ...]] = (
        (
            "billing",
            """\
dependency: postgres
owner: team-data
kind: database
criticality: critical
policies:
  timeout: {connect: 1s, read: 500ms}
""",
        ),
    )

    INVALID = (
        """\
dependency: postgres
owner: team-data
kind: database
criticality: critical
policies:
  timeout: {connect: 1s, read: 2s}  # expect: FM026 "of shared dependency"
""",
    )
    VALID = (
        """\
dependency: postgres
owner: team-data
kind: database
criticality: critical
policies:
  timeout: {connect: 1s, read: 500ms}
  fallback: Serve the order list from the read replica
operations:
  - name: list-orders
    measures: {latency: orders_list_seconds, errors: orders_list_errors_total}
failure_modes:
  - id: down
    title: Primary unreachable
    detection: {signals: [pg_up]}
    response: {steps: [Fail over to the replica.]}
""",
    )

    def check(self, entry: Entry, catalog: Catalog) -> Iterator[Finding]:
        peers = catalog.peers.get(entry.name, [])
        data = entry.source.data if isinstance(entry.source.data, dict) else {}
        policies = data.get("policies")
        declared: dict[str, object] = policies if isinstance(policies, dict) else {}
        for mechanism in COMPARED:
            if mechanism not in declared:
                continue  # inherited from the shared file: the file that overrides it is at fault
            mine = getattr(entry.model.policies, mechanism)
            differing = [p for p in peers if getattr(p.model.policies, mechanism) != mine]
            if not differing:
                continue
            theirs = getattr(differing[0].model.policies, mechanism)
            same = sorted(
                {p.service for p in differing if getattr(p.model.policies, mechanism) == theirs}
            )
            yield self.finding(
                entry,
                ("policies", mechanism),
                f'{mechanism} of shared dependency "{entry.name}" is {describe(mine)} here but '
                f"{describe(theirs)} in service{'s' * (len(same) > 1)} {', '.join(same)} "
                f"({differing[0].path}); declare it once, in the shared file",
            )
