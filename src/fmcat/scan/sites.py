"""Pass two over a module: every external call, with its timeout and its handling."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

import libcst as cst

from fmcat.scan.arguments import Judged, find_argument
from fmcat.scan.calls import CallJudge, Frame, PendingSite
from fmcat.scan.decorators import DecoratorHandling
from fmcat.scan.facts import Parameter
from fmcat.scan.handlers import caught_names
from fmcat.scan.knowledge import KnowledgeBase, TimeoutScope
from fmcat.scan.scope import Assigned, Defined, Imported, Scope
from fmcat.scan.value_types import (
    ClassValue,
    ClientValue,
    Const,
    MethodValue,
    PartialValue,
    Qual,
    Value,
)
from fmcat.scan.values import Evaluator
from fmcat.scan.walk import walk

_SUPPRESS = frozenset({"contextlib.suppress"})


@dataclass
class PendingFunction:
    node: cst.FunctionDef
    qualname: str
    params: tuple[Parameter, ...]
    is_method: bool
    returns: set[str] = field(default_factory=set)


@dataclass
class PendingClass:
    node: cst.ClassDef
    qualname: str
    bases: tuple[str, ...]


@dataclass
class PendingRetry:
    node: cst.CSTNode
    qualname: str
    has_stop: bool
    enclosing: str


class SiteFinder(CallJudge, cst.CSTVisitor):
    def __init__(
        self,
        kb: KnowledgeBase,
        evaluator: Evaluator,
        scopes: dict[cst.CSTNode, Scope],
        root: Scope,
        module_name: str,
        named_patterns: tuple[str, ...] = (),
    ) -> None:
        self.kb = kb
        self.evaluator = evaluator
        self.scopes = scopes
        self.scope_stack = [root]
        self.names = [module_name] if module_name else []
        self.frames = [Frame()]
        self.named_patterns = named_patterns
        self.handling = DecoratorHandling(scopes)  # what decorators catch (decorators.py)
        self.sites: list[PendingSite] = []
        self.retries: list[PendingRetry] = []
        self.named_calls: list[tuple[cst.Call, str]] = []
        #: Constructor calls seen, so method calls can inherit the client's timeout state.
        self.origins: dict[cst.Call, PendingSite | Judged] = {}
        #: Calls that are awaited (or entered with `async with`): what asyncio bounds can cancel.
        self.awaited: set[int] = set()
        self.setters: dict[tuple[int, str], tuple[Judged, str]] = {}
        #: What the whole-project join needs (facts.Summary), before positions are known.
        self.functions: list[PendingFunction] = []
        self.function_stack: list[PendingFunction] = []
        self.classes: list[PendingClass] = []
        self.instances: list[tuple[str, str]] = []
        self.referenced: set[str] = set()

    @property
    def scope(self) -> Scope:
        return self.scope_stack[-1]

    @property
    def frame(self) -> Frame:
        return self.frames[-1]

    @property
    def enclosing(self) -> str:
        return ".".join(self.names)

    # -- structure --------------------------------------------------------------------------

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        for decorator in node.decorators:
            walk(decorator, self)
        bases: list[str] = []
        for arg in node.bases:
            walk(arg, self)
            if arg.keyword is None:
                bases += self._client_type(arg.value)
        self.scope_stack.append(self.scopes[node])
        self.names.append(node.name.value)
        self.classes.append(PendingClass(node, self.enclosing, tuple(bases)))
        walk(node.body, self)
        self.names.pop()
        self.scope_stack.pop()
        return False

    def _client_type(self, expr: cst.BaseExpression) -> list[str]:
        """A base class that is a client type: a library's, or one the join derived."""
        value = self.evaluator.expr(expr, self.scope)
        if isinstance(value, ClassValue):
            self.referenced.add(value.scope.qualname())  # it may become a client in a round
            value = self.evaluator.project_class(value)
        elif isinstance(value, Qual):
            self.referenced.add(value.name)
        if isinstance(value, Qual):
            if value.name in self.kb.clients:
                return [value.name]
            found = self.kb.function(value.name)
            if found is not None and found[1].returns:
                return [found[1].returns]
        return []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        resilient = False
        caught: list[frozenset[str]] = []
        for decorator in node.decorators:
            walk(decorator, self)
            resilient |= self._decorator(decorator.decorator)
            caught += self.handling.caught(decorator.decorator, self.scope, self.evaluator, self.kb)
        walk(node.params, self)
        scope = self.scopes[node]
        self.scope_stack.append(scope)
        self.names.append(node.name.value)
        params, positions, kwargs = self._parameters(node, is_method=scope.self_name is not None)
        frame = Frame(caught=caught, resilient=resilient, params=positions, kwargs=kwargs)
        self.frames.append(frame)
        pending = PendingFunction(node, self.enclosing, params, scope.self_name is not None)
        self.functions.append(pending)
        self.function_stack.append(pending)
        walk(node.body, self)
        self.function_stack.pop()
        self.frames.pop()
        self.names.pop()
        self.scope_stack.pop()
        return False

    def _parameters(
        self, node: cst.FunctionDef, is_method: bool
    ) -> tuple[tuple[Parameter, ...], dict[str, int | None], str | None]:
        positional = [*node.params.posonly_params, *node.params.params]
        if is_method:
            positional = positional[1:]
        found: list[Parameter] = []
        for index, param in enumerate(positional):
            found.append(Parameter(param.name.value, index, self._default(param)))
        for param in node.params.kwonly_params:
            found.append(Parameter(param.name.value, None, self._default(param)))
        star = node.params.star_kwarg
        kwargs = star.name.value if isinstance(star, cst.Param) else None
        return tuple(found), {p.name: p.position for p in found}, kwargs

    def _default(self, param: cst.Param) -> str | float:
        if param.default is None:
            return "required"
        value = self.evaluator.expr(param.default, self.scope_stack[-2])
        if value == Const(None):
            return "none"
        if isinstance(value, Const) and isinstance(value.value, (int, float)):
            return float(value.value) if not isinstance(value.value, bool) else "set"
        return "set"

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is None or not self.function_stack:
            return
        value = self.evaluator.expr(node.value, self.scope)
        if isinstance(value, ClientValue) and value.type in self.kb.clients:
            self.function_stack[-1].returns.add(value.type)

    def visit_Assign(self, node: cst.Assign) -> None:
        """Module-level clients (``cache = redis.Redis(...)``) other modules import."""
        if self.scope.kind != "module" or not isinstance(node.value, cst.Call):
            return
        value = self.evaluator.expr(node.value, self.scope)
        if not isinstance(value, ClientValue):
            return
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self.instances.append((target.target.value, value.type))

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        walk(node.params, self)
        self.scope_stack.append(self.scopes[node])
        self.frames.append(Frame())
        walk(node.body, self)
        self.frames.pop()
        self.scope_stack.pop()
        return False

    # A comprehension runs where it stands (a `try` around it protects it), in a scope of its own.
    def visit_ListComp(self, node: cst.ListComp) -> None:
        self.scope_stack.append(self.scopes[node])

    def leave_ListComp(self, original_node: cst.ListComp) -> None:
        self.scope_stack.pop()

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self.scope_stack.append(self.scopes[node])

    def leave_SetComp(self, original_node: cst.SetComp) -> None:
        self.scope_stack.pop()

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self.scope_stack.append(self.scopes[node])

    def leave_DictComp(self, original_node: cst.DictComp) -> None:
        self.scope_stack.pop()

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self.scope_stack.append(self.scopes[node])

    def leave_GeneratorExp(self, original_node: cst.GeneratorExp) -> None:
        self.scope_stack.pop()

    def visit_Try(self, node: cst.Try) -> bool:
        return self._try(node)

    def visit_TryStar(self, node: cst.TryStar) -> bool:
        return self._try(node)

    def _try(self, node: cst.Try | cst.TryStar) -> bool:
        caught: set[str] = set()
        for handler in node.handlers:
            caught |= caught_names(handler.type, self.scope, self.evaluator)
        self.frame.caught.append(frozenset(caught))
        walk(node.body, self)
        self.frame.caught.pop()
        # Handlers, else and finally run outside the try's protection.
        for handler in node.handlers:
            walk(handler, self)
        if node.orelse is not None:
            walk(node.orelse, self)
        if node.finalbody is not None:
            walk(node.finalbody, self)
        return False

    def visit_With(self, node: cst.With) -> bool:
        bounded = off = False
        suppressed: set[str] = set()
        for item in node.items:
            if node.asynchronous is not None and isinstance(item.item, cst.Call):
                self.awaited.add(id(item.item))
            walk(item, self)
            if not isinstance(item.item, cst.Call):
                continue
            callee = self.evaluator.expr(item.item.func, self.scope)
            timeout = self._timeout_scope(callee)
            if timeout is not None and timeout.awaitable is None:
                none = self._unbounded(item.item, timeout)
                off |= none
                bounded |= not none
            elif isinstance(callee, Qual) and callee.name in _SUPPRESS:
                for arg in item.item.args:
                    suppressed |= caught_names(arg.value, self.scope, self.evaluator)
        self.frame.timeout_off += off
        targets = self._with_targets(node)
        self.frame.timeout_context += bounded
        if suppressed:
            self.frame.caught.append(frozenset(suppressed))
        walk(node.body, self)
        if suppressed:
            self.frame.caught.pop()
        self.frame.timeout_context -= bounded
        self.frame.timeout_off -= off
        for key in targets:
            self.evaluator.overrides[key].pop()
        return False

    def _with_targets(self, node: cst.With) -> list[tuple[int, str]]:
        """Inside the body, `s` of `with Session() as s` is that session (see Evaluator)."""
        keys = []
        for item in node.items:
            if item.asname is not None and isinstance(item.asname.name, cst.Name):
                value = self.evaluator.expr(item.item, self.scope)
                if isinstance(value, ClientValue):
                    key = (id(self.scope), item.asname.name.value)
                    self.evaluator.overrides.setdefault(key, []).append(value)
                    keys.append(key)
        return keys

    # -- calls ------------------------------------------------------------------------------

    def visit_Await(self, node: cst.Await) -> None:
        if isinstance(node.expression, cst.Call):
            self.awaited.add(id(node.expression))

    def visit_Call(self, node: cst.Call) -> bool:
        callee = self.evaluator.expr(node.func, self.scope)
        self._note_reference(node.func, callee)
        if isinstance(callee, Qual):
            timeout = self._timeout_scope(callee)
            if timeout is not None and timeout.awaitable is not None:
                return self._wait_for(node, timeout)
            found = self.kb.function(callee.name)
            if found is not None:
                self._function_call(node, found[0], found[1], callee.name, node)
            elif callee.name in self.kb.retries:
                self._retry(node, callee.name)
            elif any(fnmatch.fnmatchcase(callee.name, p) for p in self.named_patterns):
                self.named_calls.append((node, callee.name))
            else:
                self._unbound_method(node, callee.name)
            return True
        if isinstance(callee, PartialValue):
            self._partial(node, callee)
            return True
        if isinstance(callee, MethodValue):
            self._method_call(node, callee.client, callee.name, node)
            return True
        method = self.evaluator.method(node.func, self.scope)
        if method is not None:
            self._method_call(node, method[0], method[1], node)
        return True

    def _note_reference(self, func: cst.BaseExpression, callee: Value) -> None:
        """What project code this call may reach: the join's entries it depends on."""
        if isinstance(callee, Qual):
            found = self.kb.function(callee.name)
            if found is None or found[0].project:
                self.referenced.add(callee.name)
        elif isinstance(callee, MethodValue) and isinstance(func, cst.Attribute):
            # `cache.get()` with `from app.ext import cache`: a module-level client elsewhere.
            receiver = func.value
            if isinstance(receiver, cst.Name):
                for binding in self.scope.lookup(receiver.value) or ():
                    if isinstance(binding, Imported):
                        self.referenced.add(f"{binding.qualname}.{func.attr.value}")
        elif isinstance(callee, ClassValue):
            self.referenced.add(callee.scope.qualname())
        elif isinstance(func, cst.Name):
            for binding in self.scope.lookup(func.value) or ():
                if isinstance(binding, Defined):
                    self.referenced.add(f"{binding.scope.qualname()}.{binding.name}")
        elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            method = self.scope
            while method.kind != "function" or method.self_name is None:
                if method.parent is None or method.kind == "class":
                    return
                method = method.parent
            if func.value.value == method.self_name and method.owner_class is not None:
                self.referenced.add(f"{method.owner_class.qualname()}.{func.attr.value}")

    def _timeout_scope(self, callee: Value) -> TimeoutScope | None:
        if isinstance(callee, Qual):
            return self.kb.wrappers.timeout_scopes.get(callee.name)
        return None

    def _unbounded(self, call: cst.Call, timeout: TimeoutScope) -> bool:
        """``asyncio.timeout(None)``: the bound written down as no bound at all."""
        bound = find_argument(call, timeout.bound)
        return (
            timeout.none_is_unbounded
            and isinstance(bound, cst.Arg)
            and self.evaluator.expr(bound.value, self.scope) == Const(None)
        )

    def _wait_for(self, node: cst.Call, timeout: TimeoutScope) -> bool:
        """asyncio.wait_for(aw, timeout): the awaitable is bounded, unless timeout is None."""
        off = self._unbounded(node, timeout)
        walk(node.func, self)
        assert timeout.awaitable is not None
        awaitable = find_argument(node, timeout.awaitable)
        if isinstance(awaitable, cst.Arg) and isinstance(awaitable.value, cst.Call):
            self.awaited.add(id(awaitable.value))
        if off:
            self.frame.timeout_off += 1
        else:
            self.frame.timeout_context += 1
        for arg in node.args:
            walk(arg, self)
        if off:
            self.frame.timeout_off -= 1
        else:
            self.frame.timeout_context -= 1
        return False

    # -- resilience decorators --------------------------------------------------------------

    def _decorator(self, expr: cst.BaseExpression) -> bool:
        """Whether a decorator makes the function resilient; records retries for FM106."""
        target = expr.func if isinstance(expr, cst.Call) else expr
        value = self.evaluator.expr(target, self.scope)
        qualname = value.name if isinstance(value, Qual) else None
        if qualname is None and isinstance(target, cst.Name):
            qualname = self._maker_of(target)
        if qualname is None:
            return False
        if qualname in self.kb.retries and not isinstance(expr, cst.Call):
            self._retry(expr, qualname)  # bare @retry: no arguments, so no stop
        return self.kb.is_resilience(qualname)

    def _maker_of(self, name: cst.Name) -> str | None:
        """``breaker = pybreaker.CircuitBreaker(...)`` then ``@breaker``: pybreaker's."""
        bindings = self.scope.lookup(name.value)
        if not bindings or len(bindings) != 1:
            return None
        binding = bindings[0]
        if isinstance(binding, Assigned) and isinstance(binding.value, cst.Call):
            maker = self.evaluator.expr(binding.value.func, binding.scope)
            if isinstance(maker, Qual):
                return maker.name
        return None

    def _retry(self, node: cst.CSTNode, qualname: str) -> None:
        resilience = self.kb.retries[qualname]
        if not resilience.unbounded_by_default:
            return
        has_stop = False
        if isinstance(node, cst.Call):
            for arg in node.args:
                if arg.star == "**":
                    has_stop = True  # the stop may come through **kwargs
                elif arg.keyword is not None and arg.keyword.value in resilience.stop:
                    # `stop=stop_never` or `max_tries=None` are written-down "forever".
                    value = self.evaluator.expr(arg.value, self.scope)
                    forever = value == Const(None) or (
                        isinstance(value, Qual) and value.name in resilience.never
                    )
                    has_stop |= not forever
        self.retries.append(PendingRetry(node, qualname, has_stop, self.enclosing))
