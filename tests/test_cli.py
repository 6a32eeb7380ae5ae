"""The command line as users meet it: real subprocesses, exit codes, stdout vs stderr."""

from __future__ import annotations

import json
from pathlib import Path

from fmcat import __version__
from tests.conftest import Run, run_fmcat

CLEAN = """\
dependency: search
owner: team-search
kind: http
criticality: optional
policies:
  timeout: {connect: 100ms, read: 400ms}
  fallback: Hide the search box
operations:
  - name: search
    idempotent: true
    latency_budget: 1s
    measures: {latency: search_seconds, errors: search_errors_total}
failure_modes:
  - id: unavailable
    title: Search API unreachable
    detection: {signals: [search_errors_total]}
    response: {automatic: [timeout, fallback]}
"""


def project(tmp_path: Path, files: dict[str, str], pyproject: str | None = None) -> Path:
    for name, text in files.items():
        path = tmp_path / "failure-modes" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    tmp_path.mkdir(parents=True, exist_ok=True)
    if pyproject is not None:
        (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    return tmp_path


def test_version() -> None:
    result = run_fmcat("--version")
    assert result.code == 0
    assert result.stdout == f"fmcat {__version__}\n"


def test_no_arguments_shows_help() -> None:
    result = run_fmcat()
    assert result.code == 2
    assert result.stderr.startswith("Usage: fmcat [OPTIONS] COMMAND [ARGS]...")
    assert "  lint " in result.stderr
    assert "internal error" not in result.stderr


def test_clean_catalog_exits_0_and_keeps_stdout_empty(tmp_path: Path) -> None:
    root = project(tmp_path, {"search.yaml": CLEAN})
    result = run_fmcat("lint", cwd=root)
    assert (result.code, result.stdout) == (0, "")
    assert "all checks passed (1 catalog file)" in result.stderr


def test_findings_exit_1_report_on_stdout_summary_on_stderr(tmp_path: Path) -> None:
    root = project(
        tmp_path, {"search.yaml": CLEAN.replace("  fallback: Hide the search box\n", "")}
    )
    result = run_fmcat("lint", cwd=root)
    assert result.code == 1
    assert result.stdout.startswith("failure-modes/search.yaml:4:14: FM015 ")
    assert "fmcat:" not in result.stdout
    assert "found 2 findings" in result.stderr  # FM015 and FM020 (fallback is referenced)


def test_project_folder_argument_finds_its_catalog(tmp_path: Path) -> None:
    root = project(tmp_path / "svc", {"search.yaml": CLEAN.replace("100ms", "1m")})
    result = run_fmcat("lint", str(root), "-f", "json", cwd=tmp_path)
    document = json.loads(result.stdout)
    assert [f["path"] for f in document["findings"]] == ["svc/failure-modes/search.yaml"]
    assert document["findings"][0]["code"] == "FM017"


def test_select_and_ignore(tmp_path: Path) -> None:
    broken = CLEAN.replace("  fallback: Hide the search box\n", "").replace(
        "    detection: {signals: [search_errors_total]}\n", ""
    )
    root = project(tmp_path, {"search.yaml": broken})

    def codes(*args: str) -> list[str]:
        result = run_fmcat("lint", "-f", "json", *args, cwd=root)
        return [f["code"] for f in json.loads(result.stdout)["findings"]]

    assert codes() == ["FM015", "FM012", "FM020"]
    assert codes("--select", "FM012") == ["FM012"]
    assert codes("--select", "FM01") == ["FM015", "FM012"]
    assert codes("--ignore", "FM01,FM020") == []
    assert codes("--ignore", "FM01", "--select", "FM012") == ["FM012"]


def test_config_select_is_replaced_by_the_flag(tmp_path: Path) -> None:
    broken = CLEAN.replace("  fallback: Hide the search box\n", "")
    root = project(tmp_path, {"s.yaml": broken}, '[tool.fmcat]\nselect = ["FM015"]\n')
    assert "FM020" not in run_fmcat("lint", cwd=root).stdout
    assert "FM020" in run_fmcat("lint", "--select", "FM020", cwd=root).stdout


def test_unknown_selector_is_a_usage_error(tmp_path: Path) -> None:
    root = project(tmp_path, {"search.yaml": CLEAN})
    result = run_fmcat("lint", "--select", "FM9", cwd=root)
    assert result.code == 2
    assert "select 'FM9' matches no rule" in result.stderr
    assert result.stdout == ""


def assert_usage_error(result: Run, usage: str, error: str) -> None:
    """click's usage line, then the error, and exit 2: never "internal error"."""
    assert result.code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"Usage: {usage} "), result.stderr
    assert lines[-1] == f"Error: {error}", result.stderr
    assert "internal error" not in result.stderr


