"""Parsing in worker processes, so that a parser crash costs one file and never the run.

libcst's parser is native code: on input past its limits it can die of a segmentation fault
(seen on libcst 1.9: an 8,000-term `and` chain, 3,000 nested brackets). The token guard
(tokens.py) refuses the shapes known to do that; this is the net under it. When a worker dies,
the pool breaks and every file in flight loses its answer: each of those is parsed again alone,
in a pool of its own, and the one that kills its worker again is reported as FM100. The others,
and the files not yet started, go on in a fresh pool. A file leaves the queue only once a pool
has taken it: a pool that broke between two answers refuses the next file.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from fmcat.scan import analyze as analysis
from fmcat.scan.facts import FileFacts, ParseError, Span
from fmcat.scan.knowledge import KnowledgeBase
from fmcat.scan.prefilter import Wants
from fmcat.scan.tokens import scan_tokens

#: Files handed to a pool per worker at a time: enough to keep each busy, few enough that a
#: crash leaves few files to retry alone.
IN_FLIGHT_PER_WORKER = 3


@dataclass
class Job:
    shown: str
    module: str
    source: bytes
    #: The cache's key for the file, the hash of ``source`` and the file's status.
    key: str
    digest: str
    status: list[int]
    #: Where the answer goes in the scan's list of files.
    slot: int = -1
    #: Parsed whatever the prefilter says: it imports a module that defines a derived client.
    wanted: bool = False


# Worker state: set once per process by _init, so each task ships only its file.
_STATE: tuple[KnowledgeBase, tuple[str, ...], Wants] | None = None


def _init(kb: KnowledgeBase, patterns: tuple[str, ...], prefilter: Wants) -> None:
    global _STATE
    _STATE = (kb, patterns, prefilter)


def work(job: Job) -> FileFacts | None:
    """One file in a worker: None when its tokens show it cannot matter, else its facts."""
    assert _STATE is not None
    kb, patterns, prefilter = _STATE
    tokens = scan_tokens(job.source)
    if not job.wanted and not prefilter.wants(tokens, job.module):
        return None
    if tokens.problem is not None:
        return FileFacts(
            path=job.shown,
            module=job.module,
            suppressions=analysis.suppressions(job.source),
            parse_error=tokens.problem,
            parsed=True,
        )
    return analysis.analyze(job.source, job.shown, job.module, kb, patterns, checked=True)


def parse_all(
    jobs: list[Job],
    workers: int,
    kb: KnowledgeBase,
    patterns: tuple[str, ...],
    prefilter: Wants,
) -> Iterator[tuple[Job, FileFacts | None]]:
    """Each job with its answer, in the order they finish."""
    remaining = deque(jobs)
    initargs = (kb, patterns, prefilter)
    while remaining:
        in_flight: dict[Future[FileFacts | None], Job] = {}
        finished: list[tuple[Job, FileFacts | None]] = []
        try:
            with ProcessPoolExecutor(workers, initializer=_init, initargs=initargs) as pool:
                while remaining or in_flight:
                    while remaining and len(in_flight) < workers * IN_FLIGHT_PER_WORKER:
                        # Off the queue only once submitted: a pool that broke since the
                        # last answer refuses the file, which then waits for the next pool.
                        in_flight[pool.submit(work, remaining[0])] = remaining[0]
                        remaining.popleft()
                    done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                    for future in done:
                        facts = future.result()  # raises BrokenProcessPool if a worker died
                        finished.append((in_flight.pop(future), facts))
                    yield from finished
                    finished.clear()
        except BrokenProcessPool:
            yield from finished
            for job in in_flight.values():
                yield job, _alone(job, initargs)


def _alone(job: Job, initargs: tuple[KnowledgeBase, tuple[str, ...], Wants]) -> FileFacts | None:
    try:
        with ProcessPoolExecutor(1, initializer=_init, initargs=initargs) as pool:
            return pool.submit(work, job).result()
    except BrokenProcessPool:
        return FileFacts(
            path=job.shown,
            module=job.module,
            parse_error=ParseError(
                Span(1, 1, 1, 1),
                "cannot parse: the parser (libcst) crashed on this file; the scan went on "
                "without it. Please report it to fmcat with the file, if you can",
            ),
            parsed=True,
        )
