"""What the scan learns about a file: its external call sites, as plain, cacheable data.

The rules read these facts; they never see a syntax tree. That keeps each rule a few lines,
lets the per-file cache store facts rather than findings, and lets a change of catalog re-run
attribution without re-parsing anything.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class TimeoutState(StrEnum):
    SET = "set"  # given in code (a value, a computed expression, a timeout object)
    MISSING = "missing"  # not given, and the library waits forever
    DISABLED = "disabled"  # given as None or 0, or a timeout object with everything off
    DEFAULT = "default"  # not given; the library's finite default applies
    UNKNOWN = "unknown"  # may come through **kwargs or a client made elsewhere
    CONTEXT = "context"  # bounded by asyncio.wait_for / asyncio.timeout around it
    ELSEWHERE = "elsewhere"  # set (or reported) where the client is made
    CONFIG = "config"  # carried by a URL or DSN from configuration fmcat cannot read (FM109)


class Role(StrEnum):
    CALL = "call"  # goes over the network now
    CLIENT = "client"  # makes a client whose timeout is configured here


@dataclass(frozen=True)
class Span:
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Site:
    """One external call, or one client construction that configures a timeout."""

    span: Span
    role: Role
    qualname: str  # requests.get, requests.Session.get, redis.Redis
    library: str
    timeout: TimeoutState
    #: The timeout's value in seconds when it is a literal or constant (per phase for tuples).
    timeout_values: tuple[float, ...] = ()
    #: The library default in seconds when that is what applies.
    default_seconds: float | None = None
    can_fail: bool = False
    handled: bool = False
    url: str | None = None
    url_is_prefix: bool = False
    #: Qualified name of the function the call is in (module.Class.method).
    enclosing: str = ""
    #: Index of the site that made the client this call goes through, if seen in this file.
    client_site: int | None = None
    #: The call's source text with whitespace collapsed (for baseline fingerprints).
    text: str = ""
    #: How to give this call or client a timeout, for messages: `timeout=`, `socket_timeout=`.
    timeout_hint: str = ""
    #: The enclosing function's parameter that supplies this call's timeout (``**`` for a
    #: ``**kwargs`` passed on), when one does: what makes the function a derived client.
    timeout_param: str = ""
    #: A call to a project function or class that wraps a client (a derived client).
    derived: bool = False
    #: Exceptions of the library the enclosing handlers catch when they miss its family root
    #: (``requests.HTTPError`` alone): the call is not handled, and the message says so.
    partial_catch: tuple[str, ...] = ()
    #: The setting or environment variable the URL comes from, when the code names one and
    #: the URL is not a literal: `settings.PAYMENT_URL`, `$CACHE_URL` (url_source.py).
    url_source: str = ""
    #: A timeout argument read from configuration, as written (`timeout=settings.X`): the
    #: call has a bound whose value fmcat cannot see (FM109).
    timeout_source: str = ""


@dataclass(frozen=True)
class Parameter:
    """A parameter of a project function, as a derived client's table entry needs it."""

    name: str
    #: 0-based position among positional parameters (``self`` not counted), None if keyword-only.
    position: int | None
    #: "required", "none" (defaults to None), "set" (any other default), or a number of seconds.
    default: str | float = "required"


@dataclass(frozen=True)
class FunctionSummary:
    """What the whole-project join needs of a function or method defined in the file."""

    qualname: str
    span: Span
    params: tuple[Parameter, ...] = ()
    is_method: bool = False
    #: Client types its return statements give (a factory).
    returns: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClassSummary:
    qualname: str
    span: Span
    #: Client types (library or project) among its bases.
    bases: tuple[str, ...] = ()
    #: The methods it defines (an override of a base client's method may set a timeout).
    methods: tuple[str, ...] = ()


@dataclass
class Summary:
    """Per-file input of the whole-project join (project.py); cached with the facts."""

    functions: list[FunctionSummary] = field(default_factory=list)
    classes: list[ClassSummary] = field(default_factory=list)
    #: Module-level names bound to a client: (name, client type).
    instances: list[tuple[str, str]] = field(default_factory=list)
    #: Every module the file imports from (qualified, as written or resolved).
    imports: list[str] = field(default_factory=list)
    #: Qualified names of the project functions and classes its calls may reach: which
    #: derived entries it depends on (reach.file_key).
    referenced: list[str] = field(default_factory=list)
    #: The names its analysis asked the table for, found or not (lookups.py), those that a
    #: derived entry may answer: what it is analysed again for (reach.file_key).
    looked_up: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RetryDecorator:
    span: Span
    qualname: str
    has_stop: bool
    enclosing: str = ""


