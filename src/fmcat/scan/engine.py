"""The scan over a project: read every file, parse the ones that matter, in parallel, cached."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from fmcat import __version__
from fmcat.scan.analyze import analyze
from fmcat.scan.cache import ScanCache, content_hash
from fmcat.scan.facts import FileFacts, ParseError, Span
from fmcat.scan.files import Prefilter, exclusion, module_name, python_files
from fmcat.scan.knowledge import KnowledgeBase
from fmcat.scan.rounds import derived_prefilter, file_key, load_derived, whole_project

#: Below this many files to parse, worker processes cost more than they save.
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


@dataclass
class ScanResult:
    files: list[FileFacts] = field(default_factory=list)
    read: int = 0
    parsed: int = 0
    from_cache: int = 0
    #: Things to tell the user that are not findings (a wrapper chain past the bound).
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Job:
    path: str
    shown: str
    module: str


# Worker state: set once per process by _init, so each task ships only a path.
_KB: KnowledgeBase | None = None
_PATTERNS: tuple[str, ...] = ()


def _init(kb: KnowledgeBase, patterns: tuple[str, ...]) -> None:
    global _KB, _PATTERNS
    _KB, _PATTERNS = kb, patterns


def _work(job: _Job) -> FileFacts:
    assert _KB is not None
    source = Path(job.path).read_bytes()
    return analyze(source, job.shown, job.module, _KB, _PATTERNS)


def _config_key(kb: KnowledgeBase, options: ScanOptions) -> str:
    text = json.dumps(
        [__version__, kb.model_dump(mode="json"), sorted(options.named_patterns)], sort_keys=True
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
    cache = ScanCache(options.root, _config_key(kb, options), options.use_cache)
    # The whole-project analysis starts from the table the last run derived (a warm run then
    # needs one round), with its modules in the prefilter.
    previous = load_derived(cache)
    kb = previous.extend(kb)
    wanted = prefilter_for(kb, options.named_patterns)
    derived_names = derived_prefilter(previous)
    skipped: list[str] = []
    located: dict[str, str] = {}

    def fresh(facts: FileFacts) -> bool:
        return facts.derived_key == file_key(previous, facts)

    excluded = exclusion(options.exclude)
    jobs: list[tuple[_Job, str]] = []
    facts_by_path: dict[str, FileFacts] = {}
    order: list[str] = []
    for path in python_files(options.paths, options.root, excluded):
        shown = show(path)
        order.append(shown)
        located[shown] = str(path)
        result.read += 1
        try:
            source = path.read_bytes()
        except OSError as error:
            facts_by_path[shown] = _unreadable(shown, f"cannot read: {error.strerror or error}")
            continue
        if not wanted.wants(source) and not derived_names.wants(source):
            skipped.append(shown)
            continue
        digest = content_hash(source)
        module, _ = module_name(path)
        cached = cache.get(shown, digest)
        if cached is not None and cached.module == module and fresh(cached):
            facts_by_path[shown] = cached
            result.from_cache += 1
            continue
        if len(source) > MAX_PARSE_BYTES:
            size = len(source) / 1024 / 1024
            facts = _unreadable(
                shown, f"not scanned: {size:.1f} MiB is over the 2 MiB limit (generated code?)"
            )
            facts_by_path[shown] = facts
            cache.put(shown, digest, facts)
            continue
        jobs.append((_Job(str(path), shown, module), digest))
    for facts, digest in _run(jobs, kb, options.named_patterns, progress):
        facts.derived_key = file_key(previous, facts)
        facts_by_path[facts.path] = facts
        cache.put(facts.path, digest, facts)
    result.parsed = len(jobs)
    # The whole-project analysis (rounds.py, project.py): derived clients, the files they reach.
    result.parsed += whole_project(
        previous,
        facts_by_path,
        located,
        skipped,
        kb,
        cache,
        lambda batch, table: _run(batch, table, options.named_patterns, None),  # type: ignore[arg-type]
        _Job,
        result.notes,
    )
    result.files = [facts_by_path[p] for p in order if p in facts_by_path]
    cache.save()
    return result


def _run(
    jobs: list[tuple[_Job, str]],
    kb: KnowledgeBase,
    patterns: tuple[str, ...],
    progress: Progress | None,
) -> Iterable[tuple[FileFacts, str]]:
    total = len(jobs)
    workers = min(os.cpu_count() or 1, 8)
    if total < PARALLEL_THRESHOLD or workers < 2:
        _init(kb, patterns)
        for done, (job, digest) in enumerate(jobs, start=1):
            yield _work(job), digest
            if progress:
                progress(done, total)
        return
    with ProcessPoolExecutor(workers, initializer=_init, initargs=(kb, patterns)) as pool:
        chunk = max(1, min(32, total // (workers * 8)))
        results = pool.map(_work, [job for job, _ in jobs], chunksize=chunk)
        for done, ((_job, digest), facts) in enumerate(zip(jobs, results, strict=True), 1):
            yield facts, digest
            if progress:
                progress(done, total)


def _unreadable(shown: str, message: str) -> FileFacts:
    return FileFacts(path=shown, module="", parse_error=ParseError(Span(1, 1, 1, 1), message))
