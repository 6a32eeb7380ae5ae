"""Which failure modes a change asks the reviewer about.

A mode is asked about when the change can make what it says untrue: its own lines in the
catalog changed; a policy setting changed that its automatic response relies on (a mode that
lists `retry` is asked about `retry.attempts: 3 → 4`); or a call changed whose library raises
the exceptions it names (a new `requests.get` asks about modes naming `requests.Timeout`). A
mode that names no exceptions is asked about whenever a call of its dependency changed, since
fmcat cannot tell which calls reach it. A dependency that is new in the change has every mode
asked about.
"""

from __future__ import annotations

from collections.abc import Sequence

from fmcat.catalog.load import Entry
from fmcat.checklist.diff import FileChange
from fmcat.checklist.model import Call
from fmcat.checklist.policy_diff import PolicyChange


def _mode_lines(entry: Entry) -> list[tuple[int, int]]:
    """Each failure mode's first and last line in its file (up to the next one's start)."""
    count = len(entry.model.failure_modes)
    starts = [entry.source.locate(("failure_modes", i)).line for i in range(count)]
    last = entry.source.text.count("\n") + 1
    ends = [start - 1 for start in starts[1:]] + [last]
    return list(zip(starts, ends, strict=True))


def _root(name: str) -> str:
    return name.split(".", 1)[0]


def modes_to_ask(
    entry: Entry,
    change: FileChange | None,
    policy: Sequence[PolicyChange],
    calls: Sequence[Call],
    *,
    new: bool,
) -> list[int]:
    """Indexes of the failure modes to ask about, in file order."""
    modes = entry.model.failure_modes
    if new and change is not None:
        return list(range(len(modes)))
    mechanisms = {p.mechanism for p in policy}
    libraries = {_root(call.library) for call in calls if call.library}
    asked = []
    for index, (mode, (start, end)) in enumerate(zip(modes, _mode_lines(entry), strict=True)):
        automatic = set(mode.response.automatic) if mode.response else set()
        roots = {_root(name) for name in mode.exceptions}
        if (
            (change is not None and change.touches(start, end))
            or automatic & mechanisms
            or (calls and (not roots or roots & libraries))
        ):
            asked.append(index)
    return asked
