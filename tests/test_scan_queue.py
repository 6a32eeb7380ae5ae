"""Which worker lane takes which file (workers._Queue): the files over HEAVY_BYTES go to the
first lane, so that one process grows to libcst's peak on a generated SDK client, not all."""

from __future__ import annotations

from fmcat.scan.workers import HEAVY_BYTES, HEAVY_WAITING, Job, _Queue


def _job(name: str, size: int) -> Job:
    return Job(name, name, b"x" * size, name, "", [0, 0, 0, 0, 0])


def _names(taken: list[Job]) -> list[str]:
    return [job.shown for job in taken]


def test_the_other_lanes_draw_past_a_heavy_file_for_a_light_one() -> None:
    queue = _Queue(iter([_job("big", HEAVY_BYTES + 1), _job("small", 10)]))
    other = queue.next_for(first=False)
    assert other is not None
    assert other.popleft().shown == "small"
    first = queue.next_for(first=True)
    assert first is not None
    assert first.popleft().shown == "big"


def test_a_heavy_file_left_at_the_end_waits_for_the_first_lane() -> None:
    # The last files of a round: light ones, then one 240 KB client. The second lane, out of
    # light files, takes nothing; before, it took the client and grew from 72 to 136 MB.
    queue = _Queue(iter([_job("a", 10), _job("b", 10), _job("client", 240 * 1024)]))
    taken = []
    while (light := queue.next_for(first=False)) is not None:
        taken.append(light.popleft())
    assert _names(taken) == ["a", "b"]
    assert queue.next_for(first=False) is None
    first = queue.next_for(first=True)
    assert first is not None
    assert _names([first.popleft()]) == ["client"]
    assert not queue


def test_the_other_lanes_take_heavy_files_when_too_many_wait() -> None:
    heavy = [_job(f"h{i}", HEAVY_BYTES + 1) for i in range(HEAVY_WAITING)]
    queue = _Queue(iter(heavy))
    other = queue.next_for(first=False)
    assert other is not None
    assert other.popleft().shown == "h0"
    # One fewer waits now: the next is left for the first lane.
    assert queue.next_for(first=False) is None


def test_of_the_heavy_files_waiting_the_other_lanes_take_the_smallest() -> None:
    sizes = [240 * 1024] * (HEAVY_WAITING - 1) + [HEAVY_BYTES + 5]
    queue = _Queue(iter([_job(f"h{i}", size) for i, size in enumerate(sizes)]))
    other = queue.next_for(first=False)
    assert other is not None
    assert other.popleft().shown == f"h{HEAVY_WAITING - 1}"
    first = queue.next_for(first=True)
    assert first is not None
    assert len(first) == HEAVY_WAITING - 1
