"""Celery: the app's configuration, its tasks' delivery semantics, and publishing call sites.

Read statically, like the Django settings:

- apps are module-level ``app = Celery(...)``; their configuration comes from ``Celery(...)``
  keywords, ``app.conf.update(...)``, ``app.conf.x = v``, and ``app.config_from_object(...)``
  when it names a module fmcat can read (``"proj.celeryconfig"``, or Django's settings with
  ``namespace="CELERY"``). An object, or ``config_from_envvar``, cannot be followed: FM109.
- tasks are functions decorated with ``@app.task``, ``@shared_task`` or ``@celery.task``; each
  is a Consumer (it acknowledges before it runs unless ``acks_late``, Celery's default being
  False) and, when it retries (``autoretry_for``, or ``self.retry`` in its body or in a function
  of its module that it hands ``self`` to), a RetryPolicy with
  ``max_retries + 1`` attempts (Celery's default ``max_retries`` is 3).
- ``task.delay(...)``, ``task.apply_async(...)`` and ``app.send_task(...)`` publish to the
  broker: each is a call site, bounded by ``broker_connection_timeout`` (default 4 s). So do
  signatures (``task.s(...)``, ``task.si(...)``, ``task.signature(...)``, ``signature(...)``,
  and a name bound to one in the same function) when they are ``.delay()``-ed or
  ``.apply_async()``-ed, and the canvas ``chain(...)``, ``group(...)``, ``chord(...)`` when
  called or applied: their ``__call__`` is ``apply_async``. Calling a bare signature, ``sig()``,
  runs the task in this process and publishes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import libcst as cst

from fmcat.frameworks.celery_config import CeleryConfig
from fmcat.frameworks.consumers import CELERY_FOREVER
from fmcat.frameworks.creating import creating_calls as creating_calls  # retries.py's import
from fmcat.frameworks.source import UNKNOWN, Source, keyword, literal, method_call, walk
from fmcat.frameworks.values import FromEnv, Mapping, Opaque
from fmcat.scan.facts import Consumer, RetriedCall, RetryPolicy, Role, Site, TimeoutState

#: Celery's defaults, checked against the installed celery in tests/test_library_facts.py.
DEFAULT_MAX_RETRIES = 3
DEFAULT_CONNECTION_TIMEOUT = 4.0
DEFAULT_ACKS_LATE = False
TASK_DECORATORS = frozenset({"celery.shared_task", "celery.task", "celery.app.shared_task"})
PUBLISH = {"delay": "celery.Task.delay", "apply_async": "celery.Task.apply_async"}
#: Making a signature of a task (no I/O), by method of the task.
SIGNATURE_METHODS = frozenset({"s", "si", "signature"})
SIGNATURES = frozenset({"celery.signature", "celery.canvas.signature", "celery.canvas.Signature"})
#: Canvas primitives whose call publishes (their __call__ is apply_async), checked against the
#: installed celery in tests/test_framework_facts.py.
CANVAS = {
    f"{prefix}{name}": f"celery.canvas.{name}"
    for prefix in ("celery.", "celery.canvas.")
    for name in ("chain", "group", "chord")
}
#: A handler of these (or a generic one) handles a publish failure.
PUBLISH_ERRORS = ("kombu.", "celery.", "amqp.", "redis.")
_GENERIC = {"*", "Exception", "BaseException", "OSError", "ConnectionError"}


@dataclass
class Tasks:
    names: set[str] = field(default_factory=set)


def _task_decorator(
    function: cst.FunctionDef, source: Source, config: CeleryConfig
) -> tuple[cst.Decorator, cst.Call | None] | None:
    for decorator in function.decorators:
        expr = decorator.decorator
        call = expr if isinstance(expr, cst.Call) else None
        name = source.qual(call.func if call is not None else expr)
        if name is None:
            continue
        if name in TASK_DECORATORS:
            return decorator, call
        head, _, last = name.rpartition(".")
        if last == "task" and (head in config.apps or head.rsplit(".", 1)[-1] in config.apps):
            return decorator, call
    return None


def task_facts(
    source: Source, config: CeleryConfig, tasks: Tasks
) -> tuple[list[Consumer], list[RetryPolicy], list[RetriedCall]]:
    consumers: list[Consumer] = []
    policies: list[RetryPolicy] = []
    retried: list[RetriedCall] = []
    app_acks = config.get("task_acks_late")
    helpers = _module_functions(source.tree)

    class Visitor(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            found = _task_decorator(node, source, config)
            if found is None:
                return
            decorator, call = found
            name = source.function_name(node)
            tasks.names.add(name)
            acks = literal(keyword(call, "acks_late")) if call is not None else None
            if acks is None:
                acks = app_acks if app_acks is not None else None
            if acks is True:
                when, why = "after", "acks_late=True"
            elif acks is None or acks is False:
                when = "before"
                why = (
                    "acks_late=False"
                    if acks is False
                    else "acks_late is not set, and Celery's default is False: "
                    "acknowledged before the task runs"
                )
            else:
                when, why = "unknown", "acks_late is not a literal"
            autoretry = keyword(call, "autoretry_for") if call is not None else None
            retry_calls = _retry_calls(node, helpers)
            retries = (
                "autoretry_for"
                if autoretry is not None
                else (_retry_label(retry_calls[0]) if retry_calls else "")
            )
            max_retries = _max_retries(call, retry_calls)
            attempts = (
                max_retries + 1
                if isinstance(max_retries, int) and retries
                else (None if retries else 1)
            )
            reason = (
                ""
                if not retries
                else CELERY_FOREVER
                if max_retries is None
                else f"max_retries={max_retries}"
                if isinstance(max_retries, int)
                else "max_retries is not a literal, or comes in a ** argument"
            )
            span = source.span(decorator.decorator)
            consumers.append(
                Consumer(
                    span,
                    "celery.Task",
                    name,
                    when,
                    why,
                    retries,
                    attempts if retries else 1,
                    reason,
                )
            )
            if retries:
                policies.append(RetryPolicy(span, f"celery task {retries}", attempts, scope=name))
            if retries:  # autoretry_for or self.retry() runs the whole task again
                retried.extend(
                    creating_calls(node, source, f"the task's {retries} (line {span.line})")
                )

    walk(source.tree, Visitor())
    return consumers, policies, retried


def _max_retries(call: cst.Call | None, retry_calls: list[cst.Call]) -> object:
    """The task's bound on retries: ``max_retries=``, else ``retry_kwargs={"max_retries": N}``
    (what autoretry_for passes to ``retry()``), else Celery's default; a ``self.retry(
    max_retries=N)`` in the body (or in a helper given ``self``) raises it for that retry. None
    is no bound at all."""
    given = keyword(call, "max_retries") if call is not None else None
    if given is None and call is not None:
        kwargs = keyword(call, "retry_kwargs")
        if isinstance(kwargs, cst.Dict):
            given = next(
                (
                    e.value
                    for e in kwargs.elements
                    if isinstance(e, cst.DictElement) and literal(e.key) == "max_retries"
                ),
                None,
            )
    spread = call is not None and any(arg.star == "**" for arg in call.args)
    # Without max_retries=, a ** may carry it: then it is not Celery's default.
    fallback = UNKNOWN if spread else DEFAULT_MAX_RETRIES
    value = literal(given) if given is not None else fallback
    per_call = [
        literal(keyword(node, "max_retries"))
        for node in retry_calls
        if keyword(node, "max_retries") is not None
    ]
    for bound in per_call:
        if bound is None or not isinstance(bound, int) or not isinstance(value, int):
            return bound if bound is None else UNKNOWN
        value = max(value, bound)
    return value


def _is_retry(node: cst.Call, owner: str = "self") -> bool:
    """``self.retry(...)`` in a bound task, or ``<owner>.retry(...)`` in a helper that was given
    the task as its parameter ``owner``."""
    return method_call(node, owner, "retry")


def _retry_label(call: cst.Call) -> str:
    """How the code retries, as written: ``self.retry()``, ``send_emails.retry()``."""
    func = call.func
    assert isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)
    return f"{func.value.value}.retry()"


def _module_functions(tree: cst.Module) -> dict[str, cst.FunctionDef]:
    """The module's own top-level functions, by name: the helpers a task may hand ``self`` to."""
    return {
        statement.name.value: statement
        for statement in tree.body
        if isinstance(statement, cst.FunctionDef)
    }


