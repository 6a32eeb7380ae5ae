"""Reading a call's timeout from its arguments: given, switched off, computed, or absent."""

from __future__ import annotations

import re

import libcst as cst

from fmcat.scan.arguments import STAR, Judged, _Star, find_argument, judge_configured, judge_value
from fmcat.scan.facts import TimeoutState
from fmcat.scan.knowledge import Call, Param
from fmcat.scan.scope import Assigned, Imported, Scope, passes_on
from fmcat.scan.value_types import Const, DictValue, Value
from fmcat.scan.values import Evaluator


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
            value = evaluator.expr(arg.value, scope)
            return judge_configured(value, arg.value, scope, param.keyword, spec.timeout_unit)
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
