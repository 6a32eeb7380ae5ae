"""`fmcat alerts slo` as a library call: the project's catalog in, a rules file's text out."""

from __future__ import annotations

from fmcat.alerts.formats import RulesFormat
from fmcat.alerts.project import AlertsProject
from fmcat.alerts.site import SiteMap
from fmcat.alerts.slo import check_windows, slos_of
from fmcat.alerts.slo_rules import rule_groups, rules_text
from fmcat.render.site import service_name


def generate_slo_rules(project: AlertsProject, form: RulesFormat) -> tuple[str, int]:
    """The rules file, and how many SLOs it holds."""
    windows = project.project.settings.slo_alerts
    check_windows(windows)
    slos = slos_of(project.catalog, SiteMap(project.catalog, project.site_url))
    service = service_name(project.project)
    return rules_text(rule_groups(slos, service, windows), form, service), len(slos)