def _retry_calls(function: cst.FunctionDef, helpers: dict[str, cst.FunctionDef]) -> list[cst.Call]:
    """The ``self.retry(...)`` calls that run for this task: in its body, and in a function of
    the same module that the body calls with ``self`` (ecommerce-worker's ``_retry_order(self,
    exc, ...)``, whose ``self.retry(...)`` retries the task as surely as one in the body). The
    task may name itself instead of ``self``: django-celery-email's ``send_emails.retry(...)``
    in ``send_emails``. A helper in another module is not followed."""
    found: list[cst.Call] = []
    handed: list[tuple[cst.FunctionDef, str]] = []
    itself = function.name.value

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            if _is_retry(node) or _is_retry(node, itself):
                found.append(node)
                return
            helper = helpers.get(node.func.value) if isinstance(node.func, cst.Name) else None
            if helper is None or helper is function:
                return
            owner = _parameter_given_self(node, helper)
            if owner is not None:
                handed.append((helper, owner))

    walk(function, Finder())
    for helper, owner in handed:
        walk(helper, _RetriesBy(owner, found))
    return found


class _RetriesBy(cst.CSTVisitor):
    """Collects ``<owner>.retry(...)`` calls into ``found``."""

    def __init__(self, owner: str, found: list[cst.Call]) -> None:
        super().__init__()
        self.owner = owner
        self.found = found

    def visit_Call(self, node: cst.Call) -> None:
        if _is_retry(node, self.owner):
            self.found.append(node)


