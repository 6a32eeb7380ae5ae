"""Static values of a settings module: literals, the environment, and what cannot be known.

fmcat never imports or runs the user's code. A settings module is read as data: its top-level
assignments are evaluated when they are literals (numbers, strings, dicts, lists), names bound
earlier, or lookups in the environment, which give ``FromEnv``: the value is configuration,
set where the service is deployed, not "waits forever". Anything else is ``Opaque``, with the
reason, so that a finding can say why fmcat could not read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

import libcst as cst

from fmcat.scan.facts import Span


@dataclass(frozen=True)
class FromEnv:
    """A value read from the environment (os.environ, os.getenv, django-environ, decouple)."""

    variable: str


@dataclass(frozen=True)
class Opaque:
    """A value fmcat cannot evaluate statically, and why."""

    reason: str


@dataclass
class Mapping:
    """A dict literal with the position of each key (findings are reported on the key)."""

    items: dict[str, Value] = field(default_factory=dict)
    spans: dict[str, Span] = field(default_factory=dict)


Value = Union[None, bool, int, float, str, list["Value"], Mapping, FromEnv, Opaque]  # noqa: UP007

#: Calls that read the environment; their first argument names the variable.
_ENV_CALLS = frozenset(
    {
        "os.environ.get",
        "os.getenv",
        "os.environ.setdefault",
        "environ.Env",
        "decouple.config",
        "env",
        "config",
        "getenv",
    }
)
#: django-environ's typed readers: env.int("X"), env.db("DATABASE_URL"), env.cache().
_ENV_METHODS = frozenset(
    {"int", "float", "str", "bool", "db", "db_url", "cache", "cache_url", "url", "json", "list"}
)
_ENV_DEFAULTS = {"db": "DATABASE_URL", "db_url": "DATABASE_URL", "cache": "CACHE_URL"}
#: Conversions that keep a value from the environment a value from the environment.
_CONVERSIONS = frozenset({"int", "float", "str", "bool"})


def dotted(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = dotted(node.value)
        return f"{head}.{node.attr.value}" if head is not None else None
    return None


def _string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


class StaticEvaluator:
    """Evaluates expressions against the names bound so far in one settings module."""

    def __init__(self, names: dict[str, Value], spans: dict[cst.CSTNode, Span]) -> None:
        self.names = names
        self.spans = spans
        self.env_names: set[str] = {"env", "config"}

    def expr(self, node: cst.BaseExpression) -> Value:
        if isinstance(node, cst.Name):
            if node.value in ("True", "False", "None"):
                return {"True": True, "False": False, "None": None}[node.value]
            if node.value in self.names:
                return self.names[node.value]
            return Opaque(f"`{node.value}` is not bound by a literal in the settings module")
        if isinstance(node, (cst.Integer, cst.Float)):
            return node.evaluated_value
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
            inner = self.expr(node.expression)
            return -inner if isinstance(inner, (int, float)) else inner
        text = _string(node)
        if text is not None:
            return text
        if isinstance(node, cst.FormattedString):
            return self._fstring(node)
        if isinstance(node, cst.Dict):
            return self._dict(node)
        if isinstance(node, (cst.List, cst.Tuple)):
            return [self.expr(e.value) for e in node.elements]
        if isinstance(node, cst.Call):
            return self._call(node)
        if isinstance(node, cst.Subscript):
            return self._subscript(node)
        if isinstance(node, cst.BinaryOperation):
            return self._binary(node)
        return Opaque(f"computed ({type(node).__name__})")

    def _fstring(self, node: cst.FormattedString) -> Value:
        parts: list[str] = []
        env: FromEnv | None = None
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                parts.append(part.value)
                continue
            assert isinstance(part, cst.FormattedStringExpression)
            value = self.expr(part.expression)
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                parts.append(str(value))
            else:
                env = value if isinstance(value, FromEnv) else env
                parts.append("{}")
        text = "".join(parts)
        # A URL with a part from the environment: its literal parameters can still be read.
        return text if env is None else Opaque(f"from the environment ({env.variable}): {text}")

    def _dict(self, node: cst.Dict) -> Value:
        result = Mapping()
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                return Opaque("built by a ** merge, which fmcat does not follow")
            key = self.expr(element.key)
            if not isinstance(key, str):
                return Opaque("a key that is not a string literal")
            result.items[key] = self.expr(element.value)
            if element.key in self.spans:
                result.spans[key] = self.spans[element.key]
        return result

    def _call(self, node: cst.Call) -> Value:
        name = dotted(node.func)
        if name == "dict":
            result = Mapping()
            for arg in node.args:
                if arg.keyword is None:
                    return Opaque("dict(...) built from another mapping (a ** merge)")
                result.items[arg.keyword.value] = self.expr(arg.value)
                result.spans[arg.keyword.value] = self.spans.get(arg.keyword, Span(1, 1, 1, 1))
            return result
        if name in _CONVERSIONS and len(node.args) == 1:
            inner = self.expr(node.args[0].value)
            if isinstance(inner, (FromEnv, Opaque)):
                return inner
            try:
                return {"int": int, "float": float, "str": str, "bool": bool}[name](inner)  # type: ignore[no-any-return]
            except (TypeError, ValueError):
                return Opaque(f"{name}(...) of a value that does not convert")
        head, _, method = (name or "").rpartition(".")
        if name in _ENV_CALLS or name in self.env_names:
            return self._env(node, "")
        if head in self.env_names and method in _ENV_METHODS:
            return self._env(node, _ENV_DEFAULTS.get(method, ""))
        return Opaque(f"the result of calling {name or 'an expression'}()")

    def _env(self, node: cst.Call, default: str) -> Value:
        first = node.args[0].value if node.args and node.args[0].keyword is None else None
        variable = _string(first) if first is not None else None
        return FromEnv(variable or default or "?")

    def _subscript(self, node: cst.Subscript) -> Value:
        base = dotted(node.value)
        index = node.slice[0].slice if len(node.slice) == 1 else None
        key = self.expr(index.value) if isinstance(index, cst.Index) else None
        if base == "os.environ":
            return FromEnv(key if isinstance(key, str) else "?")
        if base in self.env_names:
            return FromEnv(key if isinstance(key, str) else "?")
        owner = self.expr(node.value)
        if isinstance(owner, Mapping) and isinstance(key, str) and key in owner.items:
            return owner.items[key]
        if isinstance(owner, (FromEnv, Opaque)):
            return owner
        return Opaque("an item fmcat cannot look up")

    def _binary(self, node: cst.BinaryOperation) -> Value:
        left, right = self.expr(node.left), self.expr(node.right)
        for side in (left, right):
            if isinstance(side, (FromEnv, Opaque)):
                return side
        same = type(left) is type(right)
        if isinstance(node.operator, cst.Add) and same and isinstance(left, (str, list)):
            return left + right  # type: ignore[operator]
        if isinstance(left, (int, float)) and isinstance(right, (int, float)):
            if isinstance(node.operator, cst.Multiply):
                return left * right
            if isinstance(node.operator, cst.Add):
                return left + right
        return Opaque("an operation on values fmcat does not compute")
