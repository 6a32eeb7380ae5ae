"""CPU time, for the tests that bound how long something takes.

Wall time is what a loaded machine inflates: on the shared two-core machine, 13 deep in other
work, a run of 1 s of CPU took 5.5 s, and a second test worker does the same on its own. CPU
time is the work itself, which is what a quadratic loop, a missing bound or a spin inflates;
a hang that burns no CPU (a blocking read) is caught by the run's timeout instead.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


def children_cpu_seconds() -> float:
    """User and system time of this process's children that have ended (and of theirs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Spent:
    seconds: float = 0.0


@contextmanager
def cpu_time() -> Iterator[Spent]:
    """The CPU seconds spent in the block, by this process and by the children it waited for
    there (a subprocess run, a worker pool shut down). Tests run one at a time in a process,
    so no other test's children end inside the block."""
    spent = Spent()
    start = time.process_time() + children_cpu_seconds()
    try:
        yield spent
    finally:
        spent.seconds = time.process_time() + children_cpu_seconds() - start
