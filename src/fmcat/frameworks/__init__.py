"""Framework knowledge as a post-pass over the scan's per-file facts.

The per-file scan (fmcat/scan) knows libraries call by call. Frameworks put what bounds a call
elsewhere: Django's settings module, Celery's configuration, the decorator of a task. After the
scan, and before the code rules run, this pass

1. finds and reads the Django settings statically (settings.py, values.py) and judges the sites
   of Django's cache, mail and database calls by them (django.py);
2. reads the Celery apps' configuration, and adds each task as a consumer and each publish
   (``.delay``, ``.apply_async``, ``send_task``) as a call site (celery.py);
3. records every consumer's delivery semantics (pika, Kafka: consumers.py) and every retry
   policy and the creating calls inside retries (retries.py), for FM110, FM111 and FM112.

It adds facts and findings and never imports or runs the user's code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fmcat.findings import Finding, Location, Severity
from fmcat.frameworks import celery, celery_config, consumers, django, django_aliases, retries
from fmcat.frameworks.files import read, real
from fmcat.frameworks.local import drop_local_engines
from fmcat.frameworks.settings import Problem, locate
from fmcat.frameworks.source import Source
from fmcat.paths import display_path
from fmcat.scan.analyze import suppressions
from fmcat.scan.facts import FileFacts, Span
from fmcat.scan.files import exclusion, module_name, python_files

#: Files that mention none of these are not read again.
#: What each pass looks for, as bytes a file must contain to be read by it: a file that
#: mentions none is not parsed again (parsing with positions is the cost of this post-pass).
_CELERY_CONFIG = (b"Celery(", b"config_from_", b".conf.")
_TASKS = (b"task(", b"task\n", b"shared_task")
_PUBLISH = (b".delay(", b".apply_async(", b".send_task(", b"chain(", b"chord(")
_CONSUMERS = (b"basic_consume", b"Consumer(")
_RETRIES = (
    b"retry",
    b"on_exception",
    b"on_predicate",
    b"Retry(",
    b"HTTPAdapter(",
    b"max_network_retries",
)
_ALIASES = (b"caches[", b"connections[")
_TRIGGERS = (*_CELERY_CONFIG, *_TASKS, *_PUBLISH, *_CONSUMERS, *_RETRIES, *_ALIASES)


def _mentions(data: bytes, words: tuple[bytes, ...]) -> bool:
    return any(word in data for word in words)


#: FM109 (timeout-from-configuration) is another rule's; until it is registered, findings about
#: configuration fmcat cannot see are made here, with its code and severity.
CONFIGURATION_CODE = "FM109"


def configuration_finding(path: str, span: Span, message: str) -> Finding:
    return Finding(
        CONFIGURATION_CODE,
        message,
        Location(path, span.line, span.column, span.end_line, span.end_column),
        Severity.INFO,
    )


_SEVERITY = {"FM100": Severity.ERROR, "FM101": Severity.ERROR, CONFIGURATION_CODE: Severity.INFO}


@dataclass(frozen=True)
class FrameworkOptions:
    root: Path
    paths: tuple[Path, ...]
    exclude: tuple[str, ...] = ()
    django_settings: str | None = None
    include_tests: bool = False


def post_pass(options: FrameworkOptions, files: list[FileFacts]) -> list[Finding]:
    """Adjust ``files`` in place (sites judged by settings, consumers, retries) and return the
    findings about the settings themselves."""
    excluded = exclusion(options.exclude, options.include_tests)
    paths = [found.path for found in python_files(options.paths, options.root, excluded).files]
    # Files linted one by one (pre-commit) still have a project: its entry files are looked for.
    entries = [
        options.root / "manage.py",
        *options.root.glob("*/wsgi.py"),
        *options.root.glob("*/asgi.py"),
    ]
    seen = {real(p) for p in paths}
    extra = [p for p in entries if p.is_file() and real(p) not in seen]
    located = locate(options.root, paths + extra, options.django_settings)
    findings = [_problem(p) for p in located.problems]
    model = django.read_model(located.settings) if located.settings is not None else None
    if model is not None:
        findings += [_note(n.code, n.path, n.span, n.message, n.text) for n in model.notes]
    django.apply(files, model)
    drop_local_engines(files)

    by_path = {facts.path: facts for facts in files}
    sources: list[tuple[Source, bytes]] = []
    for path in paths:
        data = read(path)
        if data is None:
            continue
        if not any(trigger in data for trigger in _TRIGGERS):
            continue
        shown = display_path(path)
        known = by_path.get(shown)
        if known is not None and known.parse_error is not None:
            continue
        source = Source.parse(data, shown, module_name(path)[0])
        if source is not None:
            sources.append((source, data))
    config = celery_config.read_config(
        [s for s, data in sources if _mentions(data, _CELERY_CONFIG)],
        options.root,
        located.settings,
    )
    findings += [_note(n.code, n.path, n.span, n.message) for n in config.notes]
    tasks = celery.Tasks()
    for source, data in sources:
        found_consumers, found_policies, found_retried = (
            celery.task_facts(source, config, tasks) if _mentions(data, _TASKS) else ([], [], [])
        )
        if _mentions(data, _CONSUMERS):
            found_consumers += consumers.consumers(source)
        if _mentions(data, _RETRIES):
            policies, retried = retries.policies(source)
            found_policies += policies
            found_retried += retried
        if found_consumers or found_policies or found_retried:
            facts = _facts_for(source, by_path, files)
            facts.consumers += found_consumers
            facts.retry_policies += found_policies
            facts.retried_calls += found_retried
    for source, data in sources:
        sites = celery.publish_sites(source, config, tasks) if _mentions(data, _PUBLISH) else []
        if _mentions(data, _ALIASES):
            sites += django_aliases.alias_sites(source, model)
        if sites:
            _facts_for(source, by_path, files).sites.extend(sites)
    return _suppressed(findings)


def _facts_for(source: Source, by_path: dict[str, FileFacts], files: list[FileFacts]) -> FileFacts:
    facts = by_path.get(source.path)
    if facts is None:
        data = read(Path(source.path)) or b""
        facts = FileFacts(source.path, source.module, parsed=True, suppressions=suppressions(data))
        by_path[source.path] = facts
        files.append(facts)
    return facts


def _problem(problem: Problem) -> Finding:
    return _note(problem.code, problem.path, problem.span, problem.message)


def _note(code: str, path: str, span: Span, message: str, text: str = "") -> Finding:
    if code == CONFIGURATION_CODE:
        return configuration_finding(path, span, message)
    location = Location(path, span.line, span.column, span.end_line, span.end_column)
    return Finding(
        code, message, location, _SEVERITY.get(code, Severity.WARNING), None, text or None
    )


def _suppressed(findings: list[Finding]) -> list[Finding]:
    """``# fmcat: ignore[...]`` on a settings line holds, as it does in code."""
    kept = []
    cache: dict[str, dict[int, tuple[str, ...]]] = {}
    for finding in findings:
        path = finding.location.path
        if path not in cache:
            data = read(Path(path))
            cache[path] = suppressions(data) if data is not None else {}
        codes = cache[path].get(finding.location.line)
        if codes is not None and (not codes or finding.code in codes):
            continue
        kept.append(finding)
    return kept
