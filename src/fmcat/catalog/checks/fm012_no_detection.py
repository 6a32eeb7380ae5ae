from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from fmcat.catalog.checks.base import CatalogCheck
from fmcat.findings import Finding

if TYPE_CHECKING:
    from fmcat.catalog.load import Catalog, Entry


class NoDetection(CatalogCheck):
    """
    A failure nobody notices is answered by users, not by the runbook. Name how each failure
    mode is detected: the `signals` (metrics, log queries) that show it, and the `alert` that
    pages someone.
    """

    code = "FM012"
    name = "failure-mode-without-detection"
    summary = "A failure mode does not say how it is detected"

    INVALID = (
        """\
dependency: search
owner: team-search
kind: http
criticality: optional
failure_modes:
  - id: unavailable  # expect: FM012 "has no detection: add"
    title: Search API unreachable
  - id: slow  # expect: FM012
    title: Search API answers slowly
    detection: {description: Users complain}
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
    detection: {signals: [search_errors_total]}
  - id: slow
    title: Search API answers slowly
    detection: {alert: SearchSlow}
""",
    )

    def check(self, entry: Entry, catalog: Catalog) -> Iterator[Finding]:
        for index, mode in enumerate(entry.model.failure_modes):
            detection = mode.detection
            if detection is None or not (detection.signals or detection.alert):
                yield self.finding(
                    entry,
                    ("failure_modes", index),
                    f'failure mode "{mode.id}" has no detection: add detection.signals '
                    "and/or detection.alert",
                )
