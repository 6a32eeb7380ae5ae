"""Alerting rules and runbooks held against each other.

`rules` reads the service's Prometheus-style rule files (plain, prometheus-operator
`PrometheusRule` manifests, Thanos and Mimir files of the same shape) with positions;
`site` knows the runbook site's page and anchor scheme; `checks` are FM021 and FM022;
`link` writes the runbook links; `slo` generates burn-rate alerts from the catalog.
"""
