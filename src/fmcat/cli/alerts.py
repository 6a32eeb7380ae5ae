"""`fmcat alerts link` and `fmcat alerts slo`: the alerting rules, from the catalog's side."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fmcat.alerts.formats import RulesFormat
from fmcat.cli.console import note, report
from fmcat.paths import display_path

alerts = typer.Typer(
    name="alerts",
    help="Alerting rules from the catalog: runbook links, SLO burn-rate alerts.",
    no_args_is_help=True,
)

PathArgument = Annotated[Path, typer.Argument(help="Project folder (default: the current one).")]
CatalogOption = Annotated[
    Path | None,
    typer.Option(help="Catalog folder (default: [tool.fmcat] catalog, or failure-modes/)."),
]
SiteOption = Annotated[
    str | None,
    typer.Option(help="Base URL of the runbook site (default: [tool.fmcat] site_url)."),
]


@alerts.command("link")
def link(
    path: PathArgument = Path(),
    catalog: CatalogOption = None,
    site_url: SiteOption = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Write nothing; print the diff and exit 1 if any link is wrong."
        ),
    ] = False,
) -> int:
    """Write or correct the runbook_url of every alert that a failure mode names."""
    from fmcat.alerts.link import plan_links, write_links
    from fmcat.alerts.project import load_project

    plan = plan_links(load_project(path, catalog, site_url))
    for name in plan.undefined:
        note(f'alert "{name}" is named by a failure mode but defined in no rules file (FM020)')
    if check:
        for edit in plan.files:
            report(edit.diff())
        if plan.linked:
            note(f"{plan.linked} runbook link(s) to write; run `fmcat alerts link` to write them")
            return 1
        note("every runbook link is right")
        return 0
    write_links(plan)
    for edit in plan.files:
        note(f"wrote {len(edit.edits)} runbook link(s) in {edit.rules.display}")
    if not plan.linked:
        note("every runbook link is right; nothing written")
    return 0


@alerts.command("slo")
def slo(
    path: PathArgument = Path(),
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the rules to FILE, not stdout.")
    ] = None,
    form: Annotated[
        RulesFormat, typer.Option("--format", help="A plain rules file or a PrometheusRule.")
    ] = RulesFormat.PROMETHEUS,
    catalog: CatalogOption = None,
    site_url: SiteOption = None,
) -> int:
    """Generate multi-window, multi-burn-rate SLO rules from the operations' objectives."""
    from fmcat.alerts.generate import generate_slo_rules
    from fmcat.alerts.project import load_project, write_output

    project = load_project(path, catalog, site_url)
    text, count = generate_slo_rules(project, form)
    if project.site_url is None:
        note("no [tool.fmcat] site_url: the alerts carry no runbook_url")
    if output is None:
        report(text)
    else:
        write_output(output, text)
        note(f"wrote {count} SLO(s) to {display_path(output)}")
    return 0


def register(app: typer.Typer) -> None:
    app.add_typer(alerts)
