"""`fmcat config`: the effective configuration and the source of each value, text and JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from fmcat.config import FLAGS, Settings
from tests.conftest import REPO, run_fmcat
from tests.golden import assert_golden

GOLDEN = Path(__file__).parent / "golden"


def settings(*args: str, cwd: Path) -> dict[str, Any]:
    result = run_fmcat("config", "--format", "json", *args, cwd=cwd)
    assert result.code == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_text_output_of_the_golden_project() -> None:
    result = run_fmcat("config", cwd=GOLDEN / "lint-basic")
    assert (result.code, result.stderr) == (0, "")
    assert_golden(GOLDEN / "expected" / "config.lint-basic.txt", result.stdout)


def test_every_key_is_shown_in_order_with_its_description(tmp_path: Path) -> None:
    document = settings(cwd=tmp_path)
    assert list(document["settings"]) == list(Settings.model_fields)
    for key, entry in document["settings"].items():
        assert set(entry) == {"value", "source", "origin", "description"}
        assert entry["description"], f"{key} has no description"


def test_without_pyproject_everything_is_a_default(tmp_path: Path) -> None:
    document = settings(cwd=tmp_path)
    assert (document["project"], document["pyproject"]) == (".", None)
    assert {e["source"] for e in document["settings"].values()} == {"default"}
    assert {e["origin"] for e in document["settings"].values()} == {None}
    assert document["settings"]["catalog"]["value"] == "failure-modes"
    assert document["settings"]["src"]["value"] == ["."]
    assert document["settings"]["format"]["value"] == "text"
    assert document["settings"]["owners"]["value"] is None
    text = run_fmcat("config", cwd=tmp_path).stdout
    assert "no pyproject.toml with [tool.fmcat]; defaults apply" in text


def test_sources_default_pyproject_and_flag(tmp_path: Path) -> None:
    project = tmp_path / "svc"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[tool.fmcat]\ncatalog = "catalog"\nselect = ["FM0"]\nsrc = ["app", "lib"]\n'
        'format = "sarif"\nbaseline = "ci/fmcat-baseline.json"\n'
        'repo_url = "https://github.com/org/svc/blob/main"\n'
        'per_file_ignores = {"tests/*" = ["FM103"]}\n',
        encoding="utf-8",
    )
    # Run from the parent: paths are shown from the current folder, as lint shows them.
    document = settings("svc", "--select", "FM1,FM2", "--baseline", "b.json", cwd=tmp_path)
    assert (document["project"], document["pyproject"]) == ("svc", "svc/pyproject.toml")
    values = document["settings"]

    def seen(key: str) -> tuple[Any, str, str | None]:
        return values[key]["value"], values[key]["source"], values[key]["origin"]

    assert seen("catalog") == ("svc/catalog", "pyproject", "svc/pyproject.toml")
    assert seen("src") == (["svc/app", "svc/lib"], "pyproject", "svc/pyproject.toml")
    assert seen("format") == ("sarif", "pyproject", "svc/pyproject.toml")
    assert seen("per_file_ignores") == ({"tests/*": ["FM103"]}, "pyproject", "svc/pyproject.toml")
    assert seen("repo_url")[0] == "https://github.com/org/svc/blob/main"
    assert seen("select") == (["FM1", "FM2"], "flag", "--select")
    assert seen("baseline") == ("b.json", "flag", "--baseline")
    assert seen("ignore") == ([], "default", None)
    assert seen("report_unused_ignores") == (False, "default", None)


def test_the_default_exclusions_are_shown_and_follow_include_tests(tmp_path: Path) -> None:
    default = settings(cwd=tmp_path)["default_excludes"]
    assert {".*", "__pycache__/", "/build/", "tests/", "test_*.py", "conftest.py"} <= set(default)
    (tmp_path / "pyproject.toml").write_text("[tool.fmcat]\ninclude_tests = true\n", "utf-8")
    with_tests = settings(cwd=tmp_path)["default_excludes"]
    assert set(default) - set(with_tests) == {"tests/", "test_*.py", "*_test.py", "conftest.py"}
    text = run_fmcat("config", cwd=tmp_path).stdout
    assert text.endswith("re-includes):\n  " + ", ".join(with_tests) + "\n")


def test_every_flag_overrides_its_key(tmp_path: Path) -> None:
    args = [
        "--catalog", "cat", "--select", "FM1", "--ignore", "FM101", "--baseline", "b.json",
        "--report-unused-ignores", "--repo-url", "https://example.com/r",
        "--site-url", "https://runbooks.example.com/",
    ]  # fmt: skip
    values = settings(*args, cwd=tmp_path)["settings"]
    overridden = {key for key, entry in values.items() if entry["source"] == "flag"}
    # --format is `fmcat config`'s own output format, so `format` is the one key left out.
    assert overridden == set(FLAGS) - {"format"}
    assert all(values[key]["origin"] == FLAGS[key] for key in overridden)


def test_text_table_names_the_source_of_each_value(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.fmcat]\nignore = ["FM019"]\n', "utf-8")
    lines = run_fmcat("config", "--select", "FM0", cwd=tmp_path).stdout.splitlines()
    table = lines[3 : lines.index("", 3)]
    rows = {line.split()[0]: line.split(None, 2)[1:] for line in table}
    assert rows["key"] == ["source", "value"]
    assert rows["ignore"] == ["pyproject.toml", '["FM019"]']
    assert rows["select"] == ["--select", '["FM0"]']
    assert rows["exclude"] == ["default", "[]"]
    assert rows["baseline"] == ["default", "not set"]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('baseline_file = "b.json"', 'unknown key "baseline_file"; did you mean "baseline"?'),
        ('repo-url = "https://x"', 'unknown key "repo-url"; did you mean "repo_url"?'),
        ('formats = "json"', 'unknown key "formats"; did you mean "format"?'),
        ('format = "yaml"', 'format: "yaml" is not one of text, json, sarif, github, gitlab'),
        ("baseline = 3", "baseline: expected text, got a number"),
    ],
)
def test_bad_configuration_exits_2(tmp_path: Path, table: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.fmcat]\n{table}\n", encoding="utf-8")
    for command in ("config", "lint"):
        result = run_fmcat(command, cwd=tmp_path)
        assert (result.code, result.stdout) == (2, ""), command
        assert message in result.stderr
        assert "Traceback" not in result.stderr


def test_missing_path_and_bad_format_are_usage_errors(tmp_path: Path) -> None:
    result = run_fmcat("config", "nowhere", cwd=tmp_path)
    assert result.code == 2
    assert "nowhere: no such file or folder" in result.stderr
    assert run_fmcat("config", "--format", "yaml", cwd=tmp_path).code == 2


def test_configuration_docs_list_every_key() -> None:
    commands = (REPO / "docs" / "commands.md").read_text(encoding="utf-8")
    section = commands.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `(\w+)`", section, flags=re.MULTILINE))
    documented |= set(re.findall(r"^\| `\w+`, `(\w+)`", section, flags=re.MULTILINE))
    assert documented == set(Settings.model_fields)
