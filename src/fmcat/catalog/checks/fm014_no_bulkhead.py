from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from fmcat.catalog.checks.base import CatalogCheck
from fmcat.findings import Finding

if TYPE_CHECKING:
    from fmcat.catalog.load import Catalog, Entry


class NoBulkhead(CatalogCheck):
    """
    When a critical dependency slows down, unbounded concurrency lets its calls take every
    worker and connection in the service, so features that never touch it fail too. A
    bulkhead caps the calls in flight (`max_concurrent`) and, optionally, how long a caller
    queues for a slot (`max_wait`). Declare `policies.bulkhead` for every critical dependency.
    """

    code = "FM014"
    name = "critical-without-bulkhead"
    summary = "A critical dependency has no bulkhead (bounded concurrency)"

    INVALID = (
        """\
dependency: payments
owner: team-payments
kind: http
criticality: critical  # expect: FM014 "is critical but declares no policies.bulkhead"
policies:
  timeout: {connect: 300ms, read: 700ms}
  circuit_breaker: {failure_rate: 50%, window: 30s}
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
  circuit_breaker: {failure_rate: 50%, window: 30s}
  bulkhead: {max_concurrent: 20, max_wait: 50ms}
""",
    )

    def check(self, entry: Entry, catalog: Catalog) -> Iterator[Finding]:
        model = entry.model
        if model.criticality == "critical" and model.policies.bulkhead is None:
            yield self.finding(
                entry,
                ("criticality",),
                f"{entry.name} is critical but declares no policies.bulkhead",
            )
