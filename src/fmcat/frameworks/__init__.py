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
import functools
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fmcat.findings import Finding, Location, Severity
from fmcat.frameworks import (
    celery,
    celery_config,
    consumers,
    django,
    django_aliases,
    retries,
    retry_calls,
    retry_loops,
)
from fmcat.frameworks.cache import Found, FrameworkCache, cache_key
from fmcat.frameworks.files import read, read_with_status, real
from fmcat.frameworks.local import drop_local_engines
from fmcat.frameworks.settings import Problem, locate
from fmcat.frameworks.source import Source
from fmcat.paths import display_path
from fmcat.scan.analyze import suppressions
from fmcat.scan.cache import content_hash, status_key
from fmcat.scan.facts import FileFacts, Span
from fmcat.scan.files import exclusion, module_name, python_files

#: Files that mention none of these are not read again.
#: What each pass looks for, as bytes a file must contain to be read by it: a file that
#: mentions none is not parsed again (parsing with positions is the cost of this post-pass).
_CELERY_CONFIG = (b"Celery(", b"config_from_", b".conf.")
#: What a file that makes a Celery app says (celery_config: `celery.Celery(...)`, by any import).
_APP = b"Celery"


@dataclass(frozen=True)
class After:
    """``word`` right after one of the bytes ``after`` and not followed by a word character,
    or ``anywhere`` anywhere: what ``re.compile(rb"[.@]task\b|shared_task")`` finds, ten times
    faster (a pattern that starts with a class of characters is tried at every byte; this
    looks only where ``word`` is). Its repr is stable: it is part of the cache's key."""

    word: bytes
    after: bytes
    anywhere: bytes

    def search(self, data: bytes) -> bool:
        if self.anywhere in data:
            return True
        at = data.find(self.word)
        while at >= 0:
            end = at + len(self.word)
            if at and data[at - 1] in self.after and (end == len(data) or data[end] not in _WORD):
                return True
            at = data.find(self.word, at + 1)
        return False


#: What `\b` counts as a word character in a pattern of bytes.
_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
#: Celery's task decorators: `@app.task`, `@celery.task(...)`, `@shared_task`, `@task`. Not any
#: `...task(`: Home Assistant's 445 files of `hass.async_create_task(` were parsed on every run.
_TASKS = After(b"task", b".@", b"shared_task")
#: The canvas `chain(...)` and `chord(...)` publish only as celery's (celery.py's CANVAS), named
#: through an import of celery (or inside celery's own package): `itertools.chain(` alone, in
#: 23 of Home Assistant's files, sent each to the publish pass, parsed on every run.
_PUBLISH = (
    b".delay(",
    b".apply_async(",
    b".send_task(",
    (b"celery", b"chain("),
    (b"celery", b"chord("),
)
_CONSUMERS = (b"basic_consume", b"Consumer(")
#: Groups of words, all of one group: tenacity and retry, urllib3 and Retry (retries.MARKERS);
#: tenacity's retry loops (`for attempt in Retrying(...)`, retry_loops.py) and its call form
#: (`Retrying(...)(fn)`, retry_calls.py) by their class.
_RETRIES = (*retries.MARKERS, (b"tenacity", b"Retrying"))
_ALIASES = (b"caches[", b"connections[")

#: Any of these words; a group (a tuple) counts when all its words are there.
Words = tuple[bytes | tuple[bytes, ...], ...] | re.Pattern[bytes] | After


