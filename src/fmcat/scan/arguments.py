"""A call's arguments read against a parameter spec, and what a timeout value means.

Both the evaluator (values.py, for timeout objects such as ``httpx.Timeout(5)``) and the timeout
judge (timeouts.py, which evaluates arguments) read arguments this way; this module imports
neither, so neither imports the other back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst

from fmcat.scan.facts import TimeoutState
from fmcat.scan.knowledge import Param, TimeoutObject
from fmcat.scan.scope import Scope
from fmcat.scan.url_source import configured_value
from fmcat.scan.value_types import Const, TimeoutValue, TupleValue, Unknown, Value


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


@dataclass(frozen=True)
class Judged:
    state: TimeoutState
    seconds: tuple[float, ...] = ()
    #: For a timeout argument that comes from configuration (CONFIG): where, as written
    #: (`timeout=settings.WEBHOOK_TIMEOUT`).
    source: str = ""


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


def judge_configured(
    value: Value, expr: cst.BaseExpression, scope: Scope, keyword: str, unit: float = 1.0
) -> Judged:
    """``value``, the evaluated ``expr``, judged as a timeout; one read from configuration
    (`timeout=settings.HTTP_TIMEOUT`, `resolver.lifetime = as_timedelta(config.x)...`) is a
    bound whose value configuration decides (CONFIG: FM109 says where; FM105 cannot hold it to
    the catalog). Conversions are followed only for a value of no known kind: a client or a
    timeout object made from a setting (`connection_pool=pool`) is judged as what it is."""
    judged = judge_value(value, unit)
    if judged.state is not TimeoutState.SET or judged.seconds:
        return judged
    source = configured_value(expr, scope, conversions=isinstance(value, Unknown))
    return Judged(TimeoutState.CONFIG, source=f"{keyword}={source}") if source else judged


def judge_timeout_object(
    node: cst.Call, spec: TimeoutObject, evaluate: Callable[[cst.BaseExpression], Value]
) -> TimeoutValue:
    """``httpx.Timeout(5, read=None)``: ``evaluate`` gives each argument's value."""
    given: list[Judged] = []
    for param in spec.params:
        arg = find_argument(node, param)
        if isinstance(arg, _Star):
            return TimeoutValue(TimeoutState.UNKNOWN.value)
        if arg is not None:
            given.append(judge_value(evaluate(arg.value)))
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
