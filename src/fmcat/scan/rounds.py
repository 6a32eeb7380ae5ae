"""The rounds of the whole-project analysis, as the engine runs them after the per-file phase.

Round by round: derive the table of project clients from every file's facts (project.py); stop
when it no longer changes; else analyse again the files that can reach a changed entry, and
parse, for the first time, the files the prefilter had left out whose imports reach an entry
the round added (DerivedModules; what each imports is noted once, when it is first read). The
table of the last run is the first round's (kept beside the scan cache), so a warm run with
nothing changed does one join and no parse.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from fmcat.safe_io import FileRefusedError, read_bytes
from fmcat.scan.cache import ScanCache, write_private
from fmcat.scan.facts import FileFacts
from fmcat.scan.knowledge import KnowledgeBase
from fmcat.scan.prefilter import Wants, ascii_text, bound_imports, inert
from fmcat.scan.project import MAX_ROUNDS, derive
from fmcat.scan.reach import Derived, file_key, lookup_key
from fmcat.scan.tokens import TokenFacts
from fmcat.scan.workers import Job

__all__ = [
    "DerivedModules",
    "RoundFilter",
    "derived_prefilter",
    "file_imports",
    "file_key",
    "load_derived",
    "lookup_key",
    "taken_tops",
    "whole_project",
]

#: The derived table of the last run, read bounded.
MAX_TABLE_BYTES = 64 * 1024 * 1024


MakeJob = Callable[[str], Job | None]
Runner = Callable[[Iterable[Job], KnowledgeBase, Wants], Iterable[tuple[Job, FileFacts | None]]]
#: Into the cache: facts analysed again (with their job), or whose keys alone changed (None).
Store = Callable[[Job | None, FileFacts], None]


@dataclass(frozen=True)
class DerivedModules:
    """Which of a file's imports reach an entry of the derived table (a client, a function, a
    module-level client object), by the names they make reachable (prefilter.bound_imports):
    the entry's module itself or a package above it (`from shop.lib import curl`, `import
    shop.lib`: then any of its entries), the entry or a name inside it (`from shop.lib.curl
    import get`; not `from shop.lib.curl import HEADERS`, which reaches none), or, for an import
    that names no library nor project package, a shorter name of its module (`from lib.curl
    import get`: project._shorter_imports)."""

    modules: frozenset[str] = frozenset()
    #: The entries, and each with its dotted prefixes (a class of which a method is one).
    entries: frozenset[str] = frozenset()
    within: frozenset[str] = frozenset()
    #: Each module and the packages above it.
    above: frozenset[str] = frozenset()
    #: Each module's dotted tails (`lib.curl`, `curl`), and every run of its parts but the
    #: first (`lib`), which an import by a shorter name may be or begin with.
    tails: frozenset[str] = frozenset()
    runs: frozenset[str] = frozenset()
    #: First parts that are no shorter name: the standard library's, the libraries', the
    #: project's own packages.
    taken: frozenset[str] = frozenset()

    @classmethod
    def of(cls, entries: dict[str, str], taken: Iterable[str]) -> DerivedModules:
        """``entries``: name -> module (Derived.entries)."""
        found = {m for m in entries.values() if m}
        within = {e.rpartition(".")[0] for e in entries} | set(entries)
        for entry in list(within):
            while entry:
                within.add(entry)
                entry = entry.rpartition(".")[0]
        above: set[str] = set()
        tails: set[str] = set()
        runs: set[str] = set()
        for module in found:
            parts = module.split(".")
            for end in range(1, len(parts) + 1):
                above.add(".".join(parts[:end]))
                for begin in range(1, end):
                    runs.add(".".join(parts[begin:end]))
            tails.update(".".join(parts[begin:]) for begin in range(1, len(parts)))
        return cls(
            frozenset(found),
            frozenset(entries),
            frozenset(within),
            frozenset(above),
            frozenset(tails),
            frozenset(runs),
            frozenset(taken),
        )

    def reached(self, names: Iterable[str]) -> bool:
        """Does a file whose imports make ``names`` reachable reach one of the entries?"""
        for name in names:
            if name in self.above:
                return True
            shorter = name.partition(".")[0] not in self.taken
            if shorter and name in self.runs:
                return True
            inside = False  # a name in a module: only an entry, or what holds one, reaches
            head = name.rpartition(".")[0]
            while head:
                if head in self.entries or (shorter and head in self.tails):
                    return True
                inside |= head in self.modules
                head = head.rpartition(".")[0]
            if inside and name in self.within:
                return True
        return False


@dataclass(frozen=True)
class RoundFilter:
    """A round's second look at a file whose imports reach one of the entries it adds, from
    its tokens in the parse worker: parsed unless every import that reaches one binds a name
    the analysis can reach nothing through (prefilter.inert). A generated SDK's resource
    module imports its client class only to annotate the constructor's parameter, which it
    hands to its base class (`def __init__(self, version: Version): super().__init__(version)`):
    no call of the file goes through it, nor does it define a wrapper, a factory or a
    subclass. A file with a relative import, or tokens cut short, is parsed."""

    names: DerivedModules

    def wants(self, facts: TokenFacts, module: str = "") -> bool:
        if facts.incomplete or facts.relative:
            return True
        for imported, bound in facts.bindings:
            top = imported.partition(".")[0]
            # `import a.b` binds a, through which anything in a is reached.
            reachable = top if bound in (top, "*") else imported
            if self.names.reached([reachable]) and not inert(facts, bound):
                return True
        return False


def taken_tops(kb: KnowledgeBase, files: Iterable[FileFacts] = ()) -> set[str]:
    """The first parts of names that project._shorter_imports never reads as a shorter name
    (it also leaves out the project's derived modules' tops: fewer here is the safe side)."""
    tops = {m.partition(".")[0] for lib in kb.library if not lib.project for m in lib.modules}
    tops |= {f.module.partition(".")[0] for f in files if f.parse_error is None}
    return tops | set(sys.stdlib_module_names)


def derived_prefilter(derived: Derived, taken: Iterable[str]) -> DerivedModules:
    """The files that import a module of ``derived``: they are parsed whatever their tokens say."""
    return DerivedModules.of(derived.entries(), taken)


def file_imports(job: Job) -> frozenset[str]:
    """What the job's file imports (prefilter.bound_imports), resolved as the analysis does."""
    return bound_imports(ascii_text(job.source), job.module, job.shown.endswith("__init__.py"))


def _table_file(cache: ScanCache) -> Path:
    """Beside the project's scan cache (one per project in the user's cache folder)."""
    return cache.file.with_name(cache.file.stem + "-derived-v1.json")


def load_derived(cache: ScanCache) -> Derived:
    if not cache.enabled:
        return Derived()
    try:
        text = read_bytes(_table_file(cache), limit=MAX_TABLE_BYTES, follow_symlinks=False)
        data = json.loads(text)
        if isinstance(data, dict) and data.get("key") == cache.key:
            return Derived.from_json(data["table"])
    except (OSError, FileRefusedError, ValueError, KeyError, TypeError, AssertionError):
        pass
    except ValidationError:
        pass
    return Derived()


def _save(cache: ScanCache, derived: Derived) -> None:
    if not cache.enabled:
        return
    target = _table_file(cache)
    document = json.dumps({"key": cache.key, "table": derived.to_json()})
    write_private(target.parent, target, document, ".derived-")


def whole_project(
    previous: Derived,
    facts_by_path: dict[str, FileFacts],
    skipped: dict[str, frozenset[str] | None],
    kb: KnowledgeBase,
    make_job: MakeJob,
    run: Runner,
    store: Store,
    cache: ScanCache,
    notes: list[str],
) -> int:
    """Rounds until the derived table is stable; returns how many files it parsed that the
    per-file phase had left out (files analysed again are not counted twice). ``skipped``:
    those files, each with what it imports (file_imports), or None when this run did not read
    it (cached as not mattering)."""
    parsed = 0
    current = previous
    pending = dict(skipped)
    table = kb
    # A file left out (read now, or cached as not mattering under the last run's table) was
    # already held against the last table's entries: a round holds it against the entries it
    # adds (reaching is per entry, so the others need no second look), by what it imports,
    # read once in the run.
    checked = set(previous.entries())
    for _round in range(MAX_ROUNDS):
        new = derive(facts_by_path.values(), table)
        if new == current:
            break
        table = new.extend(kb)
        # The files to analyse again, by name: each is read when a worker has room for it
        # (_read), so that the main process holds only the sources in flight, not the
        # round's (21 MB on the SDK corpus's second round).
        batch: list[str | Job] = []
        for facts in facts_by_path.values():
            if facts.parse_error is not None or not facts.parsed:
                continue
            key = file_key(new, facts)
            if facts.derived_key == key:
                continue
            if facts.lookup_key == lookup_key(new, facts):
                # The table answers every name its analysis asked as before: analysed again,
                # it would give the same facts (lookups.py).
                facts.derived_key = key
                store(None, facts)
                continue
            batch.append(facts.path)
        entries = new.entries()
        fresh = {name: module for name, module in entries.items() if name not in checked}
        admitted: set[str] = set()
        names = DerivedModules()
        if fresh:
            names = DerivedModules.of(fresh, taken_tops(kb, facts_by_path.values()))
            for shown, imported in list(pending.items()):
                job = None
                if imported is None:
                    job = make_job(shown)
                    if job is None:
                        continue  # unreadable now: perhaps in the next round
                    imported = pending[shown] = file_imports(job)
                if not names.reached(imported):
                    continue
                # Its tokens have the last word (RoundFilter); held against the next rounds'
                # entries if they leave it out. A file read for its imports keeps its bytes.
                batch.append(job or shown)
                admitted.add(shown)
        checked |= fresh.keys()
        for job, answer in run(_read(batch, make_job, admitted), table, RoundFilter(names)):
            if answer is None:
                continue
            if job.shown in admitted:
                parsed += 1
                del pending[job.shown]
            answer.derived_key = file_key(new, answer)
            answer.lookup_key = lookup_key(new, answer)
            facts_by_path[answer.path] = answer
            store(job, answer)
        current = new
    else:
        if derive(facts_by_path.values(), table) != current:
            notes.append(_too_deep(facts_by_path, current, table))
    _save(cache, current)
    return parsed


def _read(batch: list[str | Job], make_job: MakeJob, admitted: set[str]) -> Iterator[Job]:
    """The round's jobs, each file read as it is drawn; those admitted by their imports are
    left to their tokens (wanted False). A file that cannot be read now is left out."""
    for item in batch:
        job = make_job(item) if isinstance(item, str) else item
        if job is not None:
            if job.shown in admitted:
                job.wanted = False
            yield job


def _too_deep(facts_by_path: dict[str, FileFacts], current: Derived, kb: KnowledgeBase) -> str:
    """Name a wrapper past the bound, where it is defined."""
    new = derive(facts_by_path.values(), kb)
    known = {c.name for lib in current.libraries for c in lib.functions}
    fresh = [c.name for lib in new.libraries for c in lib.functions if c.name not in known]
    where = ""
    for facts in facts_by_path.values():
        for function in facts.summary.functions:
            if fresh and function.qualname == fresh[0]:
                where = f"{facts.path}:{function.span.line}: "
    shown = fresh[0] if fresh else "a wrapper"
    return (
        f"{where}wrapper chain deeper than {MAX_ROUNDS} levels: calls through {shown} and the "
        "wrappers around it are not judged as external calls"
    )
