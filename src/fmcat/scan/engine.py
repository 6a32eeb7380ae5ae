"""The scan over a project, in steps: discover the files, look each up in the cache by its
status, read the rest once, keep those that can matter, parse those in worker processes (a
parser crash costs one file, not the run), and cache what was learnt.

Then the whole-project step (rounds.py, project.py): the files' summaries are joined into
derived clients, and the files that reach a changed one are analysed again, round by round.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from fmcat.build import identity
from fmcat.scan.cache import FORMAT, Miss, ScanCache, content_hash, status_key
from fmcat.scan.facts import FileFacts, ParseError, Span
from fmcat.scan.files import (
    Discovered,
    Discovery,
    ModuleNames,
    UnreadableError,
    exclusion,
    python_files,
    read_source,
)
from fmcat.scan.knowledge import KnowledgeBase
from fmcat.scan.observer import Observer
from fmcat.scan.prefilter import Prefilter, Wants
from fmcat.scan.reach import Derived
from fmcat.scan.rounds import (
    DerivedModules,
    derived_prefilter,
    file_imports,
    file_key,
    load_derived,
    lookup_key,
    taken_tops,
    whole_project,
)
from fmcat.scan.tokens import MAX_BRACKETS, MAX_DEPTH, MAX_INDENT
from fmcat.scan.workers import Job, Workers, give_back

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
    #: Things to say on stderr: files that vanished, named files left out, a cache not used,
    #: a wrapper chain past the bound.
    notes: list[str] = field(default_factory=list)


class _Gone:
    """A file that vanished during the scan: said in a note, and not looked at again."""


_GONE = _Gone()


@dataclass(frozen=True)
class _Lookup:
    """What the per-file phase needs beyond the cache: the prefilters and the derived table
    the last run ended with (a cached file analysed with another one is analysed again)."""

    prefilter: Prefilter
    derived_names: DerivedModules
    previous: Derived
    observer: Observer | None = None


def _config_key(kb: KnowledgeBase, options: ScanOptions) -> str:
    limits = [FORMAT, MAX_PARSE_BYTES, MAX_BRACKETS, MAX_DEPTH, MAX_INDENT]
    text = json.dumps(
        [identity(), limits, kb.model_dump(mode="json"), sorted(options.named_patterns)],
        sort_keys=True,
    )
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _roots(patterns: Iterable[str]) -> set[str]:
    return {p.split(".", 1)[0] for p in patterns if p and p[0] not in "*?["}


def prefilter_for(kb: KnowledgeBase, named_patterns: tuple[str, ...]) -> Prefilter:
    """Each library with the names a file must mention to call into it: the last part of its
    functions', clients' and timeout objects' names (`open_connection`, `Session`, `retry`;
    `create` for `stripe.*.create`). A library with a name whose last part is a glob (grpc's
    `*Stub`) has no such names, so importing it and using what it binds is enough."""
    libraries: list[tuple[list[str], list[str]]] = []
    for lib in kb.library:
        names = [c.name for c in lib.functions] + [c.name for c in lib.clients]
        names += [t.name for t in lib.timeout_objects] + list(lib.aliases)
        last = [n.rsplit(".", 1)[-1] for n in names]
        globbed = any(ch in name for name in last for ch in "*?[")
        libraries.append((lib.modules, [] if globbed else last))
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
    observer: Observer | None = None,
) -> ScanResult:
    result = ScanResult()
    cache = ScanCache(options.root, _config_key(kb, options), options.use_cache, time.time_ns())
    if cache.unusable:
        result.notes.append(cache.unusable)
    # The whole-project analysis starts from the table the last run derived (a warm run then
    # needs one round), with its modules in the prefilter.
    previous = load_derived(cache)
    kb = previous.extend(kb)
    prefilter = prefilter_for(kb, options.named_patterns)
    lookup = _Lookup(prefilter, derived_prefilter(previous, taken_tops(kb)), previous, observer)
    found = python_files(
        options.paths, options.root, exclusion(options.exclude, options.include_tests)
    )
    for path in found.excluded_named:
        result.notes.append(
            f"{show(path)}: left out by the scan's exclusions (tests, hidden and tool folders, "
            "[tool.fmcat] exclude); see `fmcat config`"
        )
    with Workers(_worker_count(len(found.files))) as workers:
        return _scan(options, kb, show, progress, (cache, lookup, found, workers), result)


def _scan(
    options: ScanOptions,
    kb: KnowledgeBase,
    show: Callable[[Path], str],
    progress: Progress | None,
    parts: tuple[ScanCache, _Lookup, Discovery, Workers],
    result: ScanResult,
) -> ScanResult:
    cache, lookup, found, workers = parts
    previous = lookup.previous
    slots: list[FileFacts | None] = []
    # What each file read and left out imports, so that the rounds need not read it again.
    imports: dict[str, frozenset[str]] = {}
    modules = ModuleNames()
    order: list[str] = []
    located: dict[str, Discovered] = {}
    settled = _Settled(len(found.files), progress)

    def to_parse() -> Iterator[Job]:
        """Each file looked up; those to parse are handed to the workers as they are read
        (the workers are forked at the first), so that the sources do not pile up."""
        for item in found.files:
            result.read += 1
            shown = show(item.path)
            order.append(shown)
            located[shown] = item
            outcome = _look_up(item, shown, cache, lookup, modules, result, imports, len(order) - 1)
            if isinstance(outcome, Job):
                outcome.slot = len(slots)
                slots.append(None)
                yield outcome
                continue
            if outcome is _GONE:
                del located[shown]
            else:
                slots.append(outcome)  # type: ignore[arg-type]
            settled.step()

    _analyse(to_parse(), slots, cache, (kb, options.named_patterns, workers), lookup, settled)
    result.parsed = settled.parsed
    if lookup.observer is not None:
        listed = zip(found.files, order, strict=True)  # each file found has its shown path
        lookup.observer.listed([(item.path, shown) for item, shown in listed])
    give_back()
    facts_by_path = {facts.path: facts for facts in slots if facts is not None}
    skipped = {
        shown: imports.get(shown)
        for shown in order
        if shown in located and shown not in facts_by_path
    }
    result.parsed += whole_project(
        previous,
        facts_by_path,
        skipped,
        kb,
        lambda shown: _round_job(located[shown], shown, modules, result),
        lambda batch, table, wants: _round(workers, batch, table, options.named_patterns, wants),
        lambda job, facts: _store(cache, located, job, facts),
        cache,
        result.notes,
    )
    result.files = [facts_by_path[p] for p in order if p in facts_by_path]
    cache.save()
    return result


def _look_up(
    item: Discovered,
    shown: str,
    cache: ScanCache,
    lookup: _Lookup,
    modules: ModuleNames,
    result: ScanResult,
    imports: dict[str, frozenset[str]],
    index: int,
) -> FileFacts | Job | _Gone | None:
    """The file's facts without parsing it (cached, unreadable, or not mattering: None), or
    the job of parsing it, with its bytes read once; _GONE when it vanished. A file read and
    left out has its imports noted in ``imports``. ``index``: its place among the files found,
    for the observer."""
    prefilter = lookup.prefilter
    key = os.path.abspath(item.path)  # noqa: PTH100 (resolve() would follow links)
    try:
        before = item.path.stat(follow_symlinks=item.named)
    except FileNotFoundError:
        result.notes.append(f"{shown}: vanished during the scan; not checked")
        return _GONE
    except OSError as error:
        return _unreadable(shown, f"cannot read: {error.strerror or error}")
    module = modules(item.path)[0]
    hit = cache.by_status(key, status_key(before))
    if _usable(hit, module, lookup):
        return _counted(hit, shown, result)  # type: ignore[arg-type]
    try:
        source, status = read_source(item.path, MAX_PARSE_BYTES, follow=item.named)
    except UnreadableError as error:
        if error.vanished:
            result.notes.append(f"{shown}: vanished during the scan; not checked")
            return _GONE
        return _unreadable(shown, error.message)
    result.opened += 1
    digest, signature = content_hash(source), status_key(status)
    extra = None
    if lookup.observer is not None:
        fits = len(source) <= MAX_PARSE_BYTES
        extra = lookup.observer.saw(index, module, source if fits else None, digest, signature)
    hit = cache.by_hash(key, digest, signature)
    if _usable(hit, module, lookup):
        return _counted(hit, shown, result)  # type: ignore[arg-type]
    facts: FileFacts | None = None
    if len(source) > MAX_PARSE_BYTES:
        imports[shown] = frozenset()  # never parsed, whatever it imports
        if prefilter.may_matter(source[:MAX_PARSE_BYTES]):
            size = status.st_size / 1024 / 1024
            facts = _unreadable(
                shown, f"not scanned: {size:.1f} MiB is over the 2 MiB limit (generated code?)"
            )
            facts.module = module
    elif prefilter.may_matter(source):
        return Job(shown, module, source, key, digest, signature, extra=extra)
    else:
        job = Job(shown, module, source, key, digest, signature, wanted=True, extra=extra)
        imported = file_imports(job)
        if lookup.derived_names.reached(imported):
            # It imports a module that defines a derived client: parsed whatever its tokens say.
            return job
        imports[shown] = imported
    cache.put(key, digest, signature, facts)
    return facts


def _usable(hit: FileFacts | Miss | None, module: str, lookup: _Lookup) -> bool:
    """A cache hit that stands: of the same module, and (facts) analysed with the derived
    table this run starts from. A file cached as not mattering stays so unless it imports a
    module that defines a derived client, which the rounds find out on their own."""
    if isinstance(hit, Miss):
        return False
    if hit is None:
        return True
    return hit.module == module and hit.derived_key == file_key(lookup.previous, hit)


def _store(
    cache: ScanCache, located: dict[str, Discovered], job: Job | None, facts: FileFacts
) -> None:
    """A round's facts into the cache: analysed again (``job``), or found to hold as they are."""
    if job is not None:
        cache.put(job.key, job.digest, job.status, facts)
    elif facts.path in located:
        cache.refresh(os.path.abspath(located[facts.path].path), facts)  # noqa: PTH100


