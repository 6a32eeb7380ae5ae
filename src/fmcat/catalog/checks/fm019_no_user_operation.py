from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from fmcat.catalog.checks.base import CatalogCheck
from fmcat.findings import Finding

if TYPE_CHECKING:
    from fmcat.catalog.load import Catalog, Entry


class NoUserOperation(CatalogCheck):
    """
    Measure what users feel. Each dependency names the user-visible operations it affects
    (`checkout`, `search`), and each operation names an end-to-end latency measure and an
    error measure, plus the `latency_budget` that FM017 checks retries against. A dependency
    that affects no operation cannot be prioritised during an incident; an operation without
    measures cannot tell you whether the incident is over.
    """

    code = "FM019"
    name = "no-user-visible-operation"
    summary = "A dependency affects no operation, or an operation lacks latency/error measures"

    INVALID = (
        """\
dependency: search  # expect: FM019 "affects no user-visible operation: list them under operations"
owner: team-search
kind: http
criticality: optional
""",
        """\
dependency: search
owner: team-search
kind: http
criticality: optional
operations:
  - name: search  # expect: FM019
    measures: {latency: search_seconds}
  - name: suggest  # expect: FM019
    measures: {latency: suggest_seconds, errors: suggest_errors_total}
""",
    )
    VALID = (
        """\
dependency: search
owner: team-search
kind: http
criticality: optional
operations:
  - name: search
    latency_budget: 1s
    measures: {latency: search_seconds, errors: search_errors_total}
    objective: {latency_p99: 800ms, error_rate: 1%}
""",
    )

    def check(self, entry: Entry, catalog: Catalog) -> Iterator[Finding]:
        model = entry.model
        if not model.operations:
            yield self.finding(
                entry,
                ("dependency",),
                f"{entry.name} affects no user-visible operation: list them under operations",
                at_key=True,
            )
            return
        for index, op in enumerate(model.operations):
            measures = op.measures
            missing = []
            if measures is None or measures.latency is None:
                missing.append("measures.latency")
            if measures is None or measures.errors is None:
                missing.append("measures.errors")
            if op.latency_budget is None:
                missing.append("latency_budget")
            if missing:
                yield self.finding(
                    entry,
                    ("operations", index, "name"),
                    f'operation "{op.name}" has no {", ".join(missing)}',
                )
