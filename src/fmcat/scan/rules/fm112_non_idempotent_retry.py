"""FM112: a call that creates something is retried without an idempotency key."""

from __future__ import annotations

from collections.abc import Iterator

from fmcat.findings import Finding, Severity
from fmcat.scan.facts import FileFacts
from fmcat.scan.rules.base import CodeRule, ScanContext


class NonIdempotentRetry(CodeRule):
    """
    A POST, or an SDK call that creates or charges (`stripe.PaymentIntent.create`,
    `client.messages.create`), runs inside a user-level retry (tenacity, backoff, stamina,
    or a Celery task with `autoretry_for`) and carries no idempotency key. When the first
    attempt reached the provider but its answer was lost, the retry does it again: a second
    charge, a second SMS. An SDK's own network retries (Stripe's `max_network_retries`)
    reuse one key; a user-level retry makes a new request each time. Give the call a key
    that stays the same across attempts: Stripe's `idempotency_key=`, an `Idempotency-Key`
    header, or the operation's declared `idempotency_key` (the catalog's
    `operations[].idempotency_key`, e.g. `order_id`) passed into the call.
    """

    code = "FM112"
    name = "non-idempotent-retry"
    summary = "A creating call is retried without an idempotency key"
    severity = Severity.ERROR

    INVALID = (
        """\
import requests
import stripe
from tenacity import retry, stop_after_attempt

@retry(stop=stop_after_attempt(3))
def charge(order):
    stripe.PaymentIntent.create(amount=order.total)  # expect: FM112 "creates something"
    requests.post("https://api.pay.example.com/v1/charges", json={}, timeout=2)  # expect: FM112
""",
    )
    VALID = (
        """\
import requests
import stripe
from tenacity import retry, stop_after_attempt

@retry(stop=stop_after_attempt(3))
def charge(order):
    stripe.PaymentIntent.create(amount=order.total, currency="eur", idempotency_key=order.id)
    requests.post(
        "https://api.pay.example.com/v1/charges",
        json={},
        headers={"Idempotency-Key": order.id},
        timeout=2,
    )

def once(order):
    stripe.PaymentIntent.create(amount=order.total, currency="eur")
""",
    )

    def check(self, facts: FileFacts, context: ScanContext) -> Iterator[Finding]:
        starts = {(s.span.line, s.span.column): i for i, s in enumerate(facts.sites)}
        for call in facts.retried_calls:
            index = starts.get((call.span.line, call.span.column))
            if index is None or call.has_key:
                continue  # not an external call (a local `create`), or keyed
            site = facts.sites[index]
            entry = context.attribution.of(facts, index) if context.attribution else None
            if entry is not None:
                keys = [op.idempotency_key for op in entry.model.operations if op.idempotency_key]
                if any(key in call.text for key in keys):
                    continue
            yield self.finding(
                facts,
                site.span,
                f"{site.qualname} creates something and is retried by {call.retry} without "
                "an idempotency key, so a retry can repeat it; pass idempotency_key= or an "
                "Idempotency-Key header that stays the same across attempts",
                entry.name if entry is not None else None,
            )
