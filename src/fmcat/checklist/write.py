"""The checklist as GitHub-flavoured Markdown, for `$GITHUB_STEP_SUMMARY` and PR comments.

Plain GFM only (headings, task lists, tables, code spans, one quote for the truncation note),
so the same text reads well in a step summary, a comment and a terminal. Order is fixed by the
data (dependencies by name, calls by path and line), so two runs print the same bytes.

Short on purpose: a call with nothing open is one entry of a single folded line per dependency,
and a call with something open lists only what is open (what fmcat ticked is named on the call's
line). With a base commit, each open item says whether its finding is new or already there.

A comment holds at most 65,536 characters. Past ``BUDGET`` (counted in UTF-8 bytes, never
fewer than GitHub's count, with room left for a heading or marker a workflow adds), whole
entries are left out from the end and a note says how many items were.
"""

from __future__ import annotations

from dataclasses import dataclass

from fmcat.checklist.items import listing, plural
from fmcat.checklist.markdown import Md, code, text
from fmcat.checklist.model import Call, Checklist, Group, Item

COMMENT_LIMIT = 65_536
BUDGET = 64_000


@dataclass(frozen=True)
class _Block:
    text: str
    items: int = 0
    calls: int = 0

    @property
    def size(self) -> int:
        return len(self.text.encode("utf-8"))


def _age(item: Item, checklist: Checklist) -> str:
    new = checklist.is_new(item)
    if new is None or item.done:
        return ""
    return " · **new in this change**" if new else " · already there before this change"


def _item(item: Item, checklist: Checklist, indent: str = "") -> str:
    lines = [f"{indent}- [{'x' if item.done else ' '}] {item.text}{_age(item, checklist)}\n"]
    lines += [f"{indent}  - {note}\n" for note in item.notes]
    return "".join(lines)


def _label(item: Item) -> str:
    """`Timeout set: 2s` -> `timeout set`: what a ticked item checked, for the call's line."""
    return item.text.split(":", 1)[0].lower()


def _open_call(call: Call, checklist: Checklist, through: list[Call]) -> _Block:
    ticked = [_label(item) for item in call.items if item.done]
    done = f" (checked: {listing(ticked)})" if ticked else ""
    text = f"- {call.title}{done}\n"
    text += "".join(_item(item, checklist, "  ") for item in call.items if not item.done)
    text += "".join(f"  - {note}\n" for note in call.notes)
    if through:
        lines = ", ".join(str(c.line) for c in through)
        text += (
            f"  - {plural(len(through), 'call goes', 'calls go')} through this client and "
            f"{'has' if len(through) == 1 else 'have'} no other open item: line"
            f"{'s' * (len(through) > 1)} {lines}\n"
        )
    count = len(call.items) + sum(len(c.items) for c in through)
    return _Block(text, items=count, calls=1 + len(through))


def _only_through(call: Call) -> int | None:
    """The client's line when all that is open on ``call`` is its client's missing timeout."""
    open_items = [item for item in call.items if not item.done]
    clients = {item.through_client for item in open_items}
    if call.notes or len(clients) != 1 or None in clients:
        return None
    return clients.pop()


def _calls(calls: tuple[Call, ...], checklist: Checklist) -> list[_Block]:
    opened = [call for call in calls if call.is_open]
    listed = {(call.path, call.line) for call in opened if _only_through(call) is None}
    through: dict[tuple[str, int], list[Call]] = {}
    for call in opened:
        client = _only_through(call)
        if client is not None and (call.path, client) in listed:
            through.setdefault((call.path, client), []).append(call)
    folded = {id(call) for calls_of in through.values() for call in calls_of}
    blocks = [
        _open_call(call, checklist, through.get((call.path, call.line), []))
        for call in opened
        if id(call) not in folded
    ]
    quiet = [call for call in calls if not call.is_open]
    if quiet:
        blocks.append(_folded(quiet))
    return blocks


def _folded(calls: list[Call]) -> _Block:
    """Calls with nothing open, on one line: by file, their line numbers."""
    by_file: dict[str, list[str]] = {}
    for call in calls:
        by_file.setdefault(call.path, []).append(str(call.line))
    where = "; ".join(
        f"{code(path)} line{'s' * (len(lines) > 1)} {', '.join(lines)}"
        for path, lines in by_file.items()
    )
    checks = listing(sorted({_label(item) for call in calls for item in call.items}))
    text = f"- [x] {plural(len(calls), 'call')} with nothing open ({checks}): {where}\n"
    return _Block(text, items=sum(len(c.items) for c in calls), calls=len(calls))


def _cell(value: str | None) -> Md:
    return code(value) if value else Md("—")


