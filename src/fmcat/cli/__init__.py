"""The command line. This package is the only place that prints to the terminal or exits."""

from __future__ import annotations

import os
import sys

import click
import typer

from fmcat import __version__
from fmcat.cli import (
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
blast.register(app)
export.register(app)


def main(argv: list[str] | None = None) -> int:
    """The error boundary: every exit code and every error message leaves from here."""
    command = typer.main.get_command(app)
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
