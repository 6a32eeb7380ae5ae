"""Judging one external call: its timeout, whether it can fail, whether that is handled.

A mixin of SiteFinder (sites.py), which walks the module and keeps the context these methods
read: the scope, the enclosing try blocks and timeout contexts, the clients made so far.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from fmcat.scan.arguments import Judged, find_argument, judge_value
from fmcat.scan.facts import Role, TimeoutState
from fmcat.scan.handlers import handles, partial
from fmcat.scan.knowledge import Call, Client, KnowledgeBase, Library
from fmcat.scan.lookups import MAKERS, note
from fmcat.scan.names import dotted_name
from fmcat.scan.scope import Scope, passes_on
from fmcat.scan.timeouts import timeout_in_arguments
from fmcat.scan.url_source import format_head, url_source
from fmcat.scan.value_types import ClientValue, Const, PartialValue, Qual
from fmcat.scan.values import Evaluator, method_spec


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
    timeout_param: str = ""
    derived: bool = False
    partial_catch: tuple[str, ...] = ()
    url_source: str = ""


@dataclass
class Frame:
    """What is true of the code being visited, reset at each function boundary."""

    caught: list[frozenset[str]] = field(default_factory=list)
    timeout_context: int = 0
    #: Inside `asyncio.timeout(None)` or `wait_for(..., None)`: a bound written and switched off.
    timeout_off: int = 0
    resilient: bool = False
    #: The function's parameters (name -> position, None if keyword-only) and its ``**kwargs``:
    #: a timeout that comes from one makes the function a derived client.
    params: dict[str, int | None] = field(default_factory=dict)
    kwargs: str | None = None


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


class CallJudge:
    """The call-site half of SiteFinder; see there for the state it keeps."""

    kb: KnowledgeBase
    evaluator: Evaluator
    sites: list[PendingSite]
    origins: dict[cst.Call, PendingSite | Judged]
    awaited: set[int]
    #: pycurl-style option setters seen: (scope, receiver) -> the timeout set, and its param.
    setters: dict[tuple[int, str], tuple[Judged, str]]

    @property
    def scope(self) -> Scope:
        raise NotImplementedError

    @property
    def frame(self) -> Frame:
        raise NotImplementedError

    @property
    def enclosing(self) -> str:
        raise NotImplementedError

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
        if judged is None and not (
            spec.timeout
            or spec.dsn
            or spec.needs_context_timeout
            or spec.set_timeout_by
            or spec.default_is_set
        ):
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
        if client.setter is not None and name == client.setter:
            self._setter(node, client.timeout_options)
            return
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
        param = None
        if judged is None and library.project and not (spec.timeout or spec.default_is_set):
            judged = Judged(TimeoutState.ELSEWHERE)  # judged inside the project's method
        if judged is None and client.setter is not None:
            found = self.setters.get(self._receiver_key(node))
            if found is not None:
                judged, param = found
        if judged is None:
            judged = self.evaluator.patched_timeout(_receiver(node), self.scope, client)
        if judged is None:
            judged = self.evaluator.attribute_timeout(_receiver(node), self.scope, client)
        if judged is None:
            judged = (
                self._absent(spec, default)
                if spec.configures_client
                else self._inherited(client, value, spec, default)
            )
        judged = self._or_default(judged, spec, default)
        hint = _hint(spec) if spec.timeout else _hint_for_client(client, self.kb)
        if client.setter is not None and client.timeout_options:
            hint = f"{client.setter}({client.timeout_options[0]}, seconds) first"
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
            param,
        )

    def _receiver_key(self, node: cst.Call) -> tuple[int, str]:
        return id(self.scope), dotted_name(_receiver(node)) or ""

    def _setter(self, node: cst.Call, options: list[str]) -> None:
        """``c.setopt(pycurl.TIMEOUT, timeout)``: what the next ``c.perform()`` is bounded by."""
        if len(node.args) < 2 or node.args[0].star or node.args[1].star:
            return
        option = self.evaluator.expr(node.args[0].value, self.scope)
        if not (isinstance(option, Qual) and option.name in options):
            return
        value = node.args[1].value
        unit = 0.001 if option.name.endswith("_MS") else 1.0
        judged = judge_value(self.evaluator.expr(value, self.scope), unit)
        self.setters[self._receiver_key(node)] = (judged, self._param_of(value))

    def _param_of(self, expr: cst.BaseExpression) -> str:
        """The enclosing function's parameter ``expr`` is, if it is one, never rebound."""
        if not (isinstance(expr, cst.Name) and expr.value in self.frame.params):
            return ""
        bindings = self.scope.lookup(expr.value)
        return expr.value if bindings is not None and len(bindings) == 1 else ""

    def _timeout_param(self, arguments: cst.Call, spec: Call) -> str:
        for param in spec.timeout:
            arg = find_argument(arguments, param)
            if isinstance(arg, cst.Arg):
                return self._param_of(arg.value)
            if arg is not None:
                return ""
        kwargs = self.frame.kwargs
        for arg in arguments.args:
            if arg.star == "**" and isinstance(arg.value, cst.Name) and arg.value.value == kwargs:
                # `kwargs.setdefault("timeout", 5)` first changes it (scope.py): not passed on.
                keywords = {param.keyword for param in spec.timeout}
                return "**" if passes_on(self.scope.lookup(kwargs), keywords) else ""
        return ""

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
        timeout_param: str | None = None,
    ) -> PendingSite:
        handled = can_fail and self._handled(library)
        url = self._url(arguments, spec)
        # A literal URL says where the call goes; a prefix (an f-string's head) may not.
        source = "" if url is not None and not url.prefix else self._url_source(arguments, spec)
        site = PendingSite(
            node=node,
            role=role,
            qualname=qualname,
            library=library.name,
            judged=judged,
            default_seconds=default if judged.state is TimeoutState.DEFAULT else None,
            can_fail=can_fail,
            handled=handled,
            url=url,
            enclosing=self.enclosing,
            client_origin=origin,
            timeout_hint=hint,
            timeout_param=(
                timeout_param if timeout_param is not None else self._timeout_param(arguments, spec)
            ),
            derived=library.project,
            partial_catch=() if handled or not can_fail else self._partial_catch(library),
            url_source=source,
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
        if spec.default_is_set:
            return Judged(TimeoutState.SET, (default,) if default is not None else ())
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
        # Nested tries add up: an inner `except NNTPError` and an outer `except OSError`.
        return self.frame.resilient or handles(frozenset().union(*self.frame.caught), library)

    def _partial_catch(self, library: Library) -> tuple[str, ...]:
        names: set[str] = set()
        for caught in self.frame.caught:
            names.update(partial(caught, library))
        return tuple(sorted(names))

    def _url(self, node: cst.Call, spec: Call) -> Const | None:
        if spec.url is None:
            return None
        arg = find_argument(node, spec.url)
        if not isinstance(arg, cst.Arg):
            return None
        value = self.evaluator.expr(arg.value, self.scope)
        if isinstance(value, Const) and isinstance(value.value, str):
            return value
        head = format_head(arg.value, self.scope)
        return Const(head, prefix=True) if head is not None else None

    def _url_source(self, node: cst.Call, spec: Call) -> str:
        """The setting or environment variable the URL argument comes from (url_source.py)."""
        if spec.url is None:
            return ""
        arg = find_argument(node, spec.url)
        return url_source(arg.value, self.scope) if isinstance(arg, cst.Arg) else ""


def _hint(spec: Call) -> str:
    if spec.set_timeout_by:
        return spec.set_timeout_by
    if spec.timeout:
        return f"{spec.timeout[0].keyword}="
    if spec.needs_context_timeout:
        return "asyncio.wait_for(..., timeout) or async with asyncio.timeout(...)"
    return ""


def _hint_for_client(client: Client, kb: KnowledgeBase) -> str:
    """A method with no timeout of its own: the client's maker is where it goes."""
    note(MAKERS + client.name)
    for lib in kb.library:
        for maker in lib.functions:
            if maker.returns == client.name and maker.timeout:
                return f"{maker.timeout[0].keyword}= when making the {client.name}"
    return ""


def _receiver(node: cst.Call) -> cst.BaseExpression:
    return node.func.value if isinstance(node.func, cst.Attribute) else node.func
