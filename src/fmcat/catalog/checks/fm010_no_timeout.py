from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from fmcat.catalog.checks.base import CatalogCheck
from fmcat.findings import Finding

if TYPE_CHECKING:
    from fmcat.catalog.load import Catalog, Entry


class NoTimeout(CatalogCheck):
    """
    Every external call needs a timeout: without one, a dependency that stops answering holds
    a worker, a connection and the user's request until something else gives up, and partial
    failure turns into total failure. Declare at least one of `connect`, `read`, `write` or
    `total` under `policies.timeout`, with a unit (`300ms`, `2s`). FM105 later checks that the
    code's timeouts are no longer than these.
    """

    code = "FM010"
    name = "no-timeout"
    summary = "The dependency declares no timeout"

    INVALID = (
        """\
dependency: search
owner: team-search
kind: http
criticality: optional
policies:  # expect: FM010 "no timeout declared; add policies.timeout"
  fallback: Hide the search box
""",
        """\
dependency: search
owner: team-search
kind: http
criticality: optional
policies:
  timeout: {}  # expect: FM010
  fallback: Hide the search box
""",
    )
    VALID = (
        """\
dependency: search
owner: team-search
kind: http
criticality: optional
policies:
  timeout: {connect: 100ms, read: 400ms}
  fallback: Hide the search box
""",
    )

    def check(self, entry: Entry, catalog: Catalog) -> Iterator[Finding]:
        if entry.model.policies.declares("timeout"):
            return
        where = ("policies", "timeout") if entry.model.policies.timeout else ("policies",)
        yield self.finding(
            entry,
            where,
            f"{entry.name}: no timeout declared; add policies.timeout "
            "(e.g. {connect: 300ms, read: 1s})",
            at_key=True,
        )
