"""The scan over a project, in steps: discover the files, look each up in the cache by its
status, read the rest once, keep those that can matter, parse those in worker processes (a
parser crash costs one file, not the run), and cache what was learnt.

A step for the whole project (joining the files' facts) goes after ``_analyse``, on
``ScanResult.files``.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from fmcat import __version__
from fmcat.scan.cache import FORMAT, Miss, ScanCache, content_hash, status_key
from fmcat.scan.facts import FileFacts, ParseError, Span
from fmcat.scan.files import (
    Discovered,
    ModuleNames,
    UnreadableError,
    exclusion,
    python_files,
    read_source,
)
from fmcat.scan.knowledge import KnowledgeBase
from fmcat.scan.prefilter import Prefilter
from fmcat.scan.tokens import MAX_BRACKETS, MAX_DEPTH, MAX_INDENT
from fmcat.scan.workers import Job, parse_all

#: Above this many files to parse, a second worker process pays for itself.
PARALLEL_THRESHOLD = 24
#: Files larger than this are reported (FM100) rather than parsed; generated code, usually.
MAX_PARSE_BYTES = 2 * 1024 * 1024

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ScanOptions:
    paths: tuple[Path, ...]
    root: Path
    exclude: tuple[str, ...] = ()
    named_patterns: tuple[str, ...] = ()
    use_cache: bool = True
    include_tests: bool = False


@dataclass
class ScanResult:
    files: list[FileFacts] = field(default_factory=list)
    #: Python files found.
    read: int = 0
    #: Files whose bytes were read in this run (a warm run with nothing changed reads none).
    opened: int = 0
    #: Files that libcst parsed in this run.
    parsed: int = 0
    #: Files that matter whose facts came from the cache.
    from_cache: int = 0
    #: Things to say on stderr: files that vanished, named files left out, a cache not used.
    notes: list[str] = field(default_factory=list)


def _config_key(kb: KnowledgeBase, options: ScanOptions) -> str:
    limits = [FORMAT, MAX_PARSE_BYTES, MAX_BRACKETS, MAX_DEPTH, MAX_INDENT]
    text = json.dumps(
        [__version__, limits, kb.model_dump(mode="json"), sorted(options.named_patterns)],
        sort_keys=True,
    )
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _roots(patterns: Iterable[str]) -> set[str]:
    return {p.split(".", 1)[0] for p in patterns if p and p[0] not in "*?["}


def prefilter_for(kb: KnowledgeBase, named_patterns: tuple[str, ...]) -> Prefilter:
    """Each library with the names a file must mention to call into it: the last part of its
    functions' and clients' names (`open_connection`, `Session`, `retry`). A library named by
    globs (grpc's stubs) has no such names, so importing it is enough."""
    libraries: list[tuple[list[str], list[str]]] = []
    for lib in kb.library:
        names = [c.name for c in lib.functions] + [c.name for c in lib.clients]
        names += list(lib.aliases)
        globbed = any(ch in name for name in names for ch in "*?[")
        libraries.append((lib.modules, [] if globbed else [n.rsplit(".", 1)[-1] for n in names]))
    for res in kb.resilience:
        libraries.append((res.modules, []))
    if named_patterns:
        libraries.append((sorted(_roots(named_patterns)), []))
    return Prefilter(libraries, relative=bool(named_patterns))


def scan(
    options: ScanOptions,
    kb: KnowledgeBase,
    show: Callable[[Path], str],
    progress: Progress | None = None,
) -> ScanResult:
    result = ScanResult()
    cache = ScanCache(options.root, _config_key(kb, options), options.use_cache, time.time_ns())
    if cache.unusable:
        result.notes.append(cache.unusable)
    prefilter = prefilter_for(kb, options.named_patterns)
    found = python_files(
        options.paths, options.root, exclusion(options.exclude, options.include_tests)
    )
    for path in found.excluded_named:
        result.notes.append(
            f"{show(path)}: left out by the scan's exclusions (tests, hidden and tool folders, "
            "[tool.fmcat] exclude); see `fmcat config`"
        )
    slots: list[FileFacts | None] = []
    jobs: list[Job] = []
    modules = ModuleNames()
    for item in found.files:
        result.read += 1
        outcome = _look_up(item, show(item.path), cache, prefilter, modules, result)
        if isinstance(outcome, Job):
            outcome.slot = len(slots)
            jobs.append(outcome)
            slots.append(None)
        else:
            slots.append(outcome)
    _analyse(jobs, slots, cache, kb, options.named_patterns, prefilter, progress, result)
    result.files = [facts for facts in slots if facts is not None]
    cache.save()
    return result


def _look_up(
    item: Discovered,
    shown: str,
    cache: ScanCache,
    prefilter: Prefilter,
    modules: ModuleNames,
    result: ScanResult,
) -> FileFacts | Job | None:
    """The file's facts without parsing it (cached, unreadable, or not mattering: None), or
    the job of parsing it, with its bytes read once."""
    key = os.path.abspath(item.path)  # noqa: PTH100 (resolve() would follow links)
    try:
        before = item.path.stat(follow_symlinks=item.named)
    except FileNotFoundError:
        result.notes.append(f"{shown}: vanished during the scan; not checked")
        return None
    except OSError as error:
        return _unreadable(shown, f"cannot read: {error.strerror or error}")
    module = modules(item.path)[0]
    hit = cache.by_status(key, status_key(before))
    if not isinstance(hit, Miss) and (hit is None or hit.module == module):
        return _counted(hit, shown, result)
    try:
        source, status = read_source(item.path, MAX_PARSE_BYTES, follow=item.named)
    except UnreadableError as error:
        if error.vanished:
            result.notes.append(f"{shown}: vanished during the scan; not checked")
            return None
        return _unreadable(shown, error.message)
    result.opened += 1
    digest, signature = content_hash(source), status_key(status)
    hit = cache.by_hash(key, digest, signature)
    if not isinstance(hit, Miss) and (hit is None or hit.module == module):
        return _counted(hit, shown, result)
    facts: FileFacts | None = None
    if len(source) > MAX_PARSE_BYTES:
        if prefilter.may_matter(source[:MAX_PARSE_BYTES]):
            size = status.st_size / 1024 / 1024
            facts = _unreadable(
                shown, f"not scanned: {size:.1f} MiB is over the 2 MiB limit (generated code?)"
            )
            facts.module = module
    elif prefilter.may_matter(source):
        return Job(shown, module, source, key, digest, signature)
    cache.put(key, digest, signature, facts)
    return facts


def _counted(facts: FileFacts | None, shown: str, result: ScanResult) -> FileFacts | None:
    if facts is not None:
        facts.path = shown  # cached under the absolute path; shown from this folder
        result.from_cache += 1
    return facts


def _analyse(
    jobs: list[Job],
    slots: list[FileFacts | None],
    cache: ScanCache,
    kb: KnowledgeBase,
    patterns: tuple[str, ...],
    prefilter: Prefilter,
    progress: Progress | None,
    result: ScanResult,
) -> None:
    total = len(jobs)
    workers = max(1, min(os.cpu_count() or 1, 8, -(-total // PARALLEL_THRESHOLD)))
    answers = parse_all(jobs, workers, kb, patterns, prefilter)
    for done, (job, facts) in enumerate(answers, start=1):
        slots[job.slot] = facts
        cache.put(job.key, job.digest, job.status, facts)
        result.parsed += facts is not None
        if progress:
            progress(done, total)


def _unreadable(shown: str, message: str) -> FileFacts:
    return FileFacts(path=shown, module="", parse_error=ParseError(Span(1, 1, 1, 1), message))
