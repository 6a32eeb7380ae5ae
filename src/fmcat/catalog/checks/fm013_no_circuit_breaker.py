from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from fmcat.catalog.checks.base import CatalogCheck
from fmcat.findings import Finding

if TYPE_CHECKING:
    from fmcat.catalog.load import Catalog, Entry


class NoCircuitBreaker(CatalogCheck):
    """
    A critical dependency that fails slowly takes the service down with it: every request
    waits for the full timeout, retries pile on, and the dependency cannot recover under the
    load. A circuit breaker fails fast once the failure rate crosses a threshold and probes
    again after `open_for`. Declare `policies.circuit_breaker` for every `criticality:
    critical` dependency.
    """

    code = "FM013"
    name = "critical-without-circuit-breaker"
    summary = "A critical dependency has no circuit breaker"

    INVALID = (
        """\
dependency: payments
owner: team-payments
kind: http
criticality: critical  # expect: FM013 "is critical but declares no policies.circuit_breaker"
policies:
  timeout: {connect: 300ms, read: 700ms}
  bulkhead: {max_concurrent: 20}
""",
    )
    VALID = (
        """\
dependency: payments
owner: team-payments
kind: http
criticality: critical
policies:
  timeout: {connect: 300ms, read: 700ms}
  circuit_breaker: {failure_rate: 50%, window: 30s, min_calls: 20, open_for: 30s}
  bulkhead: {max_concurrent: 20}
""",
        """\
dependency: recommendations
owner: team-web
kind: http
criticality: optional
policies:
  timeout: {connect: 100ms, read: 300ms}
  fallback: Show best sellers
""",
    )

    def check(self, entry: Entry, catalog: Catalog) -> Iterator[Finding]:
        model = entry.model
        if model.criticality == "critical" and model.policies.circuit_breaker is None:
            yield self.finding(
                entry,
                ("criticality",),
                f"{entry.name} is critical but declares no policies.circuit_breaker",
            )
