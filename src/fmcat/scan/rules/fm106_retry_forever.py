from collections.abc import Iterator

from fmcat.findings import Finding
from fmcat.scan.facts import FileFacts
from fmcat.scan.rules.base import CodeRule, ScanContext


class RetryForever(CodeRule):
    """
    A retry with no stop condition retries forever: tenacity's `@retry` stops never unless
    given `stop=`, and backoff's `on_exception`/`on_predicate` retry until success unless
    given `max_tries=` or `max_time=`. During an outage such a retry never gives up, holds
    its worker, and hammers the dependency as it tries to recover. Give it a bound that fits
    the operation's latency budget (FM017). stamina's retries are bounded by default.
    """

    code = "FM106"
    name = "retry-without-stop"
    summary = "A retry decorator or loop has no stop condition"

    INVALID = (
        """\
import backoff
import requests
from tenacity import retry, wait_exponential

@retry  # expect: FM106 "no stop condition and retries forever"
def charge(order):
    return requests.post("https://pay.example.com", json=order, timeout=2)

@retry(wait=wait_exponential(multiplier=0.1))  # expect: FM106
def refund(order):
    return requests.post("https://pay.example.com/refunds", json=order, timeout=2)

@backoff.on_exception(backoff.expo, requests.RequestException)  # expect: FM106
def capture(order):
    return requests.post("https://pay.example.com/captures", json=order, timeout=2)
""",
    )
    VALID = (
        """\
import backoff
import requests
import stamina
from tenacity import retry, stop_after_attempt

@retry(stop=stop_after_attempt(3))
def charge(order):
    return requests.post("https://pay.example.com", json=order, timeout=2)

@backoff.on_exception(backoff.expo, requests.RequestException, max_time=10)
def capture(order):
    return requests.post("https://pay.example.com/captures", json=order, timeout=2)

@stamina.retry(on=requests.RequestException)
def void(order):
    return requests.post("https://pay.example.com/voids", json=order, timeout=2)
""",
    )

    def check(self, facts: FileFacts, context: ScanContext) -> Iterator[Finding]:
        for retry in facts.retries:
            if not retry.has_stop:
                yield self.finding(
                    facts,
                    retry.span,
                    f"{retry.qualname} has no stop condition and retries forever",
                )
