"""The setting or environment variable that supplies a call's URL, when the code names one.

`requests.get(settings.PAYMENT_URL + path)` goes where `settings.PAYMENT_URL` says, and
`redis.from_url(os.environ["CACHE_URL"])` where `$CACHE_URL` does: fmcat cannot read those
values, but their names say which dependency the call is for. `fmcat init` groups call sites
by them. The forms read (in any part of the URL expression, through local names):

- `settings.X`, `django.conf.settings.X`, `self.config.X`, `app.config["X"]`,
  `settings.get("X")`, `getattr(settings, "X")`: `settings.X` (the last configuration word
  of the chain and the key);
- `os.environ["X"]`, `os.environ.get("X")`, `os.getenv("X")`, django-environ's `env("X")`
  and `env.str("X")`: `$X`;
- a name imported from a configuration module (`from .settings import REDIS_URL`):
  `settings.REDIS_URL`.
"""

from __future__ import annotations

import re

import libcst as cst

from fmcat.scan.scope import Assigned, Imported, Scope

#: Words that name configuration (the same as the FM109 judgement's, timeouts.py).
_CONFIG = re.compile(r"^(?:settings|config|conf|cfg|configuration|options|secrets)$", re.I)
_ENVIRON = re.compile(r"^(?:environ|env)$")
#: Bounds: nodes looked at in one URL expression, local names followed.
_MAX_NODES = 200
_MAX_DEPTH = 4


#: Keys that hold a credential, not an address: `"https://h/?key={}".format(settings.api_key)`
#: does not go where `settings.api_key` says.
_SECRET = re.compile(r"(?:^|[_.-])(?:api)?(?:key|token|secret|password|passwd|pass)$", re.I)
_HEAD_END = re.compile(r"\{|%")


def url_source(expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> str:
    """`settings.X`, `$X`, or "" when the expression names no configuration."""
    stack: list[cst.CSTNode] = [expr]
    seen = 0
    while stack and seen < _MAX_NODES:
        node = stack.pop(0)
        seen += 1
        found = _direct(node, scope, depth)
        if found and not _SECRET.search(found.lstrip("$").rsplit(".", 1)[-1]):
            return found
        if isinstance(node, (cst.Lambda, cst.SimpleString)):
            continue
        stack.extend(node.children)
    return ""


def configured_value(
    expr: cst.BaseExpression, scope: Scope, depth: int = 0, *, conversions: bool = True
) -> str:
    """The setting or environment variable a value is read from, when it is read directly:
    `settings.X`, `config.get("X")`, `os.environ["X"]`, `getattr(settings, "X", 5)`, a name
    imported from a configuration module, through `... or default`, local names and
    conversions: a call that takes the value as its one argument (`int(...)`,
    `as_timedelta(config.dmarc.lifetime)`, `timedelta(seconds=...)`) and a method called on it
    without arguments (`.total_seconds()`). "" for anything computed (`cfg.timeout()`,
    `base * 2`, `max(settings.T, 5)`)."""
    if isinstance(expr, cst.Call) and not _from_call(expr):
        if not conversions and not _is_number(expr):
            return ""
        converted = _converted(expr)
        return (
            configured_value(converted, scope, depth, conversions=conversions)
            if converted is not None
            else ""
        )
    if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or):
        return configured_value(expr.left, scope, depth, conversions=conversions)
    if isinstance(expr, cst.Name):
        if depth >= _MAX_DEPTH:
            return ""
        bindings = scope.lookup(expr.value)
        if bindings and len(bindings) == 1 and isinstance(bindings[0], Assigned):
            return configured_value(
                bindings[0].value, bindings[0].scope, depth + 1, conversions=conversions
            )
    found = _direct(expr, scope, depth)
    # `options.get("timeout", 5)` is a caller's options, not the deployment's configuration.
    if found.split(".", 1)[0].lower() == "options":
        return ""
    return "" if found and _SECRET.search(found.lstrip("$").rsplit(".", 1)[-1]) else found


def _is_number(call: cst.Call) -> bool:
    """`int(x)` or `float(x)`: read as their argument in every case."""
    return (
        isinstance(call.func, cst.Name)
        and call.func.value in ("int", "float")
        and len(call.args) == 1
        and not call.args[0].star
    )


