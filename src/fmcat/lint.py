"""`fmcat lint` as a library call: from paths and settings to sorted, selected findings."""

from __future__ import annotations

import fnmatch
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fmcat.alerts.checks import RULES_CHECKS, alert_context
from fmcat.alerts.rules import RuleSet, load_rule_set
from fmcat.baseline import check_writable, partition, read_baseline, write_baseline
from fmcat.catalog.checks import CATALOG_CHECKS
from fmcat.catalog.load import CATALOG_SUFFIXES, Catalog, discover, load_catalog
from fmcat.catalog.uses import shared_catalog
from fmcat.config import Project, Settings, find_project, source_paths
from fmcat.errors import UsageError
from fmcat.findings import Finding
from fmcat.paths import display_path, project_relative
from fmcat.registry import check_selectors, is_selected, selector_code
from fmcat.scan.facts import FileFacts
from fmcat.scan.files import exclusion, python_files
from fmcat.scan.knowledge import KnowledgeBase, Resilience, builtin, user_libraries
from fmcat.scan.memo import Answer, Inputs, RunMemo, digest, entry_files, inputs

if TYPE_CHECKING:
    from fmcat.scan.engine import Progress


@dataclass(frozen=True)
class LintOptions:
    paths: Sequence[Path] = ()
    catalog: Path | None = None
    select: Sequence[str] = ()
    ignore: Sequence[str] = ()
    use_cache: bool = True
    report_unused_ignores: bool = False
    progress: Progress | None = None
    #: Report only findings not in this baseline file (None: [tool.fmcat] baseline, if any).
    baseline: Path | None = None
    #: Apply [tool.fmcat] baseline too. `fmcat lint` does unless --no-baseline; other callers
    #: (render, checklist) show every finding, and a missing baseline file must not stop them.
    use_baseline: bool = False
    #: Write every finding to this baseline file instead of reading one.
    write_baseline: Path | None = None
    #: Several services (docs/org.md): the service's project as the monorepo found it, and
    #: its folder of shared dependencies. None: found from the paths, and [tool.fmcat] shared.
    project: Project | None = None
    shared: Path | None = None
    #: Give back the last run's code findings when nothing they depend on changed (scan/memo.py):
    #: `fmcat lint` does; then ``LintResult.files`` is empty, so commands that show call sites
    #: leave it off.
    memo: bool = False


@dataclass
class LintResult:
    findings: list[Finding]
    catalog_files: int = 0
    dependencies: int = 0
    python_files: int = 0
    parsed_files: int = 0
    #: Things the user should know that are not findings (printed on stderr).
    notes: list[str] = field(default_factory=list)
    #: The project's settings (the CLI takes its default report format from them).
    settings: Settings = field(default_factory=Settings)
    #: The baseline read, and how many findings it held back.
    baseline: Path | None = None
    baselined: int = 0
    #: The baseline file written (with every finding) instead.
    wrote_baseline: Path | None = None
    #: What the scan learnt of each file that matters, for commands that show call sites.
    files: list[FileFacts] = field(default_factory=list)
    #: The catalog as loaded (None without one), for the checks across services (docs/org.md).
    catalog: Catalog | None = None


def check_catalog(catalog: Catalog) -> list[Finding]:
    """The loader's findings plus every check's, for every valid dependency."""
    findings = list(catalog.findings)
    checks = [check() for check in CATALOG_CHECKS if not check.from_loader]
    for entry in catalog.entries:
        for check in checks:
            findings.extend(check.check(entry, catalog))
    return findings


def check_rules(catalog: Catalog, rules: RuleSet, site_url: str | None) -> list[Finding]:
    """FM021 and FM022: the alerting rules against the catalog and the runbook site."""
    context = alert_context(catalog, rules, site_url)
    return [finding for check in RULES_CHECKS for finding in check().check(context)]


def _catalog_files(options: LintOptions, project: Project, notes: list[str]) -> list[Path] | None:
    """The catalog files to check, or None when there is no catalog at all."""
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
            f"no catalog at {display_path(folder)}; running the code rules alone "
            "(set [tool.fmcat] catalog or pass --catalog)"
        )
        return None
    return discover(folder)


