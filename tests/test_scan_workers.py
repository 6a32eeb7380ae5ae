"""The parse workers when one of them dies (issue 9, row 7): the file that crashes the parser
is FM100, and every other file gets exactly its own answer, whether it was finished, in
flight or still queued when the pool broke. The crash is libcst's own segfault on the 8,000-term
chain, past the token guard; the pools are real process pools."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_for_futures
from pathlib import Path
from typing import Any, ClassVar

import pytest

from fmcat.scan import analyze as analysis
from fmcat.scan import tokens, workers
from fmcat.scan.cache import content_hash
from fmcat.scan.engine import prefilter_for
from fmcat.scan.facts import FileFacts
from fmcat.scan.knowledge import builtin
from fmcat.scan.workers import Job, parse_all
from tests.test_scan_engine import MISSING
from tests.test_scan_hostile_input import CHAIN

CRASHER = "m001_chain.py"


class RecordingPool(ProcessPoolExecutor):
    """A real process pool that keeps the first future it hands out for each file, so that a
    test can wait for the crasher's future: it fails only once the pool knows it is broken."""

    futures: ClassVar[dict[str, Future[Any]]] = {}

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        if fn is workers.work:  # not the task that makes the pool fork its worker
            self.futures.setdefault(args[0].shown, future)
        return future


def _job(name: str, source: str) -> Job:
    data = source.encode()
    return Job(name, name.removesuffix(".py"), data, name, content_hash(data), [0, 0, 0, 0, 0])


def _expected(name: str) -> dict[str, Any]:
    return analysis.analyze(MISSING.encode(), name, name.removesuffix(".py"), builtin()).to_json()


def _crash_held_until(go: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The crasher's worker waits for ``go`` before it parses (and dies): the test decides
    when the pool breaks. The workers are forked, so they see both patches."""
    monkeypatch.setattr(tokens, "MAX_DEPTH", 10**9)
    real = analysis.analyze

    def held(source: bytes, path: str, *args: Any, **kwargs: Any) -> FileFacts:
        if path == CRASHER:
            deadline = time.monotonic() + 120
            while not go.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
        return real(source, path, *args, **kwargs)

    monkeypatch.setattr(analysis, "analyze", held)


def _check(answers: dict[str, FileFacts | None], names: list[str]) -> None:
    assert sorted(answers) == sorted(names), "files without an answer"
    crashed = answers.pop(CRASHER)
    assert crashed is not None and crashed.parse_error is not None
    assert crashed.parse_error.message.startswith(
        "cannot parse: the parser (libcst) crashed on this file"
    )
    for name, facts in answers.items():
        assert facts is not None, name
        assert facts.to_json() == _expected(name), name


def test_a_file_queued_when_the_pool_breaks_keeps_its_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scan takes in its first answer, the crasher dies meanwhile, and the next file to
    submit finds the pool broken. Before the fix, that file was taken off the queue and then
    lost with the refused submit: the run ended with one file fewer and no word about it."""
    go = tmp_path / "go"
    _crash_held_until(go, monkeypatch)
    RecordingPool.futures = {}
    monkeypatch.setattr(workers, "ProcessPoolExecutor", RecordingPool)
    names = ["m000.py", CRASHER, *(f"m{i:03}.py" for i in range(2, 9))]
    jobs = [_job(n, CHAIN if n == CRASHER else MISSING) for n in names]
    kb = builtin()
    answers: dict[str, FileFacts | None] = {}
    for job, facts in parse_all(jobs, 1, kb, (), prefilter_for(kb, ())):
        if not answers:
            # One worker, three files in flight: the first is done, the crasher waits for
            # `go`. Let it die, and wait until its future says the pool is broken.
            assert job.shown == "m000.py"
            go.touch()
            wait_for_futures([RecordingPool.futures[CRASHER]], timeout=120)
            assert RecordingPool.futures[CRASHER].exception() is not None
        assert job.shown not in answers, f"{job.shown} answered twice"
        answers[job.shown] = facts
    _check(answers, names)


@pytest.mark.parametrize("workers_count", [1, 2])
def test_a_crash_among_files_in_flight_costs_only_the_crasher(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers_count: int
) -> None:
    """The crash left to its own timing, with files finished, in flight and queued around it."""
    monkeypatch.setattr(tokens, "MAX_DEPTH", 10**9)
    names = [f"m{i:03}.py" for i in range(24)]
    names[1] = CRASHER
    jobs = [_job(n, CHAIN if n == CRASHER else MISSING) for n in names]
    kb = builtin()
    answers: dict[str, FileFacts | None] = {}
    for job, facts in parse_all(jobs, workers_count, kb, (), prefilter_for(kb, ())):
        assert job.shown not in answers, f"{job.shown} answered twice"
        answers[job.shown] = facts
    _check(answers, names)
