"""`fmcat init` as a library call: from a project folder to catalog files written."""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from fmcat.catalog.json_schema import catalog_schema_text
from fmcat.catalog.load import Catalog, discover, load_catalog
from fmcat.catalog.model import Dependency
from fmcat.catalog.yaml_guard import catalog_yaml, to_plain
from fmcat.config import Project, find_project, source_paths
from fmcat.errors import UsageError
from fmcat.init.calls import CallSite, call_sites
from fmcat.init.edit import EditError, apply
from fmcat.init.plan import Plan, Update, plan
from fmcat.init.skeleton import SCHEMA_FILE, render
from fmcat.init.write import Planned, write_files
from fmcat.lint import knowledge
from fmcat.paths import display_path, project_relative
from fmcat.scan.engine import Progress, ScanOptions, scan
from fmcat.scan.facts import FileFacts
from fmcat.scan.knowledge import KnowledgeBase


@dataclass(frozen=True)
class InitOptions:
    path: Path
    catalog: Path | None = None
    update: bool = False
    progress: Progress | None = None


@dataclass(frozen=True)
class Change:
    path: Path
    dependency: str
    created: bool
    #: Call sites listed in the file by this run.
    sites: int
    #: Match rules added (all of a new file's).
    rules: int


@dataclass
class InitResult:
    folder: Path
    changes: list[Change] = field(default_factory=list)
    #: Things the user should know (printed on stderr): skipped files, unparsed code.
    notes: list[str] = field(default_factory=list)
    python_files: int = 0
    sites: int = 0
    schema_written: bool = False


def _catalog_folder(options: InitOptions, project: Project) -> Path:
    if options.catalog is not None:
        return options.catalog
    return project.root / project.settings.catalog


def _existing_catalog(folder: Path) -> Catalog:
    if not folder.exists() and not folder.is_symlink():
        return Catalog()
    catalog = load_catalog(discover(folder))
    if catalog.findings:
        shown = [
            f"  {f.location.path}:{f.location.line}:{f.location.column}: {f.code} {f.message}"
            for f in sorted(catalog.findings, key=lambda f: f.sort_key)[:10]
        ]
        more = len(catalog.findings) - len(shown)
        raise UsageError(
            "the catalog has errors, so fmcat init cannot tell what it covers; fix them first:\n"
            + "\n".join(shown)
            + (f"\n  ... and {more} more (fmcat lint lists them)" if more > 0 else "")
        )
    return catalog


def _code_paths(path: Path, project: Project) -> list[Path]:
    if path.resolve() == project.root:
        return source_paths(project)
    return [path]


def _scan(
    options: InitOptions, project: Project, catalog: Catalog, kb: KnowledgeBase
) -> tuple[list[FileFacts], int]:
    patterns = catalog.call_patterns()
    root = project.root

    def show(path: Path) -> str:
        return project_relative(path, root) or display_path(path)

    scanned = scan(
        ScanOptions(
            paths=tuple(_code_paths(options.path, project)),
            root=root,
            exclude=tuple(project.settings.exclude),
            named_patterns=patterns,
            use_cache=False,  # init writes nothing into the project but the catalog
            include_tests=project.settings.include_tests,
        ),
        kb,
        show,
        options.progress,
    )
    return scanned.files, scanned.read


def _checked(text: str, path: Path) -> str:
    """A generated file must load without FM001/FM002; anything else is a bug in fmcat."""
    try:
        Dependency.model_validate(to_plain(catalog_yaml().load(text)))
    except ValidationError as error:
        raise AssertionError(f"fmcat init generated an invalid {path.name}: {error}") from error
    return text


def _update_text(update: Update, notes: list[str]) -> str | None:
    path = update.entry.source.path
    edit = update.edit()
    try:
        text = apply(update.entry.source.text, edit)
    except EditError as error:
        rules = [f"{r.kind}: {r.pattern}" for r in edit.rules]
        notes.append(
            f"left {display_path(path)} as it is: {error}"
            + (f"; add these match rules by hand: {'; '.join(rules)}" if rules else "")
        )
        return None
    if path.read_bytes().startswith(codecs.BOM_UTF8):
        text = "\ufeff" + text
    return _checked(text, path)


def _differs(path: Path, text: str) -> bool:
    try:
        return path.read_text(encoding="utf-8") != text
    except (OSError, UnicodeDecodeError):
        return True


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def run_init(options: InitOptions) -> InitResult:
    path = options.path
    if not path.exists():
        raise UsageError(f"{path}: no such folder")
    if not path.is_dir():
        raise UsageError(f"{path}: not a folder; fmcat init takes the service's folder")
    project = find_project(path)
    folder = _catalog_folder(options, project)
    catalog = _existing_catalog(folder)
    kb = knowledge(project)
    files, read = _scan(options, project, catalog, kb)
    result = InitResult(folder, python_files=read)
    for facts in files:
        if facts.parse_error is not None:
            result.notes.append(
                f"{facts.path}: not scanned ({facts.parse_error.message}); "
                "its calls, if any, are left out"
            )
    sites: list[CallSite] = [site for facts in files for site in call_sites(facts)]
    result.sites = len(sites)
    if not sites:
        result.notes.append(
            f"no external calls found in {_plural(read, 'Python file')}, so there is nothing "
            "to write (fmcat's docs/clients.md lists the client libraries it knows; name "
            "others under [tool.fmcat.clients] in pyproject.toml)"
        )
        return result
    the_plan = plan(files, sites, catalog, folder, kb, options.update)
    result.notes += the_plan.notes
    _write(the_plan, options, folder, kb, result)
    return result


def _write(
    the_plan: Plan, options: InitOptions, folder: Path, kb: KnowledgeBase, result: InitResult
) -> None:
    planned: list[Planned] = []
    changes: dict[Path, Change] = {}
    for new in the_plan.new:
        planned.append(Planned(new.path, _checked(render(new.group, kb), new.path)))
        changes[new.path] = Change(
            new.path, new.group.slug, True, len(new.group.listed), len(new.group.rules)
        )
    for update in the_plan.updates:
        text = _update_text(update, result.notes)
        if text is None:
            continue
        path = update.entry.source.path
        planned.append(Planned(path, text, replace=True))
        sites = sum(len(g.listed) for g in update.groups) + len(update.listed)
        rules = sum(len(g.rules) for g in update.groups)
        changes[path] = Change(path, update.entry.name, False, sites, rules)
    if not (the_plan.new or the_plan.updates or the_plan.skipped):
        result.notes.append("every call site is in the catalog already; nothing to add")
    schema = folder / SCHEMA_FILE
    schema_text = catalog_schema_text()
    if planned and not schema.exists():
        planned.append(Planned(schema, schema_text))
    elif options.update and schema.is_file() and _differs(schema, schema_text):
        planned.append(Planned(schema, schema_text, replace=True))
    if not planned:
        return
    for path in write_files(folder, planned):
        if path == schema:
            result.schema_written = True
        else:
            result.changes.append(changes[path])
    for path, change in changes.items():
        if change not in result.changes:
            result.notes.append(f"skipped {display_path(path)}: it appeared while fmcat wrote")
