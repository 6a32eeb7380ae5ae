from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from fmcat.catalog.checks.base import CatalogCheck
from fmcat.findings import Finding

if TYPE_CHECKING:
    from fmcat.catalog.load import Catalog, Entry


class DanglingReference(CatalogCheck):
    """
    A name that points at nothing: a failure mode whose `operations` lists an operation the
    dependency does not declare; an automatic response (`retry`, `circuit_breaker`...) with no
    matching policy under `policies`; an `owner` that is not one of the teams listed in
    `[tool.fmcat] owners`; or a `detection.alert` that is not defined in the alerting rules
    named by `[tool.fmcat] alert_rules`. The last two are checked only when configured.
    A runbook that says "the breaker opens" for a breaker that does not exist is worse than
    none.
    """

    code = "FM020"
    name = "dangling-reference"
    summary = "A reference to an unknown operation, policy, owner or alert"

    INVALID = (
        """\
dependency: search
owner: team-search
kind: http
criticality: optional
policies:
  timeout: {read: 400ms}
operations:
  - name: search
failure_modes:
  - id: unavailable
    title: Search API unreachable
    operations: [search, suggest]  # expect: FM020 "which search does not list under operations"
    response:
      automatic: [timeout, circuit_breaker]  # expect: FM020
""",
    )
    VALID = (
        """\
dependency: search
owner: team-search
kind: http
criticality: optional
policies:
  timeout: {read: 400ms}
  fallback: Hide the search box
operations:
  - name: search
failure_modes:
  - id: unavailable
    title: Search API unreachable
    operations: [search]
    response:
      automatic: [timeout, fallback]
""",
    )

    def check(self, entry: Entry, catalog: Catalog) -> Iterator[Finding]:
        model = entry.model
        if catalog.known_owners is not None and model.owner not in catalog.known_owners:
            close = difflib.get_close_matches(model.owner, sorted(catalog.known_owners), 1, 0.75)
            hint = f'; did you mean "{close[0]}"?' if close else ""
            yield self.finding(
                entry, ("owner",), f'owner "{model.owner}" is not in [tool.fmcat] owners{hint}'
            )
        operations = {op.name for op in model.operations}
        for index, mode in enumerate(model.failure_modes):
            for name in mode.operations or []:
                if name not in operations:
                    yield self.finding(
                        entry,
                        ("failure_modes", index, "operations"),
                        f'failure mode "{mode.id}" names operation "{name}", which {entry.name} '
                        "does not list under operations",
                    )
            if mode.response is not None:
                for mechanism in mode.response.automatic:
                    if not model.policies.declares(mechanism):
                        yield self.finding(
                            entry,
                            ("failure_modes", index, "response", "automatic"),
                            f'failure mode "{mode.id}" relies on {mechanism}, but '
                            f"policies.{mechanism} is not declared",
                        )
            alert = mode.detection.alert if mode.detection else None
            if alert and catalog.known_alerts is not None and alert not in catalog.known_alerts:
                yield self.finding(
                    entry,
                    ("failure_modes", index, "detection", "alert"),
                    f'alert "{alert}" is not defined in the alerting rules ([tool.fmcat] '
                    "alert_rules)",
                )
