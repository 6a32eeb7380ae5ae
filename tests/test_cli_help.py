"""The CLI speaks like a CLI: human metavars, whole summaries, rule names wherever codes go, and
a run that checked nothing says so."""

from __future__ import annotations

import importlib.metadata
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_fmcat

COMMANDS = [
    "lint",
    "explain",
    "rules",
    "schema",
    "render",
    "config",
    "checklist",
    "init",
    "blast",
    "alerts",
    "export",
]
CODE = """\
import requests


def get(url):
    return requests.get(url)
"""


def test_command_summaries_are_whole_sentences() -> None:
    result = run_fmcat("--help")
    assert result.code == 0
    section = result.stdout.split("Commands:\n", 1)[1]
    summaries: dict[str, str] = {}
    name = ""
    for line in section.splitlines():
        match = re.match(r"  (\S+)\s+(.*)", line)
        if match:
            name = match[1]
            summaries[name] = match[2]
        elif line.strip():
            summaries[name] += " " + line.strip()
    assert sorted(summaries) == sorted(COMMANDS)
    for command, summary in summaries.items():
        assert summary.endswith(".") and not summary.endswith("..."), (command, summary)
    assert summaries["lint"] == (
        "Check the catalog and the code's external calls; exit 1 when there are findings."
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_metavars_not_python_types(command: str) -> None:
    result = run_fmcat(command, "--help")
    assert result.code == 0, result
    assert "<" not in result.stdout, result.stdout  # typer's `<list[Path]>`, `<str>`, `<path>`
    for metavar in re.findall(r"^\s+(?:-\w, )?--[\w-]+ (\S+)", result.stdout, re.MULTILINE):
        assert metavar.isupper(), (command, metavar)


def test_lint_help_names_the_values() -> None:
    out = run_fmcat("lint", "--help").stdout
    assert "Usage: fmcat lint [OPTIONS] [PATH]..." in out
    for option in ("--select CODES", "--ignore CODES", "--format FORMAT", "--catalog DIR"):
        assert option in out, option
    assert "--write-baseline FILE" in out


def project(root: Path, pyproject: str = "[tool.fmcat]\n") -> Path:
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    (root / "app.py").write_text(CODE, encoding="utf-8")
    return root


def codes(root: Path, *args: str) -> list[str]:
    result = run_fmcat("lint", "-f", "json", *args, cwd=root)
    assert result.code in (0, 1), result
    return sorted(f["code"] for f in json.loads(result.stdout)["findings"])


def test_rule_names_are_accepted_wherever_codes_are(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert set(codes(root)) >= {"FM101", "FM103"}
    assert codes(root, "--select", "missing-timeout") == ["FM101"]
    assert codes(root, "--select", "Missing-Timeout,FM103") == ["FM101", "FM103"]
    assert "FM101" not in codes(root, "--ignore", "missing-timeout")
    (root / "pyproject.toml").write_text(
        '[tool.fmcat]\nselect = ["missing-timeout", "unhandled-failure"]\n'
        '[tool.fmcat.per_file_ignores]\n"app.py" = ["unhandled-failure"]\n',
        encoding="utf-8",
    )
    assert codes(root) == ["FM101"]


def test_an_unknown_rule_name_suggests_the_closest(tmp_path: Path) -> None:
    root = project(tmp_path)
    result = run_fmcat("lint", "--select", "missing-timout", cwd=root)
    assert (result.code, result.stdout) == (2, "")
    assert result.stderr == (
        "fmcat: error: select 'missing-timout' matches no rule; give a code (FM010), a prefix "
        '(FM01) or a rule name; did you mean "missing-timeout"?\n'
    )


def test_lint_with_nothing_to_check_says_so(tmp_path: Path) -> None:
    result = run_fmcat("lint", cwd=tmp_path)
    assert (result.code, result.stdout) == (0, "")
    assert "all checks passed" not in result.stderr
    assert "nothing to check: no catalog files and no Python files found" in result.stderr


def test_version_imports_no_command_dependencies() -> None:
    """`fmcat --version` (and every pre-commit run's start-up) pays for the CLI alone: each
    command imports its own work (the scanner, pydantic, Jinja, MkDocs) when it runs."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "fmcat", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == f"fmcat {importlib.metadata.version('fmcat')}\n"
    imported = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if "|" in line}
    heavy = {"libcst", "pydantic", "jinja2", "ruamel.yaml", "mkdocs", "pathspec", "fmcat.lint"}
    assert not heavy & imported, sorted(heavy & imported)
    assert "importlib.metadata" not in imported


def test_the_template_help_lists_every_template() -> None:
    from fmcat.cli.render import TEMPLATES_HELP
    from fmcat.render.templates import TEMPLATE_NAMES

    assert ", ".join(sorted(TEMPLATE_NAMES)) == TEMPLATES_HELP
