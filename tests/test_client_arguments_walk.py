"""client_arguments' _Calls looks at calls and at the nodes that open a scope only: it must
see every kind of node that scope.BindingCollector makes a scope of, and collect the calls,
each in its scope, that a visitor of every node collects."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from fmcat.scan.client_arguments import _Calls
from fmcat.scan.scope import BindingCollector, Scope
from fmcat.scan.walk import walk

SRC = Path(__file__).resolve().parent.parent / "src" / "fmcat"
EVERY_SCOPE = """\
class A:
    def f(self, make):
        g = lambda m: m(1)
        [make(x) for x in y]
        {make(x) for x in y}
        {x: make(x) for x in y}
        list(make(x) for x in y)
        return make(2)
"""


class _EveryNode(cst.CSTVisitor):
    """The visitor _Calls was: on_visit and on_leave for every node."""

    def __init__(self, scopes: dict[cst.CSTNode, Scope], root: Scope) -> None:
        self.scopes = scopes
        self.stack = [root]
        self.calls: list[tuple[cst.Call, Scope]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Name):
            self.calls.append((node, self.stack[-1]))
        if node in self.scopes and not isinstance(node, cst.Module):
            self.stack.append(self.scopes[node])
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if original_node in self.scopes and not isinstance(original_node, cst.Module):
            self.stack.pop()


def _collected(source: str) -> tuple[cst.Module, BindingCollector]:
    module = cst.parse_module(source)
    collector = BindingCollector("m", False)
    walk(module, collector)
    return module, collector


def _calls(
    module: cst.Module, collector: BindingCollector, visitor: type[_Calls | _EveryNode]
) -> list[tuple[int, int]]:
    found = visitor(collector.scopes, collector.root)
    walk(module, found)
    return [(id(call), id(scope)) for call, scope in found.calls]


def test_every_kind_of_scope_has_its_hooks() -> None:
    module, collector = _collected(EVERY_SCOPE)
    scopes = {type(node) for node in collector.scopes} - {cst.Module}
    calls = _calls(module, collector, _Calls)
    hooked = {kind for kind in scopes if f"visit_{kind.__name__}" in vars(_Calls)}
    assert scopes == hooked
    assert len(scopes) == 7
    assert len(calls) == 7
    assert len({scope for _, scope in calls}) == 6  # the lambda, four comprehensions, f


@pytest.mark.parametrize(
    "path",
    [
        Path("EVERY_SCOPE"),
        *sorted(p for p in (SRC / "scan").glob("*.py") if p.stat().st_size > 4000),
    ],
    ids=lambda p: p.name,
)
def test_the_calls_and_their_scopes_are_those_of_a_visit_of_every_node(path: Path) -> None:
    source = EVERY_SCOPE if path.name == "EVERY_SCOPE" else path.read_text(encoding="utf-8")
    module, collector = _collected(source)
    calls = _calls(module, collector, _Calls)
    assert calls == _calls(module, collector, _EveryNode)
    assert len({scope for _, scope in calls}) > 1
