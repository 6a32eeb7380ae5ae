"""One finding, one line: control characters from file names and messages, escaped.

A file can be named ``x.py\\nshop/pay.py:1:1: FM101 …``, and a YAML parser's message quotes the
file's text across lines; printed as they are, either would forge or break report lines. Every
line-oriented format passes paths and messages through :func:`one_line`.
"""

from __future__ import annotations

import unicodedata


def one_line(text: str) -> str:
    r"""``text`` with control characters and line or paragraph separators as Python escapes
    (``\n``, ``\x1b``, ``\u2028``); a backslash in the text stays as it is."""
    if text.isprintable() and "\n" not in text:
        return text
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp")
        else ch
        for ch in text
    )
