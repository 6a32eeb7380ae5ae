"""A finding line cannot be forged: control characters in file names and messages are escaped
in the text format, GitHub annotations escape line breaks as the runner unescapes them, and
GitLab's JSON keeps them as data."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_fmcat

CODE = 'import requests\n\n\ndef get():\n    return requests.get("https://x.example.com")\n'
FORGED = "x.py\napp.py:1:1: FM000 forged\x1b[2K.py"


def forged_project(root: Path) -> Path:
    (root / "pyproject.toml").write_text("[tool.fmcat]\n", encoding="utf-8")
    (root / FORGED).write_text(CODE, encoding="utf-8")
    return root


def test_text_output_escapes_a_file_name_with_a_newline(tmp_path: Path) -> None:
    root = forged_project(tmp_path)
    result = run_fmcat("lint", "--select", "FM101", cwd=root)
    assert result.code == 1, result
    assert result.stdout == (
        "x.py\\napp.py:1:1: FM000 forged\\x1b[2K.py:5:12: FM101 requests.get has no timeout and "
        "requests waits forever; set timeout=\n"
    )


def test_github_annotations_escape_line_breaks(tmp_path: Path) -> None:
    # The runner unescapes %0A; other characters reach the log as they are (tests/test_formats).
    root = forged_project(tmp_path)
    result = run_fmcat("lint", "--select", "FM101", "-f", "github", cwd=root)
    assert result.code == 1, result
    assert len(result.stdout.splitlines()) == 1, result.stdout
    assert "::error file=x.py%0Aapp.py%3A1%3A1%3A FM000 forged" in result.stdout


def test_gitlab_report_keeps_the_name_as_json_data(tmp_path: Path) -> None:
    root = forged_project(tmp_path)
    result = run_fmcat("lint", "--select", "FM101", "-f", "gitlab", cwd=root)
    assert result.code == 1, result
    assert "\x1b" not in result.stdout
    [issue] = json.loads(result.stdout)
    assert issue["location"]["path"] == FORGED


def test_a_multi_line_yaml_error_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "failure-modes").mkdir()
    (tmp_path / "failure-modes" / "a\nb.yaml").write_text(
        "dependency: x\npolicies: {timeout: 1s\nkind: http\n", encoding="utf-8"
    )
    result = run_fmcat("lint", "--select", "FM001", cwd=tmp_path)
    assert result.code == 1, result
    [line] = result.stdout.splitlines()
    assert line.startswith("failure-modes/a\\nb.yaml:"), line
    assert " FM001 invalid YAML" in line, line
