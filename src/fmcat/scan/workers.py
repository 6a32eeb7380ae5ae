"""Parsing in worker processes, so that a parser crash costs one file and never the run.

libcst's parser is native code: on input past its limits it can die of a segmentation fault
(seen on libcst 1.9: an 8,000-term `and` chain, 3,000 nested brackets). The token guard
(tokens.py) refuses the shapes known to do that; this is the net under it. When a worker dies,
its pool breaks and every file in flight there loses its answer: each of those is parsed again
alone, in a pool of its own, and the one that kills its worker again is reported as FM100. The
others, and the files not yet started, go on, with a fresh worker in place of the dead one. A
file leaves the queue only once a pool has taken it: a pool that broke between two answers
refuses the next file.

Memory: the workers are forked once per scan (Workers.start), before the scan holds much. A
process forked later carries the parent's heap as it then is (every source read so far, every
file's facts) and counts those pages as its own. They live through the per-file phase and the
whole-project rounds; a round's knowledge base reaches each worker with its first file of that
round. Each worker is a pool of one process (a lane), so that files can be placed: libcst's
parser needs about 300 bytes per source byte at its peak, and a process keeps its peak, so the
files over HEAVY_BYTES go to the first lane, and the other lanes take one only when too many
wait. One process grows, not all of them. The files are drawn from the scan as the workers
have room, so the main process holds only the sources in flight.
"""

from __future__ import annotations

import ctypes
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from types import TracebackType

from fmcat.scan import analyze as analysis
from fmcat.scan.facts import FileFacts, ParseError, Span
from fmcat.scan.knowledge import KnowledgeBase
from fmcat.scan.prefilter import Wants
from fmcat.scan.tokens import scan_tokens

#: Files handed to a worker at a time: enough to keep it busy, few enough that a crash leaves
#: few files to retry alone.
IN_FLIGHT_PER_WORKER = 3
#: A file larger than this goes to the first worker (a generated SDK client of 240 KB takes
#: libcst's parser to about 70 MB).
HEAVY_BYTES = 64 * 1024
#: Heavy files read and waiting for the first worker, past which the others take them too.
HEAVY_WAITING = 32

#: Another pass's work on a file's bytes, shown path and module, run in the worker beside the
#: scan's (the framework post-pass's per-file passes: frameworks/early.py). A module's function
#: (or a partial of one), so that it pickles by name.
Extra = Callable[[bytes, str, str], object]


@dataclass
class Job:
    shown: str
    module: str
    #: The file's bytes; let go (b"") once the job has its answer.
    source: bytes
    #: The cache's key for the file, the hash of ``source`` and the file's status.
    key: str
    digest: str
    status: list[int]
    #: Where the answer goes in the scan's list of files.
    slot: int = -1
    #: Parsed whatever the prefilter says: it imports a module that defines a derived client.
    wanted: bool = False
    #: Run in the worker too; what it returns is ``found`` once the answer is in.
    extra: Extra | None = None
    found: object = None


State = tuple[KnowledgeBase, tuple[str, ...], Wants]

# Worker state: set by the first file of each round (work's ``state``), so that the other tasks
# ship only their file.
_STATE: State | None = None


def _ready() -> None:
    """A pool's first task: it makes the pool fork its process now."""


def work(job: Job, state: State | None = None) -> tuple[FileFacts | None, object]:
    """One file in a worker: None when its tokens show it cannot matter, else its facts; and
    what the job's ``extra`` found."""
    global _STATE
    if state is not None:
        _STATE = state
    assert _STATE is not None
    facts = _facts(job, _STATE)
    return facts, job.extra(job.source, job.shown, job.module) if job.extra is not None else None


def _facts(job: Job, state: State) -> FileFacts | None:
    kb, patterns, prefilter = state
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


@dataclass
class _Lane:
    """One worker process, in a pool of its own."""

    pool: ProcessPoolExecutor
    #: The state its worker was last given.
    state: State | None = None
    in_flight: dict[Future[tuple[FileFacts | None, object]], Job] = field(default_factory=dict)


def _lane() -> _Lane:
    pool = ProcessPoolExecutor(1)
    pool.submit(_ready)
    return _Lane(pool)


class _Queue:
    """The files not yet handed to a worker, drawn from ``source`` as they are wanted, the
    heavy ones apart."""

    def __init__(self, source: Iterator[Job]) -> None:
        self.source: Iterator[Job] | None = source
        self.heavy: deque[Job] = deque()
        self.light: deque[Job] = deque()

    def __bool__(self) -> bool:
        return bool(self.heavy or self.light) or self._draw()

    def _draw(self) -> bool:
        if self.source is None:
            return False
        job = next(self.source, None)
        if job is None:
            self.source = None
            return False
        (self.heavy if len(job.source) > HEAVY_BYTES else self.light).append(job)
        return True

    def next_for(self, first: bool) -> deque[Job] | None:
        """The queue whose head goes to a lane next. The first lane takes a heavy file when one
        is waiting; the others draw past heavy files (left for the first lane, up to
        HEAVY_WAITING of them) for a light one, and take the smallest heavy one only when that
        many wait, not because no light file is left: at the end of a round, a second lane that
        took the last of a generated SDK's 240 KB clients grew to the first lane's size (72 MB
        to 136 MB on the SDK corpus), to save the second or so the first lane takes for it."""
        if first:
            if not (self.heavy or self.light):
                self._draw()
            return self.heavy or self.light or None
        while not self.light and len(self.heavy) < HEAVY_WAITING and self._draw():
            pass
        if self.light:
            return self.light
        if len(self.heavy) < HEAVY_WAITING:
            return None
        # The smallest of those waiting, to its head: the lane grows the least it can.
        smallest = min(range(len(self.heavy)), key=lambda i: len(self.heavy[i].source))
        self.heavy.rotate(-smallest)
        return self.heavy


