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
_ADAPTERS = frozenset({"requests.adapters.HTTPAdapter", "requests.HTTPAdapter"})
_STRIPE_CLIENTS = frozenset({"stripe.StripeClient", "stripe.http_client.RequestsClient"})
#: What a file must mention for this pass to find anything in it, as groups of words that
#: must all be there (the post-pass parses no other file for it). A policy is known by its
#: qualified name: its last part is in the file's text, and its package in the file's imports,
#: or in the file's own module name when a relative import names it (``from . import retry``
#: inside tenacity). Stripe's clients count only with a ``max_network_retries=``, which
#: ``stripe.max_network_retries = N`` needs too. A bare ``retry`` is no mark: Home Assistant
#: has 100 files that say it (``ConfigEntryNotReady``'s retries) and no retry library.
MARKERS: tuple[tuple[bytes, bytes], ...] = tuple(
    sorted(
        {
            (name.split(".")[0].encode(), name.rsplit(".", 1)[1].encode())
            for name in (*_DECORATORS, *_RETRY_CLASSES, *_ADAPTERS)
        }
        | {(b"stripe", b"max_network_retries")}
    )
)


def policies(source: Source) -> tuple[list[RetryPolicy], list[RetriedCall]]:
    found: list[RetryPolicy] = []
    retried: list[RetriedCall] = []
    retry_classes = _RETRY_CLASSES | _local_subclasses(source)
    keyed: list[bool] = []  # whether the file sets an idempotency header, once asked

    def keyed_file() -> bool:
        """Asked only for a Retry that re-sends POSTs: the module's whole text is regenerated
        from its tree by libcst on each ``code``, which cost more than the pass's own walk."""
        if not keyed:
            code = source.tree.code.lower()
            keyed.append(any(header in code for header in IDEMPOTENCY_HEADERS))
        return keyed[0]

    def decorated(node: cst.FunctionDef) -> None:
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

    def call(node: cst.Call, assigned: Assignments) -> None:
        name = source.qual(node.func)
        bare = isinstance(node.func, cst.Name) and node.func.value in assigned.names
        if name not in retry_classes and name not in _ADAPTERS and not bare:
            if name in _STRIPE_CLIENTS:
                stripe_client(node)
            return  # no policy, and not a local that may hold a Retry class
        function = source.enclosing_function(node)
        if name not in retry_classes and assigned.bound_to(node.func, function, retry_classes):
            # retry_cls = Retry if ... else LocalRetry; retry_cls(...)
            shown = f"{source.text(node.func)} (a urllib3 Retry)"
            name = "urllib3.Retry"
        else:
            shown = name or ""
        scope = source.function_name(function) if function is not None else source.module
        if name in retry_classes:
            total = literal(keyword(node, "total", 0))
            post = _retries_post(node, function, assigned)
            attempts = total + 1 if isinstance(total, int) and not isinstance(total, bool) else None
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
                retried.append(RetriedCall(span, f"{shown} (line {span.line})", keyed_file(), ""))
        elif name in _ADAPTERS:
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
        elif name in _STRIPE_CLIENTS:
            stripe_client(node)

    def stripe_client(node: cst.Call) -> None:
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

    def assign(node: cst.Assign) -> None:
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

    # One walk gathers the nodes to judge, in order, and every function's assignments: a
    # call judged by its function's assignments (``retry_cls(...)``) is judged after the walk,
    # by a look-up, not by walking its function again (which made the pass quadratic).
    assigned = Assignments(source)
    nodes: list[cst.FunctionDef | cst.Call | cst.Assign] = []

    class Gather(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            if node.decorators:
                nodes.append(node)

        def visit_Call(self, node: cst.Call) -> None:
            nodes.append(node)

        def visit_Assign(self, node: cst.Assign) -> None:
            nodes.append(node)
            assigned.add(node)

    walk(source.tree, Gather())
    for node in nodes:
        if isinstance(node, cst.FunctionDef):
            decorated(node)
        elif isinstance(node, cst.Call):
            call(node, assigned)
        else:
            assign(node)
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


_METHOD_KEYS = ("allowed_methods", "method_whitelist")


class Assignments:
    """The assignments in each function of a file, by the local name assigned, gathered in one
    walk of the file: those of the functions nested in it count too, as a walk of the function
    would find them. What the calls ask of them is kept, so that many calls of one name in one
    function cost one answer."""

    def __init__(self, source: Source) -> None:
        self.source = source
        #: Names assigned in some function (a call of any other name needs no look-up).
        self.names: set[str] = set()
        self._by_name: dict[tuple[cst.FunctionDef, str], list[cst.Assign]] = {}
        #: ``retry_kwargs["allowed_methods"] = ...``: the values, by function and dict name.
        self._keys: dict[tuple[cst.FunctionDef, str], list[cst.BaseExpression]] = {}
        self._bound: dict[tuple[cst.FunctionDef, str], bool] = {}
        self._methods: dict[tuple[cst.FunctionDef, str], list[cst.BaseExpression]] = {}

    def add(self, node: cst.Assign) -> None:
        names = {t.target.value for t in node.targets if isinstance(t.target, cst.Name)}
        spread = _method_key_target(node.targets[0].target)
        if not names and spread is None:
            return
        current = self.source.parent(node)
        while current is not None:
            if isinstance(current, cst.FunctionDef):
                self.names |= names
                for name in names:
                    self._by_name.setdefault((current, name), []).append(node)
                if spread is not None:
                    self._keys.setdefault((current, spread), []).append(node.value)
            current = self.source.parent(current)

    def bound_to(
        self, func: cst.BaseExpression, function: cst.FunctionDef | None, classes: frozenset[str]
    ) -> bool:
        """``retry_cls(...)`` where every binding of the local ``retry_cls`` is a Retry class
        (``Retry if respect_after else StrictRetry``): mlflow's REST session."""
        if not isinstance(func, cst.Name) or function is None:
            return False
        key = (function, func.value)
        known = self._bound.get(key)
        if known is None:

            def retry_class(node: cst.BaseExpression) -> bool:
                if isinstance(node, cst.IfExp):
                    return retry_class(node.body) and retry_class(node.orelse)
                return self.source.qual(node) in classes

            bindings = self._by_name.get(key, [])
            known = self._bound[key] = bool(bindings) and all(
                retry_class(b.value) for b in bindings
            )
        return known

    def method_values(self, function: cst.FunctionDef, name: str) -> list[cst.BaseExpression]:
        """``allowed_methods`` in the dict ``name`` holds: a key of the dict literal assigned to
        it, or ``name["allowed_methods"] = ...``, in ``function``."""
        key = (function, name)
        known = self._methods.get(key)
        if known is None:
            known = [
                e.value
                for binding in self._by_name.get(key, [])
                if isinstance(binding.value, cst.Dict)
                for e in binding.value.elements
                if isinstance(e, cst.DictElement) and literal(e.key) in _METHOD_KEYS
            ]
            known += self._keys.get(key, [])
            self._methods[key] = known
        return known


def _method_key_target(place: cst.BaseAssignTargetExpression) -> str | None:
    """``retry_kwargs`` for ``retry_kwargs["allowed_methods"] = ...`` (or method_whitelist)."""
    if (
        isinstance(place, cst.Subscript)
        and isinstance(place.value, cst.Name)
        and len(place.slice) == 1
        and isinstance(place.slice[0].slice, cst.Index)
        and literal(place.slice[0].slice.value) in _METHOD_KEYS
    ):
        return place.value.value
    return None


def _spread_methods(
    call: cst.Call, function: cst.FunctionDef | None, assigned: Assignments
) -> cst.BaseExpression | None:
    """``allowed_methods`` set in the dict a ``**retry_kwargs`` spreads: a key of its dict
    literal, or ``retry_kwargs["allowed_methods"] = ...`` in the same function."""
    for arg in call.args:
        if arg.star == "**" and isinstance(arg.value, cst.Name) and function is not None:
            found = assigned.method_values(function, arg.value.value)
            if found:
                return found[0]
    return None


def _retries_post(call: cst.Call, function: cst.FunctionDef | None, assigned: Assignments) -> bool:
    """Whether the Retry re-sends POSTs: ``allowed_methods`` names POST or is None (any verb);
    left out, urllib3's DEFAULT_ALLOWED_METHODS apply, which leave POST out."""
    node = (
        keyword(call, "allowed_methods")
        or keyword(call, "method_whitelist")
        or _spread_methods(call, function, assigned)
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
