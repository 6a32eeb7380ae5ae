from collections.abc import Iterator

from fmcat.findings import Finding, Severity
from fmcat.scan.rules.base import CodeRule, ScanContext

_CATALOG = """\
dependency: payment-gateway
owner: team-payments
kind: http
criticality: critical
match:
  - url: "https://api.pay.example.com/*"
"""


class DependencyWithoutCall(CodeRule):
    """
    A catalog dependency that no scanned call site matches: the dependency was removed from
    the code and the runbook lives on, or its `match` rules do not describe how the code
    reaches it (a new base URL, a renamed wrapper module). Either way the cross-check between
    catalog and code is not happening for it. Fix the `match` rules or remove the entry.
    Reported on the catalog file; runs only when code was scanned with a catalog.
    """

    code = "FM201"
    name = "dependency-without-call-site"
    summary = "A catalog dependency has no call site in the scanned code"
    severity = Severity.WARNING
    needs_catalog = True
    reports_on_catalog = True
    CATALOG = _CATALOG

    # The finding is on the catalog file, so the Bad case has no line to mark in the code; its
    # mark counts the findings and checks the message, wherever it stands.
    INVALID = (
        """\
# expect: FM201 "payment-gateway has no call site in the scanned code"
import requests

def geo(ip):
    return requests.get(f"https://geo.example.com/{ip}", timeout=2)
""",
    )
    VALID = (
        """\
import requests

def charge(order):
    return requests.post("https://api.pay.example.com/v1/charges", json=order, timeout=2)
""",
    )

    def check_project(self, context: ScanContext) -> Iterator[Finding]:
        if context.catalog is None or context.attribution is None:
            return
        for entry in context.catalog.entries:
            if entry.name not in context.attribution.used:
                location = entry.source.locate(("dependency",), at_key=True)
                yield Finding(
                    self.code,
                    f"{entry.name} has no call site in the scanned code; check its match rules",
                    location,
                    self.severity,
                    entry.name,
                )