def _parameter_given_self(call: cst.Call, helper: cst.FunctionDef) -> str | None:
    """The helper's parameter that receives the task's ``self`` in this call, if any."""
    params = [*helper.params.posonly_params, *helper.params.params]
    for index, arg in enumerate(call.args):
        if not (isinstance(arg.value, cst.Name) and arg.value.value == "self") or arg.star:
            continue
        if arg.keyword is not None:
            return arg.keyword.value
        if index < len(params):
            return params[index].name.value
    return None


def publish_sites(source: Source, config: CeleryConfig, tasks: Tasks) -> list[Site]:
    timeout, values, hint = _publish_timeout(config)
    sites: list[Site] = []

    def is_task(owner: str | None) -> bool:
        return owner is not None and (
            owner in tasks.names or f"{source.module}.{owner}" in tasks.names
        )

    def canvas(node: cst.BaseExpression, bound: frozenset[str]) -> str | None:
        """What a signature or canvas expression is ("celery.canvas.Signature", "...chain")."""
        if isinstance(node, cst.Name) and node.value in bound:
            return "celery.canvas.Signature"
        if not isinstance(node, cst.Call):
            return None
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in SIGNATURE_METHODS:
            return "celery.canvas.Signature" if is_task(source.qual(func.value)) else None
        name = source.qual(func) or ""
        if name in SIGNATURES:
            return "celery.canvas.Signature"
        return CANVAS.get(name)

    bindings: dict[int, frozenset[str]] = {}  # per function, by id: visited once

    def publish_of(node: cst.Call) -> str | None:
        func = node.func
        if not isinstance(func, (cst.Call, cst.Attribute)):
            return None  # ship(...) runs here; sig() runs the task in this process
        function = source.enclosing_function(node)
        key = id(function)
        if key not in bindings:
            bindings[key] = _signature_names(function, canvas) if function else frozenset()
        bound = bindings[key]
        if not isinstance(func, cst.Attribute):
            made = canvas(func, bound)  # chain(...)(), group(...)(): apply_async
            return made if made is not None and made != "celery.canvas.Signature" else None
        method = func.attr.value
        owner = source.qual(func.value)
        if method in PUBLISH and is_task(owner):
            return PUBLISH[method]
        if method in PUBLISH:
            made = canvas(func.value, bound)
            return f"{made}.{method}" if made is not None else None
        if (
            method == "send_task"
            and owner is not None
            and (owner in config.apps or owner.rsplit(".", 1)[-1] in config.apps)
        ):
            return "celery.Celery.send_task"
        return None

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            qualname = publish_of(node)
            if qualname is None:
                return
            caught = source.caught_around(node)
            handled = bool(caught & _GENERIC) or any(c.startswith(PUBLISH_ERRORS) for c in caught)
            function = source.enclosing_function(node)
            sites.append(
                Site(
                    span=source.span(node),
                    role=Role.CALL,
                    qualname=qualname,
                    library="celery",
                    timeout=timeout,
                    timeout_values=values,
                    default_seconds=DEFAULT_CONNECTION_TIMEOUT
                    if timeout is TimeoutState.DEFAULT
                    else None,
                    can_fail=True,
                    handled=handled,
                    enclosing=source.function_name(function)
                    if function is not None
                    else source.module,
                    text=source.text(node)[:200],
                    timeout_hint=hint,
                )
            )

    walk(source.tree, Finder())
    return sites


def _signature_names(
    function: cst.FunctionDef,
    canvas: Callable[[cst.BaseExpression, frozenset[str]], str | None],
) -> frozenset[str]:
    """Names bound to a task's signature (``sig = ship.s(order_id)``) in ``function``; a name
    bound twice keeps the signature if any binding is one."""
    names: set[str] = set()

    class Finder(cst.CSTVisitor):
        def visit_Assign(self, assign: cst.Assign) -> None:
            target = assign.targets[0].target
            if isinstance(target, cst.Name) and canvas(assign.value, frozenset()) is not None:
                names.add(target.value)

    walk(function, Finder())
    return frozenset(names)


def _publish_timeout(config: CeleryConfig) -> tuple[TimeoutState, tuple[float, ...], str]:
    hint = "broker_connection_timeout in the Celery configuration"
    value = config.get("broker_connection_timeout")
    options = config.get("broker_transport_options")
    if isinstance(options, Mapping):
        for key in ("socket_timeout", "socket_connect_timeout", "connect_timeout"):
            if key in options.items and value is None:
                value = options.items[key]
    if value is None:
        return TimeoutState.DEFAULT, (DEFAULT_CONNECTION_TIMEOUT,), hint
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return TimeoutState.SET, (float(value),), hint
    if isinstance(value, (FromEnv, Opaque)):
        return TimeoutState.UNKNOWN, (), hint
    return TimeoutState.UNKNOWN, (), hint