def _mentions(
    data: bytes,
    words: Words,
    module: Callable[[], str] = str,
    seen: dict[bytes, bool] | None = None,
) -> bool:
    """Whether ``data`` mentions ``words``. A group's word may be in the file's module name
    instead (``module()``, asked only then; by default none): a relative import names the
    file's own package. ``seen`` keeps whether a group's word is in ``data``, for the next
    group with it (`requests`, `backoff`, `tenacity`, `Retry`, `retry` are in two each)."""
    if seen is None:
        seen = {}
    if isinstance(words, re.Pattern):
        return words.search(data) is not None
    if isinstance(words, After):
        return words.search(data)
    for word in words:
        if isinstance(word, bytes):
            if word in data:
                return True
            continue
        missing = []
        for w in word:
            found = seen.get(w)
            if found is None:
                found = seen[w] = w in data
            if not found:
                missing.append(w)
        if not missing:
            return True
        if len(missing) < len(word):
            name = module().encode()
            if all(w in name for w in missing):
                return True
    return False


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
    shown_paths = [display_path(path) for path in paths]  # once: it resolves each path
    sources, pure = _sources(options, paths, shown_paths, by_path)
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
        found = _pure_passes(source, marks)
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


#: The passes that read one file alone: what they find is cached with the file's hash.
_PURE = frozenset({"consumers", "retries"})
_MARKERS = (
    ("config", _CELERY_CONFIG),
    ("tasks", _TASKS),
    ("publish", _PUBLISH),
    ("consumers", _CONSUMERS),
    ("retries", _RETRIES),
    ("aliases", _ALIASES),
)


def _marks(data: bytes, module: Callable[[], str] = str) -> list[str]:
    seen: dict[bytes, bool] = {}
    return [name for name, words in _MARKERS if _mentions(data, words, module, seen)]


def _module_of(path: Path) -> Callable[[], str]:
    """The file's module name, looked up on first ask: it stats the file's folders."""
    return functools.cache(lambda: module_name(path)[0])


def _pure_passes(source: Source, marks: list[str]) -> Found:
    found: Found = ([], [], [])
    if "consumers" in marks:
        found[0].extend(consumers.consumers(source))
    if "retries" in marks:
        policies, retried = retries.policies(source)
        found[1].extend(policies)
        found[2].extend(retried)
        policies, retried = retry_loops.loop_policies(source)
        found[1].extend(policies)
        found[2].extend(retried)
        found[2].extend(retry_calls.call_policies(source))
    return found


def _sources(
    options: FrameworkOptions,
    paths: list[Path],
    shown_paths: list[str],
    by_path: dict[str, FileFacts],
) -> tuple[list[tuple[Source, list[str]]], dict[str, Found]]:
    """The files Celery's passes must parse, with their marks, and what the pure passes found
    in the others (by shown path): from the cache when a file is unchanged."""
    cache = FrameworkCache(options.root, cache_key(_MARKERS), options.use_cache, time.time_ns())
    sources: list[tuple[Source, list[str]]] = []
    pure: dict[str, Found] = {}
    # Files only the configuration pass reads, and only for a Celery app's `.conf` or
    # `config_from_*`: with no app in the project (an app is made in a file that says
    # `Celery`), there is nothing to read in them. Each keeps its place in ``sources``.
    waiting: list[tuple[int, Path, str, bytes]] = []
    apps = False
    for path, shown in zip(paths, shown_paths, strict=True):
        known = by_path.get(shown)
        if known is not None and known.parse_error is not None:
            continue
        key = os.path.abspath(path)  # noqa: PTH100 (resolve() would follow links)
        hit = None
        with contextlib.suppress(OSError):
            hit = cache.by_status(key, status_key(path.stat(follow_symlinks=False)))
        data: bytes | None = None
        if hit is None:
            data, status = read_with_status(path)
            if data is None or status is None:
                continue
            digest, signature = content_hash(data), status_key(status)
            hit = cache.by_hash(key, digest, signature)
            if hit is None:
                marks = _marks(data, _module_of(path))
                found: Found | None = None
                if marks and set(marks) <= _PURE:
                    parsed = Source.parse(data, shown, module_name(path)[0])
                    found = _pure_passes(parsed, marks) if parsed is not None else ([], [], [])
                cache.put(key, digest, signature, marks, found)
                hit = marks, found
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
        if "config" in marks and _APP in data:
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
