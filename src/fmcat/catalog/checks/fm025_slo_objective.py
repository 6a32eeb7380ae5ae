from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from fmcat.alerts.sli import PERCENTILES, Metric, buckets, error_objective, is_boundary
from fmcat.catalog.checks.base import CatalogCheck
from fmcat.catalog.model import Operation
from fmcat.findings import Finding, Severity

if TYPE_CHECKING:
    from fmcat.catalog.load import Catalog, Entry


def _seconds(value: float) -> str:
    return f"{value:g}s"


class SloObjective(CatalogCheck):
    """
    An operation's `objective` that cannot become a working SLO (`fmcat alerts slo`): an
    error objective of 100% (`error_rate: 0%`, `availability: 100%`) leaves no error budget,
    so every error pages, and one of 0% can never be missed; an error objective needs
    `measures.errors` and a request count (`measures.requests`, or the latency histogram's
    `_count`); a latency objective needs `measures.latency`, a histogram; and the threshold
    (`latency_p99: 2.5s`) must be one of the histogram's bucket boundaries, because the SLI
    counts the requests in `_bucket{le="2.5"}`: with buckets at 2s and 5s it could only
    measure one of those. The buckets are `measures.buckets`, else prometheus_client's
    defaults (5ms to 10s). An operation that several dependencies declare must have the
    same objective and measures in each, or the SLO depends on which file is read first.
    """

    code = "FM025"
    name = "slo-objective"
    summary = "An objective that cannot be an SLO: no budget, no metric, or not a bucket"
    severity = Severity.ERROR

    INVALID = (
        """\
dependency: orders-db
owner: team-platform
kind: database
criticality: critical
operations:
  - name: checkout
    measures: {latency: checkout_duration_seconds, errors: checkout_errors_total}
    objective:
      latency_p99: 3s  # expect: FM025 "is not a bucket boundary"
      error_rate: 0%  # expect: FM025
  - name: order-status
    measures: {errors: order_status_errors_total}
    objective: {latency_p95: 200ms, error_rate: 0.1%}  # expect: FM025 FM025
""",
    )
    VALID = (
        """\
dependency: orders-db
owner: team-platform
kind: database
criticality: critical
operations:
  - name: checkout
    measures:
      latency: checkout_duration_seconds
      errors: checkout_errors_total
      buckets: [100ms, 500ms, 1s, 3s, 10s]
    objective: {latency_p99: 3s, error_rate: 0.5%, period: 28d}
  - name: order-status
    measures:
      errors: order_status_errors_total
      requests: order_status_requests_total
    objective: {availability: 99.9%}
""",
    )

    def check(self, entry: Entry, catalog: Catalog) -> Iterator[Finding]:
        for index, op in enumerate(entry.model.operations):
            if op.objective is None:
                continue
            yield from self._errors(entry, index, op)
            yield from self._latency(entry, index, op)
            yield from self._agreement(entry, index, op, catalog)

    def _errors(self, entry: Entry, index: int, op: Operation) -> Iterator[Finding]:
        assert op.objective is not None
        target = error_objective(op.objective)
        if target is None:
            return
        key, objective = target
        where = ("operations", index, "objective", key)
        written = getattr(op.objective, key)
        if objective >= 1:
            yield self.finding(
                entry,
                where,
                f"{op.name}: {key} {written} is an objective of 100%, with no error budget: "
                "every error would page; give the errors users can tolerate, e.g. 0.1%",
            )
        elif objective <= 0:
            yield self.finding(
                entry,
                where,
                f"{op.name}: {key} {written} is an objective of 0%: it can never be missed",
            )
        measures = op.measures
        if measures is None or not measures.errors:
            yield self.finding(
                entry,
                where,
                f"{op.name}: the error objective needs measures.errors, the counter of errors",
            )
        elif measures.requests is None and measures.latency is None:
            yield self.finding(
                entry,
                where,
                f"{op.name}: the error objective needs a request count: measures.requests, "
                "or measures.latency (a histogram, whose _count is used)",
            )
        for name in ("errors", "requests", "latency"):
            text = getattr(measures, name, None) if measures else None
            if text and Metric.parse(text) is None:
                yield self.finding(
                    entry,
                    ("operations", index, "measures", name),
                    f'{op.name}: measures.{name} "{text}" is not a metric name or selector '
                    '(e.g. http_requests_total{route="/checkout"})',
                )

    def _latency(self, entry: Entry, index: int, op: Operation) -> Iterator[Finding]:
        assert op.objective is not None
        for key, _percent in PERCENTILES:
            threshold = getattr(op.objective, key)
            if threshold is None:
                continue
            where = ("operations", index, "objective", key)
            if op.measures is None or not op.measures.latency:
                yield self.finding(
                    entry,
                    where,
                    f"{op.name}: the latency objective {key} {threshold} needs "
                    "measures.latency, a histogram of the operation's duration",
                )
            elif not is_boundary(threshold, op.measures):
                shown = ", ".join(_seconds(b) for b in buckets(op.measures))
                source = "measures.buckets" if op.measures.buckets else "prometheus_client's"
                yield self.finding(
                    entry,
                    where,
                    f"{op.name}: {key} {threshold} is not a bucket boundary of "
                    f"{op.measures.latency} ({source}: {shown}); the SLI counts "
                    '_bucket{le="<threshold>"}, so make it a boundary or declare '
                    "measures.buckets",
                )

    def _agreement(
        self, entry: Entry, index: int, op: Operation, catalog: Catalog
    ) -> Iterator[Finding]:
        for other in sorted(catalog.entries, key=lambda e: e.name):
            if other.name >= entry.name:
                return
            same = next((o for o in other.model.operations if o.name == op.name), None)
            if same is not None and same.objective is not None:
                if (same.objective, same.measures) != (op.objective, op.measures):
                    yield self.finding(
                        entry,
                        ("operations", index, "objective"),
                        f"{op.name}: objective or measures differ from those {other.name} "
                        "declares for it; an operation has one SLO",
                    )
                return
