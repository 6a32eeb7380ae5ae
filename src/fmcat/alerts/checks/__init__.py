"""The checks of the alerting rules against the catalog, one per module, in code order."""

from __future__ import annotations

from fmcat.alerts.checks.base import AlertContext, RulesCheck, alert_context
from fmcat.alerts.checks.fm021_runbook_link import RunbookLink
from fmcat.alerts.checks.fm022_alert_without_runbook import AlertWithoutRunbook

RULES_CHECKS: tuple[type[RulesCheck], ...] = (RunbookLink, AlertWithoutRunbook)

__all__ = ["RULES_CHECKS", "AlertContext", "RulesCheck", "alert_context"]