def test_unknown_option_is_a_usage_error_with_did_you_mean() -> None:
    result = run_fmcat("lint", "--formt", "json")
    assert_usage_error(result, "fmcat lint", "No such option: --formt (Possible options: --format)")


def test_bad_choice_is_a_usage_error() -> None:
    result = run_fmcat("lint", "--format", "xml")
    assert result.code == 2
    assert result.stderr.splitlines()[0].startswith("Usage: fmcat lint ")
    last = result.stderr.splitlines()[-1]
    assert last.startswith("Error: Invalid value for '--format' / '-f': ")
    assert "'xml' is not one of 'text', 'json', 'sarif'" in last
    assert "'sarif'" in last


def test_missing_argument_is_a_usage_error() -> None:
    result = run_fmcat("explain")
    assert_usage_error(result, "fmcat explain", "Missing argument 'RULE'.")


def test_unknown_command_is_a_usage_error_with_did_you_mean() -> None:
    result = run_fmcat("lnt")
    assert_usage_error(result, "fmcat", "No such command 'lnt'. Did you mean 'lint'?")


def test_missing_catalog_folder(tmp_path: Path) -> None:
    result = run_fmcat("lint", "--catalog", "nowhere", cwd=tmp_path)
    assert result.code == 2
    assert "catalog folder nowhere does not exist" in result.stderr
    configured = project(tmp_path / "p", {}, '[tool.fmcat]\ncatalog = "fm"\n')
    result = run_fmcat("lint", cwd=configured)
    assert result.code == 2
    assert "fm does not exist" in result.stderr


def test_default_catalog_missing_is_a_note_not_an_error(tmp_path: Path) -> None:
    result = run_fmcat("lint", cwd=tmp_path)
    assert result.code == 0
    assert "no catalog at failure-modes" in result.stderr


def test_missing_path_argument(tmp_path: Path) -> None:
    result = run_fmcat("lint", "no/such/dir", cwd=tmp_path)
    assert result.code == 2
    assert "no/such/dir: no such file or folder" in result.stderr


def test_config_errors_exit_2_with_did_you_mean(tmp_path: Path) -> None:
    root = project(tmp_path, {"search.yaml": CLEAN}, '[tool.fmcat]\ncatalogue = "x"\n')
    result = run_fmcat("lint", cwd=root)
    assert result.code == 2
    assert 'unknown key "catalogue"; did you mean "catalog"?' in result.stderr
    (root / "pyproject.toml").write_text("[tool.fmcat\n", encoding="utf-8")
    result = run_fmcat("lint", cwd=root)
    assert result.code == 2
    assert "invalid TOML" in result.stderr
    assert "Traceback" not in result.stderr


def test_owner_and_alert_checks_are_configured_in_pyproject(tmp_path: Path) -> None:
    alerting = CLEAN.replace("{signals: [search_errors_total]}", "{alert: SearchDown}")
    root = project(
        tmp_path,
        {"search.yaml": alerting},
        '[tool.fmcat]\nowners = ["team-web"]\nalert_rules = ["alerts.yaml"]\n',
    )
    (root / "alerts.yaml").write_text(
        "groups:\n  - name: web\n    rules:\n      - alert: WebDown\n", encoding="utf-8"
    )
    lines = run_fmcat("lint", cwd=root).stdout.splitlines()
    assert [line.split(": ", 1)[1][:5] for line in lines] == ["FM022", "FM020", "FM020"]
    assert lines[0].startswith('alerts.yaml:4:9: FM022 alert "WebDown" (no severity label)')
    assert 'owner "team-search" is not in [tool.fmcat] owners' in lines[1]
    assert 'alert "SearchDown" is not defined' in lines[2]


def test_python_dash_m_and_rules_listing() -> None:
    result = run_fmcat("rules")
    assert result.code == 0
    assert result.stdout.splitlines()[0].startswith("FM001  invalid-yaml")


def test_duplicate_dependency_across_files(tmp_path: Path) -> None:
    root = project(tmp_path, {"a.yaml": CLEAN, "b.yaml": CLEAN})
    result = run_fmcat("lint", cwd=root)
    assert result.stdout == (
        'failure-modes/b.yaml:1:13: FM003 dependency "search" is already declared in '
        "failure-modes/a.yaml\n"
    )


def test_catalog_files_as_arguments(tmp_path: Path) -> None:
    root = project(tmp_path, {"a.yaml": CLEAN, "b.yaml": "dependency: [\n"})
    result = run_fmcat("lint", "failure-modes/a.yaml", cwd=root)
    assert result.code == 0
    assert "1 catalog file" in result.stderr
