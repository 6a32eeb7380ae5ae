from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from fmcat.catalog.checks.base import CatalogCheck
from fmcat.findings import Finding

if TYPE_CHECKING:
    from fmcat.catalog.load import Catalog, Entry


class NoResponse(CatalogCheck):
    """
    A failure mode that is written down but has no response is a known problem with no plan.
    Give each one an automatic response (`timeout`, `retry`, `circuit_breaker`, `bulkhead`,
    `fallback`), runbook steps for the person on call (`diagnose` and `mitigate`, or their
    older form `steps`), or both.
    """

    code = "FM011"
    name = "failure-mode-without-response"
    summary = "A failure mode has neither an automatic response nor runbook steps"

    INVALID = (
        """\
dependency: search
owner: team-search
kind: http
criticality: optional
failure_modes:
  - id: unavailable  # expect: FM011 "has no response: add"
    title: Search API unreachable
  - id: slow  # expect: FM011
    title: Search API answers slowly
    response: {verify: search_seconds back under 1s}
""",
    )
    VALID = (
        """\
dependency: search
owner: team-search
kind: http
criticality: optional
failure_modes:
  - id: unavailable
    title: Search API unreachable
    response:
      automatic: [fallback]
  - id: slow
    title: Search API answers slowly
    response:
      diagnose: [Check the provider's status page.]
      mitigate: [Switch search to the cached index with `searchctl use-cache`.]
""",
    )

    def check(self, entry: Entry, catalog: Catalog) -> Iterator[Finding]:
        for index, mode in enumerate(entry.model.failure_modes):
            response = mode.response
            if response is None or not (response.automatic or response.runbook_steps):
                yield self.finding(
                    entry,
                    ("failure_modes", index),
                    f'failure mode "{mode.id}" has no response: add response.automatic '
                    "and/or runbook steps (response.diagnose, response.mitigate)",
                )
