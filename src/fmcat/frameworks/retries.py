"""Retry policies in code, and how many attempts each makes (FM111), with the calls they
repeat that create something (FM112).

- tenacity: ``@retry(stop=stop_after_attempt(N))`` makes N attempts (a ``|`` of stops: the
  stop_after_attempt one); no stop at all is unbounded (FM106 reports it).
- backoff: ``@backoff.on_exception(wait, errors, max_tries=N)``: N attempts.
- stamina: ``@stamina.retry(on=..., attempts=N)``: N, 10 by default.
- urllib3: ``Retry(total=N)`` or ``Retry(N)``: N + 1 attempts, also through a subclass of
  ``Retry`` in the same file; POST is retried only when ``allowed_methods`` (``method_whitelist``
  before urllib3 2) names it, or is None (every method). Such a Retry is itself the creating
  retry of FM112, unless the file sets an idempotency header (IDEMPOTENCY_HEADERS), which
  urllib3 resends unchanged with each attempt. requests' ``HTTPAdapter(max_retries=N)``: N + 1.
- stripe: ``stripe.max_network_retries = N`` or ``StripeClient(..., max_network_retries=N)``:
  N + 1 attempts, which reuse one idempotency key (an SDK's retry, not a user-level one).
"""

from __future__ import annotations

import libcst as cst

from fmcat.frameworks.celery import creating_calls
from fmcat.frameworks.source import Source, keyword, literal, walk
from fmcat.scan.facts import RetriedCall, RetryPolicy

#: stamina.retry's default attempts, checked against stamina's signature where it is installed.
STAMINA_ATTEMPTS = 10
_RETRY_CLASSES = frozenset(
    {"urllib3.Retry", "urllib3.util.Retry", "urllib3.util.retry.Retry", "requests.adapters.Retry"}
)
#: Header names that carry an idempotency key, lower-case: the generic ones and vendors' own.
IDEMPOTENCY_HEADERS = ("idempotency-key", "paypal-request-id")
_DECORATORS = {
    "tenacity.retry": "tenacity",
    "backoff.on_exception": "backoff",
    "backoff.on_predicate": "backoff",
    "stamina.retry": "stamina",
}


