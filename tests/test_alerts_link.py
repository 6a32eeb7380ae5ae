"""`fmcat alerts link`: the runbook links written through a ruamel round trip, nothing else
changed, written atomically; `--check` prints the diff and exits 1 for CI."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

from tests.conftest import EXAMPLE, run_fmcat

SITE = "https://runbooks.shop.example.com/"

RULES = """\
# Alerts of the shop. Keep this comment.
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: shop}
spec:
  groups:
    - name: payments   # a trailing comment
      rules:
        - alert: PaymentGatewayTimeouts
          expr: |
            sum(rate(timeouts_total[5m]))
              / sum(rate(requests_total[5m])) > 0.02
          labels: {severity: page, team: payments}
          annotations:
            summary: 'Payments time out'
            runbook_url: "https://wiki.example.com/payments#timeouts"  # stale
---
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: shop-db}
spec:
  groups:
    - name: orders-db
      rules:
        - alert: OrdersDbUnavailable
          for: 1m
          expr: pg_up == 0
          labels:
            severity: page
        - alert: OrdersDbSlowQueries
          annotations:
            summary: Slow
          expr: rate(statement_timeouts_total[5m]) > 0.2
"""

CATALOG = """\
dependency: {name}
owner: team-x
kind: http
criticality: optional
policies:
  timeout: {{read: 1s}}
  fallback: none
