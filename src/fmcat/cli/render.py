"""`fmcat render`: the catalog (and what the code scan found) as a runbook site."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from fmcat.cli.console import note, progress_bar, report
from fmcat.paths import display_path

#: The built-in page templates, for the help of --print-template, without importing Jinja.
TEMPLATES_HELP = ", ".join(
    sorted(p.name for p in resources.files("fmcat").joinpath("templates").iterdir()
           if p.name.endswith(".md.j2"))
)  # fmt: skip


def _print_template(name: str | None) -> None:
    if name is not None:
        from fmcat.render.templates import template_source

        report(template_source(name))
        raise typer.Exit(0)


def render(
    path: Annotated[
        Path, typer.Argument(help="Project folder (default: the current one).")
    ] = Path(),
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder for the site (replaced if it is one).")
    ] = Path("site"),
    catalog: Annotated[
        Path | None,
        typer.Option(help="Catalog folder (default: [tool.fmcat] catalog, or failure-modes/)."),
    ] = None,
    templates: Annotated[
        Path | None,
        typer.Option(help="Folder of templates that replace the built-in ones of the same name."),
    ] = None,
    repo_url: Annotated[
        str | None,
        typer.Option(
            help="Link call sites and findings to the code host, e.g. "
            "https://github.com/org/shop/blob/main (or a URL with {path} and {line})."
        ),
    ] = None,
    no_scan: Annotated[
        bool, typer.Option("--no-scan", help="Leave the code out: no call sites, no findings.")
    ] = False,
    no_build: Annotated[
        bool,
        typer.Option(
            "--no-build", help="Write the MkDocs project (mkdocs.yml, docs/) instead of the site."
        ),
    ] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Do not read or write the scan cache.")
    ] = False,
    techdocs: Annotated[
        bool,
        typer.Option(
            "--techdocs", help="Write the docs tree Backstage's TechDocs builds (docs/org.md)."
        ),
    ] = False,
    from_files: Annotated[
        list[Path] | None,
        typer.Option(
            "--from", help="Build from interchange files (`fmcat export json`), repeatable."
        ),
    ] = None,
    print_template: Annotated[
        str | None,
        typer.Option(
            help="Print a built-in template, to start an override from: " + TEMPLATES_HELP,
            callback=_print_template,
            is_eager=True,
        ),
    ] = None,
) -> int:
    """Render the catalog as a runbook site (MkDocs Material) that works offline."""
    from fmcat.cli.org_render import OrgFlags, render_org_command
    from fmcat.org.discover import find_org

    if techdocs or from_files or find_org(path) is not None:  # several services: docs/org.md
        flags = OrgFlags(techdocs, tuple(from_files or ()), catalog, no_scan, no_build, no_cache)
        return render_org_command(path, output, templates, repo_url, flags)
    from fmcat.render.site import RenderOptions, render_site

    result = render_site(
        RenderOptions(
            path=path,
            output=output,
            catalog=catalog,
            templates=templates,
            repo_url=repo_url,
            scan_code=not no_scan,
            build=not no_build,
            use_cache=not (no_cache or os.environ.get("FMCAT_NO_CACHE", "") not in ("", "0")),
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
    what = "MkDocs project" if no_build else "site"
    note(f"rendered {scope}: {result.pages} pages in {result.seconds:.1f}s")
    note(f"{what} written to {shown}" + ("" if no_build else f"; open {shown}/index.html"))
    return 0


def register(app: typer.Typer) -> None:
    app.command("render")(render)
