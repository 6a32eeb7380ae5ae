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

import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

from fmcat.findings import Finding, Location, Severity
from fmcat.frameworks import celery, celery_config, django, django_aliases
from fmcat.frameworks.cache import Found, FrameworkCache, cache_key
from fmcat.frameworks.early import TOO_BIG, Early, Seen, pure_found, pure_passes
from fmcat.frameworks.files import read, read_with_status, real, record
from fmcat.frameworks.local import drop_local_engines
from fmcat.frameworks.marks import APP, MARKERS, PURE, file_marks, module_of
from fmcat.frameworks.settings import Problem, locate
from fmcat.frameworks.source import Source
from fmcat.paths import display_path
from fmcat.scan.analyze import suppressions
from fmcat.scan.cache import content_hash, status_key
from fmcat.scan.facts import FileFacts, Span
from fmcat.scan.files import exclusion, module_name, python_files

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
    #: What the pass learnt per file is kept beside the scan's cache (FMCAT_NO_CACHE, --no-cache).
    use_cache: bool = True


def post_pass(
    options: FrameworkOptions, files: list[FileFacts], early: Early | None = None
) -> list[Finding]:
    """Adjust ``files`` in place (sites judged by settings, consumers, retries) and return the
    findings about the settings themselves. ``early``: what the scan that made ``files``
    saw of them for this pass, over the same paths (early.py)."""
    if early is not None and early.files is not None:
        paths = [path for path, _ in early.files]
        shown_paths = [shown for _, shown in early.files]
    else:
        excluded = exclusion(options.exclude, options.include_tests)
        paths = [found.path for found in python_files(options.paths, options.root, excluded).files]
        shown_paths = [display_path(path) for path in paths]  # once: it resolves each path
    # Files linted one by one (pre-commit) still have a project: its entry files are looked for.
    entries = [
        options.root / "manage.py",
        *options.root.glob("*/wsgi.py"),
        *options.root.glob("*/asgi.py"),
    ]
    entries = [p for p in entries if p.is_file()]
    # Resolved only when there is an entry file to look for (it stats every file's folders).
    seen = {real(p) for p in paths} if entries else set()
    extra = [p for p in entries if real(p) not in seen]
    located = locate(options.root, paths + extra, options.django_settings)
    findings = [_problem(p) for p in located.problems]
    model = django.read_model(located.settings) if located.settings is not None else None
    if model is not None:
        findings += [_note(n.code, n.path, n.span, n.message, n.text) for n in model.notes]
    django.apply(files, model)
    drop_local_engines(files)

    by_path = {facts.path: facts for facts in files}
    sources, pure = _sources(options, paths, shown_paths, by_path, early or Early())
    config = celery_config.read_config(
        [s for s, marks in sources if "config" in marks],
        options.root,
        located.settings,
    )
    findings += [_note(n.code, n.path, n.span, n.message) for n in config.notes]
    tasks = celery.Tasks()
    for shown in shown_paths:
        if shown in pure:
            cached_consumers, cached_policies, cached_retried = pure[shown]
            if cached_consumers or cached_policies or cached_retried:
                facts = _facts_for(shown, by_path, files)
                facts.consumers += cached_consumers
                facts.retry_policies += cached_policies
                facts.retried_calls += cached_retried
    for source, marks in sources:
        found_consumers, found_policies, found_retried = (
            celery.task_facts(source, config, tasks) if "tasks" in marks else ([], [], [])
        )
        found = pure_passes(source, marks)
        found_consumers += found[0]
        found_policies += found[1]
        found_retried += found[2]
        if found_consumers or found_policies or found_retried:
            facts = _facts_for(source.path, by_path, files, source.module)
            facts.consumers += found_consumers
            facts.retry_policies += found_policies
            facts.retried_calls += found_retried
    for source, marks in sources:
        sites = celery.publish_sites(source, config, tasks) if "publish" in marks else []
        if "aliases" in marks:
            sites += django_aliases.alias_sites(source, model)
        if sites:
            _facts_for(source.path, by_path, files, source.module).sites.extend(sites)
    return _suppressed(findings)


