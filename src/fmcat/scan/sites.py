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
from fmcat.scan.values import ClientValue, Const, Evaluator, Qual, method_spec

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
        bounded = False
        suppressed: set[str] = set()
        for item in node.items:
            item.visit(self)
            if isinstance(item.item, cst.Call):
                callee = self.evaluator.expr(item.item.func, self.scope)
                if isinstance(callee, Qual) and callee.name in _TIMEOUT_CONTEXTS:
                    first = find_argument(item.item, _DELAY)
                    none = (
                        isinstance(first, cst.Arg)
                        and isinstance(first.value, cst.Name)
                        and first.value.value == "None"
                    )
                    bounded |= not none
                elif isinstance(callee, Qual) and callee.name in _SUPPRESS:
                    for arg in item.item.args:
                        suppressed |= caught_names(arg.value, self.scope, self.evaluator)
        targets = self._with_targets(node)
        self.frame.timeout_context += bounded
        if suppressed:
            self.frame.caught.append(frozenset(suppressed))
        node.body.visit(self)
        if suppressed:
            self.frame.caught.pop()
        self.frame.timeout_context -= bounded
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

    def visit_Call(self, node: cst.Call) -> bool:
        callee = self.evaluator.expr(node.func, self.scope)
        if isinstance(callee, Qual):
            if callee.name in _WAIT_FOR:
                node.func.visit(self)
                self.frame.timeout_context += 1
                for arg in node.args:
                    arg.visit(self)
                self.frame.timeout_context -= 1
                return False
            found = self.kb.function(callee.name)
            if found is not None:
                self._function_call(node, found[0], found[1])
            elif callee.name in self.kb.retries:
                self._retry(node, callee.name)
            elif any(fnmatch.fnmatchcase(callee.name, p) for p in self.named_patterns):
                self.named_calls.append((node, callee.name))
            return True
        method = self.evaluator.method(node.func, self.scope)
        if method is not None:
            self._method_call(node, method[0], method[1])
        return True

    def _function_call(self, node: cst.Call, library: Library, spec: Call) -> None:
        client = self.kb.clients[spec.returns][1] if spec.returns in self.kb.clients else None
        connects = spec.fails and (
            spec.fails_if is None or find_argument(node, spec.fails_if) is not None
        )
        configures = client is not None and client.timeout_on in ("client", "either")
        if not connects and client is not None and any(m.configures_client for m in client.methods):
            configures = False  # FTP() then ftp.connect(host, timeout=...): judged at connect
        judged = self._judge(node, spec)
        if not connects and not configures:
            if client is not None:
                self.origins[node] = judged or Judged(TimeoutState.ELSEWHERE)
            return
        default = _default(spec, client, library)
        if judged is None:
            judged = self._absent(spec, default)
        # A client made without a timeout that waits forever is reported at its calls, where
        # the timeout can still be given; a finite default is reported here (FM107).
        if (
            client is not None
            and client.timeout_on == "either"
            and not connects
            and judged.state is TimeoutState.MISSING
        ):
            judged = Judged(TimeoutState.ELSEWHERE)
        site = PendingSite(
            node=node,
            role=Role.CALL if connects else Role.CLIENT,
            qualname=spec.name,
            library=library.name,
            judged=judged,
            default_seconds=default if judged.state is TimeoutState.DEFAULT else None,
            can_fail=connects,
            handled=connects and self._handled(library),
            url=self._url(node, spec),
            enclosing=self.enclosing,
            client_origin=None,
            timeout_hint=_hint(spec),
        )
        self.sites.append(site)
        if client is not None:
            self.origins[node] = site

    def _method_call(self, node: cst.Call, value: ClientValue, name: str) -> None:
        library, client = self.kb.clients[value.type]
        spec = method_spec(client, name)
        if spec is None:
            return
        judged = self._judge(node, spec)
        default = _default(spec, client, library)
        if judged is None:
            judged = (
                self._absent(spec, default)
                if spec.configures_client
                else self._inherited(client, value, spec, default)
            )
        if spec.returns and not spec.fails:
            self.origins[node] = judged
            return
        self.sites.append(
            PendingSite(
                node=node,
                role=Role.CALL,
                qualname=f"{client.name}.{name}",
                library=library.name,
                judged=judged,
                default_seconds=default if judged.state is TimeoutState.DEFAULT else None,
                can_fail=spec.fails,
                handled=spec.fails and self._handled(library),
                url=self._url(node, spec),
                enclosing=self.enclosing,
                client_origin=value.origin,
                timeout_hint=_hint(spec) if spec.timeout else _hint_for_client(client, self.kb),
            )
        )

    def _judge(self, node: cst.Call, spec: Call) -> Judged | None:
        judged = timeout_in_arguments(node, spec, self.evaluator, self.scope)
        if judged is None and self.frame.timeout_context:
            return Judged(TimeoutState.CONTEXT)
        if (
            judged is not None
            and judged.state is TimeoutState.DISABLED
            and self.frame.timeout_context
        ):
            return Judged(TimeoutState.CONTEXT)
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
        has_stop = isinstance(node, cst.Call) and any(
            (arg.keyword is not None and arg.keyword.value in resilience.stop) or arg.star == "**"
            for arg in node.args
        )
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
