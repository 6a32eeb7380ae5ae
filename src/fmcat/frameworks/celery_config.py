"""Celery's configuration, read statically: from ``Celery(...)`` keywords, ``app.conf.update(...)``,
``app.conf.x = v`` and ``app.config_from_object(...)`` or ``Celery(config_source=...)`` when it
names a module fmcat can read (``"proj.celeryconfig"``, or Django's settings with
``namespace="CELERY"``) or is a dict literal. An object, or ``config_from_envvar``, cannot be
followed: FM109. An app may come from a module function that returns ``Celery(...)``. The tasks
and publishing are celery.py's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from fmcat.frameworks.settings import SettingsModule, read_settings, resolve_module
from fmcat.frameworks.source import Source, keyword, literal
from fmcat.frameworks.values import Mapping, Opaque, StaticEvaluator, Value
from fmcat.scan.facts import Span


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
    app_call = _app_call(call_value, source)
    if app_call is not None:
        assert isinstance(node, cst.Assign)
        for assigned in node.targets:
            if isinstance(assigned.target, cst.Name):
                config.apps.add(f"{source.module}.{assigned.target.value}")
                config.apps.add(assigned.target.value)
        for arg in app_call.args:
            if arg.keyword is not None and arg.keyword.value == "config_source":
                _from_source(arg.value, app_call, source, root, config)
            elif arg.keyword is not None:
                config.values[_canonical(arg.keyword.value)] = evaluator.expr(arg.value)
        return
    if isinstance(node, cst.Assign):
        target = node.targets[0].target
        owner = target.value if isinstance(target, cst.Attribute) else None
        if (
            isinstance(target, cst.Attribute)
            and isinstance(owner, cst.Attribute)
            and owner.attr.value == "conf"
            and is_app(owner.value, source, config)
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
        if not is_app(owner.value, source, config):
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
    if not is_app(owner, source, config):
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


def _app_call(node: cst.BaseExpression | None, source: Source) -> cst.Call | None:
    """The ``Celery(...)`` that makes a module-level app: ``app = Celery(...)``, or
    ``app = make()`` with ``make`` a function of the module that returns ``Celery(...)``, or a
    local name bound to one (the Airflow Celery provider's ``_get_celery_app()``)."""
    if not isinstance(node, cst.Call):
        return None
    if source.qual(node.func) == "celery.Celery":
        return node
    if not isinstance(node.func, cst.Name):
        return None
    name = node.func.value
    factory = next(
        (s for s in source.tree.body if isinstance(s, cst.FunctionDef) and s.name.value == name),
        None,
    )
    if factory is None:
        return None
    made: dict[str, cst.Call] = {}
    returned: list[cst.Call] = []

    class Returns(cst.CSTVisitor):
        def visit_FunctionDef(self, inner: cst.FunctionDef) -> bool:
            return inner is factory  # not into nested functions

        def visit_Assign(self, assign: cst.Assign) -> None:
            value = assign.value
            if isinstance(value, cst.Call) and source.qual(value.func) == "celery.Celery":
                for assigned in assign.targets:
                    if isinstance(assigned.target, cst.Name):
                        made[assigned.target.value] = value

        def visit_Return(self, statement: cst.Return) -> None:
            value = statement.value
            if isinstance(value, cst.Call) and source.qual(value.func) == "celery.Celery":
                returned.append(value)
            elif isinstance(value, cst.Name) and value.value in made:
                returned.append(made[value.value])

    factory.visit(Returns())
    return returned[0] if len(returned) == 1 else None


def _from_source(
    value: cst.BaseExpression, call: cst.Call, source: Source, root: Path, config: CeleryConfig
) -> None:
    """``Celery(..., config_source=...)``: a dict literal is read, a module name is followed
    as ``config_from_object`` would; anything else is configuration fmcat cannot see."""
    if isinstance(value, cst.Dict):
        mapping = StaticEvaluator({}, {}).expr(value)
        if isinstance(mapping, Mapping):
            for key, item in mapping.items.items():
                config.values[_canonical(key)] = item
            return
    target = literal(value)
    if isinstance(target, str):
        module = target.replace(":", ".")
        path = resolve_module(module, [root])
        located = read_settings(module, path) if path is not None else None
        if located is not None and located.settings is not None:
            for name, setting in located.settings.settings.items():
                config.values[_canonical(name)] = setting.value
            return
    _cannot(
        config,
        source,
        call,
        "the Celery app is configured from its config_source=, which fmcat does not follow",
    )


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


def is_app(node: cst.BaseExpression, source: Source, config: CeleryConfig) -> bool:
    name = source.qual(node)
    return name is not None and (name in config.apps or name.rsplit(".", 1)[-1] in config.apps)
