from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from fmcat.catalog.checks.base import CatalogCheck
from fmcat.catalog.worst_case import worst_case
from fmcat.findings import Finding

if TYPE_CHECKING:
    from fmcat.catalog.load import Catalog, Entry


class RetryExceedsBudget(CatalogCheck):
    """
    The worst case of one call to the dependency must fit inside the latency budget of every
    operation it affects, or users give up (or their client times out) while the service is
    still retrying. The worst case is computed as

        attempts x (bulkhead max_wait + timeout) + the backoff waits

    where the timeout is `total` if given, else `connect + read + write`, and each wait is at
    its upper bound (`initial`, doubling for exponential backoff, capped at `max`). Shorten
    the timeout, retry less, or raise the budget if users really wait that long.
    """

    code = "FM017"
    name = "retry-exceeds-latency-budget"
    summary = "Worst-case retry time exceeds an operation's latency budget"

    INVALID = (
        """\
dependency: payments
owner: team-payments
kind: http
criticality: critical
policies:
  timeout: {connect: 300ms, read: 2s}
  retry: {attempts: 3, backoff: exponential, initial: 200ms, max: 1s, jitter: true}
operations:
  - name: checkout
    idempotency_key: order_id
    latency_budget: 3s  # expect: FM017 "= 7.5s exceeds checkout's latency budget"
  - name: refund
    idempotency_key: refund_id
    latency_budget: 10s
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
  retry: {attempts: 2, backoff: exponential, initial: 100ms, max: 1s, jitter: true}
  # worst case: 2 x (300ms + 700ms) + 100ms = 2.1s
operations:
  - name: checkout
    idempotency_key: order_id
    latency_budget: 3s
""",
    )

    def check(self, entry: Entry, catalog: Catalog) -> Iterator[Finding]:
        worst = worst_case(entry.model.policies)
        if worst is None:
            return  # FM010 reports the missing timeout
        for index, op in enumerate(entry.model.operations):
            budget = op.latency_budget
            if budget is not None and worst.total.seconds > budget.seconds + 1e-9:
                yield self.finding(
                    entry,
                    ("operations", index, "latency_budget"),
                    f"worst case {worst.formula()} exceeds {op.name}'s latency budget of {budget}",
                )
