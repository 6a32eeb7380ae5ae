"""tenacity's retry loops: ``for attempt in Retrying(...): with attempt: ...`` and its
``async for`` twin over ``AsyncRetrying(...)``, as retry policies (FM106, FM111) whose body's
creating calls are retried (FM112).

The loop's body is the retried code: tenacity runs it again, from the top, each time the
``with attempt:`` block raises what the policy retries; the attempts are the ``stop=`` keyword's,
read as for ``@retry(stop=...)``. The loop may also run over a call of a function or method of
the same file that returns such an object (``for attempt in self._get_retry_object():``, whose
body is ``return Retrying(**self.retry_args)``: Airflow's Databricks hook); functions are matched
by name, the class not checked. A function nested in the loop's function and called in its body
(``async def request_func(): ...``, then ``return await request_func()`` in the loop: Airflow's
HttpAsyncHook) is retried with the body. The ``Retrying(...)(fn, *args)`` call form is
retry_calls.py's.
"""

from __future__ import annotations

import libcst as cst

from fmcat.frameworks.creating import creating_calls
from fmcat.frameworks.retries import _stop_attempts
from fmcat.frameworks.source import Source, keyword, walk
from fmcat.scan.facts import RetriedCall, RetryPolicy

#: tenacity's loop classes, by the names they are imported as (checked against the installed
#: tenacity in tests/test_library_facts.py: both iterate attempts that are context managers).
LOOP_CLASSES = frozenset(
    {"tenacity.Retrying", "tenacity.AsyncRetrying", "tenacity.asyncio.AsyncRetrying"}
)


def loop_policies(source: Source) -> tuple[list[RetryPolicy], list[RetriedCall]]:
    found: list[RetryPolicy] = []
    retried: list[RetriedCall] = []
    loops: list[cst.For] = []
    #: The functions and methods that return a loop object, by name: the call and its class.
    getters: dict[str, tuple[cst.Call, str]] = {}

    class Finder(cst.CSTVisitor):  # one walk: a getter may be defined after its loops
        def visit_For(self, node: cst.For) -> None:
            if isinstance(node.iter, cst.Call):
                loops.append(node)

        def visit_Return(self, node: cst.Return) -> None:
            value = node.value
            if isinstance(value, cst.Call) and source.qual(value.func) in LOOP_CLASSES:
                function = source.enclosing_function(node)
                if function is not None:
                    getters[function.name.value] = (value, source.qual(value.func) or "")

    walk(source.tree, Finder())
    for node in loops:
        call = cst.ensure_type(node.iter, cst.Call)
        name = source.qual(call.func)
        if name not in LOOP_CLASSES:
            made = getters.get(_called_name(call.func))
            if made is None:
                continue
            call, name = made
        stop = keyword(call, "stop")
        attempts = _stop_attempts(stop, source) if stop is not None else None
        function = source.enclosing_function(node)
        scope = source.function_name(function) if function is not None else source.module
        span = source.span(node.iter)
        found.append(RetryPolicy(span, name or "tenacity.Retrying", attempts, scope=scope))
        retry = f"{name} (line {span.line})"
        retried.extend(creating_calls(node.body, source, retry, function or node))
        for nested in _nested_called(node, function, source):
            retried.extend(creating_calls(nested, source, retry, function))
    return found, retried


def _nested_called(
    loop: cst.For, function: cst.FunctionDef | None, source: Source
) -> list[cst.FunctionDef]:
    """The functions nested in ``function`` that the loop's body calls by name (``async def
    request_func(): ...`` before ``async for attempt in AsyncRetrying(...)``): the retry runs
    them again with the body."""
    if function is None:
        return []
    nested: dict[str, cst.FunctionDef] = {}
    called: set[str] = set()

    class Defs(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            if node is not function and source.enclosing_function(node) is function:
                nested[node.name.value] = node

    class Calls(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            if isinstance(node.func, cst.Name):
                called.add(node.func.value)

    walk(function, Defs())
    if not nested:
        return []
    walk(loop.body, Calls())
    return [nested[name] for name in sorted(called & set(nested))]


def _called_name(func: cst.BaseExpression) -> str:
    """``f`` of ``f()`` or of ``self.f()``; "" for anything else."""
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
        return func.attr.value
    return ""
