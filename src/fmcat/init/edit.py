"""Adding match rules and call-site comments to a catalog file someone has written.

The file is parsed with ruamel's round-trip loader, for the positions of its keys and items,
and the new lines are inserted into the text at those positions: nothing the user wrote is
re-serialised, so their comments, key order, quoting, indentation and line endings stay as
they were, byte for byte. The result is parsed again and must hold exactly the old data plus
the new rules, or the edit is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from fmcat.catalog.yaml_guard import TooLargeError, UnreadableError, catalog_yaml, to_plain
from fmcat.errors import FmcatError
from fmcat.init.skeleton import quote

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


class EditError(FmcatError):
    """The file cannot be added to without rewriting what the user wrote."""


@dataclass
class NewRule:
    kind: str  # "url" or "call"
    pattern: str
    comments: list[str] = field(default_factory=list)


@dataclass
class Edit:
    #: Rules to append to `match`, each with its call-site comments.
    rules: list[NewRule] = field(default_factory=list)
    #: Call-site comments to insert above existing match rules, by the rule's index.
    comments: dict[int, list[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.rules) or any(self.comments.values())


def _parse(text: str) -> Any:
    try:
        return catalog_yaml().load(text)
    except YAMLError as error:
        raise EditError(f"cannot parse it: {error}") from error


def apply(text: str, edit: Edit) -> str:
    """The text with the edit made; raises EditError when that cannot be done by insertion."""
    tree = _parse(text)
    if not isinstance(tree, CommentedMap) or _char_at(text, tree.lc.line, tree.lc.col) == "{":
        raise EditError("it is not a block mapping (`key: value` lines)")
    lines: list[str] = _LINE.findall(text)
    newline = next((m[len(m.rstrip("\r\n")) :] for m in lines if m.endswith(("\n", "\r"))), "\n")
    match = tree.get("match")
    inserts: dict[int, list[str]] = {}
    tail: tuple[int, int, str] | None = None  # flow sequence: (line, column, text to insert)
    if "match" not in tree:
        end = _value_end(lines, 0, len(lines), 1)
        block = ["match:"]
        for rule in edit.rules:
            block += [f"  # {c}" for c in rule.comments] + [f"  - {_item(rule)}"]
        inserts[end] = block
    elif isinstance(match, CommentedSeq) and _char_at(text, match.lc.line, match.lc.col) == "-":
        _block_sequence(tree, match, lines, edit, inserts)
    elif isinstance(match, CommentedSeq) and _char_at(text, match.lc.line, match.lc.col) == "[":
        key_line, key_col = tree.lc.key("match")
        comments = [c for rule in edit.rules for c in rule.comments]
        comments += [c for index in sorted(edit.comments) for c in edit.comments[index]]
        if comments:
            inserts[key_line] = [" " * key_col + f"# {c}" for c in comments]
        if edit.rules:
            tail = _flow_append(text, match.lc.line, match.lc.col, edit.rules)
    else:
        raise EditError("its `match:` is not a list")
    if tail is not None:
        line, column, added = tail
        lines[line] = lines[line][:column] + added + lines[line][column:]
    result = _insert(lines, inserts, newline)
    _check(text, result, edit)
    return result


def _item(rule: NewRule) -> str:
    return f"{rule.kind}: {quote(rule.pattern)}"


def _char_at(text: str, line: int, column: int) -> str:
    rows: list[str] = _LINE.findall(text)
    if line >= len(rows) or column >= len(rows[line]):
        return ""
    return rows[line][column]


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _value_end(lines: list[str], start: int, stop: int, min_indent: int) -> int:
    """Where a value that starts at line ``start`` ends: after its last line of content, or of
    comment indented at least ``min_indent`` (less indented comments belong to what follows)."""
    end = start + 1
    for number in range(start, stop):
        line = lines[number]
        if not line.strip():
            continue
        if not _is_comment(line) or _indent(line) >= min_indent:
            end = number + 1
    return min(end, stop) if stop > start else end


def _dash_line(lines: list[str], item_line: int, column: int) -> int:
    """The line of a block sequence item's `-`, at or above the line its content starts on."""
    for number in range(item_line, -1, -1):
        line = lines[number]
        if (
            len(line) > column
            and line[column] == "-"
            and not line[:column].strip()
            and line[column + 1 : column + 2] in ("", " ", "\t", "\r", "\n")
        ):
            return number
    return item_line


