"""`fmcat lint` of a monorepo: every service, each with its own configuration (docs/org.md)."""

from __future__ import annotations

from fmcat.cli.console import note, report
from fmcat.errors import UsageError
from fmcat.lint import LintOptions
from fmcat.org.discover import Org
from fmcat.org.lint import run_org_lint
from fmcat.paths import display_path
from fmcat.report import REPORTERS, Format, Report


def _progress(index: int, total: int, name: str) -> None:
    if total >= 10 and (index == 1 or index % 25 == 0 or index == total):
        note(f"linting service {index}/{total}: {name}")


def lint_org(org: Org, options: LintOptions, output_format: Format | None) -> int:
    if options.write_baseline is not None or options.baseline is not None:
        raise UsageError(
            f"{display_path(org.root)} is a monorepo: baselines are per service; "
            "give each service its own [tool.fmcat] baseline"
        )
    note(f"{display_path(org.root)}: {len(org.services)} services")
    result = run_org_lint(org, options, _progress)
    for message in result.notes:
        note(message)
    findings = Report(result.findings, result.catalog_files, result.dependencies)
    report(REPORTERS[output_format or org.project.settings.format](findings))
    count = len(result.findings)
    scope = (
        f"{result.services} services, {result.catalog_files} catalog files, "
        f"{result.python_files} Python files"
    )
    if count:
        note(f"found {count} finding{'s' * (count != 1)} in {scope}")
        return 1
    note(f"all checks passed ({scope})")
    return 0
