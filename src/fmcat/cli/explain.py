"""`fmcat explain CODE` and `fmcat rules`: the rule documentation, from the rules themselves."""

from __future__ import annotations

import typer

from fmcat.cli.console import report


def explain(
    code: str = typer.Argument(..., metavar="RULE", help="A rule code (FM010) or name."),
) -> None:
    """Print a rule's documentation, with a bad and a good example."""
    from fmcat.docs import rule_markdown
    from fmcat.registry import rule_for

    report(rule_markdown(rule_for(code)))


def rules() -> None:
    """List every rule: code, name and summary."""
    from fmcat.registry import ALL_RULES

    width = max(len(rule.name) for rule in ALL_RULES.values())
    report(
        "".join(
            f"{code}  {rule.name:<{width}}  {rule.summary}\n"
            for code, rule in sorted(ALL_RULES.items())
        )
    )


def register(app: typer.Typer) -> None:
    app.command("explain")(explain)
    app.command("rules")(rules)
