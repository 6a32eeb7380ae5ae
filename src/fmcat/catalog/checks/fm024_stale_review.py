from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING

from fmcat.catalog.checks.base import CatalogCheck
from fmcat.catalog.review import age_days, is_stale
from fmcat.findings import Finding

if TYPE_CHECKING:
    from fmcat.catalog.load import Catalog, Entry
    from fmcat.catalog.yaml_guard import Key


class StaleReview(CatalogCheck):
    """
    `last_reviewed` says when people last checked a runbook against the system it describes:
    that the steps still work, the dashboards still exist, the escalation still reaches someone.
    Past `[tool.fmcat] review_max_age_days` (365 by default) the date is stale: review the
    runbook, then set `last_reviewed` to the day you did. It is checked on the dependency and on
    each failure mode that gives its own date. A catalog without `last_reviewed` is not
    reported. The day counted from is today in UTC, or SOURCE_DATE_EPOCH when it is set.
    """

    code = "FM024"
    name = "stale-review"
    summary = "A runbook's last_reviewed date is older than the configured age"

    INVALID = (
        """\
dependency: search
owner: team-search
kind: http
criticality: optional
last_reviewed: 2019-03-01  # expect: FM024 "runbook of search was last reviewed 2019-03-01"
failure_modes:
  - id: unavailable
    title: Search API unreachable
    last_reviewed: 2020-06-15  # expect: FM024
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
""",
    )

    def check(self, entry: Entry, catalog: Catalog) -> Iterator[Finding]:
        model = entry.model
        limit = catalog.review_max_age_days
        dated: list[tuple[tuple[Key, ...], date | None, str]] = [
            (("last_reviewed",), model.last_reviewed, model.dependency)
        ]
        dated += [
            (("failure_modes", index, "last_reviewed"), mode.last_reviewed, f'"{mode.id}"')
            for index, mode in enumerate(model.failure_modes)
        ]
        for loc, reviewed, what in dated:
            if reviewed is None or not is_stale(reviewed, limit, catalog.today):
                continue
            days = age_days(reviewed, catalog.today)
            subject = f"runbook of {what}" if loc[0] == "last_reviewed" else f"failure mode {what}"
            yield self.finding(
                entry,
                loc,
                f"{subject} was last reviewed {reviewed.isoformat()}, {days} days ago "
                f"(more than review_max_age_days = {limit}): check its steps, dashboards and "
                "escalation against today's system, then update last_reviewed",
            )
