from collections.abc import Iterator

from fmcat.alerts.checks.base import AlertContext, RulesCheck
from fmcat.findings import Finding, Severity

#: `severity` label values that wake someone up: such an alert without a runbook is an error.
PAGING_SEVERITIES = frozenset({"page", "critical", "pager", "emergency"})

_CATALOG = """\
dependency: product-cache
owner: team-platform
kind: cache
criticality: degradable
operations:
  - name: browse-products
failure_modes:
  - id: unavailable
    title: Redis is down
    detection: {alert: ProductCacheUnavailable}
"""


class AlertWithoutRunbook(RulesCheck):
    """
    An alerting rule that no failure mode names in `detection.alert`: when it fires, nobody
    has written down what it means for users or what to do, and the runbook site has no page
    for it. Reported on the `alert:` line, as an error when the alert's `severity` label pages
    (`page`, `critical`, `pager`, `emergency`) and as a warning otherwise. Name the alert in
    the failure mode it detects, or delete it. Alerts whose `runbook_url` leads to an
    operation on the site (the SLO alerts of `fmcat alerts slo`) have their runbook there.
    In the examples, the catalog names ProductCacheUnavailable only.
    """

    code = "FM022"
    name = "alert-without-runbook"
    summary = "An alerting rule that no failure mode names"
    CATALOG = _CATALOG

    INVALID = (
        """\
groups:
  - name: cache
    rules:
      - alert: ProductCacheUnavailable
        expr: min(redis_up) == 0
        annotations:
          runbook_url: https://runbooks.example.com/dependencies/product-cache.html#fm-unavailable
      - alert: ProductCacheEvictions  # expect: FM022 "is named by no failure mode"
        expr: rate(redis_evicted_keys_total[5m]) > 100
        labels: {severity: page}
""",
    )
    VALID = (
        """\
groups:
  - name: cache
    rules:
      - record: job:redis_up:min
        expr: min(redis_up)
      - alert: ProductCacheUnavailable
        expr: job:redis_up:min == 0
        labels: {severity: ticket}
        annotations:
          runbook_url: https://runbooks.example.com/dependencies/product-cache.html#fm-unavailable
      - alert: BrowseProductsErrorBudgetBurn
        expr: vector(1)
        annotations:
          runbook_url: https://runbooks.example.com/operations.html#op-browse-products
""",
    )

    def check(self, context: AlertContext) -> Iterator[Finding]:
        for rules in context.rules.files:
            for alert in rules.alerts:
                if alert.name in context.named:
                    continue
                if alert.runbook_url and context.site.resolve(alert.runbook_url).operation:
                    continue  # an SLO alert: its runbook is the operation's section
                paging = (alert.severity or "").lower() in PAGING_SEVERITIES
                label = f"severity {alert.severity}" if alert.severity else "no severity label"
                yield self.finding(
                    alert,
                    alert.at,
                    f'alert "{alert.name}" ({label}) is named by no failure mode, so it has no '
                    "runbook: name it in the detection.alert of the failure mode it detects",
                    Severity.ERROR if paging else Severity.WARNING,
                )
