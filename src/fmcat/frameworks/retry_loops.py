"""tenacity's retry loops: ``for attempt in Retrying(...): with attempt: ...`` and its
``async for`` twin over ``AsyncRetrying(...)``, as retry policies (FM106, FM111) whose body's
creating calls are retried (FM112).

The loop's body is the retried code: tenacity runs it again, from the top, each time the
``with attempt:`` block raises what the policy retries; the attempts are the ``stop=`` keyword's,
read as for ``@retry(stop=...)``. The ``Retrying(...)(fn, *args)`` call form is not read: what it
retries is a function passed as a value, which the pass does not follow.
"""

from __future__ import annotations

import libcst as cst

from fmcat.frameworks.celery import creating_calls
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

    class Finder(cst.CSTVisitor):
        def visit_For(self, node: cst.For) -> None:
            call = node.iter
            if not isinstance(call, cst.Call):
                return
            name = source.qual(call.func)
            if name not in LOOP_CLASSES:
                return
            stop = keyword(call, "stop")
            attempts = _stop_attempts(stop, source) if stop is not None else None
            function = source.enclosing_function(node)
            scope = source.function_name(function) if function is not None else source.module
            span = source.span(call)
            found.append(RetryPolicy(span, name, attempts, scope=scope))
            retry = f"{name} (line {span.line})"
            retried.extend(creating_calls(node.body, source, retry, function or node))

    walk(source.tree, Finder())
    return found, retried
