"""The scan's tree walker (scan/walk.py) makes libcst's visit calls, in libcst's order.

Each case runs a recording visitor twice, once through libcst's own ``node.visit`` and once
through ``walk``, and compares the two logs call for call (hook, node identity): on every
Python file of the test suite, on the sources of the scan and of the framework passes, and on
snippets chosen for the node types and hooks that are easy to get wrong.
"""

from __future__ import annotations

import dataclasses
import gc
import inspect
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import libcst as cst
import pytest

from fmcat.scan.walk import _PLANS, visit_order, walk

ROOT = Path(__file__).resolve().parent.parent
KINDS = sorted(
    (
        kind
        for kind in vars(cst).values()
        if inspect.isclass(kind) and issubclass(kind, cst.CSTNode) and not inspect.isabstract(kind)
    ),
    key=lambda kind: kind.__name__,
)

Log = list[tuple[str, str, int]]


def _recorder(skip: Callable[[cst.CSTNode], bool] = lambda node: False) -> type[cst.CSTVisitor]:
    """A visitor with a visit_ and a leave_ hook for every node type, logging each call;
    its visit_ returns False for the nodes ``skip`` picks, None or True for the others."""

    class Recorder(cst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.log: Log = []

    def make(kind: str) -> tuple[Callable[..., Any], Callable[..., None]]:
        def visit(self: Recorder, node: cst.CSTNode) -> bool | None:
            self.log.append(("visit", kind, id(node)))
            if skip(node):
                return False
            return True if len(self.log) % 2 else None  # both mean "go on"

        def leave(self: Recorder, original_node: cst.CSTNode) -> None:
            self.log.append(("leave", kind, id(original_node)))

        return visit, leave

    for kind in KINDS:
        visit, leave = make(kind.__name__)
        setattr(Recorder, f"visit_{kind.__name__}", visit)
        setattr(Recorder, f"leave_{kind.__name__}", leave)
    return Recorder


def _logs(tree: cst.CSTNode, visitor: type[cst.CSTVisitor]) -> tuple[Log, Log]:
    theirs, mine = visitor(), visitor()
    tree.visit(theirs)
    walk(tree, mine)
    return theirs.log, mine.log  # type: ignore[attr-defined]


PYTHON_FILES = sorted(
    path
    for folder in (
        ROOT / "tests",
        ROOT / "src" / "fmcat" / "scan",
        ROOT / "src" / "fmcat" / "frameworks",
    )
    for path in folder.rglob("*.py")
    if "__pycache__" not in path.parts
)


def _parsed(path: Path) -> cst.Module | None:
    try:
        return cst.parse_module(path.read_bytes())
    except cst.ParserSyntaxError:
        return None  # a fixture that is meant not to parse


@pytest.mark.parametrize("path", PYTHON_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_call_in_libcst_s_order_on_real_files(path: Path) -> None:
    tree = _parsed(path)
    if tree is None:
        pytest.skip("not valid Python (a fixture)")
    theirs, mine = _logs(tree, _recorder())
    assert len(theirs) > 0 and mine == theirs


def test_the_real_files_are_many_and_mostly_parse() -> None:
    parsed = [path for path in PYTHON_FILES if _parsed(path) is not None]
    assert len(PYTHON_FILES) > 150 and len(parsed) > 0.9 * len(PYTHON_FILES)


SNIPPETS = {
    "decorators and classes": (
        "@a.b(c, *d, **e)\n@f\nclass C(B, metaclass=M):\n"
        "    x: int = 1\n    def m(self, /, a, *b, c=2, **d) -> 'T': ...\n"
    ),
    "async and comprehensions": (
        "async def f():\n    async with a() as b, c:\n        async for x in y:\n"
        "            await z\n    return [i async for i in j if i], {k: v for k, v in w}, "
        "{s for s in t}, (g for g in h)\n"
    ),
    "try, match and star": (
        "try:\n    pass\nexcept* (A, B) as e:\n    raise X from e\nelse:\n    pass\n"
        "finally:\n    del q\n"
        "match p:\n    case [1, *rest] | {'k': v, **kw} if v:\n        pass\n"
        "    case Point(x=0, y=_) as pt:\n        pass\n    case _:\n        pass\n"
    ),
    "strings and numbers": (
        "a = (f'{x!r:>{w}}' 'b', rb'c', 1j, 0x1f, 1_0.5e3)\nb = f'{x=}'\nc = \"\"\"doc\"\"\"\n"
    ),
    "operators": (
        "a = not b and c or -d ** ~e // f @ g\n"
        "h += 1; i <<= 2; j @= k\n"
        "l = m if n else o\nassert p < q <= r is not s not in t, 'msg'\n"
        "u = lambda v, *w, x=1, **y: (v, w)\nz = (yield)\n"
    ),
    "subscripts and slices": "a[1:2, ::3, ...]\nb[c:=d]\ne, *f = g\n(h) = [*i, *j]\n",
    "imports and scope": (
        "from . import a as b\nfrom ..c.d import (e, f as g,)\nimport h.i as j, k\n"
        "from l import *\nglobal m\ndef n():\n    nonlocal o\n"
    ),
    "whitespace and comments": (
        "# head\n\n\nif a:  # trailing\n    pass\n\n    # inside\nelif b: pass\n"
        "else:\n    while c:\n        break\n    else:\n        continue\n# foot\n"
    ),
    "type parameters": "type A[T] = list[T]\ndef f[T: int, *Ts, **P](x: T) -> T: ...\n",
    "with parentheses": "with (a as b, c as d,):\n    pass\n",
    "every operator": (
        "a = (b + c - d * e / f // g % h @ i ** j << k >> l & m | n ^ o, +p)\n"
        "q += 1; q -= 1; q *= 1; q /= 1; q //= 1; q %= 1; q **= 1; q <<= 1; q >>= 1\n"
        "q &= 1; q |= 1; q ^= 1\n"
        "r = (s == t != u < v > w <= x >= y in z is aa)\n"
        "bb = {cc: dd, **ee}, {ff, gg}, (\n    hh)\n"
        "def ii(jj, *, kk): pass\n"
        "try:\n    pass\nexcept ValueError as ll:\n    pass\n"
        "match mm:\n    case None | True:\n        pass\n    case (nn, oo):\n        pass\n"
    ),
    "newer syntax": (
        'pp = t"{qq!r} rr"\nlazy import ss\nlazy from tt import uu\n'
        "vv = {**ww for ww in xx}\nyy = [*zz for zz in aaa]\n"
    ),
}


@pytest.mark.parametrize("name", SNIPPETS)
def test_every_call_in_libcst_s_order_on_snippets(name: str) -> None:
    tree = cst.parse_module(SNIPPETS[name])
    theirs, mine = _logs(tree, _recorder())
    assert len(theirs) > 10 and mine == theirs


def test_the_snippets_cover_every_node_type() -> None:
    seen: set[str] = set()
    for source in SNIPPETS.values():
        seen |= {kind for _, kind, _ in _logs(cst.parse_module(source), _recorder())[1]}
    assert len(KINDS) > 150
    assert {kind.__name__ for kind in KINDS} - seen == set()


@pytest.mark.parametrize(
    "skipped", [cst.FunctionDef, cst.Call, cst.Name, cst.SimpleStatementLine, cst.Arg]
)
def test_a_visit_that_says_false_skips_exactly_that_subtree(skipped: type[cst.CSTNode]) -> None:
    source = "\n".join(SNIPPETS.values())
    tree = cst.parse_module(source)
    theirs, mine = _logs(tree, _recorder(lambda node: isinstance(node, skipped)))
    assert mine == theirs
    everything = _logs(tree, _recorder())[1]
    assert len(mine) < len(everything)
    # Each skipped node is left straight after it is visited: nothing of its subtree between.
    for index, (event, kind, identity) in enumerate(mine):
        if event == "visit" and kind == skipped.__name__:
            assert mine[index + 1] == ("leave", kind, identity)


def test_on_visit_and_on_leave_overrides_are_called_for_every_node() -> None:
    class Everything(cst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.log: Log = []

        def on_visit(self, node: cst.CSTNode) -> bool:
            self.log.append(("visit", type(node).__name__, id(node)))
            return not isinstance(node, cst.Lambda) and 0  # type: ignore[return-value]

        def on_leave(self, original_node: cst.CSTNode) -> None:
            self.log.append(("leave", type(original_node).__name__, id(original_node)))

    tree = cst.parse_module("f(lambda x: g(x))\n")
    theirs, mine = _logs(tree, Everything)
    # on_visit's 0 is false: libcst skips the module's children too.
    assert mine == theirs and len(mine) == 2

    class Truthy(Everything):
        def on_visit(self, node: cst.CSTNode) -> bool:
            super().on_visit(node)
            return 1 if not isinstance(node, cst.Lambda) else ""  # type: ignore[return-value]

    theirs, mine = _logs(tree, Truthy)
    assert mine == theirs and ("visit", "Lambda", id(_find(tree, cst.Lambda))) in mine
    assert not any(kind == "Parameters" for _, kind, _ in mine)


def _find(tree: cst.CSTNode, kind: type[cst.CSTNode]) -> cst.CSTNode:
    found: list[cst.CSTNode] = []

    class Finder(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, kind):
                found.append(node)
            return True

    tree.visit(Finder())
    return found[0]


def test_a_hook_that_walks_a_subtree_itself_is_as_with_libcst() -> None:
    """SiteFinder's shape: visit_FunctionDef visits the body itself and returns False."""

    def nested(descend: Callable[[cst.CSTNode, cst.CSTVisitor], object]) -> Log:
        class Nested(cst.CSTVisitor):
            def __init__(self) -> None:
                super().__init__()
                self.log: Log = []
                self.depth = 0

            def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
                self.log.append(("visit", f"def@{self.depth}", id(node)))
                self.depth += 1
                descend(node.body, self)
                self.depth -= 1
                return False

            def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
                self.log.append(("leave", f"def@{self.depth}", id(original_node)))

            def visit_Name(self, node: cst.Name) -> None:
                self.log.append(("visit", f"name@{self.depth}", id(node)))

        visitor = Nested()
        descend(tree, visitor)
        return visitor.log

    tree = cst.parse_module("def f(a):\n    def g(b):\n        c\n    d\ne\n")
    theirs = nested(lambda node, visitor: node.visit(visitor))
    mine = nested(walk)
    assert mine == theirs
    assert [kind for _, kind, _ in mine] == [
        "def@0", "def@1", "name@2", "def@1", "name@1", "def@0", "name@0"
    ]  # fmt: skip


def test_attribute_hooks_are_left_to_libcst() -> None:
    class Attributes(cst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.log: list[str] = []

        def visit_Call_args(self, node: cst.Call) -> None:
            self.log.append("args")

        def leave_Call_func(self, node: cst.Call) -> None:
            self.log.append("func done")

        def visit_Name(self, node: cst.Name) -> None:
            self.log.append(node.value)

    tree = cst.parse_module("f(x, g(y))\n")
    theirs, mine = Attributes(), Attributes()
    tree.visit(theirs)
    walk(tree, mine)
    assert mine.log == theirs.log
    assert mine.log == ["f", "func done", "args", "x", "g", "func done", "args", "y"]


def test_ten_thousand_functions_and_deep_trees_walk_without_recursion() -> None:
    tree = cst.parse_module("".join(f"def f{i}(a):\n    return g(a)\n" for i in range(10_000)))
    theirs, mine = _logs(tree, _recorder())
    assert mine == theirs and sum(kind == "FunctionDef" for _, kind, _ in mine) == 20_000
    # Far deeper than libcst's own visit can go at this recursion limit, built without a parse.
    depth = 5 * sys.getrecursionlimit()
    expression: cst.BaseExpression = cst.Name("x")
    for _ in range(depth):
        expression = cst.UnaryOperation(cst.Minus(), expression)
    deep = cst.Module([cst.SimpleStatementLine([cst.Expr(expression)])])
    with pytest.raises(RecursionError):
        deep.visit(_recorder()())
    visitor = _recorder()()
    walk(deep, visitor)
    log: Log = visitor.log  # type: ignore[attr-defined]
    operations = [(event, identity) for event, kind, identity in log if kind == "UnaryOperation"]
    assert len(operations) == 2 * depth
    # Every leave comes after its subtree, innermost first: the visits' order reversed.
    visits = [identity for event, identity in operations if event == "visit"]
    leaves = [identity for event, identity in operations if event == "leave"]
    assert leaves == visits[::-1]
    assert operations[depth - 1][0] == "visit" and operations[depth][0] == "leave"


def test_visit_order_names_only_fields_that_hold_nodes() -> None:
    """The walk pushes any field value that is not None, a MaybeSentinel or a sequence."""
    for kind in KINDS:
        types = {f.name: str(f.type) for f in dataclasses.fields(kind)}
        for name in visit_order(kind):
            words = set(re.findall(r"\w+", types[name]))
            assert not words & {"str", "bool", "int", "float"}, (kind.__name__, name)
    assert sum(len(visit_order(kind)) for kind in KINDS) > 400
    assert visit_order(cst.Name) == ("lpar", "rpar")
    assert visit_order(cst.Call)[:2] == ("lpar", "func")
    assert "value" not in visit_order(cst.SimpleString)


def test_a_visitor_class_made_per_call_is_cheap_and_not_kept() -> None:
    """The framework passes define their visitors inside functions: one class per call."""
    tree = cst.parse_module("f(g(x))\n")
    found: list[str] = []
    started = time.process_time()
    for _ in range(200):

        class Finder(cst.CSTVisitor):
            def visit_Call(self, node: cst.Call) -> None:
                found.append(tree.code_for_node(node.func))

        walk(tree, Finder())
    spent = time.process_time() - started
    assert found == ["f", "g"] * 200
    assert spent < 2.0, f"{spent:.2f} s for 200 visitor classes"
    del Finder
    gc.collect()
    assert not any(kind.__name__ == "Finder" for kind in _PLANS)
