from collections.abc import Iterator

from fmcat.catalog.units import Duration
from fmcat.findings import Finding
from fmcat.scan.facts import FileFacts, TimeoutState
from fmcat.scan.rules.base import CodeRule, ScanContext

_CATALOG = """\
dependency: payment-gateway
owner: team-payments
kind: http
criticality: critical
match:
  - url: "https://api.pay.example.com/*"
policies:
  timeout: {connect: 300ms, read: 2s}
"""


class TimeoutExceedsCatalog(CodeRule):
    """
    The catalog promises a timeout (and FM017 budgets retries with it), but the code waits
    longer: a literal or constant timeout, or the library's default when none is given
    (httpx 5 s, aiohttp 300 s, botocore 60 s), is longer than the longest timeout the
    dependency declares (`total`, or the longest of `connect`, `read` and `write`). Either
    the code or the catalog is wrong, and the runbook's arithmetic with it. Computed timeouts
    are not compared. Runs only with a catalog.
    """

    code = "FM105"
    name = "timeout-exceeds-catalog"
    summary = "A timeout in code (or the library default) exceeds the catalog's"
    needs_catalog = True
    CATALOG = _CATALOG

    INVALID = (
        """\
import httpx
import requests

URL = "https://api.pay.example.com/v1/charges"

def charge(order):
    requests.post(URL, json=order, timeout=10)  # expect: FM105 "exceeds payment-gateway's declared"
    requests.post(URL, json=order, timeout=(0.3, 30))  # expect: FM105
    httpx.post(URL, json=order)  # expect: FM105
""",
    )
    VALID = (
        """\
import requests

URL = "https://api.pay.example.com/v1/charges"

def charge(order, settings):
    requests.post(URL, json=order, timeout=(0.3, 2))
    requests.post(URL, json=order, timeout=settings.payment_timeout)
""",
    )

    def check(self, facts: FileFacts, context: ScanContext) -> Iterator[Finding]:
        if context.attribution is None:
            return
        for index, site in enumerate(facts.sites):
            entry = context.attribution.of(facts, index)
            declared = entry.model.policies.timeout if entry is not None else None
            if entry is None or declared is None or not declared.phases():
                continue
            limit = max(declared.phases())
            values: tuple[float, ...]
            if site.timeout is TimeoutState.DEFAULT and site.default_seconds is not None:
                values, source = (site.default_seconds,), f"{site.library}'s default timeout"
            elif site.timeout is TimeoutState.SET and site.timeout_values:
                values, source = site.timeout_values, "the timeout in code"
            else:
                continue
            longest = Duration.of_seconds(max(values))
            if longest.seconds > limit.seconds + 1e-9:
                yield self.finding(
                    facts,
                    site.span,
                    f"{source} ({longest}) exceeds {entry.name}'s declared timeout ({limit}); "
                    "align the code or the catalog",
                    entry.name,
                )
