"""Alerting rules files as users have them, and as an attacker could commit them.

Every case runs the real CLI on real files. Bad rules files get a located error and exit 2,
in bounded time, and never "internal error" (issue 9 rows 5, 6 and 14; issue 11's bad input).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import Run, run_fmcat
from tests.cputime import cpu_time

CATALOG = """\
dependency: payment-gateway
owner: team-payments
kind: http
criticality: critical
policies:
  timeout: {read: 700ms}
failure_modes:
  - id: timeout
    title: The provider does not answer in time
    detection: {alert: PaymentGatewayTimeouts}
"""
SITE = "https://runbooks.example.com/"
GOOD_URL = f"{SITE}dependencies/payment-gateway.html#fm-timeout"
RULES = f"""\
groups:
  - name: payments
    rules:
      - alert: PaymentGatewayTimeouts
        expr: rate(payment_timeouts_total[5m]) > 1
        labels: {{severity: page}}
        annotations:
          runbook_url: {GOOD_URL}
"""


def project(tmp_path: Path, rules: str | bytes | None = RULES, **settings: str) -> Path:
    root = tmp_path / "svc"
    (root / "failure-modes").mkdir(parents=True)
    (root / "failure-modes" / "payment-gateway.yaml").write_text(CATALOG, encoding="utf-8")
    config = {"alert_rules": '["monitoring/*.yaml"]', "site_url": f'"{SITE}"', **settings}
    lines = "".join(f"{key} = {value}\n" for key, value in config.items())
    (root / "pyproject.toml").write_text(f"[tool.fmcat]\nsrc = []\n{lines}", encoding="utf-8")
    (root / "monitoring").mkdir()
    if isinstance(rules, str):
        (root / "monitoring" / "shop.yaml").write_text(rules, encoding="utf-8")
    elif isinstance(rules, bytes):
        (root / "monitoring" / "shop.yaml").write_bytes(rules)
    return root


def lint(root: Path, timeout: float = 60) -> Run:
    return run_fmcat("lint", str(root), "--select", "FM02", cwd=root, timeout=timeout)


def assert_config_error(result: Run, *parts: str) -> None:
    assert result.code == 2, (result.stdout, result.stderr)
    assert "internal error" not in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    for part in parts:
        assert part in result.stderr, result.stderr


def test_a_clean_rules_file_lints_clean(tmp_path: Path) -> None:
    result = lint(project(tmp_path))
    assert (result.code, result.stdout) == (0, ""), result.stderr


def merge_chain(levels: int) -> str:
    """Mappings that each merge the previous one: quadratic to build, 90 KB at 2,500 levels."""
    lines = ["a0: &a0 {k0: v}"] + [
        f"a{i}: &a{i} {{<<: *a{i - 1}, k{i}: v}}" for i in range(1, levels)
    ]
    return "bomb:\n" + "".join(f"  {line}\n" for line in lines) + RULES


def nested_lists(levels: int) -> str:
    """Lists of 30 aliases to the list before: 30**9 values once expanded."""
    layers = ["a0: &a0 [" + ", ".join(["lol"] * 30) + "]"]
    for level in range(1, levels):
        layers.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 30) + "]")
    return "bomb:\n" + "".join(f"  {line}\n" for line in layers) + RULES


@pytest.mark.parametrize(
    ("bomb", "where", "message"),
    [
        (merge_chain(2500), "monitoring/shop.yaml:", "merge keys (`<<`) copy more than"),
        (nested_lists(9), "monitoring/shop.yaml:1:1:", "alias bomb"),
    ],
    ids=["merge-chain", "nested-lists"],
)
def test_alias_bombs_are_refused_quickly(
    tmp_path: Path, bomb: str, where: str, message: str
) -> None:
    """Row 6: 90 KB of merges took 43 s (quadratic); now a located error, the file read once."""
    assert len(bomb) > 80_000 or "lol" in bomb
    root = project(tmp_path, bomb)
    with cpu_time() as spent:  # the work, which a loaded machine does not inflate
        result = lint(root, timeout=60)
    assert_config_error(result, where, message)
    assert spent.seconds < 20, f"took {spent.seconds:.1f} s of CPU"


def test_deep_nesting_is_a_located_error(tmp_path: Path) -> None:
    """Row 14: 3,000-deep YAML in a rules file was an internal error."""
    deep = "groups: " + "[" * 3000 + "]" * 3000 + "\n"
    result = lint(project(tmp_path, deep), timeout=30)
    assert_config_error(result, "monitoring/shop.yaml:1:", "nesting deeper than 64 levels")


@pytest.mark.parametrize("target", ["/dev/zero", "fifo"])
def test_special_files_are_refused_without_reading(tmp_path: Path, target: str) -> None:
    """Row 5: a symlink to /dev/zero read until MemoryError; a FIFO hung in open()."""
    root = project(tmp_path, rules=None)
    link = root / "monitoring" / "shop.yaml"
    if target == "fifo":
        os.mkfifo(link)
        kind = "is a FIFO"
    else:
        link.symlink_to(target)
        kind = "is a character device"
    result = lint(root, timeout=30)
    assert_config_error(result, "monitoring/shop.yaml:", kind, "not a regular file")


def test_a_rules_file_over_the_size_bound_is_refused(tmp_path: Path) -> None:
    big = RULES + "# " + "x" * 60_000 + "\n"
    result = lint(project(tmp_path, big * 80), timeout=30)
    assert_config_error(result, "monitoring/shop.yaml:", "larger than 4 MiB")


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ('["/etc/*.yaml"]', "is absolute"),
        ('[""]', "an empty pattern"),
        ('["  "]', "an empty pattern"),
    ],
)
def test_absolute_or_empty_globs_are_config_errors(
    tmp_path: Path, pattern: str, message: str
) -> None:
    result = lint(project(tmp_path, alert_rules=pattern))
    assert_config_error(result, "[tool.fmcat] alert_rules", message)


@pytest.mark.parametrize(
    ("rules", "where", "message"),
    [
        ("groups:\n  - name: x\n    rules: a: b\n", "shop.yaml:3:13:", "mapping values"),
        ("apiVersion: v1\nkind: ConfigMap\ndata: {}\n", "shop.yaml:2:7:", "unknown document kind"),
        (
            "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: x}\n",
            "shop.yaml:2:1:",
            "PrometheusRule with no `spec:`",
        ),
        ("rules: []\n", "shop.yaml:1:1:", "no `groups:`"),
        ("groups: {a: 1}\n", "shop.yaml:1:9:", "`groups` must be a list"),
        (RULES + RULES.replace("groups:\n", "---\ngroups:\n"), "shop.yaml:13:9:", "duplicate"),
        ("groups: !!python/object:os.system [x]\n", "shop.yaml:1:9:", "not allowed"),
        ("groups:\n  - name: x\n    rules:\n      - alert: [a]\n", "shop.yaml:4:16:", "`alert`"),
    ],
    ids=["syntax", "unknown-kind", "no-spec", "no-groups", "groups-mapping", "dup", "tag", "name"],
)
def test_bad_rules_files_get_located_errors(
    tmp_path: Path, rules: str, where: str, message: str
) -> None:
    result = lint(project(tmp_path, rules))
    assert_config_error(result, "monitoring/" + where, message)


@pytest.mark.parametrize("url", ['"runbooks/"', '"ftp://x.example.com/"', '"https://"'])
def test_site_url_must_be_an_absolute_http_url(tmp_path: Path, url: str) -> None:
    result = lint(project(tmp_path, site_url=url))
    assert_config_error(result, "site_url", "not an absolute http(s) URL")


OPERATOR = f"""\
# Two manifests in one file, as kustomize and helm write them.
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {{name: shop-recording}}
spec:
  groups:
    - name: recording
      rules:
        - record: job:payment_timeouts:rate5m
          expr: sum(rate(payment_timeouts_total[5m]))