def _policy(group: Group) -> list[_Block]:
    if not group.policy_changes:
        return []
    rows = "".join(
        f"| {code(c.key)} | {_cell(c.before)} | {_cell(c.after)} |\n" for c in group.policy_changes
    )
    blocks = [_Block(f"\n| Policy | Before | After |\n|---|---|---|\n{rows}")]
    if group.worst_cases:
        fits = {True: "yes", False: "**no**", None: "—"}
        rows = "".join(
            f"| {code(w.operation)} | {w.budget} | {text(w.before or '—')} | "
            f"{text(w.after or '—')} | {fits[w.fits]} |\n"
            for w in group.worst_cases
        )
        blocks.append(
            _Block(
                "\n| Operation | Budget | Worst case before | Worst case after | Fits |\n"
                f"|---|---|---|---|---|\n{rows}"
            )
        )
    return blocks


def _group(group: Group, checklist: Checklist) -> list[_Block]:
    blocks = [_Block(f"\n### {group.title}\n\n{group.about}\n")]
    blocks += _policy(group)
    listed = _calls(group.calls, checklist)
    if not group.calls and group.no_calls:
        blocks.append(_Block(f"\n{group.no_calls}\n"))
    listed += [_Block(_item(item, checklist), items=1) for item in group.catalog]
    if listed or group.review:
        blocks += [_Block("\n"), *listed]
    # The reviewer's items follow fmcat's in the same list, marked: a label line between them
    # would cost two lines a dependency.
    blocks += [
        _Block(_item(item, checklist).replace("] ", "] **Review:** ", 1), items=1)
        for item in group.review
    ]
    if group.modes_not_asked:
        blocks.append(
            _Block(
                f"\n{plural(group.modes_not_asked, 'failure mode is', 'failure modes are')} "
                "not asked about: their response relies on no policy and no call that changed.\n"
            )
        )
    return blocks


def _summary(checklist: Checklist) -> str:
    calls = plural(checklist.calls, "external call")
    dependencies = plural(checklist.dependencies, "dependency", "dependencies")
    if checklist.base is None:
        scope = f"The whole service: {calls} in {dependencies}."
    else:
        files = [
            plural(count, kind)
            for count, kind in (
                (checklist.changed_python, "Python file"),
                (checklist.changed_catalog, "catalog file"),
            )
            if count
        ]
        changed = f"{' and '.join(files)} changed" if files else "no Python or catalog file changed"
        scope = f"Changes since {code(checklist.base)} ({changed}): "
        if checklist.groups:
            scope += f"{calls} added or changed, {dependencies} to review."
        else:
            scope += "no external call added or changed, and no dependency to review."
    every = checklist.items()
    if not every:
        return f"{scope}\n"
    verified = [item for item in every if item.verified]
    ticked = sum(1 for item in verified if item.done)
    review = len(every) - len(verified)
    return (
        f"{scope}\n\nfmcat ticked {ticked} of the {plural(len(verified), 'item')} it checks "
        f"(an open one says why); {plural(review, 'item is', 'items are')} for the reviewer.\n"
    )


def _blocks(checklist: Checklist) -> list[_Block]:
    title = "## fmcat checklist" + (
        f": {code(checklist.service)}" if checklist.service != "." else ""
    )
    blocks = [_Block(f"{title}\n\n{_summary(checklist)}")]
    for group in checklist.groups:
        blocks += _group(group, checklist)
    if checklist.broken_catalog:
        blocks.append(_Block("\n### Catalog files with errors\n\n"))
        blocks += [_Block(_item(item, checklist), items=1) for item in checklist.broken_catalog]
    if checklist.gone:
        blocks.append(_Block("\n### Deleted and renamed files\n\n"))
        blocks += [_Block(_item(item, checklist), items=1) for item in checklist.gone]
    return blocks


def _note(items: int, calls: int) -> str:
    what = f"{items:,} more checklist item{'s' * (items != 1)}"
    if calls:
        what += f" ({calls:,} call{'s' * (calls != 1)})"
    return (
        f"\n> **Truncated:** {what} {'is' if items == 1 else 'are'} not shown, to stay under "
        f"GitHub's limit of {COMMENT_LIMIT:,} characters for a comment. `fmcat lint` reports "
        "every finding.\n"
    )


def write_markdown(checklist: Checklist, budget: int = BUDGET) -> str:
    blocks = _blocks(checklist)
    if sum(block.size for block in blocks) <= budget:
        return "".join(block.text for block in blocks)
    reserve = len(_note(10**9, 10**9).encode("utf-8"))
    shown: list[_Block] = [blocks[0]]
    size = blocks[0].size
    for block in blocks[1:]:
        if size + block.size + reserve > budget:
            break
        shown.append(block)
        size += block.size
    while len(shown) > 1 and not shown[-1].items:
        shown.pop()  # a heading with nothing under it
    rest = blocks[len(shown) :]
    note = _note(sum(b.items for b in rest), sum(b.calls for b in rest))
    return "".join(block.text for block in shown) + note
