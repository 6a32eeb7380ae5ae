"""Golden files for `fmcat lint` output: each folder under tests/golden is a project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, run_fmcat
from tests.golden import assert_golden

GOLDEN = Path(__file__).parent / "golden"
PROJECTS = {"lint-basic": GOLDEN / "lint-basic", "shop": EXAMPLE}


@pytest.mark.parametrize("name", sorted(PROJECTS))
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_lint_output(name: str, fmt: str) -> None:
    project = PROJECTS[name]
    result = run_fmcat("lint", "--format", fmt, cwd=project)
    assert result.code == 1, result.stderr
    suffix = "txt" if fmt == "text" else "json"
    assert_golden(GOLDEN / "expected" / f"{name}.lint.{suffix}", result.stdout)
    assert_golden(GOLDEN / "expected" / f"{name}.lint.{fmt}.stderr", result.stderr)


def test_json_output_follows_the_contract() -> None:
    result = run_fmcat("lint", "-f", "json", cwd=PROJECTS["lint-basic"])
    document = json.loads(result.stdout)
    assert set(document) == {"findings", "summary"}
    keys = {"code", "path", "line", "column", "end_line", "end_column", "message", "severity"}
    for finding in document["findings"]:
        assert set(finding) == keys | {"dependency"}
        assert finding["line"] >= 1 and finding["column"] >= 1
        assert (finding["end_line"], finding["end_column"]) >= (finding["line"], finding["column"])
        assert not Path(finding["path"]).is_absolute()
    assert document["summary"]["findings"] == len(document["findings"])


def test_text_and_json_report_the_same_findings() -> None:
    project = PROJECTS["lint-basic"]
    text = run_fmcat("lint", cwd=project).stdout.splitlines()
    document = json.loads(run_fmcat("lint", "-f", "json", cwd=project).stdout)
    as_text = [
        f"{f['path']}:{f['line']}:{f['column']}: {f['code']} {f['message']}"
        for f in document["findings"]
    ]
    assert text == as_text
