"""`fmcat alerts slo`, checked by the real promtool: `check rules` on every generated file and
`test rules` unit tests that feed series burning the budget at 20x (the page alert fires) and
at 2x (it stays silent), for the error SLI and the latency SLI.

promtool comes from Debian's `prometheus` package (.ci/run installs it). In CI (CI=true) these
tests are mandatory and a missing promtool fails them; locally they skip and say why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from fmcat.alerts.sli import DEFAULT_BUCKETS
from tests.conftest import EXAMPLE, REPO, run_fmcat
from tests.golden import assert_golden

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
SITE = "https://runbooks.example.com/"

CATALOG = """\
dependency: payments
owner: team-payments
kind: http
criticality: critical
policies:
  timeout: {read: 1s}
operations:
  - name: checkout
    measures:
      latency: checkout_duration_seconds
      errors: checkout_errors_total
    objective: {latency_p99: 2.5s, error_rate: 0.5%}
failure_modes:
  - id: timeout
    title: The provider does not answer in time
"""


def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        message = "promtool is not installed (apt-get install prometheus)"
        if IN_CI:
            pytest.fail(f"the promtool tests are mandatory in CI: {message}")
        pytest.skip(message)
    return found


def run_promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool(), *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def project(tmp_path: Path, catalog: str = CATALOG, settings: str = "") -> Path:
    (tmp_path / "failure-modes").mkdir(parents=True)
    (tmp_path / "failure-modes" / "payments.yaml").write_text(catalog, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        f'[project]\nname = "shop"\n[tool.fmcat]\nsite_url = "{SITE}"\n{settings}',
        encoding="utf-8",
    )
    return tmp_path


def generate(root: Path, *extra: str) -> str:
    result = run_fmcat("alerts", "slo", ".", *extra, cwd=root)
    assert result.code == 0, result.stderr
    return result.stdout


def test_default_buckets_are_prometheus_clients() -> None:
    prometheus_client = pytest.importorskip("prometheus_client")
    assert (*DEFAULT_BUCKETS, float("inf")) == prometheus_client.Histogram.DEFAULT_BUCKETS


def test_example_rules_pass_promtool_check_and_are_deterministic(tmp_path: Path) -> None:
    first = run_fmcat("alerts", "slo", str(EXAMPLE), "-o", str(tmp_path / "slo.yaml"))
    assert first.code == 0, first.stderr
    text = (tmp_path / "slo.yaml").read_text(encoding="utf-8")
    again = run_fmcat("alerts", "slo", str(EXAMPLE))
    assert again.stdout == text  # the same bytes on stdout and in the file, run after run
    assert_golden(REPO / "tests" / "golden" / "expected" / "shop.slo.yaml", text)
    checked = run_promtool("check", "rules", "slo.yaml", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 170 rules found" in checked.stdout


def test_prometheus_operator_format_holds_the_same_groups(tmp_path: Path) -> None:
    root = project(tmp_path)
    plain = YAML(typ="safe").load(generate(root))
    manifest = YAML(typ="safe").load(generate(root, "--format", "prometheus-operator"))
    assert manifest["apiVersion"] == "monitoring.coreos.com/v1"
    assert manifest["kind"] == "PrometheusRule"
    assert manifest["metadata"]["name"] == "shop-slos"
    assert manifest["spec"] == plain
    # promtool reads plain rule files: check the manifest's groups as one.
    spec = tmp_path / "spec.yaml"
    YAML(typ="safe").dump(manifest["spec"], spec)
    checked = run_promtool("check", "rules", str(spec), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def names_and_labels(rules: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        rule["alert"]: rule
        for group in rules["groups"]
        for rule in group["rules"]
        if "alert" in rule
    }


def test_alert_labels_annotations_and_sloth_names(tmp_path: Path) -> None:
    rules = YAML(typ="safe").load(generate(project(tmp_path)))
    records = {r["record"] for g in rules["groups"] for r in g["rules"] if "record" in r}
    for window in ("5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"):
        assert f"slo:sli_error:ratio_rate{window}" in records
    assert {"slo:objective:ratio", "slo:error_budget:ratio", "sloth_slo_info"} <= records
    alerts = names_and_labels(rules)
    assert sorted(alerts) == [
        "CheckoutErrorsBudgetBurnPage",
        "CheckoutErrorsBudgetBurnTicket",
        "CheckoutLatencyP99BudgetBurnPage",
        "CheckoutLatencyP99BudgetBurnTicket",
    ]
    page = alerts["CheckoutLatencyP99BudgetBurnPage"]
    assert {k: page["labels"][k] for k in ("operation", "sli", "severity")} == {
        "operation": "checkout",
        "sli": "latency",
        "severity": "page",
    }
    assert page["annotations"]["runbook_url"] == f"{SITE}operations.html#op-checkout"
    assert "affect checkout: payments." in page["annotations"]["summary"]
    assert 'checkout_duration_seconds_bucket{le="2.5"}[1h]' in page["expr"] or any(
        'checkout_duration_seconds_bucket{le="2.5"}[1h]' in r["expr"]
        for g in rules["groups"]
        for r in g["rules"]
    )


def unit_test(burn: float, sli: str) -> dict[str, Any]:
    """Two hours of traffic at 100 requests a minute, burning the budget ``burn`` times over."""
    if sli == "errors":
        bad = 100 * 0.005 * burn  # budget 0.5%
        series = [
            {"series": "checkout_errors_total", "values": f"0+{bad:g}x180"},
            {"series": "checkout_duration_seconds_count", "values": "0+100x180"},
        ]
        alert = "CheckoutErrorsBudgetBurnPage"
    else:
        good = 100 - 100 * 0.01 * burn  # p99: budget 1%
        series = [
            {"series": 'checkout_duration_seconds_bucket{le="2.5"}', "values": f"0+{good:g}x180"},
            {"series": "checkout_duration_seconds_count", "values": "0+100x180"},
        ]
        alert = "CheckoutLatencyP99BudgetBurnPage"
    return {"interval": "1m", "input_series": series, "alert": alert}


@pytest.mark.parametrize("sli", ["errors", "latency"])
def test_page_fires_at_20x_for_two_hours_and_stays_silent_at_2x(tmp_path: Path, sli: str) -> None:
    root = project(tmp_path)
    text = generate(root)
    (root / "slo.yaml").write_text(text, encoding="utf-8")
    alerts = names_and_labels(YAML(typ="safe").load(text))
    tests = []
    for burn, fires in ((20, True), (2, False)):
        case = unit_test(burn, sli)
        rule = alerts[case["alert"]]
        expected = []
        if fires:
            sloth = "checkout-errors" if sli == "errors" else "checkout-latency-p99"
            expected = [
                {
                    "exp_labels": {
                        **rule["labels"],
                        "sloth_id": f"shop-{sloth}",
                        "sloth_service": "shop",
                        "sloth_slo": sloth,
                    },
                    "exp_annotations": rule["annotations"],
                }
            ]
        tests.append(
            {
                "interval": case["interval"],
                "input_series": case["input_series"],
                "alert_rule_test": [
                    {"eval_time": "2h", "alertname": case["alert"], "exp_alerts": expected},
                ],
            }
        )
    suite: dict[str, Any] = {
        "rule_files": ["slo.yaml"],
        "evaluation_interval": "1m",
        "tests": tests,
    }
    YAML(typ="safe").dump(suite, root / "slo.test.yaml")
    tested = run_promtool("test", "rules", "slo.test.yaml", cwd=root)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout + tested.stderr
    # The test can fail: expecting silence at 20x makes promtool report the firing alert.
    suite["tests"][0]["alert_rule_test"][0]["exp_alerts"] = []
    YAML(typ="safe").dump(suite, root / "slo.test.yaml")
    wrong = run_promtool("test", "rules", "slo.test.yaml", cwd=root)
    assert wrong.returncode == 1 and "FAILED" in wrong.stdout + wrong.stderr


def test_configured_windows_and_factors(tmp_path: Path) -> None:
    settings = (
        "slo_alerts = [\n"
        '  {severity = "page", factor = 10, long = "2h", short = "10m"},\n'
        '  {severity = "ticket", factor = 2, long = "1d", short = "3h"},\n'
        "]\n"
    )
    text = generate(project(tmp_path, settings=settings))
    assert "(10 * 0.005)" in text and "(2 * 0.005)" in text and "(14.4" not in text
    assert "slo:sli_error:ratio_rate10m" in text and "slo:sli_error:ratio_rate3h" in text
    assert "slo:sli_error:ratio_rate5m" not in text


@pytest.mark.parametrize(
    ("objective", "where", "message"),
    [
        ("{error_rate: 0%}", "10:29", "error_rate 0% is an objective of 100%, with no error"),
        ("{availability: 0%}", "10:31", "availability 0% is an objective of 0%"),
        ("{latency_p99: 2.5s}\n    measures: {errors: e_total}", "9:30", "needs measures.latency"),
        ("{latency_p99: 3s, error_rate: 1%}", "10:30", "not a bucket boundary"),
    ],
)
def test_bad_objectives_are_located_errors(
    tmp_path: Path, objective: str, where: str, message: str
) -> None:
    catalog = CATALOG.replace(
        "    measures:\n      latency: checkout_duration_seconds\n"
        "      errors: checkout_errors_total\n"
        "    objective: {latency_p99: 2.5s, error_rate: 0.5%}\n",
        f"    measures: {{latency: checkout_duration_seconds, errors: c_total}}\n"
        f"    objective: {objective}\n"
        if "measures" not in objective
        else f"    objective: {objective}\n",
    )
    root = project(tmp_path, catalog)
    result = run_fmcat("alerts", "slo", ".", "-o", "slo.yaml", cwd=root)
    assert result.code == 2, result.stderr
    assert f"failure-modes/payments.yaml:{where}: FM025" in result.stderr
    assert "FM025" in result.stderr and message in result.stderr
    assert "internal error" not in result.stderr
    assert not (root / "slo.yaml").exists()


def test_short_window_must_be_shorter(tmp_path: Path) -> None:
    settings = 'slo_alerts = [{severity = "page", factor = 10, long = "5m", short = "1h"}]\n'
    result = run_fmcat("alerts", "slo", ".", cwd=project(tmp_path, settings=settings))
    assert result.code == 2
    assert "short window 1h must be shorter than the long window 5m" in result.stderr


def test_output_is_never_written_over_a_special_file(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "null").symlink_to("/dev/null")
    result = run_fmcat("alerts", "slo", ".", "-o", "null", cwd=root)
    assert result.code == 2
    assert "refusing to write null: it is not a regular file" in result.stderr
    assert Path("/dev/null").is_char_device()


def test_selectors_and_millisecond_histograms() -> None:
    from fmcat.alerts.sli import Metric, le_label
    from fmcat.catalog.units import Duration

    metric = Metric.parse('http_request_duration_seconds{route="/checkout"}')
    assert metric is not None
    assert metric.with_suffix("_bucket", 'le="2.5"') == (
        'http_request_duration_seconds_bucket{route="/checkout", le="2.5"}'
    )
    assert le_label(Duration.parse("2.5s"), metric) == "2.5"
    assert le_label(Duration.parse("1s"), metric) == "1.0"
    millis = Metric.parse("rpc_latency_milliseconds")
    assert millis is not None and le_label(Duration.parse("250ms"), millis) == "250.0"
    assert Metric.parse("not a metric") is None
