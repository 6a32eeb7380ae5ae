"""Python 3.11's C tokenizer, for scan_tokens: about four times faster than
``tokenize.generate_tokens``, which was the cost of a file's token pass, and used only where it
gives the tokens ``tokenize`` gives.

3.11's ``tokenize`` module does not use it; from 3.12 ``tokenize`` is built on it, and READER is
None there (scan_tokens then uses ``tokenize``, as it does wherever ``feed`` says no).
tests/test_tokens.py compares the two on fmcat's own files and on the SDK corpus.
"""

from __future__ import annotations

import re
import sys
import token as token_kinds
import tokenize
import warnings
from collections.abc import Callable, Iterable
from typing import Any

Step = Callable[[int, str, None], None]


def _reader() -> Callable[[str], Iterable[tuple[Any, ...]]] | None:
    if sys.version_info[:2] != (3, 11):
        return None
    try:
        from _tokenize import TokenizerIter  # type: ignore[import-not-found]
    except ImportError:
        return None
    return TokenizerIter  # type: ignore[no-any-return]


READER = _reader()
#: The C tokenizer gives each operator its exact kind (LPAR, EQUAL, ...): all are OP here.
_EXACT = frozenset(token_kinds.EXACT_TOKEN_TYPES.values())
#: And `async` and `await` kinds of their own: NAME, as ``tokenize`` has them.
_KEYWORDS = frozenset({token_kinds.ASYNC, token_kinds.AWAIT})
#: A name as ``tokenize`` reads one: it splits a name at a combining mark (`देव`), which
#: the C tokenizer (and Python, and libcst) keep in it.
_TOKENIZE_NAME = re.compile(r"\w+")
#: What may follow the last token of a file the C tokenizer read to its end.
_BLANK_LINES = re.compile(r"(?:[ \t\f]*(?:#[^\n]*)?(?:\n|\Z))*")


def feed(text: str, step: Step) -> bool:
    """Give ``step`` each token of ``text`` as ``tokenize`` kinds (no position); False where
    what it was given could differ from what ``tokenize`` gives, and the file must be read
    again with it. Comments and blank lines, which ``tokenize`` gives and this does not, change
    nothing in the walk. False on

    - an error or a warning (`0777`, `1if`): ``tokenize`` reads on past many;
    - a stop before the end: on some errors (bad indentation, a stray `\\`, an open bracket
      at the end) the C tokenizer just stops, so the file must end in a NEWLINE or DEDENT
      and blank or comment lines;
    - a character that is no token (`$`, `?`): a plain OP here, an ERRORTOKEN there;
    - a name with a combining mark, one name here and pieces there;
    - `<>`: one token here, two there."""
    assert READER is not None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    exact, op, keywords, name = _EXACT, tokenize.OP, _KEYWORDS, tokenize.NAME
    info: tuple[Any, ...] | None = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for info in READER(text):
                string, kind = info[0], info[1]
                if kind in exact:
                    if string == "<>":
                        return False
                    kind = op
                elif kind in keywords:
                    kind = name
                elif kind == op or (kind == name and _split_by_tokenize(string)):
                    return False
                step(kind, string, None)
    except Exception:  # whatever stops it, tokenize is asked instead
        return False
    if info is None:
        rest = text
    elif info[1] not in (tokenize.NEWLINE, tokenize.DEDENT):
        return False
    else:
        # Past the last token's line (its end_lineno), split from the right: a file's lines are
        # not all made into strings to look at the few after its last token.
        last, newlines = info[3], text.count("\n")
        rest = "\n".join(text.rsplit("\n", newlines - last + 1)[1:]) if newlines >= last else ""
    return _BLANK_LINES.fullmatch(rest) is not None


def _split_by_tokenize(name: str) -> bool:
    return not name.isascii() and _TOKENIZE_NAME.fullmatch(name) is None