---
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {{name: shop-alerts}}
spec:
  groups:
    - name: payments
      rules:
        - alert: PaymentGatewayTimeouts
          expr: job:payment_timeouts:rate5m > 1
          annotations:
            runbook_url: {SITE}dependencies/payment-gateway.html#fm-slow
        - alert: PaymentsQueueStuck
          expr: vector(1)
          labels:
            severity: page
"""


def test_prometheus_operator_manifests_with_exact_positions(tmp_path: Path) -> None:
    result = lint(project(tmp_path, OPERATOR))
    assert result.code == 1, result.stderr
    assert result.stdout.splitlines() == [
        f'monitoring/shop.yaml:22:26: FM021 runbook_url of alert "PaymentGatewayTimeouts" names '
        'anchor "#fm-slow", which dependencies/payment-gateway.html does not have; it should be '
        f"{GOOD_URL} (`fmcat alerts link` writes it)",
        'monitoring/shop.yaml:23:11: FM022 alert "PaymentsQueueStuck" (severity page) is named by '
        "no failure mode, so it has no runbook: name it in the detection.alert of the failure "
        "mode it detects",
    ]


def test_thanos_and_mimir_files_of_the_same_shape(tmp_path: Path) -> None:
    mimir = "namespace: shop\n" + RULES.replace(
        "  - name: payments\n", "  - name: payments\n    partial_response_strategy: warn\n"
    )
    result = lint(project(tmp_path, mimir))
    assert (result.code, result.stdout) == (0, ""), result.stderr


def test_paging_alert_without_runbook_is_an_error_others_warnings(tmp_path: Path) -> None:
    extra = (
        "      - alert: Paging\n        expr: vector(1)\n        labels: {severity: critical}\n"
        "      - alert: Quiet\n        expr: vector(1)\n        labels: {severity: info}\n"
    )
    result = run_fmcat(
        "lint", ".", "--select", "FM022", "-f", "json", cwd=project(tmp_path, RULES + extra)
    )
    import json

    findings = json.loads(result.stdout)["findings"]
    assert [(f["line"], f["severity"]) for f in findings] == [(9, "error"), (12, "warning")]


def test_a_merge_chain_in_a_catalog_file_is_fm001_too(tmp_path: Path) -> None:
    """The merge bound lives in the YAML reader both kinds of file share."""
    root = project(tmp_path)
    chain = merge_chain(2500).replace(RULES, "")
    (root / "failure-modes" / "payment-gateway.yaml").write_text(CATALOG + chain, "utf-8")
    with cpu_time() as spent:
        result = run_fmcat("lint", ".", "--select", "FM001", cwd=root, timeout=60)
    assert spent.seconds < 20, f"took {spent.seconds:.1f} s of CPU"
    assert result.code == 1, result.stderr
    (line,) = result.stdout.splitlines()
    assert line.startswith("failure-modes/payment-gateway.yaml:")
    assert "FM001 merge keys (`<<`) copy more than 200,000 keys" in line
