"""The command line. This package is the only place that prints to the terminal or exits."""

from __future__ import annotations

import os
import sys
from typing import Any

import click
import typer

from fmcat import __version__
from fmcat.cli import (
    alerts,
    blast,  # docs/org.md
    checklist,
    config,
    explain,
    export,  # docs/org.md
    init,
    lint,
    render,
    schema,
)
from fmcat.cli.console import error_line
from fmcat.errors import FmcatError

EXIT_INTERNAL = 2


def _click_exception_types() -> tuple[tuple[type[Exception], ...], tuple[type[Exception], ...]]:
    """click's usage-error and abort classes, as the installed typer raises them.

    typer 0.2x vendors its own copy of click (`typer._click`), whose exceptions are not the `click`
    package's; older typers raise `click`'s own. Both are collected from public names, so the
    boundary matches whichever copy the parser uses. `typer.BadParameter` is a UsageError subclass
    in every version.
    """
    usage: set[type[Exception]] = {click.exceptions.UsageError}
    usage.update(cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "UsageError")
    aborts: set[type[Exception]] = {click.exceptions.Abort, typer.Abort}
    return tuple(usage), tuple(aborts)


USAGE_ERRORS, ABORTS = _click_exception_types()

app = typer.Typer(
    name="fmcat",
    help="Failure-mode catalog: lint it against the code, render it as a runbook site.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"fmcat {__version__}")
        raise typer.Exit(0)


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Failure-mode catalog: lint it against the code, render it as a runbook site."""


lint.register(app)
explain.register(app)
schema.register(app)
render.register(app)
config.register(app)
checklist.register(app)
init.register(app)
alerts.register(app)
blast.register(app)
export.register(app)


#: What a value of each parameter is, as help shows it (`--select CODES`), by parameter name.
#: A parameter not listed shows its name in capitals; a flag shows none.
METAVARS = {
    "paths": "PATH",
    "path": "PATH",
    "output": "DIR",
    "catalog": "DIR",
    "templates": "DIR",
    "select": "CODES",
    "ignore": "CODES",
    "output_format": "FORMAT",
    "baseline": "FILE",
    "write_baseline": "FILE",
    "repo_url": "URL",
    "print_template": "NAME",
    "base": "REV",
}


def _summary(callback: object) -> str:
    """The first line of a command's docstring: a sentence, which help prints whole."""
    doc = getattr(callback, "__doc__", None) or ""
    return doc.strip().split("\n", 1)[0].strip()


def _human_help(command: Any) -> None:  # typer's own copy of click, or click
    """Metavars a person reads instead of typer's Python types (`<list[Path]>`), and whole
    command summaries instead of click's 45-character cut."""
    commands = getattr(command, "commands", {})
    for name, sub in commands.items():
        if sub.short_help is None:
            # A group (`fmcat alerts`) has its help as text, and no callback of its own.
            text = sub.help if getattr(sub, "commands", None) else None
            sub.short_help = text.strip().split("\n", 1)[0].strip() if text else None
            sub.short_help = sub.short_help or _summary(sub.callback)
        if getattr(sub, "commands", None):
            _human_help(sub)
        for param in sub.params:
            flag = getattr(param, "is_flag", False) and not getattr(param, "count", False)
            if param.metavar is None and not flag and param.name is not None:
                param.metavar = METAVARS.get(param.name, param.name.upper())
            if getattr(param, "param_type_name", "") == "argument":
                # typer prints an argument's Python type after its name (`PATH <list[Path]>`);
                # the metavar and the help say it in words.
                setattr(param, "display_type_rich", lambda ctx: None)  # noqa: B010
        del name


def main(argv: list[str] | None = None) -> int:
    """The error boundary: every exit code and every error message leaves from here."""
    command = typer.main.get_command(app)
    _human_help(command)
    try:
        result = command.main(args=argv, prog_name="fmcat", standalone_mode=False)
    except USAGE_ERRORS as error:
        error.show()  # type: ignore[attr-defined]  # click's usage line, the hint and the error
        return EXIT_INTERNAL
    except ABORTS:
        error_line("aborted")
        return EXIT_INTERNAL
    except FmcatError as error:
        error_line(str(error))
        return EXIT_INTERNAL
    except BrokenPipeError:
        # `fmcat lint | head`: the reader left; say nothing more.
        sys.stderr.close()
        return EXIT_INTERNAL
    except Exception as error:  # the boundary: a bug must still not reach users as a traceback
        if os.environ.get("FMCAT_DEBUG"):
            raise
        error_line(
            f"internal error: {type(error).__name__}: {error}\n"
            "This is a bug in fmcat. Run again with FMCAT_DEBUG=1 for the traceback and report it."
        )
        return EXIT_INTERNAL
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
