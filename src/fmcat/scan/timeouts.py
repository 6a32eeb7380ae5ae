"""Reading a call's timeout from its arguments: given, switched off, computed, or absent."""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from fmcat.scan.facts import TimeoutState
from fmcat.scan.knowledge import Call, Param, TimeoutObject
from fmcat.scan.scope import Assigned, Imported, Scope, passes_on
from fmcat.scan.value_types import Const, DictValue, TimeoutValue, TupleValue, Value
from fmcat.scan.values import Evaluator


class _Star:
    """A ``*args`` that may cover the parameter's position: its presence is unknowable."""


STAR = _Star()


def find_argument(call: cst.Call, param: Param) -> cst.Arg | _Star | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == param.keyword:
            return arg
    if param.position is None:
        return None
    index = 0
    for arg in call.args:
        if arg.keyword is not None or arg.star == "**":
            continue
        if arg.star == "*":
            return STAR
        if index == param.position:
            return arg
        index += 1
    return None


def has_double_star(call: cst.Call) -> bool:
    return any(arg.star == "**" for arg in call.args)


def from_double_star(
    call: cst.Call, params: list[Param], evaluator: Evaluator, scope: Scope
) -> Value | _Star | None:
    """The value ``**{...}`` gives a timeout parameter; STAR when a ``**`` cannot be read.
    A call that takes no timeout parameter (stripe's ``Charge.create(**self.api_kwargs)``)
    cannot be given one that way: its ``**`` says nothing."""
    if not params:
        return None
    for arg in call.args:
        if arg.star != "**":
            continue
        value: Value | None = evaluator.expr(arg.value, scope)
        if not isinstance(value, DictValue):
            value = _changed_elsewhere(arg.value, {p.keyword for p in params}, evaluator, scope)
        if not isinstance(value, DictValue):
            return STAR  # **kwargs from elsewhere may carry the timeout
        for param in params:
            given = value.get(param.keyword)
            if given is not None:
                return given
    return None


def _changed_elsewhere(
    expr: cst.BaseExpression, keywords: set[str], evaluator: Evaluator, scope: Scope
) -> Value | None:
    """``KWARGS = {}`` then ``KWARGS["retry"] = Retry(...)``: a dict literal changed only at
    other keys than the timeout's still gives none (pulpcore's ``_CONNECTION_KWARGS``)."""
    if not isinstance(expr, cst.Name):
        return None
    bindings = scope.lookup(expr.value) or []
    if not bindings or not isinstance(bindings[0], Assigned):
        return None
    if not passes_on(bindings, keywords):
        return None
    return evaluator.expr(bindings[0].value, bindings[0].scope)


@dataclass(frozen=True)
class Judged:
    state: TimeoutState
    seconds: tuple[float, ...] = ()


def judge_value(value: Value, unit: float = 1.0) -> Judged:
    """None or 0 switches a timeout off; a number sets it; anything computed counts as set."""
    if isinstance(value, TimeoutValue):
        return Judged(TimeoutState(value.state), value.seconds)
    if isinstance(value, Const):
        if value.value is None or value.value is False or value.value == 0:
            return Judged(TimeoutState.DISABLED)
        if isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
            return Judged(TimeoutState.SET, (float(value.value) * unit,))
        return Judged(TimeoutState.SET)
    if isinstance(value, TupleValue):
        # requests' (connect, read): either being None leaves that phase unbounded.
        parts = [judge_value(item, unit) for item in value.items]
        if any(p.state is TimeoutState.DISABLED for p in parts):
            return Judged(TimeoutState.DISABLED)
        return Judged(TimeoutState.SET, tuple(s for p in parts for s in p.seconds))
    return Judged(TimeoutState.SET)


