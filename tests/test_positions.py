"""scan/positions.py: the spans of calls, definitions' names and decorators, without libcst's
PositionProvider, must be PositionProvider's exactly, or the file falls back to it.

Every Python file of the test suite (its own modules, fixtures, the accuracy suite's inputs),
every code rule's cases and a set of tricky snippets are compared node by node
(bench/positions.py's compare), and the fast way must really be the one taken where it can be.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import sys
import warnings
from pathlib import Path

import libcst as cst
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.positions import check, compare
from bench.realworld.fetch import cache_home
from fmcat.scan.positions import child_fields, cst_nodes, locate
from fmcat.scan.rules import CODE_RULES

TESTS = Path(__file__).resolve().parent

#: Snippets that the fast way must place exactly, without falling back.
FAST = {
    "tabs": "if x:\n\tf(a)\n\tif y:\n\t\tg(b)\t# c\n",
    "tabs and spaces": "if 1:\n  \tf( 1 ,\t2 )\n",
    "crlf": "import requests\r\ndef f(u):\r\n    return requests.get(u,\r\n        timeout=1)\r\n",
    "cr": "x = 1\rf(x)\rdef g():\r    h()\r",
    "line continuations": "x = f(a) + \\\n    g(b) \\\n    .h(c)\n",
    "decorators": (
        "@a\n@b.c\n@d(e)\n@(f)\n@g.h(i)(j)\n@ k . l\nclass C:\n"
        "    @staticmethod\n    def m(): pass\n"
    ),
    "decorators of a method": (
        "class A:\n    @property\n    @f(g())\n    async def h(self): return i()\n"
    ),
    "nested calls": "f(a)(b)(c)\nx.y(z)(w).v()\n(f)(a)\n((g))(b)\n",
    "call chain": "a.b(c).d(e).f(g)\n",
    "deep": "f(g(h(i(j()))))\n",
    "parenthesised calls": "x = (f(a))\ny = ( (g(b)) )\nz = (\n    h()  # c\n)\n",
    "lambda": "f = lambda x=g(): h(x)\n",
    "comprehensions": (
        "[f(x) for x in g() if h(x)]\n{k(a): v(b) for a, b in it()}\n"
        "{s(c) for c in d()}\n(e(q) for q in r())\n"
    ),
    "default arguments": "def f(a=g(), /, b=h(), *c, d=i(), **e) -> j():\n    pass\n",
    "positional-only defaults": "def f(a=g(), b=h(), /, c=i()): pass\n",
    "annotations": "x: f() = g()\ndef h(a: i() = j()) -> k(): pass\n",
    "calls beside f-strings": "x = f'{a}' + g(b)\ny = h(f'{c(d)}', e())\n",
    "concatenated strings": "x = 'a' 'b' f'{c()}' + d()\n",
    "conditional expression": "x = f() if g() else h()\n",
    "except": "try:\n    f()\nexcept g() as e:\n    h()\nfinally:\n    i()\n",
    "except star": "try:\n    f()\nexcept* g():\n    h()\n",
    "async": (
        "async def f():\n    async with g() as a, h():\n        async for b in i():\n"
        "            await j(b)\n    return [await k() async for c in l()]\n"
    ),
    "match": (
        "match f():\n    case [a, b] if g(a):\n        h()\n    case {'k': v} if i(v):\n"
        "        j()\n    case C(x=1) | D():\n        k()\n"
    ),
    "walrus": "if (n := f(x)) > g(n):\n    h(n)\n",
    "class arguments": "class A(B(), metaclass=M(), **kw()):\n    x = f()\n",
    "semicolons": "f(); g(); h()\n",
    "subscripts": "x[f()](g())\nd['k'](1)\nx[f():g():h()]\n",
    "stars": "f(*a(), **b())\nf(x=1, *y(), z=2)\n{**f(), 'a': g()}\n",
    "yield": "def f():\n    x = yield g()\n    yield from h()\n",
    "non-ASCII text": "x = 'é'; f(x); g('日本語', h())\ndef ü(): pass\nclass Ä: pass\n",
    "non-ASCII identifiers, same length": (
        "import requests\nrequests.\uff47et(u, \uff54imeout=1)\ndef \uff46etch(): pass\n"
    ),
    "byte order mark": "\ufefff(x)\ndef g(): pass\n",
}

#: Snippets the fast way must hand to PositionProvider, with the reason it gives.
FALLBACK = {
    # ast counts a form feed that opens a line as a column, libcst does not: none on the
    # 13,000 files of the real-service corpus, so any form feed is a reason to fall back
    "form feed opening a line": ("\x0cf(x)\n", "form feed"),
    "form feed inside a line": ("x = 1;\x0c f(x)\n", "form feed"),
    "continuation after def": ("def \\\n  f(): pass\n", "definition name"),
    "newer grammar than this Python": ("type X = f()\n", "ast: SyntaxError"),
    "PEP 758": ("try:\n    f()\nexcept A, B:\n    g()\n", "ast: SyntaxError"),
    # `ﬁle` is `file`: the scan's names changed length, PositionProvider ran already
    "identifiers that change length": ("ﬁle = open('x')\ndef ﬁ(): pass\n", "positions given"),
}


@pytest.mark.parametrize("source", FAST.values(), ids=FAST.keys())
def test_tricky_snippets_take_the_fast_way_and_agree(source: str) -> None:
    result = compare(source.encode())
    assert result.nodes > 0
    assert result.wrong == []
    assert result.fallback is None


@pytest.mark.parametrize(("source", "reason"), FALLBACK.values(), ids=FALLBACK.keys())
def test_doubtful_files_fall_back_to_position_provider(source: str, reason: str) -> None:
    result = compare(source.encode())
    assert result.nodes > 0
    assert result.wrong == []
    assert result.fallback == reason


def test_an_encoding_cookie_counts_characters_of_the_decoded_text() -> None:
    source = "# -*- coding: latin-1 -*-\nx = 'é'; f(x)\ndef g(): pass\n".encode("latin-1")
    result = compare(source)
    assert (result.nodes, result.wrong, result.fallback) == (2, [], None)


def test_a_call_inside_an_f_string_falls_back() -> None:
    # CPython 3.11 places an f-string's expressions by searching its text again.
    result = compare(b"x = f'{a(b)} {a(b)}' + c()\n", in_strings=True)
    assert (result.nodes, result.wrong) == (3, [])
    assert result.fallback == "Call not paired"
    assert compare(b"x = f'{a(b)} {a(b)}' + c()\n").fallback is None


def test_a_column_is_in_characters_where_ast_counts_bytes() -> None:
    module = cst.parse_module("x = 'ééé'; f(x)\n".encode())
    call = cst_nodes(module)[0][0]
    located = locate(module, "x = 'ééé'; f(x)\n".encode(), [call])
    assert located.fallback is None
    assert (located[call].column, located[call].end_column) == (12, 16)


def test_pairs_that_do_not_check_out_fall_back() -> None:
    # A call libcst sees and ast does not: the counts differ, so nothing is trusted.
    module = cst.parse_module(b"f(x)\n")
    extra = cst.parse_module(b"g(y)\n")
    module = module.with_changes(body=(*module.body, *extra.body))
    calls = cst_nodes(module)[0]
    assert len(calls) == 2
    assert locate(module, b"f(x)\n", calls[:1]).fallback == "calls: 2 in libcst, 1 in ast"
    # The same count, another callee: the pairing is wrong, so nothing is trusted.
    module = cst.parse_module(b"f(x)\n")
    assert locate(module, b"g(x)\n", cst_nodes(module)[0]).fallback == "callee"
    module = cst.parse_module(b"f(x)\n")
    assert locate(module, b"f(x, y)\n", cst_nodes(module)[0]).fallback == "arguments"


def _python_files() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if "node_modules" not in p.parts)


def test_every_python_file_of_the_tests_agrees() -> None:
    files = nodes = fast = 0
    fell_back: dict[str, str] = {}
    for path in _python_files():
        try:
            result = compare(path.read_bytes())
        except cst.ParserSyntaxError:
            continue  # a bad-input fixture: FM100, no positions asked
        assert result.wrong == [], path
        files += 1
        nodes += result.nodes
        if result.fallback is None:
            fast += 1
        else:
            fell_back[str(path.relative_to(TESTS))] = result.fallback
    assert files >= 100
    assert nodes >= 7_000
    # No doubt at all is the rule; the only reason to fall back is a grammar newer than this
    # Python's (a fixture of Python 3.14, say), which ast refuses.
    assert set(fell_back.values()) <= {"ast: SyntaxError"}, fell_back
    assert fast >= 0.95 * files, fell_back


def test_every_code_rule_case_agrees() -> None:
    cases = [case for rule in CODE_RULES for case in (*rule.VALID, *rule.INVALID)]
    nodes = unparsed = 0
    fell_back = []
    for case in cases:
        try:
            result = compare(case.encode())
        except cst.ParserSyntaxError:
            unparsed += 1  # FM100's cases
            continue
        assert result.wrong == [], case
        nodes += result.nodes
        if result.fallback is not None:
            fell_back.append(result.fallback)
    assert len(cases) >= 40
    assert nodes >= 200
    assert unparsed >= 1
    # FM100's valid case of Python 3.14 (`except A, B:`), which this Python's ast refuses
    assert fell_back == (["ast: SyntaxError"] if sys.version_info < (3, 14) else [])


#: libcst's punctuation and whitespace fields, which the walk does not enter.
_SKIPPED = re.compile(
    r".*whitespace.*|lpar|rpar|comma|semicolon|leading_lines|lines_after_decorators|header|footer"
    r"|equal|dot|colon|operator|[lr]brace|[lr]bracket|(first|second)_colon|asynchronous"
    r"|relative|posonly_ind|trailing_comma"
)


def _node_classes() -> list[type[cst.CSTNode]]:
    found = []
    for name in dir(cst):
        kind = getattr(cst, name)
        if (
            isinstance(kind, type)
            and issubclass(kind, cst.CSTNode)
            and dataclasses.is_dataclass(kind)
            and not inspect.isabstract(kind)
        ):
            found.append(kind)
    return found


def test_the_walk_follows_libcsts_own_visiting_order() -> None:
    """The pairing relies on the walk meeting calls in source order, as libcst's visitors
    do: each node's fields in the order its _visit_and_replace_children visits them."""
    checked = 0
    for kind in _node_classes():
        walked = child_fields(kind)
        visited = re.findall(
            r'visit_\w+\(\s*self,\s*"(\w+)"', inspect.getsource(kind._visit_and_replace_children)
        )
        if not walked:  # leaves and strings: nothing inside is paired
            continue
        wanted = [name for name in dict.fromkeys(visited) if not _SKIPPED.fullmatch(name)]
        assert [name for name in walked if name in visited] == wanted, kind.__name__
        checked += 1
    assert checked >= 80


_HOME_ASSISTANT = cache_home() / "services" / "homeassistant-2024.3.3"


@pytest.mark.skipif(
    not _HOME_ASSISTANT.is_dir(), reason="the real-service corpus is not fetched (make bench)"
)
def test_the_home_assistant_files_the_prefilter_lets_through_agree(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert check(_HOME_ASSISTANT) == 0
    summary = capsys.readouterr().out.splitlines()[-1]
    files = int(summary.split(": ", 1)[1].split(" files")[0])
    assert files >= 150, summary


def test_the_second_parse_prints_no_warning() -> None:
    # CPython warns of an invalid escape when it compiles; the scan has nothing to say of it.
    source = b"import re\nre.compile('\\d+')\n"
    module = cst.parse_module(source)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        located = locate(module, source, cst_nodes(module)[0])
    assert located.fallback is None
    assert [str(w.message) for w in caught] == []
