"""Catalog text into Markdown that says exactly what the catalog says, and nothing more.

Catalog fields are data written by anyone with commit access. The site is built by
Python-Markdown with `attr_list`, `tables` and `superfences`, so plain text that reached it raw
could add HTML (`<script>`), links (`[x](javascript:...)`), attributes (`{: onclick=...}`),
table cells (`|`) or whole blocks (`# `, `!!! `, fences). Every text field therefore goes
through `inline` or `paragraphs`, which escape everything Markdown or HTML would read, keeping
one thing on purpose: backtick code spans, because runbook steps quote commands and an on-call
engineer should see `shopctl flags set pay_later on` as code.

Jinja is not a concern here: catalog values are passed to templates as variables and Jinja
never evaluates a variable's text, so `{{ 7*7 }}` in a catalog stays those nine characters.

`Md` marks text that is already safe Markdown. The template environment escapes every `{{ }}`
value that is not `Md` (see `templates.py`), so a template that forgets a filter shows escaped
text rather than injecting it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote, urlsplit

__all__ = [
    "Md",
    "cell",
    "code",
    "escape",
    "escaped_line",
    "html_attribute",
    "inline",
    "link",
    "paragraphs",
    "safe_url",
    "tag",
]


class Md(str):
    """A string that is Markdown already, safe to put in a page as-is."""

    __slots__ = ()


# Escaped wherever they stand: they open inline constructs (code, emphasis, links, attribute
# lists, table cells) or end a heading (`#`). `_` is special-cased in `escape`.
_BACKSLASHED = frozenset("\\`*{}[]|#")
# HTML has no backslash escape in Python-Markdown: character references instead.
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# Characters that open a block only at the start of a line (lists, headings, fences, quotes,
# admonitions, setext underlines). Text is collapsed to one line, so only its first character
# can stand there; it becomes a character reference when it is one of these.
_LINE_START = frozenset("-+!?:~=")
_ORDERED_MARKER = re.compile(r"(\d+)([.)])")
_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_WHITESPACE = re.compile(r"\s+")
_ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
_TAG_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]+")


def _collapse(text: str) -> str:
    """One line: a newline in a field must not start a list, a heading or a table row."""
    return _WHITESPACE.sub(" ", text).strip()


def escape(text: str, backslashed: frozenset[str], entities: Mapping[str, str]) -> str:
    """``text`` with each character of ``backslashed`` behind a backslash and each of
    ``entities`` as its reference: the one escaper, for the site (Python-Markdown, here) and
    the checklist (GitHub's Markdown, ``fmcat.checklist.markdown``), whose syntaxes differ."""
    if "_" not in text and backslashed.isdisjoint(text) and not any(e in text for e in entities):
        # Most catalog text has nothing to escape; a site of many services has tens of
        # thousands of such values, and the loop below costs a Python step per character.
        return text
    out = []
    for index, char in enumerate(text):
        if char == "_":
            # An underscore inside a word (metric_name) is never emphasis, in Python-Markdown or
            # on GitHub; escaping only the others keeps metric names readable.
            before = text[index - 1] if index else " "
            after = text[index + 1] if index + 1 < len(text) else " "
            out.append("_" if before.isalnum() and after.isalnum() else "\\_")
        elif char in backslashed:
            out.append("\\" + char)
        else:
            out.append(entities.get(char, char))
    return "".join(out)


def escaped_line(text: str, backslashed: frozenset[str], entities: Mapping[str, str]) -> str:
    """Prose on one line, escaped (see ``escape``), except that `code spans` stay code."""
    text = _collapse(text)
    parts = []
    position = 0
    for match in _CODE_SPAN.finditer(text):
        parts.append(escape(text[position : match.start()], backslashed, entities))
        parts.append(code(match.group(2)))
        position = match.end()
    parts.append(escape(text[position:], backslashed, entities))
    return "".join(parts)


def _guard_line_start(markdown: str) -> str:
    """Whatever precedes it (a list marker, a line start), text must not open a block."""
    if markdown[:1] in _LINE_START:
        return f"&#{ord(markdown[0])};{markdown[1:]}"
    marker = _ORDERED_MARKER.match(markdown)
    if marker:
        return f"{marker.group(1)}&#{ord(marker.group(2))};{markdown[marker.end() :]}"
    return markdown


def code(text: str) -> Md:
    """A code span for any text: the fence is one backtick longer than any run inside it."""
    text = _collapse(text)
    if not text:
        return Md("")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return Md(f"{fence}{pad}{text}{pad}{fence}")


def inline(text: str | None) -> Md:
    """Text for anywhere in a line: escaped, except that `code spans` stay code."""
    if text is None:
        return Md("")
    return Md(_guard_line_start(escaped_line(text, _BACKSLASHED, _ENTITIES)))


def paragraphs(text: str | None) -> Md:
    """Longer text: blank lines in the catalog separate paragraphs, all else is one line each."""
    if text is None:
        return Md("")
    blocks = [block for block in re.split(r"\n\s*\n", text) if block.strip()]
    return Md("\n\n".join(inline(block) for block in blocks))


def cell(text: str | None) -> Md:
    """Text for a table cell: `inline` escapes `|` already; an empty cell shows a dash."""
    rendered = inline(text)
    return rendered if rendered else Md("—")


def safe_url(url: str) -> str | None:
    """The URL percent-encoded for a Markdown link, or None when its scheme is not allowed.

    Only http(s) and mailto links are made: `javascript:`, `data:` and the like are how a link
    runs code, and a runbook has no use for them.
    """
    url = url.strip()
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    if scheme not in _ALLOWED_SCHEMES:
        return None
    # Spaces, quotes, parentheses and angle brackets would end or re-open the link syntax.
    return quote(url, safe="/:?#@!$&*+,;=%~-._")


def link(title: str, url: str) -> Md:
    """A link with an escaped title; a URL with a refused scheme is shown, not linked."""
    target = safe_url(url)
    if target is None:
        return Md(f"{inline(title)} ({code(url)}, not linked: only http, https and mailto are)")
    return Md(f"[{inline(title)}]({target})")


def html_attribute(text: str) -> str:
    """Text for a value inside a double-quoted attribute (mkdocs front matter, HTML)."""
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def tag(value: str) -> str:
    """A tag name for Material's tags plugin, which puts tag names in pages unescaped.

    Kinds and criticalities are fixed words; owners are free text, so anything but the
    characters team names are made of becomes `-`.
    """
    return _TAG_UNSAFE.sub("-", value).strip("-") or "unnamed"
