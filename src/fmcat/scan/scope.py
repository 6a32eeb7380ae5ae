"""Pass one over a module: what each name is bound to, scope by scope.

This is a purpose-built, flow-insensitive binding table (imports, assignments, ``with ... as``,
parameters with annotations, ``self.x = ...`` in methods) built in one plain libcst visit. It is
much cheaper than libcst's generic ScopeProvider/QualifiedNameProvider, and it is all the scan
needs: to know that ``s`` in ``s.get(url)`` is the ``requests.Session()`` made three lines up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from fmcat.scan.names import dotted_name


@dataclass(frozen=True)
class Imported:
    """``import requests as r`` binds r to requests."""

    qualname: str


@dataclass(frozen=True)
class Assigned:
    """``s = requests.Session()``: evaluated lazily, in the scope that made the binding."""

    value: cst.BaseExpression
    scope: Scope


@dataclass(frozen=True)
class Annotated:
    """A parameter ``s: requests.Session``: the type is known, the construction is not."""

    annotation: cst.BaseExpression
    scope: Scope


@dataclass(frozen=True)
class Defined:
    """``def make() -> redis.Redis``: calling it gives what the annotation says."""

    returns: cst.BaseExpression | None
    scope: Scope
    name: str = ""


@dataclass(frozen=True)
class ClassBinding:
    """A class of the module: its attributes and its bases are followed for ``self.x``."""

    scope: Scope


@dataclass(frozen=True)
class Opaque:
    """A binding fmcat does not follow (loop target, plain parameter, ...)."""


OPAQUE = Opaque()


@dataclass(frozen=True)
class Mutated(Opaque):
    """A dict changed in place (``kwargs.pop("key")``, ``kwargs["key"] = v``): the key, when
    it is a literal, says which entry; None when any may have changed (``update``)."""

    key: str | None = None


def passes_on(bindings: list[Binding] | None, keywords: set[str]) -> bool:
    """Does ``**kwargs`` still carry what its caller gave for ``keywords``? Not once rebound or
    changed where they may be (``setdefault("timeout", 5)``, ``update``); ``pop("other")`` is."""
    others = bindings[1:] if bindings else [OPAQUE]
    return all(
        isinstance(b, Mutated) and b.key is not None and b.key not in keywords for b in others
    )


Binding = Imported | Assigned | Annotated | Defined | ClassBinding | Opaque


@dataclass(eq=False)
class Scope:
    kind: str  # "module" | "class" | "function"
    name: str
    parent: Scope | None = None
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    #: Class scopes: attributes assigned through ``self.`` in its methods.
    attributes: dict[str, list[Binding]] = field(default_factory=dict)
    #: Function scopes: names declared ``global`` (their assignments bind in the module).
    globals: set[str] = field(default_factory=set)
    #: Modules imported with ``from m import *``.
    star_imports: list[str] = field(default_factory=list)
    #: Function scopes: the name of the first parameter of a method (``self``), and its class.
    self_name: str | None = None
    owner_class: Scope | None = None
    #: Class scopes: the base class expressions, resolved when an attribute is not found here.
    bases: list[cst.BaseExpression] = field(default_factory=list)
    #: Calls assigned to a method of a name (in class scopes, of a ``self.`` attribute), by that
    #: name: the method and the call, and the scope it is in. The evaluator tells which give
    #: the client a default timeout: ``s.request = functools.partial(s.request, timeout=5)``.
    patches: dict[str, list[tuple[str, cst.Call, Scope]]] = field(default_factory=dict)
    #: Attributes assigned on a name (``resolver.lifetime = 3``), by that name: the attribute,
    #: the value and the scope it is in.
    attribute_values: dict[str, list[tuple[str, cst.BaseExpression, Scope]]] = field(
        default_factory=dict
    )

    def bind(self, name: str, binding: Binding) -> None:
        target = self
        if name in self.globals:
            while target.parent is not None:
                target = target.parent
        target.bindings.setdefault(name, []).append(binding)

    def lookup(self, name: str) -> list[Binding] | None:
        """Python's rule: this function, enclosing functions, the module; classes are skipped."""
        scope: Scope | None = self
        first = True
        while scope is not None:
            if (first or scope.kind != "class") and name in scope.bindings:
                return scope.bindings[name]
            first = False
            scope = scope.parent
        return None

    def qualname(self) -> str:
        """``app.clients.Api.get`` for the scope of that method (as SiteFinder names it)."""
        parts: list[str] = []
        scope: Scope | None = self
        while scope is not None:
            if scope.name:
                parts.append(scope.name)
            scope = scope.parent
        return ".".join(reversed(parts))

    def module(self) -> Scope:
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope


