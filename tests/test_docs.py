"""The rule reference is generated from the rules and committed; it must not drift."""

from __future__ import annotations

import pytest

from fmcat.docs import rules_reference
from fmcat.registry import ALL_RULES
from fmcat.rule import strip_marks
from tests.conftest import REPO, run_fmcat
from tests.golden import assert_golden


def test_committed_rule_reference_is_current() -> None:
    assert_golden(REPO / "docs" / "rules.md", rules_reference())


@pytest.mark.parametrize("code", sorted(ALL_RULES))
def test_explain_prints_docs_and_examples(code: str) -> None:
    rule = ALL_RULES[code]
    result = run_fmcat("explain", code.lower())
    assert result.code == 0
    assert result.stdout.startswith(f"# {code} {rule.name}\n")
    assert rule.explanation().splitlines()[0] in result.stdout
    assert "Bad:" in result.stdout and "Good:" in result.stdout
    assert strip_marks(rule.INVALID[0]) in result.stdout
    assert "# expect:" not in result.stdout


def test_explain_by_name_and_unknown_code() -> None:
    assert run_fmcat("explain", "no-timeout").stdout.startswith("# FM010 no-timeout")
    result = run_fmcat("explain", "FM999")
    assert result.code == 2
    assert "unknown rule 'FM999'" in result.stderr
    assert result.stdout == ""


def test_every_command_is_documented() -> None:
    import typer

    from fmcat.cli import app

    command = typer.main.get_command(app)
    assert hasattr(command, "commands")
    text = (REPO / "docs" / "commands.md").read_text(encoding="utf-8")
    for name in command.commands:
        assert f"## `fmcat {name}" in text, f"docs/commands.md has no section for {name}"
