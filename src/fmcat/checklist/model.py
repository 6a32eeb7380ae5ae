"""The checklist as data: groups of calls and items, each item already phrased as Markdown.

`collect.py` fills it in, `write.py` lays it out; neither needs the other's details.
"""

from __future__ import annotations

from dataclasses import dataclass

from fmcat.checklist.markdown import Md
from fmcat.checklist.policy_diff import PolicyChange, WorstCaseChange
from fmcat.findings import Finding


@dataclass(frozen=True)
class Item:
    """One checkbox. ``verified``: fmcat decided it from the scan (ticked when ``done``);
    otherwise it is the reviewer's to tick, and always starts open."""

    done: bool
    text: Md
    verified: bool = True
    #: Sub-bullets without a checkbox: the findings behind an open item.
    notes: tuple[Md, ...] = ()
    #: The findings that keep it open: with a base commit, each is new or was already there.
    findings: tuple[Finding, ...] = ()
    #: Open only because the client the call goes through is: that client's line, same file.
    through_client: int | None = None


@dataclass(frozen=True)
class Call:
    """One external call site (or a client construction that sets a timeout)."""

    path: str
    line: int
    column: int
    title: Md
    items: tuple[Item, ...]
    #: Other findings on the call (a timeout above the catalog's, a library default).
    notes: tuple[Md, ...] = ()
    #: The client library (`requests`), to tell which failure modes the call can reach.
    library: str = ""

    @property
    def is_open(self) -> bool:
        return bool(self.notes) or any(not item.done for item in self.items)


@dataclass(frozen=True)
class Group:
    """A catalog dependency (``name``), or the calls attributed to none (``name`` is None)."""

    name: str | None
    title: Md
    about: Md
    calls: tuple[Call, ...]
    #: What fmcat checks on the catalog entry itself.
    catalog: tuple[Item, ...] = ()
    #: Failure modes, runbook and metrics: the reviewer's.
    review: tuple[Item, ...] = ()
    #: Said when there are no calls to list.
    no_calls: str = ""
    #: What the change did to the declared policy, and to the worst case against each budget.
    policy_changes: tuple[PolicyChange, ...] = ()
    worst_cases: tuple[WorstCaseChange, ...] = ()
    #: Failure modes not asked about: their response touches neither the changed policy nor
    #: the changed calls.
    modes_not_asked: int = 0


@dataclass(frozen=True)
class Checklist:
    service: str
    #: The revision the change is measured from, as given; None for the whole service.
    base: str | None
    groups: tuple[Group, ...]
    #: Catalog files that do not load (FM001/FM002), each an item with its findings.
    broken_catalog: tuple[Item, ...] = ()
    #: Deleted and renamed files of the service (change only).
    gone: tuple[Item, ...] = ()
    changed_python: int = 0
    changed_catalog: int = 0
    #: What the user should know that is not part of the checklist (printed on stderr).
    notes: tuple[str, ...] = ()
    #: With a base commit: the findings it did not have. None for the whole service.
    new_findings: frozenset[Finding] | None = None

    def is_new(self, item: Item) -> bool | None:
        """Whether the change brought the findings behind ``item``; None when not known."""
        if self.new_findings is None or not item.findings:
            return None
        return any(finding in self.new_findings for finding in item.findings)

    @property
    def calls(self) -> int:
        return sum(len(group.calls) for group in self.groups)

    @property
    def dependencies(self) -> int:
        return sum(1 for group in self.groups if group.name is not None)

    def items(self) -> list[Item]:
        found = [item for group in self.groups for call in group.calls for item in call.items]
        found += [item for group in self.groups for item in (*group.catalog, *group.review)]
        return [*found, *self.broken_catalog, *self.gone]
