"""Celery: the app's configuration, its tasks' delivery semantics, and publishing call sites.

Read statically, like the Django settings:

- apps are module-level ``app = Celery(...)``; their configuration comes from ``Celery(...)``
  keywords, ``app.conf.update(...)``, ``app.conf.x = v``, and ``app.config_from_object(...)``
  when it names a module fmcat can read (``"proj.celeryconfig"``, or Django's settings with
  ``namespace="CELERY"``). An object, or ``config_from_envvar``, cannot be followed: FM109.
- tasks are functions decorated with ``@app.task``, ``@shared_task`` or ``@celery.task``; each
  is a Consumer (it acknowledges before it runs unless ``acks_late``, Celery's default being
  False) and, when it retries (``autoretry_for`` or ``self.retry``), a RetryPolicy with
  ``max_retries + 1`` attempts (Celery's default ``max_retries`` is 3).
- ``task.delay(...)``, ``task.apply_async(...)`` and ``app.send_task(...)`` publish to the
  broker: each is a call site, bounded by ``broker_connection_timeout`` (default 4 s).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from fmcat.frameworks.settings import SettingsModule, read_settings, resolve_module
from fmcat.frameworks.source import UNKNOWN, Source, keyword, literal
from fmcat.frameworks.values import FromEnv, Mapping, Opaque, StaticEvaluator, Value
from fmcat.scan.facts import Consumer, RetriedCall, RetryPolicy, Role, Site, Span, TimeoutState

#: Celery's defaults, checked against the installed celery in tests/test_library_facts.py.
DEFAULT_MAX_RETRIES = 3
DEFAULT_CONNECTION_TIMEOUT = 4.0
DEFAULT_ACKS_LATE = False
TASK_DECORATORS = frozenset({"celery.shared_task", "celery.task", "celery.app.shared_task"})
PUBLISH = {"delay": "celery.Task.delay", "apply_async": "celery.Task.apply_async"}
#: A handler of these (or a generic one) handles a publish failure.
PUBLISH_ERRORS = ("kombu.", "celery.", "amqp.", "redis.")
_GENERIC = {"*", "Exception", "BaseException", "OSError", "ConnectionError"}
#: Calls inside a retried task that create something (FM112), besides HTTP POSTs.
CREATING = frozenset({"create", "charge", "capture", "confirm", "refund", "transfer", "payout"})


@dataclass
class Note:
    code: str
    path: str
    span: Span
    message: str


@dataclass
class CeleryConfig:
    """What the apps' configuration says, merged (a service has one app, nearly always)."""

    values: dict[str, Value] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    apps: set[str] = field(default_factory=set)  # qualified names of the apps

    def get(self, *names: str) -> Value:
        for name in names:
            if name in self.values:
                return self.values[name]
        return None


def _canonical(key: str, namespace: str = "") -> str:
    key = key[len(namespace) + 1 :] if namespace and key.startswith(f"{namespace}_") else key
    key = key.lower()
    old = {"celery_acks_late": "task_acks_late", "acks_late": "task_acks_late"}
    return old.get(key, key)


def read_config(sources: list[Source], root: Path, django: SettingsModule | None) -> CeleryConfig:
    config = CeleryConfig()
    for source in sources:
        for statement in source.tree.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                _config_statement(small, source, root, django, config)
    return config


def _config_statement(
    node: cst.BaseSmallStatement,
    source: Source,
    root: Path,
    django: SettingsModule | None,
    config: CeleryConfig,
) -> None:
    evaluator = StaticEvaluator({}, {})
    call_value = node.value if isinstance(node, cst.Assign) else None
    if isinstance(call_value, cst.Call) and source.qual(call_value.func) == "celery.Celery":
        assert isinstance(node, cst.Assign)
        for assigned in node.targets:
            if isinstance(assigned.target, cst.Name):
                config.apps.add(f"{source.module}.{assigned.target.value}")
                config.apps.add(assigned.target.value)
        for arg in call_value.args:
            if arg.keyword is not None:
                config.values[_canonical(arg.keyword.value)] = evaluator.expr(arg.value)
        return
    if isinstance(node, cst.Assign):
        target = node.targets[0].target
        owner = target.value if isinstance(target, cst.Attribute) else None
        if (
            isinstance(target, cst.Attribute)
            and isinstance(owner, cst.Attribute)
            and owner.attr.value == "conf"
            and _is_app(owner.value, source, config)
        ):
            config.values[_canonical(target.attr.value)] = evaluator.expr(node.value)
        return
    if not (isinstance(node, cst.Expr) and isinstance(node.value, cst.Call)):
        return
    call = node.value
    func = call.func
    if not isinstance(func, cst.Attribute):
        return
    method = func.attr.value
    owner = func.value
    if method == "update" and isinstance(owner, cst.Attribute) and owner.attr.value == "conf":
        if not _is_app(owner.value, source, config):
            return
        for arg in call.args:
            if arg.keyword is not None:
                config.values[_canonical(arg.keyword.value)] = evaluator.expr(arg.value)
            else:
                value = evaluator.expr(arg.value)
                if isinstance(value, Mapping):
                    for key, item in value.items.items():
                        config.values[_canonical(key)] = item
                else:
                    _cannot(
                        config,
                        source,
                        call,
                        "app.conf.update(...) with a mapping fmcat cannot read",
                    )
        return
    if not _is_app(owner, source, config):
        return
    if method == "config_from_envvar":
        _cannot(
            config,
            source,
            call,
            "the Celery app is configured from the environment (config_from_envvar)",
        )
    elif method == "config_from_object":
        _from_object(call, source, root, django, config)


