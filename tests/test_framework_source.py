"""The framework pass's parsed file: its own parent map agrees with libcst's provider.

``Source.parent`` reads each node's dataclass fields instead of running libcst's
ParentNodeProvider (a visitor that rebuilds the tree: most of the post-pass's time). Here the
two are compared node for node on real files: fmcat's own framework passes and scan modules.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider

from fmcat.frameworks.source import Source, parent_map, walk

SRC = Path(__file__).resolve().parent.parent / "src" / "fmcat"
FILES = sorted(
    p
    for p in [*(SRC / "frameworks").glob("*.py"), *(SRC / "scan").glob("*.py")]
    if p.stat().st_size > 500
)


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_parent_map_is_libcst_s(path: Path) -> None:
    tree = cst.parse_module(path.read_bytes())
    theirs = dict(MetadataWrapper(tree, unsafe_skip_copy=True).resolve(ParentNodeProvider))
    mine = parent_map(tree)
    assert len(mine) == len(theirs)
    assert mine == theirs


class _Everything(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.seen.append(node)
        return True


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_walk_visits_every_node_in_libcst_s_order(path: Path) -> None:
    tree = cst.parse_module(path.read_bytes())
    theirs = _Everything()
    tree.visit(theirs)

    class Mine(cst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.seen: list[cst.CSTNode] = []

    mine = Mine()
    for kind in {type(node) for node in theirs.seen}:
        setattr(Mine, f"visit_{kind.__name__}", lambda self, node: self.seen.append(node))
    walk(tree, mine)
    assert [id(n) for n in mine.seen] == [id(n) for n in theirs.seen]


def test_walk_skips_children_when_a_visit_says_false() -> None:
    tree = cst.parse_module(b"def f():\n    g(h())\n\n\nk()\n")
    calls: list[str] = []

    class Calls(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

        def visit_Call(self, node: cst.Call) -> None:
            calls.append(tree.code_for_node(node.func))

    walk(tree, Calls())
    assert calls == ["k"]
    calls.clear()

    class AllCalls(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            calls.append(tree.code_for_node(node.func))

    walk(tree, AllCalls())
    assert calls == ["g", "h", "k"]


def test_positions_and_parents_are_made_when_first_asked() -> None:
    source = Source.parse(b"import celery\n\n\ndef f():\n    celery.send_task('x')\n", "m.py", "m")
    assert source is not None
    assert source._positions is None and source._parents is None
    call = next(
        node
        for node in parent_map(source.tree)
        if isinstance(node, cst.Call) and source.qual(node) == "celery.send_task"
    )
    span = source.span(call)
    assert (span.line, span.column, span.end_line, span.end_column) == (5, 5, 5, 26)
    expected = MetadataWrapper(source.tree, unsafe_skip_copy=True).resolve(PositionProvider)
    assert expected[call].start.line == 5
    function = source.enclosing_function(call)
    assert function is not None and function.name.value == "f"
    assert source.function_name(function) == "m.f"


def test_an_unparsable_file_is_none() -> None:
    assert Source.parse(b"def (:\n", "bad.py", "bad") is None
