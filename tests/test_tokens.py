"""scan_tokens reads Python 3.11's files with the C tokenizer, and must find what ``tokenize``
finds: the same imports, names, uses and problems, on every file."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

from fmcat.scan import c_tokens, tokens
from fmcat.scan.tokens import decode, scan_tokens

ROOT = Path(__file__).resolve().parent.parent
on_311 = pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="the C path is 3.11's")


def _both(source: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, object], ...]:
    fast = dataclasses.asdict(scan_tokens(source))
    with monkeypatch.context() as patch:
        patch.setattr(c_tokens, "READER", None)
        slow = dataclasses.asdict(scan_tokens(source))
    return fast, slow


def _fast(source: bytes) -> tokens.TokenFacts | None:
    assert c_tokens.READER is not None
    return tokens._fast(decode(source)[0])


CASES = {
    "imports and uses": b"import requests as r, os.path\nfrom a.b import (c,\n  d as e)\n"
    b"r.get(u)\nx = r\n@retry\ndef f(s: 'requests.Session') -> None: ...\n",
    "async and await": b"async def f():\n    async with s:\n        await s.get(u)\n",
    "comments and blank lines": b"x = (a  # c\n\n   .b)\n# only a comment\n\nimport m\n",
    "CR and CRLF line ends": b"import a\r\nb.c()\rd = e\r\n",
    "continuations": b"from x \\\n import y\nz = 1 + \\\n  2\n",
    "no final newline": b"import socket\nsocket.create_connection(a)",
    "tabs": b"if a:\n\tif b:\n\t\tc()\n",
    "non-ASCII names": "import requests\nrequests.\uff47et(u)\n\u00e9t\u00e9 = 1\n".encode(),
    # tokenize splits a name at a combining mark (Python keeps it whole): as tokenize does.
    "a name with a combining mark": "import a\n\u0926\u0947\u0935 = a.b\n".encode(),
    "latin-1 cookie": b"# -*- coding: latin-1 -*-\nimport a\ns = '\xe9'\n",
    "strings": b"x = f'{a!r}' 'b' rb'c' u'd'\ny = '''\nimport nothing\n'''\n",
    "numbers": b"x = 1_000 + 0x1f + 1.5e3j + 1.real\n",
    "operators": b"a := b\nc ->\nd ... e @ f ** g // h != i\n",
    # tokenize reads on past these; the C tokenizer stops, and the file is read again.
    "an unknown character": b"import a\nx = a.b $ c\nimport d\n",
    "an unclosed string": b"import a\nx = 'abc\ny = a.get()\n",
    "bad indentation": b"if a:\n        b()\n    c()\n",
    "mixed tabs and spaces": b"if a:\n\tb()\n        c()\n",
    "<> (one token in C, two in tokenize)": b"x = a <> b\n",
    "an f-string of 3.12": b"import a\nx = f'{a.get(\"k\")}'\n",
    "unclosed bracket": b"import a\nx = a.get(\n",
    "a null byte": b"import a\x00\n",
    "bad UTF-8": b"import a\nx = '\xff'\n",
    "brackets too deep": b"x = " + b"(" * 250 + b"1" + b")" * 250 + b"\n",
    "a chain too deep": b"import a\nx = " + b" + ".join([b"a"] * 600) + b"\n",
    "a stray backslash": b"import a\nx = a \\ b\ny = a.get()\n",
    "a backslash at the end": b"import a\nx = 1 + \\",
    "characters that are no token": b"import a\nx = a ! b ? `c`\ny = a.get()\n",
    "a number the C tokenizer warns about": b"import a\nx = 1if a.b else 2\ny = a.c\n",
    "a dedent to no level": b"import a\nif a:\n\tb()\n        c()\ny = a.d\n",
    "only comments": b"# a\n\n   # b\n",
    "empty": b"",
    "comments after the end": b"if a:\n    b()\n# c\n\n  # d",
    "a problem after wide characters": "s = '\u00e9\u00e9'; x = ".encode()
    + b"(" * 201
    + b"1"
    + b")" * 201
    + b"\n",
    "indentation too deep": b"".join(b" " * i + b"if a:\n" for i in range(105))
    + b" " * 105
    + b"b\n",
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_c_tokenizer_finds_what_tokenize_finds(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, slow = _both(CASES[name], monkeypatch)
    assert fast == slow


@on_311
def test_plain_files_take_the_c_path_and_others_fall_back() -> None:
    """The fast path is used (else nothing was gained), and refuses what it could get wrong."""
    facts = _fast(CASES["imports and uses"])
    assert facts is not None
    assert {"requests", "os.path", "a.b", "a.b.c", "a.b.d"} <= facts.imports
    assert facts.uses["r"] == {"get"}
    for plain in ("async and await", "only comments", "empty", "comments after the end"):
        assert _fast(CASES[plain]) is not None, plain
    for refused in (
        "an unknown character",
        "an unclosed string",
        "bad indentation",
        "<> (one token in C, two in tokenize)",
        "brackets too deep",
        "a chain too deep",
        "a stray backslash",
        "a backslash at the end",
        "characters that are no token",
        "a number the C tokenizer warns about",
        "a dedent to no level",
        "a name with a combining mark",
        "unclosed bracket",
        "indentation too deep",
    ):
        assert _fast(CASES[refused]) is None, refused


def test_a_problem_keeps_tokenize_s_position() -> None:
    """Its columns count characters (the C tokenizer's count bytes): the file is read again."""
    problem = scan_tokens(CASES["a problem after wide characters"]).problem
    assert problem is not None
    # The 201st bracket is the 215th character, and its 217th byte.
    assert (problem.span.line, problem.span.column) == (1, 215)
    assert "brackets nested 201 deep" in problem.message


def _python_files() -> list[Path]:
    """fmcat's own code and tests, and the benchmark's SDK corpus when it was fetched."""
    roots = [ROOT / "src", ROOT / "tests", ROOT / "bench" / ".corpus" / "tree"]
    return sorted(p for root in roots if root.is_dir() for p in root.rglob("*.py"))


def test_every_python_file_at_hand_tokenizes_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    files = _python_files()
    assert len(files) > 300
    differ = [
        str(path)
        for path in files
        if (pair := _both(path.read_bytes(), monkeypatch)) and pair[0] != pair[1]
    ]
    assert differ == []