def _code_paths(options: LintOptions, project: Project) -> list[Path]:
    """Python files and folders to scan: those given, else the configured `src` folders."""
    given = [p for p in options.paths if p.suffix not in CATALOG_SUFFIXES]
    if any(p.is_dir() for p in given):
        folders = [p for p in given if p.is_dir()]
        # A project folder means its configured sources, as if fmcat ran inside it.
        if all(p.resolve() == project.root for p in folders):
            return source_paths(project)
        return given
    if given:
        return given
    if options.paths:
        return []  # only catalog files were named
    return source_paths(project)


def knowledge(project: Project) -> KnowledgeBase:
    kb = builtin()
    if project.settings.clients:
        shown = display_path(project.pyproject) if project.pyproject else "pyproject.toml"
        kb = kb.extended(user_libraries(project.settings.clients, shown))
    if project.settings.handled_by:
        # `@myapp.utils.safe` handles what it wraps, as a resilience library's decorator does.
        declared = Resilience(
            name="[tool.fmcat] handled_by", modules=list(project.settings.handled_by)
        )
        kb = kb.extended([], resilience=[declared])
    return kb


def _per_file_ignored(finding: Finding, project: Project) -> bool:
    """Patterns are relative to the project (where pyproject.toml is), like ruff's."""
    path = project_relative(finding.location.path, project.root) or finding.location.path
    for pattern, codes in project.settings.per_file_ignores.items():
        if fnmatch.fnmatch(path, pattern) and any(
            finding.code.startswith(selector_code(c)) for c in codes
        ):
            return True
    return False


def _baseline_path(options: LintOptions, project: Project) -> Path | None:
    if options.baseline is not None:
        return options.baseline  # a flag's path is from the current folder
    if options.use_baseline and project.settings.baseline is not None:
        return project.root / project.settings.baseline
    return None


def run_lint(options: LintOptions) -> LintResult:
    for path in options.paths:
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"{path}: no such file or folder")
    project = options.project or find_project(options.paths[0] if options.paths else Path.cwd())
    settings = project.settings
    # A bad baseline fails here, before a scan that can take a while.
    baseline_path = None if options.write_baseline else _baseline_path(options, project)
    baseline = read_baseline(baseline_path) if baseline_path is not None else None
    if options.write_baseline is not None:
        check_writable(options.write_baseline)
    # Flags replace the configured lists rather than extend them, as in ruff.
    select = check_selectors(list(options.select or settings.select), "select")
    ignore = check_selectors(list(options.ignore or settings.ignore), "ignore")

    def enabled(code: str) -> bool:
        return is_selected(code, select, ignore)

    notes: list[str] = []
    files = _catalog_files(options, project, notes)
    shared = shared_catalog(options.shared, project)
    catalog = load_catalog(files, shared) if files is not None else None
    # Files named one by one (as pre-commit passes them) are part of a project, not all of it:
    # the catalog is read to attribute their calls, but only catalog files named are reported,
    # and "no call site" (FM201) cannot be judged from a few files.
    files_only = bool(options.paths) and all(p.is_file() for p in options.paths)
    named_catalog = any(p.suffix in CATALOG_SUFFIXES for p in options.paths)
    findings: list[Finding] = []
    if catalog is not None:
        catalog.known_owners = frozenset(settings.owners) if settings.owners is not None else None
        rules = load_rule_set(project.root, settings.alert_rules)
        catalog.known_alerts = frozenset(rules.alerts) if rules is not None else None
        catalog.review_max_age_days = settings.review_max_age_days
        if named_catalog or not files_only:
            findings += check_catalog(catalog)
            if rules is not None:
                findings += check_rules(catalog, rules, settings.site_url)
            findings += shared.findings if shared is not None else []
    result = LintResult([], catalog.files if catalog else 0, len(catalog.entries) if catalog else 0)
    code_paths = _code_paths(options, project)
    if code_paths:
        kb = knowledge(project)
        answer, result.files = _remembered(
            options,
            project,
            catalog,
            code_paths,
            (select, ignore, files_only),
            lambda: _code_findings(options, project, kb, catalog, code_paths, enabled, files_only),
            kb,
        )
        result.python_files, result.parsed_files = answer.read, answer.parsed
        notes += answer.notes
        findings += answer.findings
    result.findings = sorted(
        (f for f in findings if enabled(f.code) and not _per_file_ignored(f, project)),
        key=lambda f: f.sort_key,
    )
    result.notes = notes
    result.settings = settings
    result.catalog = catalog
    if options.write_baseline is not None:
        write_baseline(options.write_baseline, result.findings, project.root)
        result.wrote_baseline = options.write_baseline
    elif baseline is not None:
        result.findings, known = partition(result.findings, project.root, baseline)
        result.baseline, result.baselined = baseline_path, len(known)
    return result