def _block_sequence(
    tree: CommentedMap,
    match: CommentedSeq,
    lines: list[str],
    edit: Edit,
    inserts: dict[int, list[str]],
) -> None:
    column = match.lc.col
    pad = " " * column
    dashes = [_dash_line(lines, match.lc.item(i)[0], column) for i in range(len(match))]
    for index, comments in sorted(edit.comments.items()):
        if comments and index < len(dashes):
            inserts.setdefault(dashes[index], []).extend(f"{pad}# {c}" for c in comments)
    if not edit.rules:
        return
    keys = list(tree)
    position = keys.index("match")
    stop = tree.lc.key(keys[position + 1])[0] if position + 1 < len(keys) else len(lines)
    key_column = tree.lc.key("match")[1]
    end = _value_end(lines, dashes[-1], stop, max(column, key_column + 1))
    block: list[str] = []
    for rule in edit.rules:
        block += [f"{pad}# {c}" for c in rule.comments] + [f"{pad}- {_item(rule)}"]
    inserts.setdefault(end, []).extend(block)


def _flow_append(text: str, line: int, column: int, rules: list[NewRule]) -> tuple[int, int, str]:
    """Where to add items to the flow sequence whose `[` is at (line, column), and the text:
    right after its last item (or after the `[` of an empty one)."""
    rows: list[str] = _LINE.findall(text)
    depth = 0
    quote_char = ""
    last: tuple[int, int, str] | None = None  # (line, column after it, character)
    for number in range(line, len(rows)):
        row = rows[number]
        index = column if number == line else 0
        while index < len(row):
            char = row[index]
            step = 1
            if quote_char:
                escaped = quote_char == '"' and char == "\\"
                doubled = quote_char == "'" == char and row[index + 1 : index + 2] == "'"
                if escaped or doubled:
                    step = 2
                elif char == quote_char:
                    quote_char = ""
            elif char == "#" and (index == 0 or row[index - 1] in " \t"):
                break  # a comment: the rest of the line
            elif char in "\"'":
                quote_char = char
            elif char in "[{":
                depth += 1
            elif char in "]}":
                depth -= 1
                if depth == 0:
                    items = ", ".join(f"{{{_item(rule)}}}" for rule in rules)
                    if last is None:
                        return number, index, items
                    where, after, previous = last
                    return where, after, (" " if previous == "," else ", ") + items
            if not char.isspace() and not (depth == 1 and char == "[" and last is None):
                last = (number, index + step, row[index + step - 1])
            index += step
    raise EditError("its `match:` list is not closed")


def _insert(lines: list[str], inserts: dict[int, list[str]], newline: str) -> str:
    out: list[str] = []
    for number in range(len(lines) + 1):
        if number in inserts:
            if out and not out[-1].endswith(("\n", "\r")):
                out[-1] += newline
            out += [line + newline for line in inserts[number]]
        if number < len(lines):
            out.append(lines[number])
    return "".join(out)


def _check(old: str, new: str, edit: Edit) -> None:
    """The new text must hold the old data, in the same order, plus the new rules."""
    try:
        before = to_plain(_parse(old))
        after = to_plain(_parse(new))
    except (TooLargeError, UnreadableError) as error:
        raise EditError(f"cannot read it: {error}") from error
    expected = dict(before)
    added = [{rule.kind: rule.pattern} for rule in edit.rules]
    expected["match"] = list(before.get("match") or []) + added
    if "match" not in before and not added:
        del expected["match"]
    if after != expected or [k for k in after if k in before] != list(before):
        raise EditError("inserting the new lines would change what the file says")
