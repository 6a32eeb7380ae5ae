"""Writing to the terminal: the report to stdout, everything else to stderr."""

from __future__ import annotations

import typer


def error_line(message: str) -> None:
    typer.secho(f"fmcat: error: {message}", fg=typer.colors.RED, err=True)


def note(message: str) -> None:
    typer.echo(f"fmcat: {message}", err=True)


def report(text: str) -> None:
    typer.echo(text, nl=False)