Computed = tuple[Answer, list[FileFacts]]


def _code_findings(
    options: LintOptions,
    project: Project,
    kb: KnowledgeBase,
    catalog: Catalog | None,
    code_paths: list[Path],
    enabled: Callable[[str], bool],
    files_only: bool,
) -> Computed:
    """The scan, the framework post-pass and the code rules over ``code_paths``."""
    # Here, not at the top: a run its memo answers does not import the parser.
    from fmcat.frameworks import FrameworkOptions, post_pass
    from fmcat.frameworks.early import Early
    from fmcat.scan.check import check_code
    from fmcat.scan.engine import ScanOptions, scan

    settings = project.settings
    patterns = catalog.call_patterns() if catalog else ()
    # The post-pass reads what the scan reads: it takes its marks from the scan's bytes.
    early = Early(keep=options.use_cache)
    scanned = scan(
        ScanOptions(
            paths=tuple(code_paths),
            root=project.root,
            exclude=tuple(settings.exclude),
            named_patterns=patterns,
            use_cache=options.use_cache,
            include_tests=settings.include_tests,
        ),
        kb,
        display_path,
        options.progress,
        early,
    )
    # Framework knowledge (Django settings, Celery, delivery semantics): a post-pass.
    findings = post_pass(
        FrameworkOptions(
            project.root,
            tuple(code_paths),
            tuple(settings.exclude),
            settings.django_settings,
            settings.include_tests,
            use_cache=options.use_cache,
        ),
        scanned.files,
        early,
    )
    report_unused = options.report_unused_ignores or settings.report_unused_ignores
    findings += check_code(
        scanned.files,
        kb,
        catalog,
        enabled,
        report_unused,
        files_read=scanned.read,
        whole_project=not files_only,
    )
    answer = Answer(findings, scanned.read, scanned.parsed + scanned.from_cache, scanned.notes)
    return answer, scanned.files


def _remembered(
    options: LintOptions,
    project: Project,
    catalog: Catalog | None,
    code_paths: list[Path],
    selection: object,
    compute: Callable[[], Computed],
    kb: KnowledgeBase,
) -> Computed:
    """The code findings from the run memo when nothing they depend on changed, else
    computed, and kept for the next run."""
    if not (options.memo and options.use_cache):
        return compute()
    settings = project.settings
    key = digest(
        [
            kb.model_dump(mode="json"),
            settings.model_dump(mode="json"),
            _catalog_key(catalog),
            [os.path.abspath(p) for p in code_paths],  # noqa: PTH100
            str(project.root),
            os.getcwd(),  # noqa: PTH109 (findings show paths from here)
            options.report_unused_ignores,
            selection,
        ]
    )
    memo = RunMemo(project.root, key, enabled=True, started_ns=time.time_ns())
    now = None
    if memo.enabled:

        def discover() -> Inputs | None:
            excluded = exclusion(settings.exclude, settings.include_tests)
            return inputs(python_files(code_paths, project.root, excluded), entries)

        entries = entry_files(project.root)
        answer, now = memo.recall(discover, entries)
        if answer is not None:
            return answer, []
    from fmcat.frameworks.files import recording

    with recording() as read:
        computed = compute()
    if now is not None:
        memo.store(now, read, computed[0])
    return computed


def _catalog_key(catalog: Catalog | None) -> object:
    """What of the catalog the code rules read."""
    if catalog is None:
        return None
    return [
        [[str(e.source.path), e.source.text, e.shared] for e in catalog.entries],
        sorted(catalog.known_owners) if catalog.known_owners is not None else None,
        sorted(catalog.known_alerts) if catalog.known_alerts is not None else None,
        catalog.review_max_age_days,
        str(catalog.today),
        repr(sorted(catalog.peers.items())),
    ]
