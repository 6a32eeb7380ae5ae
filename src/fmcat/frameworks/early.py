"""What the framework post-pass learns while the scan runs, so that it need not find and read
every file a second time, alone in the main process, once the scan's workers are gone.

The scan (scan/engine.py) reads the bytes of every file it does not find in its cache. It hands
them to ``Early.saw``, which takes the file's marks (marks.py) from them, with the module name
and hash the scan has already computed. A file marked only for the per-file passes (consumers,
retries, whose findings depend on that file alone) and parsed by a worker anyway gets those
passes there too, on the worker's copy of its bytes (``pure_found``): in parallel, and without
the main process parsing it again. The scan also gives the list of the files it found, with
their shown paths (``listed``).

The post-pass then looks at its own cache (frameworks/cache.py) only for the files the scan did
not read, and reads again only the files that Celery's passes parse (they need the whole
project's tasks and configuration). What is found is the same either way: the same bytes, the
same marks, the same passes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import cast

from fmcat.frameworks import consumers, retries, retry_calls, retry_loops
from fmcat.frameworks.cache import Found
from fmcat.frameworks.marks import PURE, file_marks
from fmcat.frameworks.source import Source
from fmcat.scan.cache import Status

#: A file's marks, and the hash and status of the bytes they were taken from (those two only
#: when the post-pass keeps a cache: "" and [] otherwise).
Seen = tuple[tuple[str, ...], str, Status]
#: A file the scan read that the post-pass would not read either (over the size limit).
TOO_BIG: Seen = ((), "", [])
_NO_HASH: Status = []


class Early:
    """The scan's observer (scan/engine.py's Observer), read by the post-pass afterwards.
    ``keep``: whether the post-pass keeps a cache, and needs each file's hash and status.
    Without one, a file with no marks costs a slot of a list, nothing more: a cold run on
    Home Assistant's 6,725 files kept 4 MB more when each had its hash, status and path."""

    def __init__(self, keep: bool = True) -> None:
        self.keep = keep
        #: By the file's place in the scan's list (``files``): what the scan saw of it (only
        #: its marks unless ``keep``), or None when it did not read it (a hit in its cache, or
        #: unreadable).
        self.seen: list[Seen | tuple[str, ...] | None] = []
        #: The places of the files over the size limit.
        self.too_big: set[int] = set()
        #: By absolute path: what the pure passes found in a worker.
        self.found: dict[str, Found] = {}
        #: Every file the scan found, with its shown path, in the scan's order (None: the scan
        #: did not say, and the post-pass finds the files itself).
        self.files: list[tuple[Path, str]] | None = None

    def listed(self, files: list[tuple[Path, str]]) -> None:
        self.files = files

    def saw(
        self, index: int, module: str, source: bytes | None, digest: str, status: Status
    ) -> Callable[[bytes, str, str], Found] | None:
        """Note the marks of the scan's file at ``index``; the passes to run in the worker that
        parses it, if any. ``source`` is None for a file over the size limit."""
        self.seen.extend([None] * (index + 1 - len(self.seen)))
        if source is None:
            self.too_big.add(index)
            return None
        marks = tuple(file_marks(source, module))
        self.seen[index] = (marks, digest, status) if self.keep else marks
        if marks and PURE.issuperset(marks):
            return functools.partial(pure_found, marks)
        return None

    def at(self, index: int) -> Seen | None:
        """What the scan saw of its file at ``index``: TOO_BIG, or None when it did not read
        it."""
        if index in self.too_big:
            return TOO_BIG
        seen = self.seen[index] if index < len(self.seen) else None
        if seen is None or self.keep:
            return cast("Seen | None", seen)
        return cast("tuple[str, ...]", seen), "", _NO_HASH

    def answered(self, key: str, found: object) -> None:
        """What ``pure_found`` returned in the worker, for the file at ``key``."""
        if isinstance(found, tuple):
            self.found[key] = found


def pure_found(marks: tuple[str, ...], source: bytes, shown: str, module: str) -> Found:
    """The pure passes over one file's bytes, as the post-pass runs them (in a worker)."""
    parsed = Source.parse(source, shown, module)
    return pure_passes(parsed, marks) if parsed is not None else ([], [], [])


def pure_passes(source: Source, marks: tuple[str, ...] | list[str]) -> Found:
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
