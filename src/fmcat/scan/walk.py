"""``node.visit(visitor)`` for visitors that only look, without libcst's rebuilding of the tree.

libcst's ``CSTNode.visit`` rebuilds every node's children on the way back up (its
``_visit_and_replace_children``), even for a read-only ``CSTVisitor`` whose result is thrown
away, looks up ``visit_<Node>``, ``leave_<Node>`` and both attribute hooks by name for every node
and field, and recurses once per tree level. On real services that cost more than the parse.

``walk`` gives the same calls in the same order from an explicit stack: for each node,
``visit_<Node>(node)`` (its children are skipped when it returns False), then the children in
libcst's order, then ``leave_<Node>(node)`` (called also when the children were skipped, as
libcst does). A visitor that overrides ``on_visit``/``on_leave`` gets those instead, for every
node; its children are skipped when ``on_visit`` returns a false value, as in libcst. Nodes are
never copied, so a visitor's node-keyed tables see the tree's own nodes.

A visitor with attribute hooks (``visit_<Node>_<field>``, ``leave_<Node>_<field>``, or its own
``on_visit_attribute``/``on_leave_attribute``) is handed to libcst's ``visit`` unchanged: the
walk does not model fields. Hooks are looked up on the visitor's class, not on the instance.
A hook may walk a subtree itself (``walk(node.body, self)``) and return False, as with libcst.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from operator import attrgetter
from typing import Any
from weakref import WeakKeyDictionary

import libcst as cst
from libcst import MaybeSentinel

_Hook = Callable[[Any, cst.CSTNode], Any]
_Fields = Callable[[cst.CSTNode], tuple[Any, ...]]

#: Each node type's fields in the order libcst visits them (see _visit_order).
_ORDER: dict[type[cst.CSTNode], tuple[str, ...]] = {}
#: Each node type's reader of those fields, all at once (None: the node has no children).
_READERS: dict[type[cst.CSTNode], _Fields | None] = {}


def visit_order(kind: type[cst.CSTNode]) -> tuple[str, ...]:
    """The fields of ``kind`` that its ``_visit_and_replace_children`` visits, in its order.

    That method hands each field's name to libcst's visit helpers (``visit_required(self,
    "body", ...)``) in the order it visits them, so the names appear in that order among its
    code's constants; the fields it does not name (strings, flags) hold no nodes and are not
    visited. The tests compare whole walks with libcst's own visit, call for call.
    """
    order = _ORDER.get(kind)
    if order is None:
        fields = {f.name for f in dataclasses.fields(kind)}
        named: list[str] = []
        for constant in kind._visit_and_replace_children.__code__.co_consts:
            if isinstance(constant, str) and constant in fields and constant not in named:
                named.append(constant)
        order = _ORDER[kind] = tuple(named)
    return order


def _reader(kind: type[cst.CSTNode]) -> _Fields | None:
    if kind in _READERS:
        return _READERS[kind]
    names = visit_order(kind)
    reader: _Fields | None
    if not names:
        reader = None
    elif len(names) == 1:
        reader = _one(attrgetter(names[0]))
    else:
        reader = attrgetter(*names)
    _READERS[kind] = reader
    return reader


def _one(read: Callable[[cst.CSTNode], Any]) -> _Fields:
    """The reader of a node type with one child field (attrgetter of one name gives no tuple)."""

    def fields(node: cst.CSTNode) -> tuple[Any, ...]:
        return (read(node),)

    return fields


def _own(visitor: type[cst.CSTVisitor], name: str) -> _Hook | None:
    """The visitor's hook ``name``, or None when it is libcst's no-op stub or absent."""
    hook = getattr(visitor, name, None)
    return None if hook is getattr(cst.CSTVisitor, name, None) else hook


@dataclasses.dataclass
class _Plan:
    """How one visitor class is walked: its hooks per node type, found once. (It holds no
    reference to the class, which is the weak key of its entry in _PLANS.)"""

    #: Hand the visitor to libcst's own visit (it has attribute hooks).
    libcst: bool
    #: The visitor overrides on_visit: a false value, not only False, skips the children.
    on_visit: bool
    entries: dict[type[cst.CSTNode], tuple[_Hook | None, _Hook | None, _Fields | None]] = (
        dataclasses.field(default_factory=dict)
    )

    @classmethod
    def of(cls, visitor: type[cst.CSTVisitor]) -> _Plan:
        base = cst.CSTVisitor
        # libcst's base classes have a no-op stub for every hook; only the visitor's own
        # count. (The framework passes define their visitors inside functions: a new class
        # per call, so this looks at their few names, not at the stubs' thousands.)
        attribute_hooks = any(
            name.startswith(("visit_", "leave_")) and "_" in name[6:]
            for klass in visitor.__mro__
            if klass not in _LIBCST_BASES
            for name in vars(klass)
        )
        libcst = (
            not issubclass(visitor, base)
            or attribute_hooks
            or visitor.on_visit_attribute is not base.on_visit_attribute
            or visitor.on_leave_attribute is not base.on_leave_attribute
        )
        return cls(libcst, visitor.on_visit is not base.on_visit)

    def entry(
        self, visitor: type[cst.CSTVisitor], kind: type[cst.CSTNode]
    ) -> tuple[_Hook | None, _Hook | None, _Fields | None]:
        base = cst.CSTVisitor
        name = kind.__name__
        visit = visitor.on_visit if self.on_visit else _own(visitor, f"visit_{name}")
        own_leave = visitor.on_leave is not base.on_leave
        leave = visitor.on_leave if own_leave else _own(visitor, f"leave_{name}")
        found = self.entries[kind] = (visit, leave, _reader(kind))
        return found


_LIBCST_BASES = frozenset(cst.CSTVisitor.__mro__)
#: Weak: a visitor class made inside a function goes with its last walk.
_PLANS: WeakKeyDictionary[type[cst.CSTVisitor], _Plan] = WeakKeyDictionary()


def walk(root: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    """``root.visit(visitor)``, the same calls in the same order, without rebuilding the tree
    and without recursion (a tree of any depth is walked)."""
    kind_of_visitor = type(visitor)
    plan = _PLANS.get(kind_of_visitor)
    if plan is None:
        plan = _PLANS[kind_of_visitor] = _Plan.of(kind_of_visitor)
    if plan.libcst:
        root.visit(visitor)
        return
    entries = plan.entries
    entry = plan.entry
    truthy = plan.on_visit
    # A pending leave is a (hook, node) tuple on the stack; a node is never a tuple.
    stack: list[Any] = [root]
    pop = stack.pop
    push = stack.append
    extend = stack.extend
    while stack:
        node = pop()
        kind = type(node)
        if kind is tuple:
            node[0](visitor, node[1])
            continue
        visit, leave, fields = entries.get(kind) or entry(kind_of_visitor, kind)
        if leave is not None:
            push((leave, node))
        if visit is not None:
            result = visit(visitor, node)
            if result is False or (truthy and not result):
                continue
        if fields is None:
            continue
        for value in reversed(fields(node)):
            of = type(value)
            if of is tuple or of is list:
                if value:
                    extend(reversed(value))
            # The fields libcst visits hold nodes, sequences of nodes, None or MaybeSentinel
            # (never a string: the tests check their annotations), and an isinstance of
            # CSTNode, an ABC, costs more than these two tests.
            elif value is not None and of is not MaybeSentinel:
                push(value)
