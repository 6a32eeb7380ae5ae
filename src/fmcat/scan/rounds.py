"""The rounds of the whole-project analysis, as the engine runs them after the per-file phase.

Round by round: derive the table of project clients from every file's facts (project.py); stop
when it no longer changes; else analyse again the files that can reach a changed entry, and
parse, for the first time, the files the prefilter had left out that import a module defining
one. The table of the last run is the first round's (kept beside the scan cache), so a warm run
with nothing changed does one join and no parse.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from fmcat.safe_io import FileRefusedError, read_bytes
from fmcat.scan.cache import ScanCache, write_private
from fmcat.scan.facts import FileFacts
from fmcat.scan.knowledge import KnowledgeBase
from fmcat.scan.project import MAX_ROUNDS, derive
from fmcat.scan.reach import Derived, file_key
from fmcat.scan.workers import Job

__all__ = ["derived_prefilter", "file_key", "load_derived", "whole_project"]

#: The derived table of the last run, read bounded.
MAX_TABLE_BYTES = 64 * 1024 * 1024


MakeJob = Callable[[str], Job | None]
Runner = Callable[[list[Job], KnowledgeBase], Iterable[tuple[Job, FileFacts | None]]]
Store = Callable[[Job, FileFacts | None], None]


@dataclass(frozen=True)
class NamesFilter:
    """Does a file's text name a module that defines a derived client (so it may import it)?"""

    pattern: re.Pattern[bytes] | None
    #: The modules' last parts: a file that contains none cannot import one (a substring
    #: test each, far cheaper than the pattern on every file of every round).
    leaves: tuple[bytes, ...] = ()

    def wants(self, source: bytes) -> bool:
        if self.pattern is None:
            return False
        if self.leaves and not any(leaf in source for leaf in self.leaves):
            return False
        return self.pattern.search(source) is not None


def derived_prefilter(derived: Derived) -> NamesFilter:
    """Files that import a module defining a derived client, by their import lines: for
    ``shop.lib.curl``, ``from shop.lib.curl import get``, ``from shop.lib import curl``,
    ``import shop.lib.curl``, ``from .curl import get``, ``from . import curl`` (and deeper
    relative forms). It may let a file through for nothing, never stop one whose import
    statement is on one line."""
    alternatives: list[str] = []
    leaves: set[bytes] = set()
    for module in sorted(derived.modules()):
        parent, _, name = module.rpartition(".")
        if not name.isidentifier():
            continue
        leaves.add(name.encode())
        leaf = re.escape(name)
        above = rf"(?:[\w.]*\b{re.escape(parent.rpartition('.')[2])}|\.+)" if parent else r"\.*"
        alternatives += [
            rf"from[ \t]+(?:{above}\.|\.+){leaf}[ \t]+import\b",
            rf"from[ \t]+{above}[ \t]+import[ \t(][^\n]*\b{leaf}\b",
            rf"import[ \t]+(?:[\w.]*\.)?{leaf}\b"
            if not parent
            else rf"import[ \t][^\n]*\b{re.escape(module)}\b",
        ]
    if not alternatives:
        return NamesFilter(None)
    pattern = r"^[ \t]*(?:" + "|".join(alternatives) + ")"
    return NamesFilter(re.compile(pattern.encode(), re.M), tuple(sorted(leaves)))


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
    skipped: list[str],
    kb: KnowledgeBase,
    make_job: MakeJob,
    run: Runner,
    store: Store,
    cache: ScanCache,
    notes: list[str],
) -> int:
    """Rounds until the derived table is stable; returns how many files it parsed that the
    per-file phase had left out (files analysed again are not counted twice)."""
    parsed = 0
    current = previous
    pending = list(skipped)
    table = kb
    # A file left out (read now, or cached as not mattering under the last run's table) was
    # already held against the last table's modules: it is read again only when a round derives
    # a client in a module not among them.
    checked = set(previous.modules())
    for _round in range(MAX_ROUNDS):
        new = derive(facts_by_path.values(), table)
        if new == current:
            break
        table = new.extend(kb)
        names = derived_prefilter(new)
        batch: list[Job] = []
        for facts in facts_by_path.values():
            stale = facts.parse_error is None and facts.derived_key != file_key(new, facts)
            job = make_job(facts.path) if facts.parsed and stale else None
            if job is not None:
                batch.append(job)
        modules = set(new.modules())
        if not modules <= checked:
            still = []
            for shown in pending:
                job = make_job(shown)
                if job is None or not names.wants(job.source):
                    still.append(shown)
                    continue
                batch.append(job)
                parsed += 1
            pending = still
        checked |= modules
        for job, answer in run(batch, table):
            if answer is None:
                continue
            answer.derived_key = file_key(new, answer)
            facts_by_path[answer.path] = answer
            store(job, answer)
        current = new
    else:
        if derive(facts_by_path.values(), table) != current:
            notes.append(_too_deep(facts_by_path, current, table))
    _save(cache, current)
    return parsed


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
