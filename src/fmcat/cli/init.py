"""`fmcat init`: write a catalog skeleton from the code's external calls, or add to one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fmcat.cli.console import note, progress_bar
from fmcat.paths import display_path


def init(
    path: Annotated[
        Path, typer.Argument(help="The service's folder (default: the current one).")
    ] = Path(),
    catalog: Annotated[
        Path | None,
        typer.Option(help="Catalog folder (default: [tool.fmcat] catalog, or failure-modes/)."),
    ] = None,
    update: Annotated[
        bool,
        typer.Option(
            "--update",
            help="Also add match rules and call-site comments to the catalog's existing files.",
        ),
    ] = False,
) -> int:
    """Write a catalog file for each dependency the code calls; never overwrite a file."""
    from fmcat.init import InitOptions, run_init

    result = run_init(InitOptions(path, catalog, update, progress=progress_bar("scanning")))
    for message in result.notes:
        note(message)
    for change in result.changes:
        shown = display_path(change.path)
        sites = f"{change.sites} call site{'s' * (change.sites != 1)}"
        if change.created:
            note(f"wrote {shown} ({change.dependency}: {sites})")
        elif change.rules:
            rules = f"{change.rules} match rule{'s' * (change.rules != 1)}"
            note(f"added {rules} for {sites} to {shown}")
        else:
            more = f"{change.sites} more call site{'s' * (change.sites != 1)}"
            note(f"listed {more} in {shown}")
    if result.schema_written:
        note(f"wrote {display_path(result.folder / '.schema.json')} (the format, for editors)")
    if result.changes:
        note(
            f"next: fill in the TODOs in {display_path(result.folder)}/, then run `fmcat lint`;"
            " its findings say what is still missing"
        )
    return 0


def register(app: typer.Typer) -> None:
    app.command("init")(init)
