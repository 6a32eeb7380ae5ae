"""`fmcat lint`: check the catalog and the code against each other, and report findings."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from fmcat.cli.console import note, progress_bar, report
from fmcat.errors import UsageError
from fmcat.formats import Format
from fmcat.paths import display_path

if TYPE_CHECKING:
    from fmcat.lint import LintResult

EXIT_CLEAN = 0
EXIT_FINDINGS = 1


def _codes(values: list[str] | None) -> list[str]:
    return [code for value in values or [] for code in value.split(",") if code.strip()]


def lint(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Project folder (default: the current one), Python or catalog files."),
    ] = None,
    catalog: Annotated[
        Path | None,
        typer.Option(help="Catalog folder (default: [tool.fmcat] catalog, or failure-modes/)."),
    ] = None,
    output_format: Annotated[
        Format | None,
        typer.Option(
            "--format",
            "-f",
            help=(
                "Report format: text, json, sarif (GitHub code scanning), github (Actions"
                " annotations), gitlab (Code Quality) or junit (JUnit XML)."
                " Default: [tool.fmcat] format, or text."
            ),
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option(help="Only these codes or prefixes (comma-separated, repeatable)."),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(help="Skip these codes or prefixes (comma-separated, repeatable)."),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Do not read or write the scan cache.")
    ] = False,
    report_unused_ignores: Annotated[
        bool,
        typer.Option("--report-unused-ignores", help="Report suppressions that suppress nothing."),
    ] = False,
    baseline: Annotated[
        Path | None,
        typer.Option(
            help="Report only findings not in this baseline file (default: [tool.fmcat] baseline)."
        ),
    ] = None,
    no_baseline: Annotated[
        bool, typer.Option("--no-baseline", help="Report every finding, baselined or not.")
    ] = False,
    write_baseline: Annotated[
        Path | None,
        typer.Option(
            help="Write the current findings to this baseline file, report nothing, exit 0."
        ),
    ] = None,
) -> int:
    """Check the catalog and the code's external calls; exit 1 when there are findings."""
    from fmcat.cli.org_lint import lint_org
    from fmcat.lint import LintOptions, run_lint
    from fmcat.org.discover import find_org

    # Here, not at the top: `fmcat --version` and the other commands do not pay for the scanner.
    from fmcat.report import REPORTERS, Report

    if baseline is not None and no_baseline:
        raise UsageError("--baseline and --no-baseline contradict each other; give one")
    options = LintOptions(
        paths=tuple(paths or ()),
        catalog=catalog,
        select=tuple(_codes(select)),
        ignore=tuple(_codes(ignore)),
        use_cache=not (no_cache or os.environ.get("FMCAT_NO_CACHE", "") not in ("", "0")),
        report_unused_ignores=report_unused_ignores,
        progress=progress_bar("scanning"),
        baseline=baseline,
        use_baseline=not no_baseline,
        write_baseline=write_baseline,
        memo=True,
    )
    org = find_org(paths[0] if paths else Path()) if len(paths or ()) <= 1 else None
    if org is not None:  # a monorepo root: every service (docs/org.md)
        return lint_org(org, options, output_format)
    result = run_lint(options)
    for message in result.notes:
        note(message)
    count = len(result.findings)
    scope = f"{result.catalog_files} catalog file{'s' * (result.catalog_files != 1)}"
    if result.python_files:
        scope += (
            f", {result.python_files} Python file{'s' * (result.python_files != 1)}"
            f" ({result.parsed_files} with external calls parsed)"
        )
    if result.wrote_baseline is not None:
        return _wrote_baseline(result.wrote_baseline, len(result.findings), scope)
    findings = Report(result.findings, result.catalog_files, result.dependencies)
    report(REPORTERS[output_format or result.settings.format](findings))
    if result.baseline is not None:
        return _baseline_summary(result, scope)
    if count:
        note(f"found {count} finding{'s' * (count != 1)} in {scope}")
        return EXIT_FINDINGS
    if not result.catalog_files and not result.python_files:
        # "all checks passed" after reading nothing would read as a clean bill of health.
        note("nothing to check: no catalog files and no Python files found")
        return EXIT_CLEAN
    note(f"all checks passed ({scope})")
    return EXIT_CLEAN


def _wrote_baseline(path: Path, count: int, scope: str) -> int:
    # The findings are in the file; printing them too would make the run look like a failure.
    shown = display_path(path)
    note(
        f"wrote a baseline of {count} finding{'s' * (count != 1)} in {scope} to {shown};"
        f" `fmcat lint --baseline {shown}` reports only new ones"
    )
    return EXIT_CLEAN


def _baseline_summary(result: LintResult, scope: str) -> int:
    count, known = len(result.findings), result.baselined
    held = f"{known} baselined finding{'s' * (known != 1)} not shown"
    if count:
        note(f"found {count} new finding{'s' * (count != 1)} in {scope}; {held}")
        return EXIT_FINDINGS
    note(f"no new findings in {scope}; {held}")
    return EXIT_CLEAN


def register(app: typer.Typer) -> None:
    app.command("lint")(lint)
