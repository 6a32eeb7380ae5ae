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


# --- one translation of validation errors, for the catalog, [tool.fmcat] and its clients -------

CATALOG = """\
dependency: search
owner: team-search
kind: http
criticality: optional
policies:
  timeout: {read: 400ms}
  fallback: Hide the search box
operations:
  - name: search
    measures: {latency: search_seconds, errors: search_errors_total}
failure_modes:
  - id: unavailable
    title: Search is down
    detection: {signals: [search_errors_total, 42]}
    response: {automatic: [timeout, fallback]}
    titel: Search is down
"""


def test_catalog_config_and_clients_errors_have_one_shape(tmp_path: Path) -> None:
    """The same three mistakes (a number in a list of text at position 2, an unknown key one
    letter off, a required key missing) read the same in all three places."""
    catalog = project(tmp_path / "catalog", "[tool.fmcat]\n")
    (catalog / "failure-modes").mkdir()
    (catalog / "failure-modes" / "search.yaml").write_text(CATALOG, encoding="utf-8")
    result = run_fmcat("lint", "--select", "FM002", cwd=catalog)
    assert result.code == 1, result
    messages = sorted(line.split(" FM002 ", 1)[1] for line in result.stdout.splitlines())
    assert messages == [
        "failure_modes[1].detection.signals[2]: expected text, got a number",
        'failure_modes[1].titel: unknown key "titel"; did you mean "title"?',
    ]

    settings = project(tmp_path / "settings", '[tool.fmcat]\nselect = ["FM1", 3]\nselct = []\n')
    assert refused(settings, "lint") == (
        "fmcat: error: pyproject.toml: [tool.fmcat] select[2]: expected text, got a number; "
        'selct: unknown key "selct"; did you mean "select"?\n'
    )

    clients = project(
        tmp_path / "clients",
        '[tool.fmcat]\n[[tool.fmcat.clients]]\nname = "acme"\nmodules = ["acme", 3]\n'
        'exceptions = ["acme.Error"]\ndefault_timeout = "none"\nfunctons = []\n',
    )
    assert refused(clients, "lint") == (
        "fmcat: error: pyproject.toml: [tool.fmcat] clients[1].modules[2]: expected text, got a "
        'number; clients[1].functons: unknown key "functons"; did you mean "functions"?\n'
    )
    clients = project(tmp_path / "missing", '[tool.fmcat]\n[[tool.fmcat.clients]]\nname = "x"\n')
    assert "[tool.fmcat] clients[1].modules: required, but missing" in refused(clients, "lint")
