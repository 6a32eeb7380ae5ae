"""`fmcat blast DEPENDENCY`: what fails, degrades or is unaffected when it fails."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from fmcat.cli.console import note, report
from fmcat.errors import UsageError


def blast(
    dependency: Annotated[str, typer.Argument(help="The dependency's id, e.g. postgres.")],
    path: Annotated[
        Path, typer.Argument(help="Monorepo root or service folder (default: the current one).")
    ] = Path(),
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="text or json (for incident tooling).")
    ] = "text",
) -> int:
    """Which operations of which services fail, degrade or are unaffected when DEPENDENCY fails."""
    from fmcat.org.blast import blast_json, blast_radius, blast_text
    from fmcat.org.load import as_org, load_org

    if output_format not in ("text", "json"):
        raise UsageError(f"--format {output_format}: choose text or json")
    services = load_org(as_org(path))
    broken = sum(len(s.catalog.findings) for s in services)
    if broken:
        note(
            f"{broken} catalog error{'s' * (broken != 1)} left some files out of the blast "
            "radius; `fmcat lint` shows them"
        )
    result = blast_radius(services, dependency)
    if output_format == "json":
        report(json.dumps(blast_json(result), indent=2) + "\n")
    else:
        report(blast_text(result))
    return 0


def register(app: typer.Typer) -> None:
    app.command("blast")(blast)
