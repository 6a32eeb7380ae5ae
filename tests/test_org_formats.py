"""Findings of a monorepo name their service in every output format (docs/org.md), and the
output of one service stays as it was (tests/test_formats.py holds its goldens)."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import REPO, run_fmcat
from tests.golden import assert_golden
from tests.test_formats import (
    CI_FORMATS,
    assert_valid_code_quality,
    assert_valid_junit,
    assert_valid_sarif,
    normalised_sarif,
    parse_workflow_command,
)

GOLDEN = REPO / "tests" / "golden" / "org"


@pytest.fixture(scope="module")
def monorepo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example, with a second service at fault: orders' history has no error measure."""
    root = tmp_path_factory.mktemp("org") / "org"
    shutil.copytree(REPO / "examples" / "org", root)
    orders = root / "services" / "orders" / "failure-modes" / "postgres.yaml"
    text = orders.read_text(encoding="utf-8")
    broken = text.replace(
        "measures: {latency: orders_history_seconds, errors: orders_history_errors_total}",
        "measures: {latency: orders_history_seconds}",
    )
    assert broken != text
    orders.write_text(broken, encoding="utf-8")
    return root


def _json(root: Path) -> list[dict[str, object]]:
    run = run_fmcat("lint", "-f", "json", cwd=root)
    assert run.code == 1, run.stderr
    findings: list[dict[str, object]] = json.loads(run.stdout)["findings"]
    assert sorted({str(f["service"]) for f in findings}) == ["billing", "orders"], findings
    return findings


@pytest.mark.parametrize("fmt", sorted(CI_FORMATS))
def test_lint_output_of_a_monorepo(monorepo: Path, fmt: str) -> None:
    run = run_fmcat("lint", "--format", fmt, cwd=monorepo)
    assert run.code == 1, run.stderr
    output = normalised_sarif(run.stdout, monorepo) if fmt == "sarif" else run.stdout
    assert_golden(GOLDEN / f"lint.{CI_FORMATS[fmt]}", output)


def test_sarif_names_the_service_of_every_result(monorepo: Path) -> None:
    expected = _json(monorepo)
    document = assert_valid_sarif(run_fmcat("lint", "-f", "sarif", cwd=monorepo).stdout)
    results = document["runs"][0]["results"]
    assert len(document["runs"]) == 1 and len(results) == len(expected)
    for result, finding in zip(results, expected, strict=True):
        assert result["properties"]["service"] == finding["service"]
        assert result["message"]["text"] == f"[{finding['service']}] {finding['message']}"


def test_github_annotations_name_the_service(monorepo: Path) -> None:
    expected = _json(monorepo)
    lines = run_fmcat("lint", "-f", "github", cwd=monorepo).stdout.splitlines()
    assert len(lines) == len(expected)
    for line, finding in zip(lines, expected, strict=True):
        _, properties, message = parse_workflow_command(line)
        assert properties["file"] == finding["path"]
        assert message == f"[{finding['service']}] {finding['message']}"


def test_gitlab_names_the_service_and_keeps_the_fingerprint(monorepo: Path) -> None:
    expected = _json(monorepo)
    issues = assert_valid_code_quality(run_fmcat("lint", "-f", "gitlab", cwd=monorepo).stdout)
    assert [i["description"] for i in issues] == [
        f"{f['code']} [{f['service']}] {f['message']}" for f in expected
    ]
    # A finding of one service has the fingerprint that linting the service alone gives,
    # from the same folder (FM026 needs the other services, so billing's has no such twin).
    alone = run_fmcat("lint", "-f", "gitlab", "services/orders", cwd=monorepo)
    orders = [i for i in issues if "[orders]" in i["description"]]
    assert orders and [i["fingerprint"] for i in json.loads(alone.stdout)] == [
        i["fingerprint"] for i in orders
    ]


def test_junit_has_a_suite_per_service(monorepo: Path) -> None:
    expected = _json(monorepo)
    root = assert_valid_junit(run_fmcat("lint", "-f", "junit", cwd=monorepo).stdout)
    suites = root.findall("testsuite")
    assert [s.attrib["name"] for s in suites] == ["billing", "orders"]
    for suite in suites:
        mine = [f for f in expected if f["service"] == suite.attrib["name"]]
        cases = suite.findall("testcase")
        assert [(c.attrib["file"], int(c.attrib["line"])) for c in cases] == [
            (f["path"], f["line"]) for f in mine
        ]
        for case, finding in zip(cases, mine, strict=True):
            failure = case.find("failure")
            assert isinstance(failure, ET.Element) and failure.text is not None
            assert f"[{finding['service']}] " in failure.text
