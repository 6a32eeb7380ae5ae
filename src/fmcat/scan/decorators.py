"""Decorators that handle the failures of what they wrap.

A framework's, declared by a keyword (Celery's ``@app.task(autoretry_for=(RequestException,))``
retries the task on those), and the project's own: pulpcore's

    def connection_error_wrapper(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except (ConnectionError, RedisError):
                return None
        return wrapper

catches, around every call of the function it decorates, what its handlers name. A project
decorator is followed when it is a function of the same module used bare (``@name``).
"""

from __future__ import annotations

import libcst as cst

from fmcat.scan.handlers import caught_names
from fmcat.scan.knowledge import KnowledgeBase
from fmcat.scan.scope import Defined, Scope
from fmcat.scan.values import Evaluator


class DecoratorHandling:
    """What each decorator catches; the module's functions indexed once, on first use."""

    def __init__(self, scopes: dict[cst.CSTNode, Scope]) -> None:
        self.scopes = scopes
        self._functions: dict[tuple[int, str], cst.FunctionDef] | None = None
        self._memo: dict[int, frozenset[str]] = {}

    def caught(
        self, expr: cst.BaseExpression, scope: Scope, evaluator: Evaluator, kb: KnowledgeBase
    ) -> list[frozenset[str]]:
        if isinstance(expr, cst.Call):
            return [
                caught_names(arg.value, scope, evaluator)
                for arg in expr.args
                if arg.keyword is not None and arg.keyword.value in kb.handler_keywords
            ]
        node = self._project_decorator(expr, scope)
        if node is None:
            return []
        if id(node) not in self._memo:
            self._memo[id(node)] = frozenset()  # a decorator decorating itself: nothing
            self._memo[id(node)] = self._wrapping(node, evaluator)
        found = self._memo[id(node)]
        return [found] if found else []

    def _project_decorator(self, expr: cst.BaseExpression, scope: Scope) -> cst.FunctionDef | None:
        if not isinstance(expr, cst.Name):
            return None
        bindings = scope.lookup(expr.value) or []
        if len(bindings) != 1 or not isinstance(bindings[0], Defined):
            return None
        if self._functions is None:
            self._functions = {
                (id(s.parent), n.name.value): n
                for n, s in self.scopes.items()
                if isinstance(n, cst.FunctionDef) and s.parent is not None
            }
        return self._functions.get((id(bindings[0].scope), bindings[0].name))

    def _wrapping(self, node: cst.FunctionDef, evaluator: Evaluator) -> frozenset[str]:
        """What the handlers of the ``try`` around a call of the decorated function catch."""
        params = [*node.params.posonly_params, *node.params.params]
        if not params:
            return frozenset()
        wrapped = params[0].name.value
        scope = self.scopes[node]
        caught: set[str] = set()
        for found in _tries(node.body):
            if any(_calls(statement, wrapped) for statement in found.body.body):
                for handler in found.handlers:
                    caught |= caught_names(handler.type, scope, evaluator)
        return frozenset(caught)


def _tries(node: cst.CSTNode) -> list[cst.Try]:
    found: list[cst.Try] = []
    stack = [node]
    while stack and len(found) < 16:
        current = stack.pop()
        if isinstance(current, cst.Try):
            found.append(current)
        stack.extend(current.children)
    return found


def _calls(node: cst.CSTNode, name: str) -> bool:
    stack = [node]
    while stack:
        current = stack.pop()
        func = current.func if isinstance(current, cst.Call) else None
        if isinstance(func, cst.Name) and func.value == name:
            return True
        stack.extend(current.children)
    return False
