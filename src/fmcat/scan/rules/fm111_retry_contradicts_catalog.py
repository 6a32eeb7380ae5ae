"""FM111: the code's retry policy contradicts the catalog's ``policies.retry``."""

from __future__ import annotations

from collections.abc import Iterator

from fmcat.findings import Finding, Severity
from fmcat.scan.facts import FileFacts
from fmcat.scan.rules.base import CodeRule, ScanContext

_CATALOG = """\
dependency: payment-gateway
owner: team-payments
kind: http
criticality: critical
match:
  - url: "https://api.pay.example.com/*"
policies:
  timeout: {connect: 300ms, read: 700ms}
  retry: {attempts: 3, backoff: exponential, initial: 100ms, max: 1s, jitter: true}
"""


class RetryContradictsCatalog(CodeRule):
    """
    The code retries a dependency more than the catalog says, or retries one whose catalog
    declares no retry. The catalog's `policies.retry.attempts` is what FM017 budgets against
    the operations' latency, and what the runbook tells the on-call engineer: a code that
    makes more attempts waits longer and loads a struggling dependency harder than anyone
    planned. Counted as total attempts, the first included: tenacity's
    `stop_after_attempt(N)` (in `@retry` or a `for attempt in Retrying(...)` loop) and
    backoff's `max_tries=N` make N, stamina's `attempts=N` (10
    by default), urllib3's `Retry(total=N)` and requests' `HTTPAdapter(max_retries=N)`
    N + 1, a Celery task with `autoretry_for` or `self.retry()` `max_retries + 1` (Celery's
    default `max_retries` is 3), and `stripe.max_network_retries = N` N + 1. The retry is
    matched to the dependencies of the calls it repeats. Runs only with a catalog.
    """

    code = "FM111"
    name = "retry-contradicts-catalog"
    summary = "The code retries more than the catalog's policies.retry allows"
    severity = Severity.WARNING
    needs_catalog = True
    CATALOG = _CATALOG

    INVALID = (
        """\
import backoff
import requests
from tenacity import retry, stop_after_attempt

URL = "https://api.pay.example.com/v1/charges"

@retry(stop=stop_after_attempt(5))  # expect: FM111 "makes 5 attempts"
def charge(order):
    return requests.post(URL, json=order, timeout=1, headers={"Idempotency-Key": order["id"]})

@backoff.on_exception(backoff.expo, requests.RequestException, max_tries=4)  # expect: FM111
def status(charge_id):
    return requests.get(f"{URL}/{charge_id}", timeout=1)
""",
        """\
import requests
from tenacity import Retrying, stop_after_attempt

URL = "https://api.pay.example.com/v1/charges"

def refunds(charge_id):
    for attempt in Retrying(stop=stop_after_attempt(4)):  # expect: FM111 "makes 4 attempts"
        with attempt:
            return requests.get(f"{URL}/{charge_id}/refunds", timeout=1)
""",
    )
    VALID = (
        """\
import requests
from tenacity import retry, stop_after_attempt

URL = "https://api.pay.example.com/v1/charges"

@retry(stop=stop_after_attempt(3))
def status(charge_id):
    return requests.get(f"{URL}/{charge_id}", timeout=1)
""",
    )

    def check(self, facts: FileFacts, context: ScanContext) -> Iterator[Finding]:
        # Here, not at the top: fmcat.frameworks imports the parser, and every lint run loads
        # the rule table, a run answered by its memo too (scan/memo.py).
        from fmcat.frameworks.attribution import policy_dependencies

        for policy in facts.retry_policies:
            for entry in policy_dependencies(policy, facts, context):
                declared = entry.model.policies.retry
                made = f"{policy.attempts} attempts" if policy.attempts else "retries"
                if declared is None:
                    yield self.finding(
                        facts,
                        policy.span,
                        f"{policy.qualname} makes {made} on {entry.name}, whose catalog "
                        "declares no retry: declare policies.retry or remove the retry",
                        entry.name,
                    )
                elif (
                    declared.attempts is not None
                    and policy.attempts is not None
                    and policy.attempts > declared.attempts
                ):
                    yield self.finding(
                        facts,
                        policy.span,
                        f"{policy.qualname} makes {policy.attempts} attempts on "
                        f"{entry.name}, more than the catalog's policies.retry.attempts "
                        f"of {declared.attempts}",
                        entry.name,
                    )
