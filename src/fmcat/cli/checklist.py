"""`fmcat checklist`: the code-review checklist of a change, as Markdown for a pull request."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from fmcat.cli.console import note, progress_bar, report


def checklist(
    path: Annotated[
        Path, typer.Argument(help="The service's folder (default: the current one).")
    ] = Path(),
    base: Annotated[
        str | None,
        typer.Option(
            help="Cover the change from this commit (branch, tag, id) to the working tree; "
            "without it, the whole service.",
        ),
    ] = None,
) -> int:
    """Print the review checklist (GitHub Markdown) for a change, or for the whole service."""
    from fmcat.cli.org_checklist import checklist_org
    from fmcat.org.discover import find_org

    org = find_org(path)
    if org is not None:  # a monorepo: a checklist per service (docs/org.md)
        return checklist_org(org, base)
    from fmcat.checklist import ChecklistOptions, build_checklist, write_markdown
    from fmcat.checklist.items import plural

    result = build_checklist(
        ChecklistOptions(
            path=path,
            base=base,
            use_cache=os.environ.get("FMCAT_NO_CACHE", "") in ("", "0"),
            progress=progress_bar("scanning"),
        )
    )
    for message in result.notes:
        note(message)
    report(write_markdown(result))
    every = result.items()
    open_checks = sum(1 for item in every if item.verified and not item.done)
    note(
        f"checklist: {plural(result.calls, 'call')} in "
        f"{plural(result.dependencies, 'dependency', 'dependencies')}, "
        f"{plural(open_checks, 'check')} open, "
        f"{plural(sum(1 for item in every if not item.verified), 'item')} for the reviewer"
    )
    return 0


def register(app: typer.Typer) -> None:
    app.command("checklist")(checklist)
