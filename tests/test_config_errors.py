"""Configuration mistakes in pyproject.toml: each is a located message and exit 2, never an
internal error, and never a run that reads nothing and passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_fmcat

CODE = 'import requests\n\n\ndef get():\n    return requests.get("https://x.example.com")\n'


def project(root: Path, pyproject: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    (root / "app.py").write_text(CODE, encoding="utf-8")
    return root


def refused(root: Path, *args: str) -> str:
    result = run_fmcat(*args, cwd=root)
    assert (result.code, result.stdout) == (2, ""), result
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert "all checks passed" not in result.stderr
    return result.stderr


@pytest.mark.parametrize("command", ["lint", "init"])
def test_a_src_that_does_not_exist_is_a_configuration_error(tmp_path: Path, command: str) -> None:
    root = project(tmp_path, '[tool.fmcat]\nsrc = [".", "/nonexistent"]\n')
    stderr = refused(root, command)
    assert stderr == (
        "fmcat: error: pyproject.toml: [tool.fmcat] src[2]: /nonexistent does not exist\n"
    )
    root = project(tmp_path / "b", '[tool.fmcat]\nsrc = ["scr"]\n')
    assert "[tool.fmcat] src[1]: scr does not exist" in refused(root, command)


def test_tool_that_is_not_a_table(tmp_path: Path) -> None:
    root = project(tmp_path, "tool = 5\n")
    assert refused(root, "lint") == (
        "fmcat: error: pyproject.toml: `tool` must be a table (as in [tool.fmcat]), got 5\n"
    )


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("\\", 'exclude[2]: "\\\\" is not a gitignore pattern\n'),
        ("[z-a]", 'exclude[2]: "[z-a]" is not a gitignore pattern (bad character range z-a)\n'),
    ],
)
def test_a_bad_exclude_pattern_is_named(tmp_path: Path, pattern: str, message: str) -> None:
    root = project(tmp_path, f'[tool.fmcat]\nexclude = ["build/", {pattern!r}]\n'.replace("'", '"'))
    stderr = refused(root, "lint")
    assert stderr == "fmcat: error: pyproject.toml: [tool.fmcat] " + message
