"""The interface of a rules-file check: one class per file, run once over the alerting rules.

Its cases are alerting rules files, checked against the catalog file in ``CATALOG`` with
``site_url`` set to ``SITE_URL`` (tests/test_rule_cases.py writes all three as a project).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from fmcat.alerts.rules import AlertRule, RuleSet
from fmcat.alerts.site import Mode, SiteMap
from fmcat.catalog.load import Catalog
from fmcat.findings import Finding, Location, Severity
from fmcat.rule import Rule

#: The site of every case.
SITE_URL = "https://runbooks.example.com/"


@dataclass(frozen=True)
class AlertContext:
    rules: RuleSet
    site: SiteMap
    #: For each alert that failure modes name (`detection.alert`), those failure modes.
    named: dict[str, tuple[Mode, ...]]


def alert_context(catalog: Catalog, rules: RuleSet, site_url: str | None) -> AlertContext:
    named: dict[str, list[Mode]] = {}
    for entry in sorted(catalog.entries, key=lambda e: e.name):
        for mode in entry.model.failure_modes:
            if mode.detection is not None and mode.detection.alert:
                named.setdefault(mode.detection.alert, []).append(Mode(entry.name, mode.id))
    return AlertContext(
        rules, SiteMap(catalog, site_url), {name: tuple(m) for name, m in named.items()}
    )


class RulesCheck(Rule):
    #: The catalog file the cases are checked against.
    CATALOG: ClassVar[str]

    def check(self, context: AlertContext) -> Iterator[Finding]:
        return iter(())

    def finding(
        self, alert: AlertRule, at: Location, message: str, severity: Severity | None = None
    ) -> Finding:
        return Finding(self.code, message, at, severity or self.severity)
