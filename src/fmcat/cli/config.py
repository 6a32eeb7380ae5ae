"""`fmcat config`: the effective configuration, and where each value came from."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from fmcat.cli.console import report
from fmcat.errors import UsageError
from fmcat.paths import display_path

if TYPE_CHECKING:
    from fmcat.config import ConfigValue, Project


class ConfigFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def _codes(values: list[str] | None) -> list[str]:
    return [code.strip() for value in values or [] for code in value.split(",") if code.strip()]


def _literal(value: Any) -> str:
    """A value as it would be written in [tool.fmcat] (JSON and TOML agree on these)."""
    return "not set" if value is None else json.dumps(value, ensure_ascii=False)


def render_text(project: Project, values: list[ConfigValue]) -> str:
    where = (
        f"{display_path(project.pyproject)} [tool.fmcat]"
        if project.pyproject is not None
        else "no pyproject.toml with [tool.fmcat]; defaults apply"
    )
    rows = [("key", "source", "value")]
    rows += [(v.key, v.origin or v.source, _literal(v.value)) for v in values]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    lines = [
        f"project: {display_path(project.root)} ({where})",
        "paths are shown from the current folder",
        "",
    ]
    lines += [f"{k:<{widths[0]}}  {s:<{widths[1]}}  {v}" for k, s, v in rows]
    lines += ["", "the scan leaves out, before `exclude` (gitignore syntax; `!` re-includes):"]
    lines += [f"  {', '.join(_default_excludes(project))}"]
    return "\n".join(lines) + "\n"


def _default_excludes(project: Project) -> tuple[str, ...]:
    from fmcat.scan.files import default_excludes  # pathspec: only when the command runs

    return default_excludes(project.settings.include_tests)


def render_json(project: Project, values: list[ConfigValue]) -> str:
    document = {
        "project": display_path(project.root),
        "pyproject": display_path(project.pyproject) if project.pyproject else None,
        "settings": {
            v.key: {
                "value": v.value,
                "source": v.source,
                "origin": v.origin,
                "description": v.description,
            }
            for v in values
        },
        "default_excludes": list(_default_excludes(project)),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def config(
    path: Annotated[
        Path, typer.Argument(help="Project folder (default: the current one).")
    ] = Path(),
    output_format: Annotated[
        ConfigFormat,
        typer.Option("--format", "-f", help="text (a table) or json.", case_sensitive=False),
    ] = ConfigFormat.TEXT,
    catalog: Annotated[Path | None, typer.Option(help="As `fmcat lint --catalog`.")] = None,
    select: Annotated[list[str] | None, typer.Option(help="As `fmcat lint --select`.")] = None,
    ignore: Annotated[list[str] | None, typer.Option(help="As `fmcat lint --ignore`.")] = None,
    report_unused_ignores: Annotated[
        bool,
        typer.Option("--report-unused-ignores", help="As `fmcat lint --report-unused-ignores`."),
    ] = False,
    baseline: Annotated[Path | None, typer.Option(help="As `fmcat lint --baseline`.")] = None,
    repo_url: Annotated[str | None, typer.Option(help="As `fmcat render --repo-url`.")] = None,
    site_url: Annotated[str | None, typer.Option(help="As `fmcat alerts --site-url`.")] = None,
) -> int:
    """Show the effective configuration and where each value comes from.

    Takes the flags of `fmcat lint` that override [tool.fmcat], to show what they change.
    """
    from fmcat.config import effective_settings, find_project

    if not path.exists():
        raise UsageError(f"{path}: no such file or folder")
    project = find_project(path)
    flags = {
        "catalog": catalog,
        "select": _codes(select),
        "ignore": _codes(ignore),
        "report_unused_ignores": report_unused_ignores,
        "baseline": baseline,
        "repo_url": repo_url,
        "site_url": site_url,
    }
    values = effective_settings(project, flags)
    render = render_json if output_format is ConfigFormat.JSON else render_text
    report(render(project, values))
    return 0


def register(app: typer.Typer) -> None:
    app.command("config")(config)
