"""tenacity's call form, ``Retrying(...)(fn, *args, **kwargs)``, which runs ``fn`` again until its
policy stops, as ``@retry`` would: what ``fn`` creates is retried (FM112).

The Retrying object may be made in the call itself or assigned first in the same function
(``self._retry_obj = tenacity.Retrying(**_retry_args)``, then ``self._retry_obj(self.run, ...)``:
Airflow's ``HttpHook.run_with_advanced_retry``). ``fn`` is followed when it names a function
nested in the caller or defined in the file, or a method of the enclosing class (``self.run``),
as ``self._get_retry_object()`` is for loops: by name, one level deep. Its creating calls are
reported where they are. A hook's request made with the hook's own method
(``Request(self.method, ...)``, ``session.request(self.method, ...)``) is a POST when the class's
``__init__`` makes POST the default (``method: str = "POST"``, ``self.method = method.upper()``)
and no ``if self.method == "GET":`` around it fixes another verb; it is reported on the call
that retries ``fn``, the line where that request becomes a retried one.
"""

from __future__ import annotations

import libcst as cst

from fmcat.frameworks.creating import creating_calls
from fmcat.frameworks.retry_loops import LOOP_CLASSES
from fmcat.frameworks.source import Source, keyword, literal, walk
from fmcat.scan.facts import RetriedCall

#: Calls that send a request whose first argument is its method (requests' Request and request,
#: a session's or client's ``request``), by qualified name or by the attribute called.
_REQUEST_QUALS = frozenset({"requests.Request", "requests.request", "requests.models.Request"})
_REQUEST_ATTRS = frozenset({"request"})


def call_policies(source: Source) -> list[RetriedCall]:
    """The creating calls retried by ``Retrying(...)(fn, ...)`` calls of the file."""
    found: list[RetriedCall] = []
    calls: list[cst.Call] = []
    #: ``self._retry_obj = Retrying(...)``: the Retrying call, by function and target's text.
    assigned: dict[tuple[cst.FunctionDef | None, str], cst.Call] = {}

    class Finder(cst.CSTVisitor):  # one walk: an assignment comes before its calls
        def visit_Assign(self, node: cst.Assign) -> None:
            value = node.value
            if isinstance(value, cst.Call) and source.qual(value.func) in LOOP_CLASSES:
                function = source.enclosing_function(node)
                for target in node.targets:
                    assigned[(function, source.text(target.target))] = value

        def visit_Call(self, node: cst.Call) -> None:
            if node.args and isinstance(node.func, (cst.Call, cst.Name, cst.Attribute)):
                calls.append(node)

    walk(source.tree, Finder())
    for node in calls:
        caller = source.enclosing_function(node)
        if isinstance(node.func, cst.Call):
            made = node.func if source.qual(node.func.func) in LOOP_CLASSES else None
        else:
            made = assigned.get((caller, source.text(node.func))) if assigned else None
        if made is None:
            continue
        retry = f"{source.qual(made.func)} (line {source.span(made).line})"
        target = _target(node.args[0].value, caller, source)
        if target is None:
            continue
        found.extend(creating_calls(target, source, retry))
        keyed = any("idempotency-key" in source.text(n).lower() for n in (target, caller) if n)
        for request, default in _default_post_requests(target, source):
            via = (
                f"{source.text(node.args[0].value)} sends {source.text(request.func)}"
                f"(self.method, ...) (line {source.span(request).line}), and the hook's method "
                f"is POST by default (line {source.span(default).line})"
            )
            found.append(
                RetriedCall(
                    source.span(node), retry, keyed, source.text(target), "tenacity", via=via
                )
            )
    return found


def _target(
    fn: cst.BaseExpression, caller: cst.FunctionDef | None, source: Source
) -> cst.FunctionDef | None:
    """The function ``fn`` names: nested in the caller, of the file, or ``self.m`` of the class."""
    if isinstance(fn, cst.Name):
        name = fn.value
        scopes: list[cst.CSTNode] = [caller] if caller is not None else []
        scopes.append(source.tree)
    elif (
        isinstance(fn, cst.Attribute)
        and isinstance(fn.value, cst.Name)
        and fn.value.value == "self"
        and caller is not None
    ):
        name = fn.attr.value
        owner = _class_of(caller, source)
        scopes = [owner] if owner is not None else []
    else:
        return None
    for scope in scopes:
        for node in _functions(scope):
            if node.name.value == name and node is not caller:
                return node
    return None


def _functions(scope: cst.CSTNode) -> list[cst.FunctionDef]:
    found: list[cst.FunctionDef] = []

    class Finder(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            found.append(node)

    walk(scope, Finder())
    return found


def _class_of(node: cst.CSTNode, source: Source) -> cst.ClassDef | None:
    current = source.parent(node)
    while current is not None and not isinstance(current, cst.ClassDef):
        current = source.parent(current)
    return current


def _default_post_requests(
    target: cst.FunctionDef, source: Source
) -> list[tuple[cst.Call, cst.Param]]:
    """Requests in ``target`` sent with ``self.method`` where that method is POST by default,
    each with the ``__init__`` parameter that makes it so."""
    owner = _class_of(target, source)
    made_post = _post_default(owner, source) if owner is not None else None
    if made_post is None:
        return []
    default: cst.Param = made_post
    found: list[tuple[cst.Call, cst.Param]] = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            method = keyword(node, "method", 0)
            if method is None or source.text(method) != "self.method":
                return
            attr = node.func.attr.value if isinstance(node.func, cst.Attribute) else ""
            sends = source.qual(node.func) in _REQUEST_QUALS or attr in _REQUEST_ATTRS
            if sends and _fixed_method(node, target, source) in (None, "POST"):
                found.append((node, default))

    walk(target, Finder())
    return found


def _post_default(owner: cst.ClassDef, source: Source) -> cst.Param | None:
    """``__init__``'s ``method`` parameter when it defaults to "POST" and becomes self.method."""
    for node in _functions(owner):
        if node.name.value != "__init__" or _class_of(node, source) is not owner:
            continue
        for param in (*node.params.params, *node.params.kwonly_params):
            value = literal(param.default) if param.default is not None else None
            if param.name.value == "method" and isinstance(value, str) and value.upper() == "POST":
                text = source.text(node.body)
                if "self.method = method" in text:
                    return param
    return None


def _fixed_method(node: cst.CSTNode, stop: cst.CSTNode, source: Source) -> str | None:
    """The verb an ``if self.method == "GET":`` around ``node`` (below ``stop``) fixes, upper-case;
    None when no such test decides it."""
    child, current = node, source.parent(node)
    while current is not None and current is not stop:
        if isinstance(current, cst.If) and child is current.body:
            test = current.test
            if (
                isinstance(test, cst.Comparison)
                and source.text(test.left) == "self.method"
                and len(test.comparisons) == 1
                and isinstance(test.comparisons[0].operator, cst.Equal)
            ):
                verb = literal(test.comparisons[0].comparator)
                if isinstance(verb, str):
                    return verb.upper()
        child, current = current, source.parent(current)
    return None
