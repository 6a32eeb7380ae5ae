"""`fmcat render` of a monorepo, of interchange files, or as a TechDocs tree (docs/org.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from fmcat.cli.console import note, progress_bar
from fmcat.errors import UsageError
from fmcat.paths import display_path
from fmcat.render.org_run import OrgRenderOptions, render_org


@dataclass(frozen=True)
class OrgFlags:
    techdocs: bool
    sources: tuple[Path, ...]
    catalog: Path | None
    no_scan: bool
    no_build: bool
    no_cache: bool


def render_org_command(
    path: Path, output: Path, templates: Path | None, repo_url: str | None, flags: OrgFlags
) -> int:
    if flags.catalog is not None:
        raise UsageError(
            "--catalog names one service's catalog; it cannot go with a monorepo, "
            "--techdocs or --from"
        )
    no_cache = flags.no_cache or os.environ.get("FMCAT_NO_CACHE", "") not in ("", "0")
    result = render_org(
        OrgRenderOptions(
            path=path,
            sources=flags.sources,
            output=output,
            templates=templates,
            repo_url=repo_url,
            scan_code=not flags.no_scan,
            build=not flags.no_build,
            techdocs=flags.techdocs,
            use_cache=not no_cache,
            note=note,
            progress=progress_bar("scanning"),
        )
    )
    shown = display_path(result.output)
    scope = (
        f"{result.dependencies} dependenc{'ies' if result.dependencies != 1 else 'y'}, "
        f"{result.failure_modes} failure mode{'s' * (result.failure_modes != 1)}"
    )
    if result.python_files is not None:
        scope += f", {result.python_files} Python file{'s' * (result.python_files != 1)} scanned"
    note(f"rendered {scope}: {result.pages} pages in {result.seconds:.1f}s")
    if flags.techdocs:
        note(f"TechDocs tree written to {shown} (mkdocs.yml with techdocs-core, docs/)")
    elif flags.no_build:
        note(f"MkDocs project written to {shown}")
    else:
        note(f"site written to {shown}; open {shown}/index.html")
    return 0
