"""Text into GitHub-flavoured Markdown that shows exactly that text, and nothing more.

Catalog titles, finding messages, URLs and names from the code are data: pasted raw into a
pull-request comment, `<img src=x>` would be HTML, `[x](y)` a link and a newline a new list
item. Everything goes through `text` or `code`; `Md` marks what is already safe. Backtick code
spans in text stay code, because runbook titles and messages quote commands.
"""

from __future__ import annotations

import re


class Md(str):
    """A string that is Markdown already, safe to put in the checklist as-is."""

    __slots__ = ()


# Escaped wherever they stand: they open emphasis, links, strikethrough, HTML, entities or
# table cells. Text is always one line after a list marker, so block syntax cannot start.
_BACKSLASHED = frozenset("\\`*[]<>|~&")
_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)")
_WHITESPACE = re.compile(r"\s+")


def _collapse(value: str) -> str:
    return _WHITESPACE.sub(" ", value).strip()


def _escape(value: str) -> str:
    out = []
    for index, char in enumerate(value):
        if char == "_":
            # Inside a word (metric_name) GitHub never reads `_` as emphasis; keep it readable.
            before = value[index - 1] if index else " "
            after = value[index + 1] if index + 1 < len(value) else " "
            out.append("_" if before.isalnum() and after.isalnum() else "\\_")
        elif char in _BACKSLASHED:
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def code(value: str) -> Md:
    """A code span for any text: the fence is one backtick longer than any run inside it."""
    value = _collapse(value)
    if not value:
        return Md("")
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return Md(f"{fence}{pad}{value}{pad}{fence}")


def text(value: str) -> Md:
    """Prose on one line: escaped, except that `code spans` stay code."""
    value = _collapse(value)
    parts = []
    position = 0
    for match in _CODE_SPAN.finditer(value):
        parts.append(_escape(value[position : match.start()]))
        parts.append(code(match.group(2)))
        position = match.end()
    parts.append(_escape(value[position:]))
    return Md("".join(parts))
