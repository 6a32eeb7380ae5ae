from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from fmcat.catalog.checks.base import CatalogCheck
from fmcat.findings import Finding

if TYPE_CHECKING:
    from fmcat.catalog.load import Catalog, Entry


class NoFallback(CatalogCheck):
    """
    A dependency declared `degradable` or `optional` promises that the service keeps working
    without it. That promise needs a `policies.fallback` saying what users get instead (cached
    data, a default, a hidden feature). Without one, the "non-critical" dependency is critical
    in practice.
    """

    code = "FM015"
    name = "non-critical-without-fallback"
    summary = "A degradable or optional dependency has no fallback"

    INVALID = (
        """\
dependency: recommendations
owner: team-web
kind: http
criticality: degradable  # expect: FM015 "degradable but declares no policies.fallback"
policies:
  timeout: {connect: 100ms, read: 300ms}
""",
    )
    VALID = (
        """\
dependency: recommendations
owner: team-web
kind: http
criticality: degradable
policies:
  timeout: {connect: 100ms, read: 300ms}
  fallback: Show best sellers from the nightly snapshot
""",
    )

    def check(self, entry: Entry, catalog: Catalog) -> Iterator[Finding]:
        model = entry.model
        if model.criticality != "critical" and model.policies.fallback is None:
            yield self.finding(
                entry,
                ("criticality",),
                f"{entry.name} is {model.criticality} but declares no policies.fallback "
                "(what do users get instead?)",
            )