failure_modes:
{modes}
"""


def project(tmp_path: Path, rules: str = RULES) -> Path:
    root = tmp_path / "svc"
    (root / "failure-modes").mkdir(parents=True)
    modes = {
        "payment-gateway": [("timeout", "PaymentGatewayTimeouts")],
        "orders-db": [
            ("unavailable", "OrdersDbUnavailable"),
            ("slow-queries", "OrdersDbSlowQueries"),
        ],
    }
    for name, items in modes.items():
        text = "".join(
            f"  - id: {ident}\n    title: {ident}\n    detection: {{alert: {alert}}}\n"
            for ident, alert in items
        )
        (root / "failure-modes" / f"{name}.yaml").write_text(
            CATALOG.format(name=name, modes=text.rstrip("\n")), encoding="utf-8"
        )
    (root / "pyproject.toml").write_text(
        f'[tool.fmcat]\nsrc = []\nalert_rules = ["rules/*.yaml"]\nsite_url = "{SITE}"\n',
        encoding="utf-8",
    )
    (root / "rules").mkdir()
    (root / "rules" / "shop.yaml").write_text(rules, encoding="utf-8")
    return root


def test_link_changes_only_the_runbook_lines(tmp_path: Path) -> None:
    root = project(tmp_path)
    path = root / "rules" / "shop.yaml"
    path.chmod(0o640)
    inode = path.stat().st_ino
    result = run_fmcat("alerts", "link", cwd=root)
    assert result.code == 0, result.stderr
    assert "wrote 3 runbook link(s) in rules/shop.yaml" in result.stderr
    after = path.read_text(encoding="utf-8")
    expected = (
        RULES.replace(
            '"https://wiki.example.com/payments#timeouts"',
            f'"{SITE}dependencies/payment-gateway.html#fm-timeout"',
        )
        .replace(
            "          labels:\n            severity: page\n",
            "          labels:\n            severity: page\n          annotations:\n"
            f"            runbook_url: {SITE}dependencies/orders-db.html#fm-unavailable\n",
        )
        .replace(
            "            summary: Slow\n",
            f"            summary: Slow\n            runbook_url: {SITE}dependencies/orders-db.html"
            "#fm-slow-queries\n",
        )
    )
    assert after == expected
    # Replaced by a rename (never half-written), with the file's mode kept.
    assert path.stat().st_ino != inode
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in path.parent.iterdir()] == ["shop.yaml"]
    lint = run_fmcat("lint", ".", "--select", "FM021,FM022", cwd=root)
    assert (lint.code, lint.stdout) == (0, ""), lint.stdout + lint.stderr
    again = run_fmcat("alerts", "link", cwd=root)
    assert "every runbook link is right; nothing written" in again.stderr
    assert path.read_text(encoding="utf-8") == after


def test_check_prints_the_diff_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    root = project(tmp_path)
    path = root / "rules" / "shop.yaml"
    result = run_fmcat("alerts", "link", "--check", cwd=root)
    assert result.code == 1, result.stderr
    assert result.stdout.startswith("--- a/rules/shop.yaml\n+++ b/rules/shop.yaml\n")
    assert (
        f'+            runbook_url: "{SITE}dependencies/payment-gateway.html#fm-timeout"  # stale'
        in result.stdout.splitlines()
    )
    assert (
        sum(line.startswith("+ ") or line.startswith("+  ") for line in result.stdout.splitlines())
        == 4
    )
    assert "3 runbook link(s) to write" in result.stderr
    assert path.read_text(encoding="utf-8") == RULES
    run_fmcat("alerts", "link", cwd=root)
    clean = run_fmcat("alerts", "link", "--check", cwd=root)
    assert (clean.code, clean.stdout) == (0, "")


def test_a_file_that_would_not_round_trip_is_refused(tmp_path: Path) -> None:
    # Mixed indentation: ruamel would re-indent one of the groups.
    odd = RULES.replace(
        "    - name: orders-db\n      rules:", "    -   name: orders-db\n        rules:"
    )
    root = project(tmp_path, odd)
    result = run_fmcat("alerts", "link", cwd=root)
    assert result.code == 2
    assert "rules/shop.yaml: fmcat cannot rewrite this file without changing more" in result.stderr
    assert (root / "rules" / "shop.yaml").read_text(encoding="utf-8") == odd


def test_link_needs_a_site_url(tmp_path: Path) -> None:
    root = project(tmp_path)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(f'site_url = "{SITE}"\n', ""))
    result = run_fmcat("alerts", "link", cwd=root)
    assert result.code == 2
    assert (
        "needs the runbook site's URL: set [tool.fmcat] site_url or pass --site-url"
        in result.stderr
    )
    bad = run_fmcat("alerts", "link", "--site-url", "runbooks", cwd=root)
    assert bad.code == 2 and "--site-url: 'runbooks' is not an absolute http(s) URL" in bad.stderr


def test_the_example_before_and_after_link(tmp_path: Path) -> None:
    """A copy of the example with its links broken the ways real projects break them."""
    root = tmp_path / "shop"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("site", ".fmcat_cache"))
    rules = root / "monitoring" / "shop.rules.yaml"
    text = rules.read_text(encoding="utf-8")
    good = f"{SITE}dependencies/payment-gateway.html#fm-timeout"
    assert good in text
    text = text.replace(good, "https://runbooks.shop.example.com/payment-gateway/#timeout")
    text = text.replace(
        f"{SITE}dependencies/orders-db.html#fm-unavailable",
        f"{SITE}dependencies/orders-db.html#fm-failover",
    )
    text = text.replace(
        f"runbook_url: {SITE}dependencies/email.html#fm-throttled", "runbook_url: email.html"
    )
    rules.write_text(text, encoding="utf-8")
    before = run_fmcat("lint", ".", "--select", "FM021,FM022", cwd=root)
    assert before.code == 1
    assert [line.split(": ", 1)[0] for line in before.stdout.splitlines()] == [
        "monitoring/shop.rules.yaml:16:24",
        "monitoring/shop.rules.yaml:46:24",
        "monitoring/shop.rules.yaml:128:24",
    ]
    linked = run_fmcat("alerts", "link", cwd=root)
    assert linked.code == 0 and "wrote 3 runbook link(s)" in linked.stderr
    after = run_fmcat("lint", ".", "--select", "FM021,FM022", cwd=root)
    assert (after.code, after.stdout) == (0, "")
    assert rules.read_text(encoding="utf-8") == (
        EXAMPLE / "monitoring" / "shop.rules.yaml"
    ).read_text(encoding="utf-8")
