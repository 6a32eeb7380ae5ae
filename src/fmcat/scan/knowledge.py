"""The client knowledge base: what fmcat knows about each client library, as data.

The built-in table is ``clients.toml`` beside this module; users extend it with the same keys
under ``[[tool.fmcat.clients]]`` in pyproject.toml. This module is the schema of both: a reader
who wants to know what fmcat believes about ``redis`` reads the TOML, not the visitors.

Vocabulary:

- a *function* is a module-level callable that goes over the network (``requests.get``) or
  creates a client object (``requests.Session``, ``redis.Redis``, ``psycopg.connect``);
- a *client* is the type of such an object; its *methods* are the calls made through it;
- a *parameter* is written ``keyword`` or ``keyword@N``, N being its 0-based position among the
  positional arguments (``timeout@2`` for ``urlopen(url, data, timeout)``);
- a *timeout object* is a value that carries timeouts (``httpx.Timeout``,
  ``aiohttp.ClientTimeout``, ``botocore.config.Config``): passing one counts as a timeout unless
  it switches them off.
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from fmcat.errors import ConfigError
from fmcat.scan.lookups import MODULES, Noted, note
from fmcat.schema_messages import Key, problems

Loc = tuple[Key, ...]


@dataclass(frozen=True)
class Param:
    keyword: str
    position: int | None = None

    @classmethod
    def parse(cls, value: object) -> Param:
        if isinstance(value, Param):
            return value
        if isinstance(value, dict) and isinstance(value.get("keyword"), str):
            return cls(value["keyword"], value.get("position"))  # a model_dump round trip
        if not isinstance(value, str) or not value:
            raise ValueError("a parameter is written `keyword` or `keyword@position`")
        keyword, _, position = value.partition("@")
        if position and not position.isdigit():
            raise ValueError(f"{value!r}: the position after @ must be a number")
        return cls(keyword, int(position) if position else None)

    def __str__(self) -> str:
        return self.keyword if self.position is None else f"{self.keyword}@{self.position}"


ParamSpec = Annotated[Param, BeforeValidator(Param.parse)]
#: Seconds; "none" means the library waits forever unless told otherwise.
DefaultTimeout = float | Literal["none"]


class Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Call(Entry):
    """A function or a method that matters to the scan."""

    name: str = Field(description="Qualified for functions (requests.get), bare for methods")
    timeout: list[ParamSpec] = Field(
        default_factory=list, description="Parameters any of which sets the call's timeout"
    )
    timeout_unit: float = Field(1.0, description="Seconds per unit (0.001 for *_ms parameters)")
    #: For connection strings: a key inside the string argument that sets the timeout.
    dsn: ParamSpec | None = None
    dsn_timeout_key: str | None = None
    url: ParamSpec | None = Field(None, description="The argument naming the remote end")
    fails: bool = Field(True, description="Can raise the library's errors at run time (FM103)")
    fails_if: ParamSpec | None = Field(
        None, description="Fails only when this argument is given: SMTP(host) connects, SMTP() not"
    )
    returns: str | None = Field(None, description="The client type this call creates")
    default_timeout: DefaultTimeout | None = Field(
        None, description="Overrides the library's default for this call"
    )
    #: The call takes no timeout at all: only asyncio.wait_for/asyncio.timeout around it bound it.
    needs_context_timeout: bool = False
    #: The call takes no timeout parameter, and the timeout is set some other way that the scan
    #: cannot see (`sg.client.timeout = 10`, `stripe.default_http_client = ...`): it is judged
    #: as given none, so the library's default applies (FM101 or FM107), and the finding names
    #: this as the way to set one.
    set_timeout_by: str | None = None
    #: A method that connects and sets the client's timeout for the calls after it
    #: (``ftp = FTP(); ftp.connect(host, timeout=10)``): judged here, not where the client is made.
    configures_client: bool = False
    #: The default of its timeout parameter is the project's choice (a derived client's
    #: ``timeout=5``, or a wrapper that always sets one): a call without it is bounded.
    default_is_set: bool = False


class Client(Entry):
    """A client object type and the calls made through it."""

    name: str = Field(description="Qualified name of the type, e.g. requests.Session")
    #: Where its timeout is set: on each `call` (requests.Session), on the `client` when it is
    #: created (redis.Redis), or `either` (httpx.Client: created with one, or per call).
    timeout_on: Literal["call", "client", "either"]
    methods: list[Call] = Field(default_factory=list, description="Network methods")
    #: Every method but `local_methods` goes over the network (redis, pymongo collections).
    any_method: bool = False
    local_methods: list[str] = Field(default_factory=list)
    default_timeout: DefaultTimeout | None = None
    #: The client type of its other attributes and items: a pymongo client's databases
    #: (``mongo.shop`` or ``mongo["shop"]``), a database's collections, elasticsearch's
    #: namespaces (``es.indices``), a boto3 resource's sub-resources (``s3.Bucket(name)``).
    attribute_type: str | None = None
    #: A method that sets options, and the options that set the timeout: pycurl's
    #: ``c.setopt(pycurl.TIMEOUT, 10)`` bounds the ``c.perform()`` after it.
    setter: str | None = None
    timeout_options: list[str] = Field(default_factory=list)
    #: Attributes that, assigned on the client, bound every call through it: dnspython's
    #: ``resolver.lifetime = 3``.
    timeout_attributes: list[str] = Field(default_factory=list)


class TimeoutObject(Entry):
    """A value that carries timeouts; disabled when every listed parameter is None/absent."""

    name: str
    params: list[ParamSpec]
    #: Constructing it with no timeout argument at all means: the library default, not "off".
    empty_means_default: bool = True


class DefaultChange(Entry):
    """A default timeout that a later version of the library changed: the table keeps the older,
    unsafe default (fmcat cannot know which version a project runs), and FM101 says both."""

    version: str = Field(description="The first version with the new default, e.g. 8.0")
    seconds: float


class Library(Entry):
    name: str
    modules: list[str] = Field(description="Import roots; a file importing none is not parsed")
    exceptions: list[str] = Field(
        description="Handler types that catch its failures, base classes such as OSError included"
    )
    #: A second family of errors its calls raise beside the first, that no entry of
    #: `exceptions` catches: nntplib's raw OSErrors beside NNTPError (an Exception). Handling
    #: then takes a handler for each family (`except (NNTPError, OSError)`).
    also_raises: list[str] = Field(default_factory=list)
    #: Libraries whose exceptions its calls let through unchanged (Django's mail: smtplib's), so
    #: that a handler naming one of their subclasses (`except smtplib.SMTPException`) is known
    #: for a partial catch, as one naming the library's own would be.
    raised_through: list[str] = Field(default_factory=list)
    default_timeout: DefaultTimeout = Field(description="Seconds, or none: waits forever")
    default_changed: DefaultChange | None = None
    functions: list[Call] = Field(default_factory=list)
    clients: list[Client] = Field(default_factory=list)
    timeout_objects: list[TimeoutObject] = Field(default_factory=list)
    #: Other import paths of the same objects: {"requests.api.get": "requests.get"}.
    aliases: dict[str, str] = Field(default_factory=dict)
    #: Derived from the project's own code (project.py): a wrapper of this library.
    project: bool = False


class Resilience(Entry):
    """A resilience library: decorating a function with it counts as handling its failures."""

    name: str
    modules: list[str]
    #: Retry decorators or objects, and the keywords that bound them (FM106).
    retries: list[str] = Field(default_factory=list)
    stop: list[str] = Field(default_factory=list)
    #: Values of a stop keyword that mean "never stop" (tenacity.stop_never).
    never: list[str] = Field(default_factory=list)
    #: True when a retry with none of `stop` given retries forever (tenacity, backoff).
    unbounded_by_default: bool = True


class Framework(Entry):
    """A framework whose decorator keyword declares the failures it handles: Celery's
    ``@app.task(autoretry_for=(RequestException,))`` retries the task on them."""

    name: str
    keywords: list[str]


class TimeoutScope(Entry):
    """A call that bounds the time of what it wraps (wrappers.toml): a context manager's body,
    or the awaitable it is given."""

    name: str
    bound: ParamSpec = Field(description="The parameter that gives the bound")
    awaitable: ParamSpec | None = Field(
        None, description="The awaitable it bounds (wait_for's); none for a context manager"
    )
    none_is_unbounded: bool = Field(description="`None` as the bound means no bound at all")


class Partial(Entry):
    """``functools.partial(requests.get, timeout=5)``: a callable with arguments preset."""

    name: str
    function: ParamSpec = Field(description="The callable it wraps")


class HandsBack(Entry):
    """A method that returns the argument it was given (``ExitStack.enter_context(cm)``)."""

    name: str = Field(description="Qualified: the type, then the method")
    argument: ParamSpec


class Wrappers(Entry):
    """Calls that wrap other calls: the table wrappers.toml."""

    timeout_scope: list[TimeoutScope] = Field(default_factory=list)
    partial: list[Partial] = Field(default_factory=list)
    hands_back: list[HandsBack] = Field(default_factory=list)

    @cached_property
    def timeout_scopes(self) -> dict[str, TimeoutScope]:
        return {scope.name: scope for scope in self.timeout_scope}

    @cached_property
    def partials(self) -> dict[str, Partial]:
        return {entry.name: entry for entry in self.partial}

    @cached_property
    def hands_back_methods(self) -> dict[str, HandsBack]:
        """By method name: the object it is called on is not followed (an ExitStack)."""
        return {entry.name.rpartition(".")[2]: entry for entry in self.hands_back}


class KnowledgeBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    library: list[Library]
    resilience: list[Resilience] = Field(default_factory=list)
    framework: list[Framework] = Field(default_factory=list)
    wrappers: Wrappers = Field(default_factory=Wrappers)
    #: Project names bound to a client object (``redis_client = redis.Redis(...)`` in a
    #: module others import): derived, like the project libraries.
    instances: dict[str, str] = Field(default_factory=dict)

    @cached_property
    def handler_keywords(self) -> frozenset[str]:
        return frozenset(k for f in self.framework for k in f.keywords)

    @cached_property
    def retries(self) -> dict[str, Resilience]:
        return {name: res for res in self.resilience for name in res.retries}

    def is_resilience(self, qualname: str) -> bool:
        return any(
            qualname == m or qualname.startswith(f"{m}.")
            for res in self.resilience
            for m in res.modules
        )

    @cached_property
    def libraries(self) -> dict[str, Library]:
        return {lib.name: lib for lib in self.library}

    # The tables a file's analysis looks names up in are Noted (lookups.py): the rounds
    # analyse a file again only when one of the names it asked is answered differently.

    @cached_property
    def functions(self) -> dict[str, tuple[Library, Call]]:
        return Noted({call.name: (lib, call) for lib in self.library for call in lib.functions})

    @cached_property
    def function_globs(self) -> list[tuple[str, Library, Call]]:
        """Functions named by a glob (``*_pb2_grpc.*Stub``), tried when no exact name matches."""
        return [
            (call.name, lib, call)
            for lib in self.library
            for call in lib.functions
            if any(c in call.name for c in "*?[")
        ]

    def function(self, qualname: str) -> tuple[Library, Call] | None:
        found = self.functions.get(qualname)
        if found is not None:
            return found
        for pattern, lib, call in self.function_globs:
            if fnmatch.fnmatchcase(qualname, pattern):
                return lib, call
        return None

    @cached_property
    def clients(self) -> dict[str, tuple[Library, Client]]:
        return Noted({client.name: (lib, client) for lib in self.library for client in lib.clients})

    @cached_property
    def timeout_objects(self) -> dict[str, TimeoutObject]:
        return {obj.name: obj for lib in self.library for obj in lib.timeout_objects}

    @cached_property
    def aliases(self) -> dict[str, str]:
        return Noted({alias: real for lib in self.library for alias, real in lib.aliases.items()})

    @property
    def modules(self) -> frozenset[str]:
        note(MODULES)
        return self._modules

    @cached_property
    def _modules(self) -> frozenset[str]:
        return frozenset(module for lib in self.library for module in lib.modules)

    @cached_property
    def instance_types(self) -> dict[str, str]:
        """``instances``, looked up by the analysis."""
        return Noted(self.instances)

    def canonical(self, qualified: str) -> str:
        """``requests.api.get`` -> ``requests.get``; prefixes too (``requests.sessions.X``)."""
        if qualified in self.aliases:
            return self.aliases[qualified]
        head, _, tail = qualified.rpartition(".")
        while head:
            if head in self.aliases:
                return f"{self.aliases[head]}.{tail}"
            head, _, rest = head.rpartition(".")
            tail = f"{rest}.{tail}"
        return qualified

    def extended(
        self,
        extra: list[Library],
        instances: dict[str, str] | None = None,
        resilience: list[Resilience] | None = None,
    ) -> KnowledgeBase:
        return KnowledgeBase(
            library=[*self.library, *extra],
            resilience=[*self.resilience, *(resilience or [])],
            framework=self.framework,
            wrappers=self.wrappers,
            instances={**self.instances, **(instances or {})},
        )


def _parse(
    data: dict[str, Any], origin: str, rename: Callable[[Loc], Loc] = lambda loc: loc
) -> KnowledgeBase:
    try:
        return KnowledgeBase.model_validate(data)
    except ValidationError as error:
        lines = [p.message for p in problems(error, KnowledgeBase, rename=rename)]
        raise ConfigError(f"{origin} " + "; ".join(lines)) from error


def _as_clients(loc: Loc) -> Loc:
    """``library[0].name`` as the user wrote it: ``clients[0].name`` of [tool.fmcat]."""
    return ("clients", *loc[1:]) if loc[:1] == ("library",) else loc


def builtin() -> KnowledgeBase:
    folder = resources.files("fmcat.scan")
    clients = tomllib.loads(folder.joinpath("clients.toml").read_text(encoding="utf-8"))
    resilience = tomllib.loads(folder.joinpath("resilience.toml").read_text(encoding="utf-8"))
    wrappers = tomllib.loads(folder.joinpath("wrappers.toml").read_text(encoding="utf-8"))
    return _parse({**clients, **resilience, "wrappers": wrappers}, "fmcat/scan/clients.toml:")


def user_libraries(entries: list[dict[str, Any]], origin: str) -> list[Library]:
    """``[[tool.fmcat.clients]]`` tables, validated with the same schema as the built-in table;
    ``origin`` is the pyproject.toml as shown."""
    return _parse({"library": entries}, f"{origin}: [tool.fmcat]", _as_clients).library
