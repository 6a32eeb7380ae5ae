"""The site's Alerts page and the alert block of each failure mode: which alert detects which
failure mode, and with what severity (the `severity` label of the alerting rule, when the
rules are configured with `[tool.fmcat] alert_rules`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fmcat.alerts.rules import RuleSet
from fmcat.render.view import DependencyPage


@dataclass(frozen=True)
class AlertRow:
    name: str
    #: The rule's `severity` label; None when the rules do not give one or are not configured.
    severity: str | None
    #: False when the rules are configured and do not define the alert (FM020).
    defined: bool
    dependency: str
    mode_title: str
    #: The failure mode's section: its page under docs/ and anchor.
    page: str
    anchor: str


@dataclass(frozen=True)
class AlertsView:
    rows: tuple[AlertRow, ...]
    #: Whether the alerting rules were read (severities are known).
    configured: bool

    def severity_of(self, name: str | None) -> str | None:
        return next((r.severity for r in self.rows if r.name == name), None)


def alerts_view(pages: Sequence[DependencyPage], rules: RuleSet | None) -> AlertsView:
    rows = []
    for page in pages:
        for mode in page.modes:
            detection = mode.model.detection
            if detection is None or not detection.alert:
                continue
            rule = rules.alerts.get(detection.alert) if rules else None
            rows.append(
                AlertRow(
                    name=detection.alert,
                    severity=rule.severity if rule else None,
                    defined=rules is None or rule is not None,
                    dependency=page.name,
                    mode_title=mode.model.title,
                    page=page.page,
                    anchor=mode.anchor,
                )
            )
    rows.sort(key=lambda r: (r.name, r.dependency, r.anchor))
    return AlertsView(tuple(rows), rules is not None)