def _sources(
    options: FrameworkOptions,
    paths: list[Path],
    shown_paths: list[str],
    by_path: dict[str, FileFacts],
    early: Early,
) -> tuple[list[tuple[Source, list[str]]], dict[str, Found]]:
    """The files Celery's passes must parse, with their marks, and what the pure passes found
    in the others (by shown path): from what the scan saw (``early``), else from the cache
    when a file is unchanged."""
    cache = FrameworkCache(options.root, cache_key(MARKERS), options.use_cache, time.time_ns())
    sources: list[tuple[Source, list[str]]] = []
    pure: dict[str, Found] = {}
    # Files only the configuration pass reads, and only for a Celery app's `.conf` or
    # `config_from_*`: with no app in the project (an app is made in a file that says
    # `Celery`), there is nothing to read in them. Each keeps its place in ``sources``.
    waiting: list[tuple[int, Path, str, bytes]] = []
    apps = False
    for index, (path, shown) in enumerate(zip(paths, shown_paths, strict=True)):
        known = by_path.get(shown)
        if known is not None and known.parse_error is not None:
            continue
        key = os.path.abspath(path)  # noqa: PTH100 (resolve() would follow links)
        data: bytes | None = None
        seen = early.at(index) if early.files is not None else None
        if seen is TOO_BIG:
            continue  # not read here either
        if seen is not None:
            hit = _seen(path, shown, key, seen, early, cache)
        else:
            hit, data = _looked_up(path, shown, key, cache)
        if hit is None:
            continue
        marks, found = hit
        if not marks:
            continue
        if found is not None:
            pure[shown] = found
            continue
        if data is None:
            data = read(path)
            if data is None:
                continue
        if "config" in marks and APP in data:
            apps = True
        elif marks == ["config"]:
            waiting.append((len(sources), path, shown, data))
            continue
        source = Source.parse(data, shown, module_name(path)[0])
        if source is not None:
            sources.append((source, marks))
    cache.save()
    added = 0
    for index, path, shown, data in waiting if apps else ():
        source = Source.parse(data, shown, module_name(path)[0])
        if source is not None:
            sources.insert(index + added, (source, ["config"]))
            added += 1
    return sources, pure


Hit = tuple[list[str], Found | None]


def _seen(
    path: Path, shown: str, key: str, seen: Seen, early: Early, cache: FrameworkCache
) -> Hit | None:
    """A file the scan read: its marks from the scan's bytes, and for a file only the pure
    passes read, what they found in the worker that parsed it, or in the cache by its hash
    (a file the scan's cache knew by its hash went to no worker), or here. Without a hash
    (Early.keep), nothing goes to the cache. None: the file cannot be read now."""
    marks, digest, status = seen
    if digest:
        record(key, status)  # the pass uses these bytes, as if it had read them
    found: Found | None = None
    if marks and PURE.issuperset(marks):
        found = early.found.get(key)
        if found is None:
            hit = cache.by_hash(key, digest, status) if digest else None
            if hit is not None:
                return hit
            data = read(path)
            if data is None:
                return None
            found = pure_found(tuple(marks), data, shown, module_name(path)[0])
    if digest:
        cache.put(key, digest, status, list(marks), found)
    return list(marks), found


def _looked_up(
    path: Path, shown: str, key: str, cache: FrameworkCache
) -> tuple[Hit | None, bytes | None]:
    """A file the scan did not read (its cache knew it by its status): its marks and pure
    findings from the cache, else from its bytes, read now (and given back)."""
    with contextlib.suppress(OSError):
        hit = cache.by_status(key, status_key(path.stat(follow_symlinks=False)))
        if hit is not None:
            return hit, None
    data, status = read_with_status(path)
    if data is None or status is None:
        return None, None
    digest, signature = content_hash(data), status_key(status)
    hit = cache.by_hash(key, digest, signature)
    if hit is None:
        marks = file_marks(data, module_of(path))
        found: Found | None = None
        if marks and PURE.issuperset(marks):
            found = pure_found(tuple(marks), data, shown, module_name(path)[0])
        cache.put(key, digest, signature, marks, found)
        hit = marks, found
    return hit, data


def _facts_for(
    shown: str, by_path: dict[str, FileFacts], files: list[FileFacts], module: str | None = None
) -> FileFacts:
    facts = by_path.get(shown)
    if facts is None:
        if module is None:
            module = module_name(Path(shown))[0]
        data = read(Path(shown)) or b""
        facts = FileFacts(shown, module, parsed=True, suppressions=suppressions(data))
        by_path[shown] = facts
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
