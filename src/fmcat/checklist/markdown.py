"""Text into GitHub-flavoured Markdown that shows exactly that text, and nothing more.

Catalog titles, finding messages, URLs and names from the code are data: pasted raw into a
pull-request comment, `<img src=x>` would be HTML, `[x](y)` a link and a newline a new list
item. Everything goes through `text` or `code`; `Md` marks what is already safe. Backtick code
spans in text stay code, because runbook titles and messages quote commands.

The escaping is the site's (``fmcat.render.markdown.escape``) with GitHub's characters: GitHub
has a backslash escape for every ASCII punctuation character, HTML's `<` and `&` included, and
reads `~` as strikethrough. ``Md`` is a type of its own, so that text escaped for GitHub is
never taken for text escaped for the site, or the other way round.
"""

from __future__ import annotations

from fmcat.render import markdown


class Md(str):
    """A string that is Markdown already, safe to put in the checklist as-is."""

    __slots__ = ()


# Escaped wherever they stand: they open emphasis, links, strikethrough, HTML, entities or
# table cells. Text is always one line after a list marker, so block syntax cannot start.
_BACKSLASHED = frozenset("\\`*[]<>|~&")


def code(value: str) -> Md:
    """A code span for any text: the fence is one backtick longer than any run inside it."""
    return Md(markdown.code(value))


def text(value: str) -> Md:
    """Prose on one line: escaped, except that `code spans` stay code."""
    return Md(markdown.escaped_line(value, _BACKSLASHED, {}))
