"""The checklist as GitHub-flavoured Markdown, for `$GITHUB_STEP_SUMMARY` and PR comments.

Plain GFM only (headings, task lists, code spans, one quote for the truncation note), so the
same text reads well in a step summary, a comment and a terminal. Order is fixed by the data
(dependencies by name, calls by path and line), so two runs print the same bytes.

A comment holds at most 65,536 characters. Past ``BUDGET`` (counted in UTF-8 bytes, never
fewer than GitHub's count, with room left for a heading or marker a workflow adds), whole
entries are left out from the end and a note says how many items were.
"""

from __future__ import annotations

from dataclasses import dataclass

from fmcat.checklist.items import plural
from fmcat.checklist.markdown import code
from fmcat.checklist.model import Checklist, Group, Item

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


def _item(item: Item, indent: str = "") -> str:
    lines = [f"{indent}- [{'x' if item.done else ' '}] {item.text}\n"]
    lines += [f"{indent}  - {note}\n" for note in item.notes]
    return "".join(lines)


def _list(label: str, entries: tuple[Item, ...]) -> list[_Block]:
    if not entries:
        return []
    return [_Block(f"\n**{label}**\n\n"), *(_Block(_item(e), items=1) for e in entries)]


def _group(group: Group) -> list[_Block]:
    blocks = [_Block(f"\n### {group.title}\n\n{group.about}\n")]
    if group.calls:
        blocks.append(_Block("\n**Calls**\n\n"))
        for call in group.calls:
            text = f"- {call.title}\n"
            text += "".join(_item(item, "  ") for item in call.items)
            text += "".join(f"  - {note}\n" for note in call.notes)
            blocks.append(_Block(text, items=len(call.items), calls=1))
    elif group.no_calls:
        blocks.append(_Block(f"\n{group.no_calls}\n"))
    blocks += _list("Catalog", group.catalog)
    blocks += _list("For the reviewer", group.review)
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
        blocks += _group(group)
    if checklist.broken_catalog:
        blocks.append(_Block("\n### Catalog files with errors\n\n"))
        blocks += [_Block(_item(item), items=1) for item in checklist.broken_catalog]
    if checklist.gone:
        blocks.append(_Block("\n### Deleted and renamed files\n\n"))
        blocks += [_Block(_item(item), items=1) for item in checklist.gone]
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