def _from_object(
    call: cst.Call, source: Source, root: Path, django: SettingsModule | None, config: CeleryConfig
) -> None:
    target = literal(keyword(call, "obj", 0))
    namespace = literal(keyword(call, "namespace", 2))
    prefix = namespace if isinstance(namespace, str) else ""
    if target == "django.conf:settings":
        if django is None:
            _cannot(
                config,
                source,
                call,
                "the Celery app reads the Django settings, which fmcat did not find",
            )
            return
        for name, setting in django.settings.items():
            if not prefix or name.startswith(f"{prefix}_"):
                config.values[_canonical(name, prefix)] = setting.value
        return
    if isinstance(target, str):
        module = target.replace(":", ".")
        path = resolve_module(module, [root])
        if path is not None:
            located = read_settings(module, path)
            if located.settings is not None:
                for name, setting in located.settings.settings.items():
                    config.values[_canonical(name, prefix)] = setting.value
                return
        _cannot(
            config,
            source,
            call,
            f"the Celery app is configured from {target!r}, which is no module in the project",
        )
        return
    _cannot(
        config,
        source,
        call,
        "the Celery app is configured from an object, which fmcat does not follow",
    )


def _cannot(config: CeleryConfig, source: Source, node: cst.CSTNode, why: str) -> None:
    config.notes.append(
        Note(
            "FM109",
            source.path,
            source.span(node),
            f"{why}: its timeouts and acks_late are configuration fmcat cannot see",
        )
    )
    config.values.setdefault("task_acks_late", Opaque(why))


def _is_app(node: cst.BaseExpression, source: Source, config: CeleryConfig) -> bool:
    name = source.qual(node)
    return name is not None and (name in config.apps or name.rsplit(".", 1)[-1] in config.apps)


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
            self_retry = _calls_retry(node)
            retries = (
                "autoretry_for" if autoretry is not None else ("self.retry()" if self_retry else "")
            )
            max_retries = literal(keyword(call, "max_retries")) if call is not None else None
            if max_retries is None and (call is None or keyword(call, "max_retries") is None):
                max_retries = DEFAULT_MAX_RETRIES
            attempts = (
                max_retries + 1
                if isinstance(max_retries, int) and retries
                else (None if retries else 1)
            )
            reason = f"max_retries={max_retries}" if retries else ""
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
            if autoretry is not None:
                retried.extend(
                    creating_calls(node, source, f"the task's autoretry_for (line {span.line})")
                )

    source.tree.visit(Visitor())
    return consumers, policies, retried


def _calls_retry(function: cst.FunctionDef) -> bool:
    found = False

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            nonlocal found
            func = node.func
            if (
                isinstance(func, cst.Attribute)
                and func.attr.value == "retry"
                and isinstance(func.value, cst.Name)
                and func.value.value == "self"
            ):
                found = True

    function.visit(Finder())
    return found


def creating_calls(function: cst.FunctionDef, source: Source, retry: str) -> list[RetriedCall]:
    """POSTs and SDK creates in a retried function, and whether an idempotency key reaches them."""
    found: list[RetriedCall] = []
    body = source.text(function).lower()

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            if not isinstance(node.func, cst.Attribute):
                return
            method = node.func.attr.value
            first = literal(node.args[0].value) if node.args else UNKNOWN
            post = method == "post" or (
                method == "request" and isinstance(first, str) and first.upper() == "POST"
            )
            if not (post or method in CREATING):
                return
            text = source.text(node)
            has_key = (
                keyword(node, "idempotency_key") is not None
                or "idempotency-key" in body
                or "idempotency_key" in text
            )
            found.append(RetriedCall(source.span(node), retry, has_key, text))

    function.visit(Finder())
    return found


def publish_sites(source: Source, config: CeleryConfig, tasks: Tasks) -> list[Site]:
    timeout, values, hint = _publish_timeout(config)
    sites: list[Site] = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            if not isinstance(node.func, cst.Attribute):
                return
            method = node.func.attr.value
            owner = source.qual(node.func.value)
            if owner is None:
                return
            if method in PUBLISH and (
                owner in tasks.names or f"{source.module}.{owner}" in tasks.names
            ):
                qualname = PUBLISH[method]
            elif method == "send_task" and (
                owner in config.apps or owner.rsplit(".", 1)[-1] in config.apps
            ):
                qualname = "celery.Celery.send_task"
            else:
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

    source.tree.visit(Finder())
    return sites


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
