from collections.abc import Iterator

from fmcat.alerts.checks.base import AlertContext, RulesCheck
from fmcat.findings import Finding, Severity

_CATALOG = """\
dependency: pay
owner: team-payments
kind: http
criticality: critical
failure_modes:
  - id: slow
    title: The provider does not answer in time
    detection: {alert: PaymentGatewayTimeouts}
  - id: down
    title: The provider refuses connections
    detection: {alert: PaymentGatewayErrors}
"""


class RunbookLink(RulesCheck):
    """
    The alert that a failure mode names (`detection.alert`) must carry a `runbook_url`
    annotation that leads to that failure mode's section of the runbook site:
    `<site_url>dependencies/<page>.html#fm-<id>`. Reported on the `runbook_url` line when
    the link is missing, relative (it means nothing in a notification), outside
    `[tool.fmcat] site_url`, names a page or anchor the site does not have, or leads to
    another failure mode. The paged engineer is handed this link and nothing else, and it is
    the part of an alert that rots: pages get renamed, anchors get prefixes, links get pinned
    to a branch. `fmcat alerts link` writes the right ones. Without `site_url`, only the part
    from `dependencies/` on is checked. In the examples, `site_url` is
    `https://runbooks.example.com/` and the catalog's dependency `pay` has the failure modes
    `slow` (alert PaymentGatewayTimeouts) and `down` (alert PaymentGatewayErrors).
    """

    code = "FM021"
    name = "runbook-link"
    summary = "An alert's runbook_url does not lead to the failure mode that names it"
    severity = Severity.ERROR
    CATALOG = _CATALOG

    INVALID = (
        """\
groups:
  - name: payments
    rules:
      - alert: PaymentGatewayTimeouts
        expr: rate(payment_timeouts_total[5m]) > 1
        annotations:
          runbook_url: https://runbooks.example.com/pay/#slow  # expect: FM021 "names page"
      - alert: PaymentGatewayErrors
        expr: breaker_open == 1
        annotations:
          runbook_url: https://runbooks.example.com/dependencies/pay.html#fm-slow  # expect: FM021
""",
        """\
groups:
  - name: payments
    rules:
      - alert: PaymentGatewayTimeouts
        expr: rate(payment_timeouts_total[5m]) > 1
        annotations:  # expect: FM021
          summary: Payments time out
      - alert: PaymentGatewayErrors
        expr: breaker_open == 1
        annotations:
          runbook_url: dependencies/pay.html#fm-down  # expect: FM021
""",
    )
    VALID = (
        """\
groups:
  - name: payments
    rules:
      - alert: PaymentGatewayTimeouts
        expr: rate(payment_timeouts_total[5m]) > 1
        annotations:
          runbook_url: https://runbooks.example.com/dependencies/pay.html#fm-slow
      - alert: PaymentGatewayErrors
        expr: breaker_open == 1
        annotations:
          runbook_url: "https://runbooks.example.com/dependencies/pay.html#fm-down"
""",
    )

    def check(self, context: AlertContext) -> Iterator[Finding]:
        for name, modes in sorted(context.named.items()):
            alert = context.rules.alerts.get(name)
            if alert is None:
                continue  # FM020 reports an alert the rules do not define
            expected = context.site.mode_url(modes[0])
            fix = (
                f"; it should be {expected} (`fmcat alerts link` writes it)"
                if expected
                else "; set [tool.fmcat] site_url and run `fmcat alerts link`"
            )
            if not alert.runbook_url:
                yield self.finding(
                    alert, alert.runbook_at, f'alert "{name}" has no runbook_url annotation{fix}'
                )
                continue
            resolved = context.site.resolve(alert.runbook_url)
            where = f'runbook_url of alert "{name}"'
            if resolved.problem is not None:
                yield self.finding(alert, alert.runbook_at, f"{where} {resolved.problem}{fix}")
            elif resolved.mode is None:
                yield self.finding(
                    alert,
                    alert.runbook_at,
                    f"{where} leads to {resolved.page}, not to the section of {modes[0]}{fix}",
                )
            elif resolved.mode not in modes:
                yield self.finding(
                    alert,
                    alert.runbook_at,
                    f"{where} leads to {resolved.mode}, but the alert is that of {modes[0]}{fix}",
                )