@dataclass(frozen=True)
class Consumer:
    """A message consumer and what it does with a delivery (fmcat/frameworks/delivery.py)."""

    span: Span
    #: celery.shared_task, pika.channel.Channel.basic_consume, kafka.KafkaConsumer ...
    qualname: str
    #: The task function or callback (module.function), or the enclosing function.
    name: str
    #: When the message is acknowledged: "before" processing, "after" it, or "unknown".
    acks: str
    #: Why, for messages: "acks_late is not set (Celery's default is False)".
    acks_reason: str
    #: Whether the code makes the message be delivered or run again on failure, and how.
    retries: str = ""
    #: Most deliveries of one message the code allows (None: not bounded in code, or unknown).
    max_deliveries: int | None = None
    max_reason: str = ""
    #: Where the consumed queue dead-letters to, as declared in the code (pika's
    #: x-dead-letter-exchange and x-dead-letter-routing-key, literal names; "?" for one that is
    #: not a literal); () when it is declared without, None when no declaration was seen.
    dead_letter: tuple[str, ...] | None = None


@dataclass(frozen=True)
class RetryPolicy:
    """A retry in code and how many attempts it makes (FM111)."""

    span: Span
    #: tenacity.retry, backoff.on_exception, stamina.retry, urllib3.Retry, celery max_retries ...
    qualname: str
    #: Total attempts, the first included (None: unbounded or not known).
    attempts: int | None
    #: Function whose calls it retries (module.function), or "" when it is a client's.
    scope: str = ""
    #: The library whose calls it retries when it is a client's setting (stripe, urllib3).
    library: str = ""
    #: A user-level retry re-runs the whole function (FM112); an SDK's own retries do not.
    user_level: bool = True
    #: urllib3 Retry: whether POST is among the methods retried.
    retries_post: bool = False


@dataclass(frozen=True)
class RetriedCall:
    """A call that creates something (a POST, an SDK create or charge) inside a retry (FM112)."""

    span: Span
    #: Describes the retry around it, for messages: "tenacity.retry (line 4)".
    retry: str
    #: An idempotency key reaches the call: idempotency_key=, an Idempotency-Key header.
    has_key: bool
    #: The call's text and its function's, to look for an operation's declared key.
    text: str = ""
    #: The library call, when the framework pass resolved it and the scan has no site for it:
    #: ``requests.post`` called through ``request_func = requests.post``.
    library: str = ""
    #: How the retry reaches a request decided at run time, when the finding is on the retrying
    #: call: "self.run sends Request(self.method, ...) (line 414), and the hook's ...".
    via: str = ""


@dataclass(frozen=True)
class ParseError:
    span: Span
    message: str


@dataclass
class FileFacts:
    path: str
    module: str
    sites: list[Site] = field(default_factory=list)
    retries: list[RetryDecorator] = field(default_factory=list)
    #: Calls to functions the catalog names by `call:` (wrappers, SDKs): attribution only.
    named_calls: list[tuple[Span, str, str]] = field(default_factory=list)
    parse_error: ParseError | None = None
    #: line -> codes suppressed there (empty tuple: every code).
    suppressions: dict[int, tuple[str, ...]] = field(default_factory=dict)
    parsed: bool = False
    #: Filled by the framework post-pass (fmcat/frameworks), after the cache: never cached.
    consumers: list[Consumer] = field(default_factory=list)
    retry_policies: list[RetryPolicy] = field(default_factory=list)
    retried_calls: list[RetriedCall] = field(default_factory=list)
    #: The derived-client entries this file was analysed with (reach.file_key).
    derived_key: str = ""
    #: The table's answers to the names its analysis asked for (reach.lookup_key).
    lookup_key: str = ""
    summary: Summary = field(default_factory=Summary)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileFacts:
        def span(d: dict[str, Any]) -> Span:
            return Span(**d)

        sites = [
            Site(
                **{
                    **s,
                    "span": span(s["span"]),
                    "role": Role(s["role"]),
                    "timeout": TimeoutState(s["timeout"]),
                    "timeout_values": tuple(s["timeout_values"]),
                    "partial_catch": tuple(s["partial_catch"]),
                }
            )
            for s in data["sites"]
        ]
        retries = [RetryDecorator(**{**r, "span": span(r["span"])}) for r in data["retries"]]
        named = [(span(n[0]), n[1], n[2]) for n in data["named_calls"]]
        error = data["parse_error"]
        raw = data["summary"]
        summary = Summary(
            functions=[
                FunctionSummary(
                    **{
                        **f,
                        "span": span(f["span"]),
                        "params": tuple(Parameter(**p) for p in f["params"]),
                        "returns": tuple(f["returns"]),
                    }
                )
                for f in raw["functions"]
            ],
            classes=[
                ClassSummary(c["qualname"], span(c["span"]), tuple(c["bases"]), tuple(c["methods"]))
                for c in raw["classes"]
            ],
            instances=[(i[0], i[1]) for i in raw["instances"]],
            imports=list(raw["imports"]),
            referenced=list(raw["referenced"]),
            looked_up=list(raw["looked_up"]),
        )
        return cls(
            path=data["path"],
            module=data["module"],
            sites=sites,
            retries=retries,
            named_calls=named,
            parse_error=ParseError(span(error["span"]), error["message"]) if error else None,
            suppressions={int(k): tuple(v) for k, v in data["suppressions"].items()},
            parsed=data["parsed"],
            derived_key=data["derived_key"],
            lookup_key=data["lookup_key"],
            summary=summary,
        )
