"""Runbook text that is more than a line: steps with fenced code, escalation with links.

Built on `markdown.py`'s escapers (prose goes through `inline`, code through fences whose
backticks outnumber any run inside), so the same guarantee holds: catalog text shows as
written and adds no Markdown or HTML of its own. Two things are made on purpose:

- a fenced block in a step (```` ```sh ... ``` ````) becomes a code block, with Material's copy
  button, instead of being folded into the line around it;
- in escalation text, `https://` URLs, `tel:` numbers, international phone numbers
  (`+44 20 7946 0000`) and chat channels (`#payments-oncall`, when `[tool.fmcat] channel_url`
  says where channels live) become links, because the person who reads them has been paged.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from fmcat.render.markdown import Md, code, inline, safe_url

_FENCE_OPEN = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})[ \t]*(?P<lang>[^\s`]*)[^`]*$")
_LANG = re.compile(r"^[A-Za-z0-9_+.-]{1,30}$")
_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.DOTALL)
# URLs end at whitespace or a character that cannot be in one unescaped; trailing sentence
# punctuation is the sentence's, not the URL's.
_CONTACT = re.compile(
    r"(?P<url>\bhttps?://[^\s<>\"'`]+)"
    r"|(?P<tel>\btel:\+?[0-9][0-9 ().-]{3,}[0-9])"
    r"|(?P<phone>(?<![\w+])\+[0-9]{1,3}(?:[ .-]?[0-9]{1,4}){2,6}(?![\w]))"
    r"|(?P<channel>(?<![\w&#/])#[a-z0-9][a-z0-9_-]{0,79}(?![\w-]))"
)
_TRAILING = ".,;:!?)]}'\""


def code_block(text: str, language: str = "", indent: str = "") -> Md:
    """A fenced code block, indented for a list item; the fence outlasts any run inside."""
    body = text.strip("\n")
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    lang = language if _LANG.match(language) else ""
    lines = [f"{fence}{lang}", *body.split("\n"), fence]
    return Md("\n".join(f"{indent}{line}" if line else "" for line in lines))


def _split_fences(text: str) -> list[tuple[str, str, str]]:
    """(kind, language, text) parts: "prose" or "code", in order; an unclosed fence runs on."""
    parts: list[tuple[str, str, str]] = []
    prose: list[str] = []
    lines = text.replace("\r\n", "\n").split("\n")
    index = 0
    while index < len(lines):
        opened = _FENCE_OPEN.match(lines[index])
        if opened is None:
            prose.append(lines[index])
            index += 1
            continue
        if any(p.strip() for p in prose):
            parts.append(("prose", "", "\n".join(prose)))
        prose = []
        fence = opened["fence"]
        body: list[str] = []
        index += 1
        while index < len(lines):
            stripped = lines[index].strip()
            if stripped.startswith(fence[0] * len(fence)) and not stripped.strip(fence[0]):
                index += 1
                break
            body.append(lines[index])
            index += 1
        parts.append(("code", opened["lang"], _dedent(body)))
    if any(p.strip() for p in prose):
        parts.append(("prose", "", "\n".join(prose)))
    return parts


def _dedent(lines: list[str]) -> str:
    margins = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip()]
    cut = min(margins, default=0)
    return "\n".join(line[cut:] for line in lines)


def step(text: str, indent: str = "    ") -> Md:
    """A runbook step as the body of a list item: its first paragraph on the marker's line,
    further paragraphs and code blocks indented under it. Items must be separated by a blank
    line, or Markdown continues the last paragraph with the next item's marker."""
    blocks: list[str] = []
    for kind, language, body in _split_fences(text):
        if kind == "code":
            blocks.append(code_block(body, language, indent))
        else:
            for paragraph in re.split(r"\n\s*\n", body):
                if paragraph.strip():
                    blocks.append(indent + inline(paragraph))
    if not blocks:
        return Md("")
    first = blocks[0]
    if first.startswith(indent + "`" * 3) or first.startswith(indent + "~" * 3):
        # A step that is only code still needs words on the marker's line for the list item.
        lead = "Run:"
    else:
        lead, blocks = first[len(indent) :], blocks[1:]
    return Md("\n\n".join([lead, *blocks]))


def _contact_link(match: re.Match[str], channel_url: str | None) -> str:
    shown = inline(match.group(0).removeprefix("tel:"))
    if match["url"]:
        target = safe_url(match["url"])
        return f"[{shown}]({target})" if target else str(shown)
    if match["tel"] or match["phone"]:
        digits = re.sub(r"[^0-9+]", "", match.group(0).removeprefix("tel:"))
        return f"[{shown}](tel:{digits})"
    if channel_url:
        target = safe_url(channel_url.replace("{channel}", quote(match.group(0)[1:], safe="")))
        if target:
            return f"[{shown}]({target})"
    return code(match.group(0))


def _linked(text: str, channel_url: str | None) -> str:
    out, position = [], 0
    for match in _CONTACT.finditer(text):
        end = match.end()
        while end > match.start() + 1 and text[end - 1] in _TRAILING:
            end -= 1
        if end != match.end():
            match = _CONTACT.match(text[:end], match.start()) or match
            if match.end() != end:
                continue
        out.append(_plain(text[position : match.start()]))
        out.append(_contact_link(match, channel_url))
        position = match.end()
    out.append(_plain(text[position:]))
    return "".join(out)


def _plain(text: str) -> str:
    """Escaped text that keeps the spaces around it (they separate it from the links)."""
    if not text:
        return ""
    lead = " " if text[:1].isspace() else ""
    trail = " " if text[-1:].isspace() and text.strip() else ""
    return f"{lead}{inline(text)}{trail}"


def contact(text: str | None, channel_url: str | None = None) -> Md:
    """Escalation text with its URLs, phone numbers and channels made into links."""
    if not text:
        return Md("")
    text = " ".join(text.split())
    out, position = [], 0
    for span in _CODE_SPAN.finditer(text):
        out.append(_linked(text[position : span.start()], channel_url))
        out.append(code(span.group(2)))
        position = span.end()
    out.append(_linked(text[position:], channel_url))
    return Md("".join(out))