def _converted(call: cst.Call) -> cst.BaseExpression | None:
    """The value a conversion converts: the one argument of `f(x)` or `f(seconds=x)`, or the
    receiver of `x.method()`. A conversion changes the unit or the type, not where the number
    is decided."""
    if len(call.args) == 1 and not call.args[0].star:
        return call.args[0].value
    if not call.args and isinstance(call.func, cst.Attribute):
        return call.func.value
    return None


def format_head(expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> str | None:
    """The literal start of `"https://host/{}".format(...)` or `"https://host/%s" % x` (or of
    the local name bound to one), when it names a scheme: the URL begins with it."""
    if isinstance(expr, cst.Name) and depth < _MAX_DEPTH:
        bindings = scope.lookup(expr.value)
        if bindings and len(bindings) == 1 and isinstance(bindings[0], Assigned):
            return format_head(bindings[0].value, bindings[0].scope, depth + 1)
        return None
    template: str | None = None
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
        if expr.func.attr.value == "format":
            template = _string(expr.func.value)
    elif isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Modulo):
        template = _string(expr.left)
    if template is None or "://" not in template:
        return None
    return _HEAD_END.split(template, 1)[0]


def _direct(node: cst.CSTNode, scope: Scope, depth: int) -> str:
    if isinstance(node, cst.Attribute):
        chain = _chain(node)
        return _from_chain(chain) if chain else ""
    if isinstance(node, cst.Subscript):
        chain = _chain(node.value)
        key = _subscript_key(node)
        if chain and key is not None:
            return _keyed(chain, key)
        return ""
    if isinstance(node, cst.Call):
        return _from_call(node)
    if isinstance(node, cst.Name) and depth < _MAX_DEPTH:
        return _from_name(node.value, scope, depth)
    return ""


def _chain(node: cst.BaseExpression) -> list[str] | None:
    """`a.b.c` as ["a", "b", "c"]; None for anything that is not a dotted name."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return parts[::-1]


def _from_chain(chain: list[str]) -> str:
    """`settings.PAYMENT_URL`: a key right after the chain's last configuration word."""
    for index in range(len(chain) - 2, -1, -1):
        if _CONFIG.match(chain[index]):
            return f"{chain[index]}.{chain[index + 1]}"
    return ""


def _keyed(chain: list[str], key: str) -> str:
    if _ENVIRON.match(chain[-1]):
        return f"${key}"
    if _CONFIG.match(chain[-1]):
        return f"{chain[-1]}.{key}"
    return ""


def _subscript_key(node: cst.Subscript) -> str | None:
    if len(node.slice) != 1:
        return None
    element = node.slice[0].slice
    if isinstance(element, cst.Index):
        return _string(element.value)
    return None


def _string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) and value else None
    return None


def _from_call(node: cst.Call) -> str:
    chain = _chain(node.func)
    if not chain or not node.args:
        return ""
    first = _string(node.args[0].value)
    if chain[-1] == "getattr" and len(node.args) >= 2:
        target = _chain(node.args[0].value)
        key = _string(node.args[1].value)
        if target and key and _CONFIG.match(target[-1]):
            return f"{target[-1]}.{key}"
        return ""
    if first is None:
        return ""
    if chain[-1] in ("getenv", "env"):
        return f"${first}"  # os.getenv("X"), env("X")
    if len(chain) >= 2 and chain[-1] in ("get", "str", "url", "cache_url", "db_url"):
        return _keyed(chain[:-1], first)  # os.environ.get("X"), settings.get("X"), env.str("X")
    return ""


def _from_name(name: str, scope: Scope, depth: int) -> str:
    bindings = scope.lookup(name)
    if not bindings or len(bindings) != 1:
        return ""
    binding = bindings[0]
    if isinstance(binding, Imported):
        parts = binding.qualname.split(".")
        if _CONFIG.match(parts[-1]):
            return ""  # the configuration object itself (`from django.conf import settings`)
        if len(parts) >= 2 and any(_CONFIG.match(p) for p in parts[:-1]):
            return f"{parts[-2]}.{parts[-1]}"
        return ""
    if isinstance(binding, Assigned):
        return url_source(binding.value, binding.scope, depth + 1)
    return ""
