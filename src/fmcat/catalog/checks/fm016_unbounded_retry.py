from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from fmcat.catalog.checks.base import CatalogCheck
from fmcat.findings import Finding

if TYPE_CHECKING:
    from fmcat.catalog.load import Catalog, Entry


class UnboundedRetry(CatalogCheck):
    """
    Retries turn a blip into a recovery and an outage into a retry storm. A safe retry policy
    has an attempt limit, waits that grow (`backoff: exponential` or `constant`) and are
    spread out with `jitter: true` so that clients do not retry in lockstep, and applies only
    to operations that are safe to repeat: ones with an `idempotency_key`, or marked
    `idempotent: true`. Retrying a non-idempotent payment charges the card twice.
    """

    code = "FM016"
    name = "unbounded-retry"
    summary = (
        "Retries without a limit, without backoff and jitter, or of a non-idempotent operation"
    )

    INVALID = (
        """\
dependency: payments
owner: team-payments
kind: http
criticality: critical
policies:
  timeout: {connect: 300ms, read: 700ms}
  retry: {backoff: exponential, initial: 100ms, jitter: true}  # expect: FM016 "no attempt limit"
""",
        """\
dependency: payments
owner: team-payments
kind: http
criticality: critical
policies:
  timeout: {connect: 300ms, read: 700ms}
  retry: {attempts: 3}  # expect: FM016
""",
        """\
dependency: payments
owner: team-payments
kind: http
criticality: critical
policies:
  timeout: {connect: 300ms, read: 700ms}
  retry: {attempts: 2, backoff: exponential, initial: 100ms, jitter: true}
operations:
  - name: checkout  # expect: FM016
    latency_budget: 3s
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
operations:
  - name: checkout
    idempotency_key: order_id
  - name: order-status
    idempotent: true
""",
        """\
dependency: payments
owner: team-payments
kind: http
criticality: critical
policies:
  timeout: {connect: 300ms, read: 700ms}
  retry: {attempts: 1}
operations:
  - name: checkout
""",
    )

    def check(self, entry: Entry, catalog: Catalog) -> Iterator[Finding]:
        retry = entry.model.policies.retry
        if retry is None:
            return
        where = ("policies", "retry")
        if retry.attempts is None:
            yield self.finding(entry, where, "no attempt limit", at_key=True)
        elif retry.attempts < 2:
            return  # one attempt is no retry at all
        problems = []
        if retry.backoff in (None, "none"):
            problems.append("no backoff (set backoff: exponential)")
        if retry.jitter is not True:
            problems.append("no jitter (set jitter: true)")
        if problems:
            yield self.finding(
                entry, where, "retry waits are unsafe: " + "; ".join(problems), at_key=True
            )
        for index, op in enumerate(entry.model.operations):
            if not op.safe_to_retry:
                yield self.finding(
                    entry,
                    ("operations", index, "name"),
                    f'operation "{op.name}" is retried but has no idempotency_key and is not '
                    "marked idempotent: true",
                )
