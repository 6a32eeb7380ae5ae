"""`fmcat schema`: the catalog format as JSON Schema, for editors and other tools."""

from __future__ import annotations

import typer

from fmcat.cli.console import report


def schema() -> None:
    """Print the catalog's JSON Schema (draft-07), for yaml-language-server and friends."""
    from fmcat.catalog.json_schema import catalog_schema_text

    report(catalog_schema_text())


def register(app: typer.Typer) -> None:
    app.command("schema")(schema)
