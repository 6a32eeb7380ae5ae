"""`fmcat lint` as a library call: from paths and settings to sorted, selected findings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fmcat.alerts import load_alert_names
from fmcat.catalog.checks import CATALOG_CHECKS
from fmcat.catalog.load import CATALOG_SUFFIXES, Catalog, discover, load_catalog
from fmcat.config import Project, find_project
from fmcat.errors import UsageError
from fmcat.findings import Finding
from fmcat.paths import display_path
from fmcat.registry import check_selectors, is_selected


@dataclass(frozen=True)
class LintOptions:
    paths: Sequence[Path] = ()
    catalog: Path | None = None
    select: Sequence[str] = ()
    ignore: Sequence[str] = ()


@dataclass
class LintResult:
    findings: list[Finding]
    catalog_files: int = 0
    dependencies: int = 0
    #: Things the user should know that are not findings (printed on stderr).
    notes: list[str] = field(default_factory=list)


def check_catalog(catalog: Catalog) -> list[Finding]:
    """The loader's findings plus every check's, for every valid dependency."""
    findings = list(catalog.findings)
    checks = [check() for check in CATALOG_CHECKS if not check.from_loader]
    for entry in catalog.entries:
        for check in checks:
            findings.extend(check.check(entry, catalog))
    return findings


def _catalog_files(options: LintOptions, project: Project, notes: list[str]) -> list[Path]:
    explicit = [p for p in options.paths if p.suffix in CATALOG_SUFFIXES]
    if explicit:
        return explicit
    if options.catalog is not None:
        return discover(options.catalog)
    folder = project.root / project.settings.catalog
    if project.pyproject is not None and "catalog" in project.settings.model_fields_set:
        return discover(folder)  # configured explicitly: a missing folder is an error
    if not folder.is_dir():
        notes.append(
            f"no catalog at {display_path(folder)}; the catalog rules did not run "
            "(set [tool.fmcat] catalog or pass --catalog)"
        )
        return []
    return discover(folder)


def run_lint(options: LintOptions) -> LintResult:
    for path in options.paths:
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"{path}: no such file or folder")
    project = find_project(options.paths[0] if options.paths else Path.cwd())
    settings = project.settings
    # Flags replace the configured lists rather than extend them, as in ruff.
    select = check_selectors(list(options.select or settings.select), "select")
    ignore = check_selectors(list(options.ignore or settings.ignore), "ignore")
    notes: list[str] = []
    files = _catalog_files(options, project, notes)
    catalog = load_catalog(files)
    catalog.known_owners = frozenset(settings.owners) if settings.owners is not None else None
    catalog.known_alerts = load_alert_names(project.root, settings.alert_rules)
    findings = [f for f in check_catalog(catalog) if is_selected(f.code, select, ignore)]
    findings.sort(key=lambda f: f.sort_key)
    return LintResult(findings, catalog.files, len(catalog.entries), notes)
