"""`fmcat checklist` as a library call: the service and (optionally) a base commit in, the
checklist out.

The service is linted and scanned exactly as `fmcat lint` does it (the second scan is answered
from the cache the first one filled). With a base commit, only the calls whose lines the change
touches are listed, with the dependencies they belong to and those whose catalog file changed;
without one, every call and every dependency is.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fmcat.catalog.load import CATALOG_SUFFIXES, Catalog, Entry, discover, load_catalog
from fmcat.catalog.model import Dependency
from fmcat.checklist import items
from fmcat.checklist.diff import FileChange, Status
from fmcat.checklist.git import ChangeSet, GitError, changes, repository_root, resolve_commit
from fmcat.checklist.links import Links
from fmcat.checklist.markdown import Md, code, text
from fmcat.checklist.model import Call, Checklist, Group, Item
from fmcat.checklist.policy_diff import policy_changes, worst_case_changes
from fmcat.checklist.scope import modes_to_ask
from fmcat.checklist.snapshot import BaseScan, scan_base
from fmcat.config import Project, find_project
from fmcat.errors import FmcatError, UsageError
from fmcat.findings import Finding
from fmcat.lint import LintOptions, run_lint
from fmcat.paths import display_path, project_relative
from fmcat.scan.attribution import Attribution, attribute
from fmcat.scan.engine import Progress
from fmcat.scan.facts import FileFacts, Role, Site

_CALL_CODES = ("FM101", "FM102", "FM103", "FM104")


@dataclass(frozen=True)
class ChecklistOptions:
    path: Path = Path()
    #: A revision (branch, tag, commit); None covers the whole service.
    base: str | None = None
    use_cache: bool = True
    progress: Progress | None = None
    #: A monorepo's service (docs/org.md): its project and shared folder, as lint takes them.
    project: Project | None = None
    shared: Path | None = None


@dataclass(frozen=True)
class _Context:
    repo: Path
    changes: ChangeSet | None
    catalog: Catalog | None
    attribution: Attribution
    findings: Sequence[Finding]
    links: Links
    base: BaseScan | None

    def path(self, shown: str | Path) -> str:
        """A path as fmcat shows it (relative to the current folder) -> from the repository."""
        return project_relative(shown, self.repo) or Path(os.path.abspath(shown)).as_posix()  # noqa: PTH100

    def base_entry(self, name: str) -> Dependency | None:
        """The dependency as the base commit declared it; None if it did not (or no base)."""
        if self.base is None or self.base.catalog is None:
            return None
        found = [e for e in self.base.catalog.entries if e.name == name]
        return found[0].model if len(found) == 1 else None

    def change(self, shown: str | Path) -> FileChange | None:
        return self.changes.of(self.path(shown)) if self.changes is not None else None

    @property
    def question(self) -> str:
        return "Is it still true?" if self.changes is None else "Does this change keep it true?"


def _check_path(path: Path) -> None:
    if not path.exists():
        raise UsageError(f"{path}: no such folder")
    if not path.is_dir():
        raise UsageError(f"{path}: not a folder; give the service's folder")


def _load_catalog(project: Project) -> tuple[Catalog | None, list[Path]]:
    """The catalog `fmcat lint` checks (lint has already refused a configured folder that is
    missing), and every catalog file in it, valid or not."""
    folder = project.root / project.settings.catalog
    if not folder.is_dir():
        return None, []
    files = discover(folder)
    return load_catalog(files), files


def _title(facts: FileFacts, site: Site, path: str, url: str | None) -> Md:
    role = " (client)" if site.role is Role.CLIENT else ""
    where = items.linked(code(f"{path}:{site.span.line}"), url)
    enclosing = site.enclosing.removeprefix(f"{facts.module}.") if facts.module else site.enclosing
    inside = f" in {code(enclosing)}" if enclosing and enclosing != facts.module else ""
    target = f" to {code(site.url)}" if site.url else ""
    return Md(f"{code(site.qualname)}{role}{target} at {where}{inside}")


def _call(
    context: _Context, facts: FileFacts, index: int, found: items.FindingIndex
) -> tuple[Entry | None, Call]:
    site = facts.sites[index]
    entry = context.attribution.of(facts, index)
    checks = [
        items.timeout_item(facts, site, found),
        items.handled_item(facts, site, found),
        items.declared_item(site, entry, context.catalog is not None),
    ]
    notes = tuple(
        items.finding_note(f)
        for f in found.get((facts.path, site.span.line, site.span.column), ())
        if f.code not in _CALL_CODES
    )
    path = context.path(facts.path)
    call = Call(
        path,
        site.span.line,
        site.span.column,
        _title(facts, site, path, context.links.code(facts.path, site.span.line)),
        tuple(c for c in checks if c is not None),
        notes,
        site.library,
    )
    return entry, call


def _changed(context: _Context, facts: FileFacts, site: Site) -> bool:
    if context.changes is None:
        return True
    change = context.change(facts.path)
    if change is None:
        return False
    # A moved module changes the qualified names that `match: call:` rules see.
    return change.status is Status.RENAMED or change.touches(site.span.line, site.span.end_line)


def _calls(context: _Context, files: Sequence[FileFacts]) -> dict[str | None, list[Call]]:
    """Changed calls by the catalog file of their dependency (None: attributed to none)."""
    found: dict[tuple[str, int, int], list[Finding]] = {}
    for finding in context.findings:
        where = (finding.location.path, finding.location.line, finding.location.column)
        found.setdefault(where, []).append(finding)
    grouped: dict[str | None, list[Call]] = {}
    for facts in files:
        for index, site in enumerate(facts.sites):
            if _changed(context, facts, site):
                entry, call = _call(context, facts, index, found)
                grouped.setdefault(entry.source.display if entry else None, []).append(call)
    for calls in grouped.values():
        calls.sort(key=lambda c: (c.path, c.line, c.column, c.title))
    return grouped


def _catalog_changed(context: _Context, path: Path) -> bool | None:
    if context.changes is None:
        return None
    change = context.change(path)
    return change is not None and change.status is not Status.DELETED


def _dependency(context: _Context, entry: Entry, calls: list[Call]) -> Group:
    model = entry.model
    path = context.path(entry.source.path)
    own = [
        f
        for f in context.findings
        if f.code.startswith("FM0") and f.location.path == entry.source.display
    ]
    sites = sum(1 for e in context.attribution.by_site.values() if e is entry)
    runbooks = [context.links.runbook(entry.name, mode.id) for mode in model.failure_modes]
    before = context.base_entry(entry.name)
    changed_policy = (
        policy_changes(before, model) if _catalog_changed(context, entry.source.path) else ()
    )
    review: list[Item] = []
    asked: list[int] = list(range(len(model.failure_modes)))
    if context.changes is None:
        if model.failure_modes:
            review.append(items.modes_item(entry, path, runbooks))
    else:
        change = context.change(entry.source.path)
        asked = modes_to_ask(entry, change, changed_policy, calls, new=before is None)
        review += [
            items.mode_item(entry, number, path, context.question, runbooks[number])
            for number in asked
        ]
    if context.changes is not None or not model.failure_modes:
        review.append(items.runbook_item(path, _catalog_changed(context, entry.source.path)))
    review += items.metrics_items(entry)
    return Group(
        name=entry.name,
        title=text(entry.name),
        about=Md(
            f"{model.criticality} {model.kind} dependency, owned by {text(model.owner)}; "
            f"catalog: {code(path)}"
        ),
        calls=tuple(calls),
        catalog=(
            items.valid_item(path, own),
            items.called_item(sites, entry.name in context.attribution.used),
        ),
        review=tuple(review),
        no_calls=Md(
            "No call to it changed." if context.changes is not None else "No call site in the code."
        ),
        policy_changes=changed_policy,
        worst_cases=worst_case_changes(before, model) if changed_policy else (),
        modes_not_asked=len(model.failure_modes) - len(asked) if context.changes else 0,
    )


def _unattributed(context: _Context, calls: list[Call]) -> Group:
    about = (
        "Calls that no catalog dependency's `match:` rules claim (FM104)."
        if context.catalog is not None
        else "The service has no catalog, so no call belongs to a dependency."
    )
    return Group(None, Md("No catalog dependency"), Md(about), tuple(calls))


def _broken(context: _Context, files: list[Path]) -> list[Item]:
    loaded = {entry.source.path for entry in context.catalog.entries} if context.catalog else set()
    broken = []
    for path in files:
        if path in loaded:
            continue
        shown = display_path(path)
        own = [f for f in context.findings if f.code.startswith("FM0") and f.location.path == shown]
        broken.append(
            Item(
                False,
                Md(
                    f"Catalog file valid: {code(context.path(path))} does not load "
                    f"({items.plural(len(own), 'finding')})"
                ),
                notes=tuple(items.finding_note(f) for f in own),
                findings=tuple(own),
            )
        )
    return broken


def _inside(path: str, folder: str) -> bool:
    return folder == "." or path == folder or path.startswith(folder.rstrip("/") + "/")


def _gone(context: _Context, service: str) -> list[Item]:
    if context.changes is None:
        return []
    gone = []
    for change in context.changes.gone:
        old = change.old_path or change.path
        suffix = Path(old).suffix
        if not (_inside(old, service) or _inside(change.path, service)) or suffix not in (
            ".py",
            *CATALOG_SUFFIXES,
        ):
            continue
        python = suffix == ".py"
        if change.status is Status.DELETED:
            words = (
                f"{code(old)} deleted: check that each dependency it called is still called, "
                "or remove its catalog entry"
                if python
                else f"{code(old)} deleted: check that no code still calls that dependency "
                "(such calls are listed under *No catalog dependency*)"
            )
        else:
            words = f"{code(old)} renamed to {code(change.path)}" + (
                ": its calls are listed above; check `match: call:` rules that name the old module"
                if python
                else ": its dependency is listed above"
            )
        gone.append(Item(False, Md(words), verified=False))
    return gone


def _counts(context: _Context, service: str, catalog_folder: str) -> tuple[int, int]:
    if context.changes is None:
        return 0, 0
    paths = list(context.changes.files)
    python = sum(1 for p in paths if p.endswith(".py") and _inside(p, service))
    catalog = sum(
        1 for p in paths if Path(p).suffix in CATALOG_SUFFIXES and _inside(p, catalog_folder)
    )
    return python, catalog


def build_checklist(options: ChecklistOptions) -> Checklist:
    _check_path(options.path)
    repo = repository_root(options.path)
    base = resolve_commit(repo, options.base) if options.base is not None else None
    change_set = changes(repo, base) if base is not None else None
    project = options.project or find_project(options.path)
    lint = run_lint(
        LintOptions(
            paths=(options.path,),
            use_cache=options.use_cache,
            progress=options.progress,
            project=options.project,
            shared=options.shared,
        )
    )
    catalog, catalog_files = _load_catalog(project)
    if lint.catalog is not None:
        catalog = lint.catalog  # as lint loaded it: shared dependencies resolved (docs/org.md)
    files = lint.files
    attribution = attribute(files, catalog) if catalog and catalog.entries else Attribution()
    notes = list(lint.notes)
    before = None
    if base is not None:
        try:
            before = scan_base(repo, base, project.root, project.settings.catalog)
        except GitError:
            raise
        except FmcatError as error:
            # The base's own configuration may be broken; the checklist of the change still
            # stands, without saying which findings are new.
            notes.append(
                f"the base commit could not be scanned ({error}); findings are not "
                "marked new or already there"
            )
    links = Links.of(project, [e.name for e in catalog.entries] if catalog else [])
    context = _Context(repo, change_set, catalog, attribution, lint.findings, links, before)
    grouped = _calls(context, files)
    groups = []
    for entry in sorted(catalog.entries if catalog else [], key=lambda e: (e.name, e.source.path)):
        calls = grouped.get(entry.source.display, [])
        if change_set is None or calls or _catalog_changed(context, entry.source.path):
            groups.append(_dependency(context, entry, calls))
    if None in grouped:
        groups.append(_unattributed(context, grouped[None]))
    service = context.path(project.root)
    python, catalog_count = _counts(
        context, service, context.path(project.root / project.settings.catalog)
    )
    return Checklist(
        service=service,
        base=options.base,
        groups=tuple(groups),
        broken_catalog=tuple(_broken(context, catalog_files)),
        gone=tuple(_gone(context, service)),
        changed_python=python,
        changed_catalog=catalog_count,
        notes=tuple(notes),
        new_findings=before.new(lint.findings, project.root) if before is not None else None,
    )