def _round_job(
    item: Discovered, shown: str, modules: ModuleNames, result: ScanResult
) -> Job | None:
    """A file to analyse again in a round of the whole-project step, read once more (it
    may be one the per-file phase left out); None when it cannot be read now."""
    try:
        source, status = read_source(item.path, MAX_PARSE_BYTES, follow=item.named)
    except UnreadableError:
        return None
    if len(source) > MAX_PARSE_BYTES:
        return None
    result.opened += 1
    key = os.path.abspath(item.path)  # noqa: PTH100
    module = modules(item.path)[0]
    return Job(shown, module, source, key, content_hash(source), status_key(status), wanted=True)


def _round(
    workers: Workers,
    batch: Iterable[Job],
    kb: KnowledgeBase,
    patterns: tuple[str, ...],
    wants: Wants,
) -> Iterator[tuple[Job, FileFacts | None]]:
    yield from workers.run(batch, kb, patterns, wants)
    give_back()


def _worker_count(files: int) -> int:
    """One worker per PARALLEL_THRESHOLD files found (an upper bound of those to parse), up
    to one per core, and at most 8."""
    return max(1, min(os.cpu_count() or 1, 8, -(-files // PARALLEL_THRESHOLD)))


def _counted(facts: FileFacts | None, shown: str, result: ScanResult) -> FileFacts | None:
    if facts is not None:
        facts.path = shown  # cached under the absolute path; shown from this folder
        result.from_cache += 1
    return facts


@dataclass
class _Settled:
    """Files whose answer is in, out of every file found, for the progress bar."""

    total: int
    progress: Progress | None
    done: int = 0
    #: Of them, the files parsed.
    parsed: int = 0

    def step(self) -> None:
        self.done += 1
        if self.progress:
            self.progress(self.done, self.total)


def _analyse(
    jobs: Iterable[Job],
    slots: list[FileFacts | None],
    cache: ScanCache,
    with_: tuple[KnowledgeBase, tuple[str, ...], Workers],
    lookup: _Lookup,
    settled: _Settled,
) -> None:
    kb, patterns, workers = with_
    for job, facts in workers.run(jobs, kb, patterns, lookup.prefilter):
        if job.extra is not None and lookup.observer is not None:
            lookup.observer.answered(job.key, job.found)
        if facts is not None:
            facts.derived_key = file_key(lookup.previous, facts)
            facts.lookup_key = lookup_key(lookup.previous, facts)
        slots[job.slot] = facts
        cache.put(job.key, job.digest, job.status, facts)
        settled.parsed += facts is not None
        settled.step()


def _unreadable(shown: str, message: str) -> FileFacts:
    return FileFacts(path=shown, module="", parse_error=ParseError(Span(1, 1, 1, 1), message))
