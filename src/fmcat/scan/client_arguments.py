"""Parameters that every call in the module fills with a client class.

``def _connect(redis_class): return redis_class(host=..., port=...)``, called as
``_connect(Redis)`` and ``_connect(aRedis)`` (pulpcore's redis factory): inside, ``redis_class``
is a client class, so ``redis_class(...)`` and ``redis_class.from_url(...)`` are judged as
constructions of that client. A parameter is bound so only when every call of the function in
its module passes it, by position or keyword, a class (or maker) of clients of one library; the
first such argument stands for them all, their timeouts being given by the same keywords.
"""

from __future__ import annotations

import libcst as cst

from fmcat.scan.knowledge import KnowledgeBase
from fmcat.scan.scope import OPAQUE, Assigned, Defined, Scope
from fmcat.scan.value_types import Qual
from fmcat.scan.values import Evaluator
from fmcat.scan.walk import walk


class _Calls(cst.CSTVisitor):
    """Every call by a bare name, with the scope it is made in. Hooks by node type, not
    ``on_visit``: only calls and the nodes that open a scope (scope.BindingCollector's) are
    looked at, not every node of the tree."""

    def __init__(self, scopes: dict[cst.CSTNode, Scope], root: Scope) -> None:
        self.scopes = scopes
        self.stack = [root]
        self.calls: list[tuple[cst.Call, Scope]] = []

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name):
            self.calls.append((node, self.stack[-1]))

    def _enter(self, node: cst.CSTNode) -> None:
        scope = self.scopes.get(node)
        if scope is not None:
            self.stack.append(scope)

    def _leave(self, original_node: cst.CSTNode) -> None:
        if original_node in self.scopes:
            self.stack.pop()

    visit_ClassDef = visit_FunctionDef = visit_Lambda = _enter
    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _enter
    leave_ClassDef = leave_FunctionDef = leave_Lambda = _leave
    leave_ListComp = leave_SetComp = leave_DictComp = leave_GeneratorExp = _leave


def bind_client_arguments(
    module: cst.Module, scopes: dict[cst.CSTNode, Scope], root: Scope, kb: KnowledgeBase
) -> None:
    """Rebind, in place, the parameters that every call fills with a client class."""
    functions = {
        (id(scope.parent), node.name.value): (node, scope)
        for node, scope in scopes.items()
        if isinstance(node, cst.FunctionDef) and scope.parent is not None
    }
    if not functions:
        return
    visitor = _Calls(scopes, root)
    walk(module, visitor)
    evaluator = Evaluator(kb)
    given: dict[int, dict[str, list[tuple[cst.BaseExpression, Scope]]]] = {}
    calls: dict[int, int] = {}
    for call, scope in visitor.calls:
        assert isinstance(call.func, cst.Name)
        bindings = scope.lookup(call.func.value) or []
        if len(bindings) != 1 or not isinstance(bindings[0], Defined):
            continue
        found = functions.get((id(bindings[0].scope), bindings[0].name))
        if found is None or any(arg.star for arg in call.args):
            continue
        node, _ = found
        positional = [p.name.value for p in (*node.params.posonly_params, *node.params.params)]
        calls[id(node)] = calls.get(id(node), 0) + 1
        for index, arg in enumerate(call.args):
            name = arg.keyword.value if arg.keyword is not None else None
            if name is None and index < len(positional):
                name = positional[index]
            if name is not None:
                given.setdefault(id(node), {}).setdefault(name, []).append((arg.value, scope))
    for node, scope in functions.values():
        for name, values in given.get(id(node), {}).items():
            if len(values) == calls[id(node)] and scope.bindings.get(name) == [OPAQUE]:
                libraries = {_client_library(v, s, evaluator, kb) for v, s in values}
                if len(libraries) == 1 and None not in libraries:
                    scope.bindings[name] = [Assigned(values[0][0], values[0][1])]


def _client_library(
    expr: cst.BaseExpression, scope: Scope, evaluator: Evaluator, kb: KnowledgeBase
) -> str | None:
    value = evaluator.expr(expr, scope)
    if not isinstance(value, Qual):
        return None
    found = kb.function(value.name)
    return found[0].name if found is not None and found[1].returns else None