def judge_timeout_object(
    node: cst.Call, spec: TimeoutObject, evaluator: Evaluator, scope: Scope
) -> TimeoutValue:
    given: list[Judged] = []
    for param in spec.params:
        arg = find_argument(node, param)
        if isinstance(arg, _Star):
            return TimeoutValue(TimeoutState.UNKNOWN.value)
        if arg is not None:
            given.append(judge_value(evaluator.expr(arg.value, scope)))
    if not given:
        if has_double_star(node):
            return TimeoutValue(TimeoutState.UNKNOWN.value)
        state = TimeoutState.DEFAULT if spec.empty_means_default else TimeoutState.DISABLED
        return TimeoutValue(state.value)
    if any(j.state is TimeoutState.DISABLED for j in given):
        # `httpx.Timeout(10.0, read=None)`: one phase switched off leaves it unbounded, as a
        # requests tuple `(3.05, None)` does.
        return TimeoutValue(TimeoutState.DISABLED.value)
    return TimeoutValue(TimeoutState.SET.value, tuple(s for j in given for s in j.seconds))


_DSN_NUMBER = r"\s*=\s*'?(\d+(?:\.\d+)?)"


def timeout_in_arguments(
    node: cst.Call, spec: Call, evaluator: Evaluator, scope: Scope
) -> Judged | None:
    """The timeout the call's own arguments give, or None when they give none."""
    for param in spec.timeout:
        arg = find_argument(node, param)
        if isinstance(arg, _Star):
            return Judged(TimeoutState.UNKNOWN)
        if arg is not None:
            return judge_value(evaluator.expr(arg.value, scope), spec.timeout_unit)
    if spec.dsn is not None and spec.dsn_timeout_key:
        arg = find_argument(node, spec.dsn)
        if isinstance(arg, cst.Arg):
            dsn = evaluator.expr(arg.value, scope)
            if isinstance(dsn, Const) and isinstance(dsn.value, str):
                found = re.search(re.escape(spec.dsn_timeout_key) + _DSN_NUMBER, dsn.value)
                if found:
                    return judge_value(Const(float(found[1])))
            elif _from_configuration(arg.value, scope):
                # A URL or DSN from settings or the environment may carry the timeout
                # (`?socket_timeout=`): configuration decides, and fmcat says what to check
                # (FM109). One from a parameter or built here counts as one without a timeout.
                config = _config_or_none(node, spec, evaluator, scope)
                if config is not None:
                    return config
    spread = from_double_star(node, spec.timeout, evaluator, scope)
    if isinstance(spread, _Star):
        return Judged(TimeoutState.UNKNOWN)
    if spread is not None:
        return judge_value(spread, spec.timeout_unit)
    return None


#: Words that name configuration in the expression that supplies a URL or DSN.
_CONFIG_WORDS = re.compile(r"settings|config|conf\b|cfg|environ|getenv|env\b|secrets", re.I)


def _from_configuration(expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> bool:
    """``settings["REDIS_URL"]``, ``os.environ[...]``, ``app.config.get(...)``, or a name
    imported from another module (``from .config import REDIS_URL``)."""
    if isinstance(expr, cst.Name):
        bindings = scope.lookup(expr.value)
        if bindings and all(isinstance(b, Imported) for b in bindings):
            return True
        # `url = getattr(settings, "REDIS_URL", None)`, then `from_url(url)`.
        assigned = [b for b in bindings or () if isinstance(b, Assigned)]
        if bindings and len(assigned) == len(bindings) and depth < 4:
            return all(_from_configuration(b.value, b.scope, depth + 1) for b in assigned)
    return any(_CONFIG_WORDS.search(name) for name in _names_in(expr))


def _names_in(expr: cst.BaseExpression) -> list[str]:
    found: list[str] = []
    stack: list[cst.CSTNode] = [expr]
    while stack and len(found) < 64:
        node = stack.pop()
        if isinstance(node, cst.Name):
            found.append(node.value)
        elif isinstance(node, (cst.SimpleString, cst.FormattedStringText)):
            continue
        stack.extend(node.children)
    return found


def _config_or_none(
    node: cst.Call, spec: Call, evaluator: Evaluator, scope: Scope
) -> Judged | None:
    """CONFIG, unless a timeout keyword given beside the URL says more than the URL could."""
    spread = from_double_star(node, spec.timeout, evaluator, scope)
    if spread is None:
        return Judged(TimeoutState.CONFIG)
    return None
