"""Writing to the terminal: the report to stdout, everything else to stderr."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import typer


def error_line(message: str) -> None:
    typer.secho(f"fmcat: error: {message}", fg=typer.colors.RED, err=True)


def note(message: str) -> None:
    typer.echo(f"fmcat: {message}", err=True)


def report(text: str) -> None:
    typer.echo(text, nl=False)


def progress_bar(label: str, minimum: int = 200) -> Callable[[int, int], None] | None:
    """A bar on stderr for long runs; none when stderr is not a terminal (CI logs, pipes)."""
    if not sys.stderr.isatty():
        return None
    last = [0.0]

    def update(done: int, total: int) -> None:
        if total < minimum:
            return
        now = time.monotonic()
        if done < total and now - last[0] < 0.1:
            return
        last[0] = now
        width = 30
        filled = width * done // total
        bar = "#" * filled + "-" * (width - filled)
        end = "\n" if done == total else ""
        sys.stderr.write(f"\r{label} [{bar}] {done}/{total} files{end}")
        sys.stderr.flush()

    return update