def policies(source: Source) -> tuple[list[RetryPolicy], list[RetriedCall]]:
    found: list[RetryPolicy] = []
    retried: list[RetriedCall] = []
    retry_classes = _RETRY_CLASSES | _local_subclasses(source)
    keyed_file = any(header in source.tree.code.lower() for header in IDEMPOTENCY_HEADERS)

    class Finder(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            for decorator in node.decorators:
                expr = decorator.decorator
                call = expr if isinstance(expr, cst.Call) else None
                name = source.qual(call.func if call is not None else expr)
                library = _DECORATORS.get(name or "")
                if library is None:
                    continue
                attempts = _attempts(library, call, source)
                span = source.span(expr)
                scope = source.function_name(node)
                found.append(RetryPolicy(span, name or library, attempts, scope=scope))
                retried.extend(creating_calls(node, source, f"{name} (line {span.line})"))

        def visit_Call(self, node: cst.Call) -> None:
            name = source.qual(node.func)
            function = source.enclosing_function(node)
            scope = source.function_name(function) if function is not None else source.module
            if name not in retry_classes and _bound_to_retry(
                node.func, function, source, retry_classes
            ):
                # retry_cls = Retry if ... else LocalRetry; retry_cls(...)
                shown = f"{source.text(node.func)} (a urllib3 Retry)"
                name = "urllib3.Retry"
            else:
                shown = name or ""
            if name in retry_classes:
                total = literal(keyword(node, "total", 0))
                post = _retries_post(node, function)
                attempts = (
                    total + 1 if isinstance(total, int) and not isinstance(total, bool) else None
                )
                span = source.span(node)
                found.append(
                    RetryPolicy(
                        span,
                        "urllib3.Retry",
                        attempts,
                        scope=scope,
                        library="urllib3",
                        user_level=False,
                        retries_post=post,
                    )
                )
                if post:  # FM112 on the policy: the POSTs it repeats go through a session
                    retried.append(RetriedCall(span, f"{shown} (line {span.line})", keyed_file, ""))
            elif name == "requests.adapters.HTTPAdapter" or name == "requests.HTTPAdapter":
                value = literal(keyword(node, "max_retries", 3))
                if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                    found.append(
                        RetryPolicy(
                            source.span(node),
                            "requests.adapters.HTTPAdapter",
                            value + 1,
                            scope=scope,
                            library="requests",
                            user_level=False,
                        )
                    )
            elif name in ("stripe.StripeClient", "stripe.http_client.RequestsClient"):
                value = literal(keyword(node, "max_network_retries"))
                if isinstance(value, int) and not isinstance(value, bool):
                    found.append(
                        RetryPolicy(
                            source.span(node),
                            "stripe max_network_retries",
                            value + 1,
                            library="stripe",
                            user_level=False,
                        )
                    )

        def visit_Assign(self, node: cst.Assign) -> None:
            target = node.targets[0].target
            if source.qual(target) == "stripe.max_network_retries":
                value = literal(node.value)
                if isinstance(value, int) and not isinstance(value, bool):
                    found.append(
                        RetryPolicy(
                            source.span(node),
                            "stripe.max_network_retries",
                            value + 1,
                            library="stripe",
                            user_level=False,
                        )
                    )

    walk(source.tree, Finder())
    return found, retried


def _local_subclasses(source: Source) -> frozenset[str]:
    """Module-level classes of this file that subclass urllib3's Retry (``LogOnRetry(Retry)``),
    also through one another (``class Strict(LogOnRetry)``)."""
    names: set[str] = set()
    classes = [s for s in source.tree.body if isinstance(s, cst.ClassDef)]
    grew = True
    while grew:
        grew = False
        for statement in classes:
            if statement.name.value not in names and any(
                source.qual(base.value) in _RETRY_CLASSES | names for base in statement.bases
            ):
                names.add(statement.name.value)
                grew = True
    return frozenset(names)


def _assigned(function: cst.FunctionDef | None, target: str) -> list[cst.Assign]:
    """The assignments to the local name ``target`` in ``function``."""
    found: list[cst.Assign] = []
    if function is None:
        return found

    class Finder(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            if any(
                isinstance(t.target, cst.Name) and t.target.value == target for t in node.targets
            ):
                found.append(node)

    walk(function, Finder())
    return found


def _bound_to_retry(
    func: cst.BaseExpression,
    function: cst.FunctionDef | None,
    source: Source,
    classes: frozenset[str],
) -> bool:
    """``retry_cls(...)`` where every binding of the local ``retry_cls`` is a Retry class
    (``Retry if respect_after else StrictRetry``): mlflow's REST session."""
    if not isinstance(func, cst.Name):
        return False

    def retry_class(node: cst.BaseExpression) -> bool:
        if isinstance(node, cst.IfExp):
            return retry_class(node.body) and retry_class(node.orelse)
        return source.qual(node) in classes

    bindings = _assigned(function, func.value)
    return bool(bindings) and all(retry_class(b.value) for b in bindings)


_METHOD_KEYS = ("allowed_methods", "method_whitelist")


def _spread_methods(call: cst.Call, function: cst.FunctionDef | None) -> cst.BaseExpression | None:
    """``allowed_methods`` set in the dict a ``**retry_kwargs`` spreads: a key of its dict
    literal, or ``retry_kwargs["allowed_methods"] = ...`` in the same function."""
    for arg in call.args:
        if arg.star == "**" and isinstance(arg.value, cst.Name) and function is not None:
            found = _method_values(function, arg.value.value)
            if found:
                return found[0]
    return None


def _method_values(function: cst.FunctionDef, name: str) -> list[cst.BaseExpression]:
    found: list[cst.BaseExpression] = []
    for binding in _assigned(function, name):
        if isinstance(binding.value, cst.Dict):
            found += [
                e.value
                for e in binding.value.elements
                if isinstance(e, cst.DictElement) and literal(e.key) in _METHOD_KEYS
            ]

    class Keys(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            place = node.targets[0].target
            if (
                isinstance(place, cst.Subscript)
                and isinstance(place.value, cst.Name)
                and place.value.value == name
                and len(place.slice) == 1
                and isinstance(place.slice[0].slice, cst.Index)
                and literal(place.slice[0].slice.value) in _METHOD_KEYS
            ):
                found.append(node.value)

    walk(function, Keys())
    return found


def _retries_post(call: cst.Call, function: cst.FunctionDef | None = None) -> bool:
    """Whether the Retry re-sends POSTs: ``allowed_methods`` names POST or is None (any verb);
    left out, urllib3's DEFAULT_ALLOWED_METHODS apply, which leave POST out."""
    node = (
        keyword(call, "allowed_methods")
        or keyword(call, "method_whitelist")
        or _spread_methods(call, function)
    )
    if node is None:
        return False
    methods = literal(node)
    if methods is None:
        return True
    return isinstance(methods, list) and "POST" in [str(m).upper() for m in methods]


def _attempts(library: str, call: cst.Call | None, source: Source) -> int | None:
    if library == "stamina":
        value = literal(keyword(call, "attempts")) if call is not None else None
        if value is None and (call is None or keyword(call, "attempts") is None):
            return STAMINA_ATTEMPTS
        return value if isinstance(value, int) else None
    if call is None:
        return None
    if library == "backoff":
        value = literal(keyword(call, "max_tries"))
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    stop = keyword(call, "stop")
    return _stop_attempts(stop, source) if stop is not None else None


def _stop_attempts(node: cst.BaseExpression, source: Source) -> int | None:
    if isinstance(node, cst.BinaryOperation):
        return _stop_attempts(node.left, source) or _stop_attempts(node.right, source)
    if isinstance(node, cst.Call) and (source.qual(node.func) or "").endswith("stop_after_attempt"):
        value = literal(node.args[0].value) if node.args else None
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    return None
