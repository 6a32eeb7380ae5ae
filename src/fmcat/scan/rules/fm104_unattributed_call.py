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
  - call: "shop.clients.*"
"""


class UnattributedCall(CodeRule):
    """
    An external call that no catalog dependency claims: the service talks to something the
    catalog does not know, so nobody has written down how it fails or what to do then. Add a
    dependency for it, or widen a dependency's `match` rules: `url:` globs match the call's
    URL (a literal, a module constant, or the known head of an f-string), `call:` globs match
    the qualified name of the call, of the client's maker, or of the function the call is in
    (`shop.clients.payments.*`). A call through a client made in the same file is attributed
    with its client and reported there. Runs only with a catalog.
    """

    code = "FM104"
    name = "call-not-in-catalog"
    summary = "An external call is attributed to no catalog dependency"
    severity = Severity.WARNING
    needs_catalog = True
    CATALOG = _CATALOG

    INVALID = (
        """\
import requests

BASE = "https://api.pay.example.com/v1"

def charge(order):
    requests.post(f"{BASE}/charges", json=order, timeout=2)
    requests.get("https://geo.example.com/lookup", timeout=2)  # expect: FM104 "matches no catalog"
""",
    )
    VALID = (
        """\
import requests

BASE = "https://api.pay.example.com/v1"

def charge(order):
    return requests.post(f"{BASE}/charges", json=order, timeout=2)
""",
    )

    def check(self, facts: FileFacts, context: ScanContext) -> Iterator[Finding]:
        if context.attribution is None:
            return
        for index, site in enumerate(facts.sites):
            if site.client_site is not None:
                continue  # attributed (or reported) with the client it goes through
            if site.derived:
                continue  # the call it wraps, inside the project's wrapper, is the one to claim
            if context.attribution.of(facts, index) is None:
                where = f" to {site.url}" if site.url else ""
                yield self.finding(
                    facts,
                    site.span,
                    f"{site.qualname}{where} matches no catalog dependency; add one or extend "
                    "a dependency's match rules",
                )