class Workers:
    """The scan's worker processes, ``count`` of them, from start() (or the first run()) to
    close()."""

    def __init__(self, count: int) -> None:
        self.count = max(1, count)
        self._lanes: list[_Lane] = []

    def __enter__(self) -> Workers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def start(self) -> None:
        """Fork the workers now, if not yet done: a pool forks at its first task."""
        while len(self._lanes) < self.count:
            self._lanes.append(_lane())

    def close(self) -> None:
        for lane in self._lanes:
            lane.pool.shutdown()
        self._lanes.clear()

    def run(
        self,
        jobs: Iterable[Job],
        kb: KnowledgeBase,
        patterns: tuple[str, ...],
        prefilter: Wants,
    ) -> Iterator[tuple[Job, FileFacts | None]]:
        """Each job with its answer, in the order they finish. ``jobs`` is drawn from as the
        workers have room, so that a generator's files are read shortly before their parse."""
        queue = _Queue(iter(jobs))
        if not queue:
            return
        self.start()
        state = (kb, patterns, prefilter)
        lanes = self._lanes
        while queue or any(lane.in_flight for lane in lanes):
            for index, lane in enumerate(lanes):
                if not self._feed(lane, queue, index == 0, state):
                    yield from self._replace(index, state)
            waiting = {future: lane for lane in lanes for future in lane.in_flight}
            if not waiting:
                continue
            done, _ = wait(waiting, return_when=FIRST_COMPLETED)
            broken: set[int] = set()
            for future in done:
                lane = waiting[future]
                if future not in lane.in_flight:
                    continue  # answered with the rest of its broken lane
                try:
                    facts, found = future.result()  # raises BrokenProcessPool if its worker died
                except BrokenProcessPool:
                    broken.add(lanes.index(lane))
                    continue
                job = lane.in_flight.pop(future)
                job.source, job.found = b"", found
                yield job, facts
            for index in sorted(broken):
                yield from self._replace(index, state)

    def _feed(self, lane: _Lane, queue: _Queue, first: bool, state: State) -> bool:
        """Fill the lane's worker up to IN_FLIGHT_PER_WORKER; False if its pool is broken."""
        while len(lane.in_flight) < IN_FLIGHT_PER_WORKER:
            taken = queue.next_for(first)
            if taken is None:
                return True
            given = state if lane.state is not state else None
            try:
                future = lane.pool.submit(work, taken[0], given)
            except BrokenProcessPool:
                return False
            # Off the queue only once submitted: a pool that broke since the last answer
            # refuses the file, which then waits for the next worker.
            lane.in_flight[future] = taken.popleft()
            lane.state = state
        return True

    def _replace(self, index: int, state: State) -> Iterator[tuple[Job, FileFacts | None]]:
        """The files in flight in a broken lane, each parsed alone; a fresh lane in its place."""
        lane = self._lanes[index]
        lane.pool.shutdown()
        self._lanes[index] = _lane()
        for future, job in lane.in_flight.items():
            if future.done() and not future.cancelled() and future.exception() is None:
                facts, job.found = future.result()  # finished before its worker died
            else:
                facts, job.found = _alone(job, state)
            job.source = b""
            yield job, facts


def parse_all(
    jobs: list[Job],
    workers: int,
    kb: KnowledgeBase,
    patterns: tuple[str, ...],
    prefilter: Wants,
) -> Iterator[tuple[Job, FileFacts | None]]:
    """Each job with its answer, in the order they finish, in ``workers`` processes of their own."""
    with Workers(workers) as pool:
        yield from pool.run(jobs, kb, patterns, prefilter)


def _alone(job: Job, state: State) -> tuple[FileFacts | None, object]:
    try:
        with ProcessPoolExecutor(1) as pool:
            return pool.submit(work, job, state).result()
    except BrokenProcessPool:
        crashed = FileFacts(
            path=job.shown,
            module=job.module,
            parse_error=ParseError(
                Span(1, 1, 1, 1),
                "cannot parse: the parser (libcst) crashed on this file; the scan went on "
                "without it. Please report it to fmcat with the file, if you can",
            ),
            parsed=True,
        )
        return crashed, None


def give_back() -> None:
    """Hand the heap that the sources of a phase left free back to the system. glibc keeps it
    otherwise (the sources were freed in the order their answers came, between objects that
    stay), and the process carries it through the next round. A no-op without glibc."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError, TypeError):
        return
    trim(0)