def resolve_relative(module: str, is_package: bool, level: int, name: str | None) -> str:
    """``from ..x import y`` inside ``a.b.c`` -> ``a.x``."""
    parts = module.split(".") if module else []
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
    if name:
        parts.append(name)
    return ".".join(parts)


class BindingCollector(cst.CSTVisitor):
    """Builds the scope tree and records it by node, for the second pass to find again."""

    def __init__(self, module_name: str, is_package: bool) -> None:
        self.module_name = module_name
        self.is_package = is_package
        self.root = Scope("module", module_name)
        self.stack: list[Scope] = [self.root]
        self.scopes: dict[cst.CSTNode, Scope] = {}
        #: Every module imported from, for the whole-project join (which derived clients a
        #: file can reach).
        self.imported: set[str] = set()

    @property
    def scope(self) -> Scope:
        return self.stack[-1]

    # -- scopes -----------------------------------------------------------------------------

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        scope = Scope("class", node.name.value, self.scope)
        scope.bases = [arg.value for arg in node.bases if arg.keyword is None]
        self.scope.bind(node.name.value, ClassBinding(scope))
        self.scopes[node] = scope
        self.stack.append(scope)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        parent = self.scope
        returns = node.returns.annotation if node.returns is not None else None
        parent.bind(node.name.value, Defined(returns, parent, node.name.value))
        scope = Scope("function", node.name.value, parent)
        params = [*node.params.posonly_params, *node.params.params]
        if parent.kind == "class" and params and not _is_staticmethod(node):
            scope.self_name = params[0].name.value
            scope.owner_class = parent
        self._bind_params(scope, node.params)
        self.scopes[node] = scope
        self.stack.append(scope)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.stack.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        scope = Scope("function", "<lambda>", self.scope)
        self._bind_params(scope, node.params)
        self.scopes[node] = scope
        self.stack.append(scope)

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self.stack.pop()

    # Comprehensions have a scope of their own: `[c.get(k) for c in clients]` is not about a
    # module-level `c`.
    def _enter_comprehension(self, node: cst.CSTNode, loop: cst.CompFor) -> None:
        scope = Scope("function", "<comprehension>", self.scope)
        self.scopes[node] = scope
        self.stack.append(scope)
        current: cst.CompFor | None = loop
        while current is not None:
            self._bind_target(current.target, None)
            current = current.inner_for_in

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._enter_comprehension(node, node.for_in)

    def leave_ListComp(self, original_node: cst.ListComp) -> None:
        self.stack.pop()

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._enter_comprehension(node, node.for_in)

    def leave_SetComp(self, original_node: cst.SetComp) -> None:
        self.stack.pop()

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._enter_comprehension(node, node.for_in)

    def leave_DictComp(self, original_node: cst.DictComp) -> None:
        self.stack.pop()

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._enter_comprehension(node, node.for_in)

    def leave_GeneratorExp(self, original_node: cst.GeneratorExp) -> None:
        self.stack.pop()

    def _bind_params(self, scope: Scope, params: cst.Parameters) -> None:
        every = [*params.posonly_params, *params.params, *params.kwonly_params]
        for param in every:
            if param.annotation is not None:
                scope.bind(param.name.value, Annotated(param.annotation.annotation, self.scope))
            else:
                scope.bind(param.name.value, OPAQUE)
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                scope.bind(star.name.value, OPAQUE)

    # -- bindings ---------------------------------------------------------------------------

    def visit_Global(self, node: cst.Global) -> None:
        self.scope.globals.update(item.name.value for item in node.names)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = dotted_name(alias.name)
            if full is None:
                continue
            self.imported.add(full)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.scope.bind(alias.asname.name.value, Imported(full))
            else:
                head = full.split(".", 1)[0]
                self.scope.bind(head, Imported(head))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        base = dotted_name(node.module) if node.module is not None else None
        level = len(node.relative)
        if level:
            base = resolve_relative(self.module_name, self.is_package, level, base)
        if base is None:
            return
        if isinstance(node.names, cst.ImportStar):
            self.imported.add(base)
            self.scope.star_imports.append(base)
            return
        for alias in node.names:
            name = dotted_name(alias.name)
            if name is None:
                continue
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            self.scope.bind(local, Imported(f"{base}.{name}" if base else name))
            self.imported.add(f"{base}.{name}" if base else name)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_target(target.target, node.value)
            self._note_patch(target.target, node.value)

    def _note_patch(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        """``s.request = functools.partial(s.request, timeout=5)`` may give ``s`` a default;
        ``resolver.lifetime = 3`` may bound its calls (Client.timeout_attributes)."""
        if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            owner_name = target.value.value
            found: Scope | None = self.scope
            while found is not None and owner_name not in found.bindings:
                found = found.parent
            (found or self.scope).attribute_values.setdefault(owner_name, []).append(
                (target.attr.value, value, self.scope)
            )
        if not (isinstance(target, cst.Attribute) and isinstance(value, cst.Call)):
            return
        patch = (target.attr.value, value, self.scope)
        owner = target.value
        if isinstance(owner, cst.Name):
            scope: Scope | None = self.scope
            while scope is not None and owner.value not in scope.bindings:
                scope = scope.parent
            (scope or self.scope).patches.setdefault(owner.value, []).append(patch)
        elif isinstance(owner, cst.Attribute) and isinstance(owner.value, cst.Name):
            function = self._method_scope()
            if function is not None and owner.value.value == function.self_name:
                assert function.owner_class is not None
                function.owner_class.patches.setdefault(owner.attr.value, []).append(patch)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind_target(node.target, node.value)
        elif isinstance(node.target, cst.Name):
            self.scope.bind(node.target.value, Annotated(node.annotation.annotation, self.scope))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind_target(node.target, None)

    def visit_Call(self, node: cst.Call) -> None:
        # `KWARGS.update(timeout=5)` changes what `**KWARGS` carries: stop trusting its literal.
        func = node.func
        if (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.attr.value in _MUTATORS
        ):
            first = node.args[0].value if node.args and node.args[0].keyword is None else None
            keyed = func.attr.value in ("pop", "setdefault") and first is not None
            self._mutated(func.value.value, first if keyed else None)

    def _mutated(self, name: str, key: cst.BaseExpression | None = None) -> None:
        literal = key.evaluated_value if isinstance(key, cst.SimpleString) else None
        binding = Mutated(literal if isinstance(literal, str) else None)
        scope: Scope | None = self.scope
        while scope is not None:
            if name in scope.bindings:
                scope.bindings[name].append(binding)
                return
            scope = scope.parent

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target, node.value)

    def visit_For(self, node: cst.For) -> None:
        self._bind_target(node.target, None)

    def visit_With(self, node: cst.With) -> None:
        for item in node.items:
            if item.asname is not None:
                self._bind_target(item.asname.name, item.item)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._bind_target(node.name.name, None)

    def _bind_target(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> None:
        if isinstance(target, cst.Name):
            binding: Binding = Assigned(value, self.scope) if value is not None else OPAQUE
            self.scope.bind(target.value, binding)
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            function = self._method_scope()
            if function is not None and target.value.value == function.self_name:
                owner = function.owner_class
                assert owner is not None
                binding = Assigned(value, self.scope) if value is not None else OPAQUE
                owner.attributes.setdefault(target.attr.value, []).append(binding)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_target(element.value, None)
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value, None)
        elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
            index = target.slice[0].slice if len(target.slice) == 1 else None
            key = index.value if isinstance(index, cst.Index) else None
            self._mutated(target.value.value, key)

    def _method_scope(self) -> Scope | None:
        for scope in reversed(self.stack):
            if scope.kind == "function" and scope.self_name is not None:
                return scope
            if scope.kind == "class":
                return None
        return None


_MUTATORS = frozenset({"update", "setdefault", "pop", "popitem", "clear", "__setitem__"})


def _is_staticmethod(node: cst.FunctionDef) -> bool:
    return any(
        isinstance(d.decorator, cst.Name) and d.decorator.value == "staticmethod"
        for d in node.decorators
    )
