"""Evaluating expressions to values (value_types.py): names via scopes, calls via the table."""

from __future__ import annotations

import libcst as cst

from fmcat.scan.arguments import (
    Judged,
    find_argument,
    judge_configured,
    judge_timeout_object,
    judge_value,
)
from fmcat.scan.knowledge import Call, Client, KnowledgeBase
from fmcat.scan.scope import (
    Annotated,
    Assigned,
    Binding,
    ClassBinding,
    Defined,
    Imported,
    Scope,
)
from fmcat.scan.value_types import (
    UNKNOWN,
    ClassValue,
    ClientValue,
    Const,
    DictValue,
    FunctionValue,
    MethodValue,
    PartialValue,
    Qual,
    TupleValue,
    Unknown,
    Value,
)

# How deep a chain of assignments is followed (a = b; b = c; ...) before giving up.
_MAX_DEPTH = 12


class Evaluator:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._memo: dict[int, Value] = {}
        #: Inside `with X() as s:`, `s` is that X, whatever else `s` is bound to in the scope.
        self.overrides: dict[tuple[int, str], list[Value]] = {}

    # -- names ------------------------------------------------------------------------------

    def name(self, name: str, scope: Scope, depth: int = 0) -> Value:
        override = self.overrides.get((id(scope), name))
        if override:
            return override[-1]
        bindings = scope.lookup(name)
        if bindings is None:
            for module in scope.module().star_imports:
                candidate = self.kb.canonical(f"{module}.{name}")
                if self.kb.function(candidate) or candidate in self.kb.clients:
                    return Qual(candidate)
            return UNKNOWN
        return self._bindings(bindings, depth)

    def attribute_of_self(self, attr: str, function: Scope, depth: int = 0) -> Value:
        owner = function.owner_class
        return self.class_attribute(owner, attr, depth) if owner is not None else UNKNOWN

    def class_attribute(self, owner: Scope, attr: str, depth: int = 0) -> Value:
        """``self.x``: set in a method, or on the class, or inherited from a base in the module."""
        if depth > _MAX_DEPTH:
            return UNKNOWN
        if attr in owner.attributes:
            return self._bindings(owner.attributes[attr], depth)
        if attr in owner.bindings:
            return self._bindings(owner.bindings[attr], depth)
        for base in owner.bases:
            parent = self.expr(base, owner.parent or owner, depth + 1)
            if isinstance(parent, ClassValue):
                found = self.class_attribute(parent.scope, attr, depth + 1)
                if not isinstance(found, Unknown):
                    return found
        return UNKNOWN

    def patched_timeout(
        self, receiver: cst.BaseExpression, scope: Scope, client: Client
    ) -> Judged | None:
        """``s.request = functools.partial(s.request, timeout=5)``: the timeout it gives ``s``."""
        for method, patch, where in self._patches(receiver, scope):
            spec = method_spec(client, method)
            if spec is None or self.partial_of(patch, where) is None:
                continue
            preset = patch.with_changes(args=patch.args[1:])
            for param in spec.timeout:
                given = find_argument(preset, param)
                if isinstance(given, cst.Arg):
                    return judge_value(self.expr(given.value, where), spec.timeout_unit)
        return None

    def attribute_timeout(
        self, receiver: cst.BaseExpression, scope: Scope, client: Client
    ) -> Judged | None:
        """``resolver.lifetime = 3`` before ``resolver.resolve(name)``: the timeout it gives
        the calls through that local name (the last such assignment in the file's order)."""
        if not client.timeout_attributes or not isinstance(receiver, cst.Name):
            return None
        current: Scope | None = scope
        while current is not None and receiver.value not in current.bindings:
            current = current.parent
        if current is None:
            return None
        judged = None
        for attr, value, where in current.attribute_values.get(receiver.value, []):
            if attr in client.timeout_attributes:
                judged = judge_configured(self.expr(value, where), value, where, attr)
        return judged

    def _patches(
        self, receiver: cst.BaseExpression, scope: Scope
    ) -> list[tuple[str, cst.Call, Scope]]:
        if isinstance(receiver, cst.Name):
            current: Scope | None = scope
            while current is not None:
                if receiver.value in current.bindings:
                    return current.patches.get(receiver.value, [])
                current = current.parent
            return []
        if isinstance(receiver, cst.Attribute) and isinstance(receiver.value, cst.Name):
            function = _function_scope(scope)
            if function is not None and receiver.value.value == function.self_name:
                owner = function.owner_class
                return owner.patches.get(receiver.attr.value, []) if owner is not None else []
        return []

    def _bindings(self, bindings: list[Binding], depth: int) -> Value:
        # Flow-insensitive: a name bound to different things in one scope is unknown, so a
        # look-alike (`get = requests.get` here, `get = dict.get` there) is never guessed at.
        values = {self._binding(b, depth) for b in bindings}
        if len(values) > 1:
            # `x = None` then `x = Client()` (lazy set-up): None is the "not yet", not a rival.
            values.discard(Const(None))
        if len(values) == 1:
            return values.pop()
        same = self._same_timeout_scope(values)
        if same is not None:
            return same
        # `s = Session()` twice, or two `with Session() as s:` blocks: the type is certain, only
        # which construction is not.
        types = {v.type for v in values if isinstance(v, ClientValue)}
        if len(types) == 1 and all(isinstance(v, ClientValue) for v in values):
            return ClientValue(types.pop())
        return UNKNOWN

    def _same_timeout_scope(self, values: set[Value]) -> Value | None:
        """``try: from asyncio import timeout`` / ``except ImportError: from async_timeout
        import timeout``: two timeout scopes that take their bound alike are one to the scan."""
        scopes = self.kb.wrappers.timeout_scopes
        if not all(isinstance(v, Qual) and v.name in scopes for v in values):
            return None
        kinds = {
            (s.bound, s.awaitable, s.none_is_unbounded)
            for s in (scopes[v.name] for v in values if isinstance(v, Qual))
        }
        return min(values, key=str) if len(kinds) == 1 else None

    def _binding(self, binding: Binding, depth: int) -> Value:
        if isinstance(binding, Imported):
            name = self.kb.canonical(binding.qualname)
            instance = self.kb.instance_types.get(name)
            return ClientValue(instance) if instance is not None else Qual(name)
        if isinstance(binding, Assigned):
            return self.expr(binding.value, binding.scope, depth + 1)
        if isinstance(binding, Annotated):
            return self._annotated(binding.annotation, binding.scope, depth)
        if isinstance(binding, Defined):
            # A project function the whole-project join made a derived client.
            qualified = f"{binding.scope.qualname()}.{binding.name}"
            if binding.name and self.kb.function(qualified) is not None:
                return Qual(qualified)
            if binding.returns is None:
                return FunctionValue(UNKNOWN)
            return FunctionValue(self._annotated(binding.returns, binding.scope, depth))
        if isinstance(binding, ClassBinding):
            return ClassValue(binding.scope)
        return UNKNOWN

    def _annotated(self, annotation: cst.BaseExpression, scope: Scope, depth: int) -> Value:
        """A client, when the annotation names a client type (also quoted: ``"Redis"``)."""
        if isinstance(annotation, cst.SimpleString):
            try:
                annotation = cst.parse_expression(str(annotation.evaluated_value))
            except (cst.ParserSyntaxError, TypeError):
                return UNKNOWN
        value = self.expr(annotation, scope, depth + 1)
        if isinstance(value, Qual) and value.name in self.kb.clients:
            return ClientValue(value.name)
        return UNKNOWN

    # -- expressions ------------------------------------------------------------------------

    def expr(self, node: cst.BaseExpression, scope: Scope, depth: int = 0) -> Value:
        if depth > _MAX_DEPTH:
            return UNKNOWN
        key = id(node)
        if key in self._memo:
            return self._memo[key]
        self._memo[key] = UNKNOWN  # a cycle (a = a.b) evaluates to unknown
        value = self._expr(node, scope, depth)
        self._memo[key] = value
        return value

    def _expr(self, node: cst.BaseExpression, scope: Scope, depth: int) -> Value:
        if isinstance(node, cst.Name):
            if node.value == "None":
                return Const(None)
            if node.value in ("True", "False"):
                return Const(node.value == "True")
            return self.name(node.value, scope, depth)
        if isinstance(node, cst.Attribute):
            return self._attribute(node, scope, depth)
        if isinstance(node, cst.Call):
            return self.call_result(node, scope, depth)
        if isinstance(node, (cst.Integer, cst.Float)):
            return Const(node.evaluated_value)
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
            inner = self.expr(node.expression, scope, depth)
            if isinstance(inner, Const) and isinstance(inner.value, (int, float)):
                return Const(-inner.value)
            return UNKNOWN
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            text = node.evaluated_value
            return Const(text) if isinstance(text, str) else UNKNOWN
        if isinstance(node, cst.FormattedString):
            return self._fstring(node, scope, depth)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            return self._concat(node, scope, depth)
        if isinstance(node, cst.Tuple):
            items = tuple(self.expr(e.value, scope, depth) for e in node.elements)
            return TupleValue(items)
        if isinstance(node, cst.Dict):
            return self._dict(node, scope, depth)
        if isinstance(node, cst.Await):
            return self.expr(node.expression, scope, depth)
        if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.Or):
            # `session or requests.Session()`: an injected client, or one made here.
            return _either(self.expr(node.left, scope, depth), self.expr(node.right, scope, depth))
        if isinstance(node, cst.IfExp):
            # `session if session is not None else requests.session()`
            return _either(self.expr(node.body, scope, depth), self.expr(node.orelse, scope, depth))
        if isinstance(node, cst.Subscript):
            return self._attribute_of_client(self.expr(node.value, scope, depth), "[]")
        return UNKNOWN

    def _attribute(self, node: cst.Attribute, scope: Scope, depth: int) -> Value:
        base = node.value
        if isinstance(base, cst.Name):
            function = _function_scope(scope)
            if function is not None and base.value == function.self_name:
                derived = self._derived_method(function, node.attr.value)
                if derived is not None:
                    return derived
                return self.attribute_of_self(node.attr.value, function, depth)
        owner = self.expr(base, scope, depth)
        if isinstance(owner, Qual):
            return Qual(self.kb.canonical(f"{owner.name}.{node.attr.value}"))
        if isinstance(owner, ClassValue):
            return self.class_attribute(owner.scope, node.attr.value, depth + 1)
        return self._attribute_of_client(owner, node.attr.value)

    def _attribute_of_client(self, owner: Value, name: str) -> Value:
        """``session.get`` is a method; ``mongo.db`` or ``es.indices`` another client."""
        if not (isinstance(owner, ClientValue) and owner.type in self.kb.clients):
            return UNKNOWN
        client = self.kb.clients[owner.type][1]
        if any(m.name == name for m in client.methods):
            return MethodValue(owner, name)
        if client.attribute_type and not name.startswith("_"):
            return ClientValue(client.attribute_type)
        if name != "[]" and method_spec(client, name) is not None:
            return MethodValue(owner, name)
        return UNKNOWN

    def _derived_method(self, function: Scope, name: str) -> Value | None:
        """``self.request(...)`` inside a class the join made a derived client."""
        owner = function.owner_class
        if owner is None:
            return None
        found = self.kb.clients.get(owner.qualname())
        if found is None or not any(m.name == name for m in found[1].methods):
            return None
        return MethodValue(ClientValue(found[1].name), name)

    def call_result(self, node: cst.Call, scope: Scope, depth: int = 0) -> Value:
        """What a call returns: a client, when the table says the callee makes one."""
        callee = self.expr(node.func, scope, depth)
        if isinstance(callee, ClassValue):
            # A project class the join made a derived client (or a library client's subclass).
            callee = self.project_class(callee)
        if isinstance(callee, FunctionValue):
            return callee.returns
        if isinstance(node.func, cst.Attribute):
            # contextlib.ExitStack hands back what it was given.
            hands_back = self.kb.wrappers.hands_back_methods.get(node.func.attr.value)
            given = find_argument(node, hands_back.argument) if hands_back else None
            if isinstance(given, cst.Arg):
                return self.expr(given.value, scope, depth)
        wrapped = self.partial_of(node, scope, depth)
        if wrapped is not None:
            if isinstance(wrapped, Qual) and self.kb.function(wrapped.name) is not None:
                return PartialValue(wrapped, node)
            return UNKNOWN
        if isinstance(callee, Qual):
            timeout_object = self.kb.timeout_objects.get(callee.name)
            if timeout_object is not None:
                return judge_timeout_object(node, timeout_object, lambda arg: self.expr(arg, scope))
            found = self.kb.function(callee.name)
            if found is not None and found[1].returns:
                label = callee.name if found[1].name != callee.name else ""
                return ClientValue(found[1].returns, node, label)
            return UNKNOWN
        method = self.method(node.func, scope, depth)
        if method is not None:
            client, name = method
            call = method_spec(self.kb.clients[client.type][1], name)
            if call is not None and call.returns:
                return ClientValue(call.returns, node)
        if isinstance(node.func, cst.Attribute):
            # A callable attribute of a client (`table = dynamodb.Table(...)`, a sub-client).
            owner = self.expr(node.func.value, scope, depth)
            sub = self._attribute_of_client(owner, node.func.attr.value)
            if isinstance(sub, ClientValue):
                return sub
        return UNKNOWN

    def partial_of(self, node: cst.Call, scope: Scope, depth: int = 0) -> Value | None:
        """What ``functools.partial(f, ...)`` wraps (the table's partials); None if no partial."""
        callee = self.expr(node.func, scope, depth)
        partial = self.kb.wrappers.partials.get(callee.name) if isinstance(callee, Qual) else None
        if partial is None:
            return None
        function = find_argument(node, partial.function)
        # Positional-only: `partial(func=f)` gives the keyword to nothing.
        if not isinstance(function, cst.Arg) or function.keyword is not None:
            return None
        return self.expr(function.value, scope, depth)

    def method(
        self, func: cst.BaseExpression, scope: Scope, depth: int = 0
    ) -> tuple[ClientValue, str] | None:
        """``s.get`` where ``s`` is a known client: the client and the method name."""
        if not isinstance(func, cst.Attribute):
            return None
        owner = self.expr(func.value, scope, depth)
        if isinstance(owner, ClientValue) and owner.type in self.kb.clients:
            return owner, func.attr.value
        return None

    def _dict(self, node: cst.Dict, scope: Scope, depth: int) -> Value:
        items: list[tuple[str, Value]] = []
        for element in node.elements:
            if isinstance(element, cst.StarredDictElement):
                inner = self.expr(element.value, scope, depth)
                if not isinstance(inner, DictValue):
                    return UNKNOWN
                items.extend(inner.items)
                continue
            assert isinstance(element, cst.DictElement)
            key = self.expr(element.key, scope, depth)
            if not (isinstance(key, Const) and isinstance(key.value, str) and not key.prefix):
                return UNKNOWN
            items.append((key.value, self.expr(element.value, scope, depth)))
        return DictValue(tuple(items))

    def _fstring(self, node: cst.FormattedString, scope: Scope, depth: int) -> Value:
        text = ""
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                text += part.value
                continue
            assert isinstance(part, cst.FormattedStringExpression)
            inner = self.expr(part.expression, scope, depth)
            if (
                isinstance(inner, Const)
                and isinstance(inner.value, str)
                and not inner.prefix
                and part.format_spec is None
                and part.conversion is None
            ):
                text += inner.value
                continue
            if isinstance(inner, Const) and isinstance(inner.value, str):
                text += inner.value
            return Const(text, prefix=True)
        return Const(text)

    def _concat(self, node: cst.BinaryOperation, scope: Scope, depth: int) -> Value:
        left = self.expr(node.left, scope, depth)
        if not (isinstance(left, Const) and isinstance(left.value, str)):
            return UNKNOWN
        if left.prefix:
            return left
        right = self.expr(node.right, scope, depth)
        if isinstance(right, Const) and isinstance(right.value, str):
            return Const(left.value + right.value, prefix=right.prefix)
        return Const(left.value, prefix=True)

    def project_class(self, value: ClassValue) -> Value:
        qualified = value.scope.qualname()
        return Qual(qualified) if self.kb.function(qualified) is not None else value


def _either(left: Value, right: Value) -> Value:
    """One side a client, the other unknown or None: the client's type (an injected client
    is checked where it is made; the default one is judged here)."""
    for one, other in ((left, right), (right, left)):
        if isinstance(one, ClientValue) and (isinstance(other, Unknown) or other == Const(None)):
            return one
        if isinstance(one, ClientValue) and isinstance(other, ClientValue):
            return one if one.type == other.type else UNKNOWN
    return UNKNOWN


def _function_scope(scope: Scope) -> Scope | None:
    current: Scope | None = scope
    while current is not None:
        if current.kind == "function" and current.self_name is not None:
            return current
        if current.kind == "class":
            return None
        current = current.parent
    return None


def method_spec(client: Client, name: str) -> Call | None:
    """The table's entry for ``client.name(...)``: by name, else the client's ``*`` entry or,
    for clients whose every method does I/O, a plain failing call."""
    for call in client.methods:
        if call.name == name:
            return call
    if name.startswith("_") or name in client.local_methods:
        return None
    for call in client.methods:
        if call.name == "*":
            return call.model_copy(update={"name": name})
    return Call(name=name) if client.any_method else None
