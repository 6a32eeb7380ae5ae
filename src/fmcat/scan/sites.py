"""Pass two over a module: every external call, with its timeout and its handling."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

import libcst as cst

from fmcat.scan.facts import Role, TimeoutState
from fmcat.scan.handlers import caught_names, handles
from fmcat.scan.knowledge import Call, Client, KnowledgeBase, Library, Param
from fmcat.scan.scope import Assigned, Scope
from fmcat.scan.timeouts import Judged, find_argument, timeout_in_arguments
from fmcat.scan.values import (
    ClientValue,
    Const,
    Evaluator,
    MethodValue,
    PartialValue,
    Qual,
    method_spec,
)

#: Calls whose arguments are bounded in time: asyncio.wait_for(aw, timeout).
_WAIT_FOR = frozenset({"asyncio.wait_for", "asyncio.tasks.wait_for"})
#: Context managers whose body is bounded in time.
_TIMEOUT_CONTEXTS = frozenset(
    {
        "asyncio.timeout",
        "asyncio.timeout_at",
        "asyncio.timeouts.timeout",
        "async_timeout.timeout",
        "anyio.fail_after",
        "anyio.move_on_after",
        "trio.fail_after",
        "trio.move_on_after",
    }
)
_SUPPRESS = frozenset({"contextlib.suppress"})
#: Their first argument is the delay; `None` means no bound at all.
_DELAY = Param("delay", 0)
_WAIT_FOR_TIMEOUT = Param("timeout", 1)


@dataclass
class PendingSite:
    """A site before positions are known (they are computed only for files that have sites)."""

    node: cst.Call
    role: Role
    qualname: str
    library: str
    judged: Judged
    default_seconds: float | None
    can_fail: bool
    handled: bool
    url: Const | None
    enclosing: str
    client_origin: cst.Call | None
    timeout_hint: str = ""


@dataclass
class PendingRetry:
    node: cst.CSTNode
    qualname: str
    has_stop: bool
    enclosing: str


@dataclass
class _Frame:
    """What is true of the code being visited, reset at each function boundary."""

    caught: list[frozenset[str]] = field(default_factory=list)
    timeout_context: int = 0
    #: Inside `asyncio.timeout(None)` or `wait_for(..., None)`: a bound written and switched off.
    timeout_off: int = 0
    resilient: bool = False


def _default(spec: Call, client: Client | None, library: Library) -> float | None:
    """The timeout that applies when none is given: the most specific entry that says."""
    candidates = (
        spec.default_timeout,
        client.default_timeout if client is not None else None,
        library.default_timeout,
    )
    for value in candidates:
        if value is not None:
            return None if value == "none" else float(value)
    return None


class SiteFinder(cst.CSTVisitor):
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
        self.frames = [_Frame()]
        self.named_patterns = named_patterns
        self.sites: list[PendingSite] = []
        self.retries: list[PendingRetry] = []
        self.named_calls: list[tuple[cst.Call, str]] = []
        #: Constructor calls seen, so method calls can inherit the client's timeout state.
        self.origins: dict[cst.Call, PendingSite | Judged] = {}
        #: Calls that are awaited (or entered with `async with`): what asyncio bounds can cancel.
        self.awaited: set[int] = set()

    @property
    def scope(self) -> Scope:
        return self.scope_stack[-1]

    @property
    def frame(self) -> _Frame:
        return self.frames[-1]

    @property
    def enclosing(self) -> str:
        return ".".join(self.names)

    # -- structure --------------------------------------------------------------------------

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        for decorator in node.decorators:
            decorator.visit(self)
        for arg in node.bases:
            arg.visit(self)
        self.scope_stack.append(self.scopes[node])
        self.names.append(node.name.value)
        node.body.visit(self)
        self.names.pop()
        self.scope_stack.pop()
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        resilient = False
        for decorator in node.decorators:
            decorator.visit(self)
            resilient |= self._decorator(decorator.decorator)
        node.params.visit(self)
        self.scope_stack.append(self.scopes[node])
        self.names.append(node.name.value)
        self.frames.append(_Frame(resilient=resilient))
        node.body.visit(self)
        self.frames.pop()
        self.names.pop()
        self.scope_stack.pop()
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        node.params.visit(self)
        self.scope_stack.append(self.scopes[node])
        self.frames.append(_Frame())
        node.body.visit(self)
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
        node.body.visit(self)
        self.frame.caught.pop()
        # Handlers, else and finally run outside the try's protection.
        for handler in node.handlers:
            handler.visit(self)
        if node.orelse is not None:
            node.orelse.visit(self)
        if node.finalbody is not None:
            node.finalbody.visit(self)
        return False

    def visit_With(self, node: cst.With) -> bool:
        bounded = off = False
        suppressed: set[str] = set()
        for item in node.items:
            if node.asynchronous is not None and isinstance(item.item, cst.Call):
                self.awaited.add(id(item.item))
            item.visit(self)
            if not isinstance(item.item, cst.Call):
                continue
            callee = self.evaluator.expr(item.item.func, self.scope)
            if isinstance(callee, Qual) and callee.name in _TIMEOUT_CONTEXTS:
                delay = find_argument(item.item, _DELAY)
                none = isinstance(delay, cst.Arg) and self.evaluator.expr(
                    delay.value, self.scope
                ) == Const(None)
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
        node.body.visit(self)
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
        if isinstance(callee, Qual):
            if callee.name in _WAIT_FOR:
                return self._wait_for(node)
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

    def _wait_for(self, node: cst.Call) -> bool:
        """asyncio.wait_for(aw, timeout): the awaitable is bounded, unless timeout is None."""
        timeout = find_argument(node, _WAIT_FOR_TIMEOUT)
        off = isinstance(timeout, cst.Arg) and self.evaluator.expr(
            timeout.value, self.scope
        ) == Const(None)
        node.func.visit(self)
        if node.args and isinstance(node.args[0].value, cst.Call):
            self.awaited.add(id(node.args[0].value))
        if off:
            self.frame.timeout_off += 1
        else:
            self.frame.timeout_context += 1
        for arg in node.args:
            arg.visit(self)
        if off:
            self.frame.timeout_off -= 1
        else:
            self.frame.timeout_context -= 1
        return False

    def _unbound_method(self, node: cst.Call, qualname: str) -> None:
        """``requests.Session.get(session, url)``: a method called through its class."""
        owner, _, name = qualname.rpartition(".")
        if owner not in self.kb.clients or not node.args or node.args[0].star:
            return
        value = self.evaluator.expr(node.args[0].value, self.scope)
        if not (isinstance(value, ClientValue) and value.type == owner):
            value = ClientValue(owner)
        self._method_call(node, value, name, node.with_changes(args=node.args[1:]))

    def _partial(self, node: cst.Call, partial: PartialValue) -> None:
        """``functools.partial(requests.get, timeout=5)(url)``: the wrapped call, merged."""
        found = self.kb.function(partial.function.name)
        if found is None:
            return
        every = [*partial.maker.args[1:], *node.args]
        # Positional arguments first, as libcst (and Python) require of a call.
        positional = [a for a in every if a.keyword is None and not a.star]
        rest = [a for a in every if a.keyword is not None or a.star]
        merged = cst.Call(func=partial.maker.args[0].value, args=[*positional, *rest])
        self._function_call(node, found[0], found[1], partial.function.name, merged)

    def _function_call(
        self, node: cst.Call, library: Library, spec: Call, qualname: str, arguments: cst.Call
    ) -> None:
        """A module-level function: a network call, a client maker, or both (a connect)."""
        client = self.kb.clients[spec.returns][1] if spec.returns in self.kb.clients else None
        connects = spec.fails and (
            spec.fails_if is None or find_argument(arguments, spec.fails_if) is not None
        )
        configures = client is not None and client.timeout_on in ("client", "either")
        if not connects and client is not None and any(m.configures_client for m in client.methods):
            configures = False  # FTP() then ftp.connect(host, timeout=...): judged at connect
        judged = self._judge(node, arguments, spec)
        if not connects and not configures:
            if client is not None:
                self.origins[node] = judged or Judged(TimeoutState.ELSEWHERE)
            return
        default = _default(spec, client, library)
        if judged is None and not (spec.timeout or spec.dsn or spec.needs_context_timeout):
            # No timeout of its own (`helpers.bulk(es, ...)`): it goes through a client given
            # to it, which is judged where it is made.
            judged = Judged(TimeoutState.ELSEWHERE)
        judged = self._or_default(judged, spec, default)
        # A client made without a timeout that waits forever is reported at its calls, where
        # the timeout can still be given; a finite default is reported here (FM107).
        if (
            client is not None
            and client.timeout_on == "either"
            and not connects
            and judged.state is TimeoutState.MISSING
        ):
            judged = Judged(TimeoutState.ELSEWHERE)
        site = self._add(
            node,
            arguments,
            Role.CALL if connects else Role.CLIENT,
            qualname,
            library,
            spec,
            judged,
            default,
            connects,
            None,
            _hint(spec),
        )
        if client is not None:
            self.origins[node] = site

    def _method_call(
        self, node: cst.Call, value: ClientValue, name: str, arguments: cst.Call
    ) -> None:
        library, client = self.kb.clients[value.type]
        spec = method_spec(client, name)
        if spec is None:
            return
        qualname = f"{value.shown}.{name}"
        judged = self._judge(node, arguments, spec)
        default = _default(spec, client, library)
        if spec.returns and not spec.fails:
            # A client made from a client (`session.client("s3", config=...)`,
            # `es.options(request_timeout=...)`): reported when it sets a timeout of its own, or
            # when its maker leaves every call to set one (boto3's Session).
            made = self.kb.clients.get(spec.returns)
            if judged is None and client.timeout_on == "call" and spec.timeout:
                judged = self._or_default(None, spec, default)
            if judged is not None and made is not None and spec.timeout:
                judged = self._or_default(judged, spec, default)
                self.origins[node] = self._add(
                    node,
                    arguments,
                    Role.CLIENT,
                    qualname,
                    library,
                    spec,
                    judged,
                    default,
                    False,
                    value.origin,
                    _hint(spec),
                )
            else:
                self.origins[node] = self._inherited(client, value, spec, default)
            return
        if judged is None and self.evaluator.is_patched(_receiver(node), self.scope):
            judged = Judged(TimeoutState.SET)  # s.request = functools.partial(..., timeout=5)
        if judged is None:
            judged = (
                self._absent(spec, default)
                if spec.configures_client
                else self._inherited(client, value, spec, default)
            )
        judged = self._or_default(judged, spec, default)
        hint = _hint(spec) if spec.timeout else _hint_for_client(client, self.kb)
        self._add(
            node,
            arguments,
            Role.CALL,
            qualname,
            library,
            spec,
            judged,
            default,
            spec.fails,
            value.origin,
            hint,
        )

    def _add(
        self,
        node: cst.Call,
        arguments: cst.Call,
        role: Role,
        qualname: str,
        library: Library,
        spec: Call,
        judged: Judged,
        default: float | None,
        can_fail: bool,
        origin: cst.Call | None,
        hint: str,
    ) -> PendingSite:
        site = PendingSite(
            node=node,
            role=role,
            qualname=qualname,
            library=library.name,
            judged=judged,
            default_seconds=default if judged.state is TimeoutState.DEFAULT else None,
            can_fail=can_fail,
            handled=can_fail and self._handled(library),
            url=self._url(arguments, spec),
            enclosing=self.enclosing,
            client_origin=origin,
            timeout_hint=hint,
        )
        self.sites.append(site)
        return site

    def _or_default(self, judged: Judged | None, spec: Call, default: float | None) -> Judged:
        """No timeout given (or a timeout object given none): the library's default applies."""
        if judged is None or (judged.state is TimeoutState.DEFAULT and not judged.seconds):
            return self._absent(spec, default)
        return judged

    def _judge(self, node: cst.Call, arguments: cst.Call, spec: Call) -> Judged | None:
        judged = timeout_in_arguments(arguments, spec, self.evaluator, self.scope)
        # asyncio.timeout / wait_for cancel what is awaited; a blocking call inside runs on.
        awaited = id(node) in self.awaited
        unbounded = judged is None or judged.state is TimeoutState.DISABLED
        if awaited and self.frame.timeout_context and unbounded:
            return Judged(TimeoutState.CONTEXT)
        if awaited and self.frame.timeout_off and judged is None:
            return Judged(TimeoutState.DISABLED)
        return judged

    def _absent(self, spec: Call, default: float | None) -> Judged:
        if spec.needs_context_timeout or default is None:
            return Judged(TimeoutState.MISSING)
        return Judged(TimeoutState.DEFAULT, (default,))

    def _inherited(
        self, client: Client, value: ClientValue, spec: Call, default: float | None
    ) -> Judged:
        if client.timeout_on == "call":
            return self._absent(spec, default)
        origin = self.origins.get(value.origin) if value.origin is not None else None
        if origin is None:
            return Judged(TimeoutState.UNKNOWN)  # made elsewhere: its maker is checked there
        made = origin.judged if isinstance(origin, PendingSite) else origin
        if client.timeout_on == "either" and made.state in (
            TimeoutState.MISSING,
            TimeoutState.ELSEWHERE,
        ):
            return self._absent(spec, default)
        return Judged(TimeoutState.ELSEWHERE, made.seconds)

    def _handled(self, library: Library) -> bool:
        frame = self.frame
        return frame.resilient or any(handles(caught, library) for caught in frame.caught)

    def _url(self, node: cst.Call, spec: Call) -> Const | None:
        if spec.url is None:
            return None
        arg = find_argument(node, spec.url)
        if not isinstance(arg, cst.Arg):
            return None
        value = self.evaluator.expr(arg.value, self.scope)
        if isinstance(value, Const) and isinstance(value.value, str):
            return value
        return None

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


def _hint(spec: Call) -> str:
    if spec.timeout:
        return f"{spec.timeout[0].keyword}="
    if spec.needs_context_timeout:
        return "asyncio.wait_for(..., timeout) or async with asyncio.timeout(...)"
    return ""


def _hint_for_client(client: Client, kb: KnowledgeBase) -> str:
    """A method with no timeout of its own: the client's maker is where it goes."""
    for lib in kb.library:
        for maker in lib.functions:
            if maker.returns == client.name and maker.timeout:
                return f"{maker.timeout[0].keyword}= when making the {client.name}"
    return ""


def _receiver(node: cst.Call) -> cst.BaseExpression:
    return node.func.value if isinstance(node.func, cst.Attribute) else node.func
