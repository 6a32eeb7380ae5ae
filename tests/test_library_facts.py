"""The client table's facts, checked against the libraries themselves (installed by the dev extra).

tests/test_knowledge_base.py checks the table's own consistency; this file checks that what the
table says about each library is true of the version installed: every name exists, every
`keyword@N` parameter is the N-th positional parameter of the real signature, every exception
named is an exception class, OSError is listed only where the family derives from it, and the
default timeouts are the libraries' own.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import fnmatch
import importlib
import inspect
import math
import re
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, cast

import anyio
import pytest
import trio

from fmcat.scan.knowledge import (
    Call,
    HandsBack,
    Library,
    Param,
    Partial,
    TimeoutScope,
    builtin,
)

KB = builtin()


def _configure_django() -> None:
    """django.core.cache.cache and django.db.connection read the settings when touched."""
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
            DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        )


_configure_django()

#: Names the table knows that no static lookup can reach, each with the reason.
DYNAMIC = {
    # grpc stubs are generated per service (`helloworld_pb2_grpc.GreeterStub`).
    "*_pb2_grpc.*Stub",
    # botocore builds its clients' methods at run time from the service model.
    "botocore.client.BaseClient",
    # boto3 builds resources and their collections at run time from the resource model.
    "boto3.resources.base.ServiceResource",
}

#: For each glob name of the table (other than the generated ones above), real names it stands
#: for: each must exist and match the glob.
GLOB_EXAMPLES = {
    "stripe.*.create": ["stripe.Charge.create", "stripe.checkout.Session.create"],
    "stripe.*.retrieve": ["stripe.PaymentIntent.retrieve", "stripe.Customer.retrieve"],
    "stripe.*.modify": ["stripe.Customer.modify"],
    "stripe.*.delete": ["stripe.Customer.delete"],
    "stripe.*.list": ["stripe.Charge.list"],
    "stripe.*.search": ["stripe.Charge.search"],
    "stripe.*.capture": ["stripe.PaymentIntent.capture"],
    "stripe.*.confirm": ["stripe.PaymentIntent.confirm"],
    "stripe.*.cancel": ["stripe.PaymentIntent.cancel", "stripe.Subscription.cancel"],
    "stripe.*.pay": ["stripe.Invoice.pay"],
    "stripe.*.void_invoice": ["stripe.Invoice.void_invoice"],
    "stripe.*.finalize_invoice": ["stripe.Invoice.finalize_invoice"],
    "stripe.*.send_invoice": ["stripe.Invoice.send_invoice"],
    "stripe.*.list_line_items": ["stripe.checkout.Session.list_line_items"],
    "stripe.*.create_reversal": ["stripe.Transfer.create_reversal"],
    "stripe.*.list_payment_methods": ["stripe.Customer.list_payment_methods"],
    "stripe.*.expire": ["stripe.checkout.Session.expire"],
    "kubernetes.client.*Api": [
        "kubernetes.client.CoreV1Api",
        "kubernetes.client.BatchV1Api",
        "kubernetes.client.CustomObjectsApi",
        "kubernetes.client.api.core_v1_api.CoreV1Api",
    ],
    "django.core.cache.cache.*": [
        "django.core.cache.cache.get",
        "django.core.cache.cache.set",
        "django.core.cache.cache.delete",
        "django.core.cache.cache.incr",
        "django.core.cache.cache.get_many",
        "django.core.cache.cache.get_or_set",
    ],
}


def takes(target: str) -> Callable[[str], bool]:
    """The keyword reaches `target`, a lower layer whose signature names it."""

    def check(keyword: str) -> bool:
        obj = resolve(target)
        return keyword in inspect.signature(obj).parameters

    check.__doc__ = target
    return check


def config_key(target: str, *, lower: bool = False) -> Callable[[str], bool]:
    """The keyword is a key of the library's own table of settings (a dict of defaults)."""

    def check(keyword: str) -> bool:
        return (keyword.lower() if lower else keyword) in resolve(target)

    return check


def libpq_keyword(parse: str) -> Callable[[str], bool]:
    """The keyword is a libpq connection parameter: the driver's DSN parser accepts it."""

    def check(keyword: str) -> bool:
        return keyword in resolve(parse)(f"{keyword}=5")

    return check


#: Keywords that a signature does not name because they travel through its **kwargs to a lower
#: layer that does take them. The key is a glob over the table's names; each lower layer is
#: itself checked here, so a keyword renamed there fails the test too.
THROUGH_KWARGS: dict[str, Callable[[str], bool]] = {
    # requests.api.* and Session.get/post/...: **kwargs go to Session.request.
    "requests.[a-z]*": takes("requests.Session.request"),
    "requests.Session.[a-z]*": takes("requests.Session.request"),
    "requests.Session.send": takes("requests.adapters.HTTPAdapter.send"),
    "aiohttp.request": takes("aiohttp.ClientSession._request"),
    "aiohttp.ClientSession.*": takes("aiohttp.ClientSession._request"),
    # PoolManager(**connection_pool_kw) hands them to every pool it makes.
    "urllib3.PoolManager": takes("urllib3.HTTPConnectionPool"),
    "urllib3.ProxyManager": takes("urllib3.HTTPConnectionPool"),
    "urllib3.proxy_from_url": takes("urllib3.HTTPConnectionPool"),
    "urllib3.connection_from_url": takes("urllib3.HTTPConnectionPool"),
    "urllib3.PoolManager.*": takes("urllib3.HTTPConnectionPool.urlopen"),
    "urllib3.HTTPConnectionPool.request*": takes("urllib3.HTTPConnectionPool.urlopen"),
    "kafka.KafkaConsumer": config_key("kafka.KafkaConsumer.DEFAULT_CONFIG"),
    "kafka.KafkaProducer": config_key("kafka.KafkaProducer.DEFAULT_CONFIG"),
    # URI options are case-insensitive; pymongo validates them against this table.
    "pymongo.MongoClient": config_key("pymongo.common.VALIDATORS", lower=True),
    "psycopg2.connect": libpq_keyword("psycopg2.extensions.parse_dsn"),
    "psycopg.*": libpq_keyword("psycopg.conninfo.conninfo_to_dict"),
    # from_url(url, **kwargs) passes them to the constructor.
    "redis.from_url": takes("redis.Redis"),
    "redis.Redis.from_url": takes("redis.Redis"),
    "redis.asyncio.from_url": takes("redis.asyncio.Redis"),
    "redis.asyncio.Redis.from_url": takes("redis.asyncio.Redis"),
    # A pool maker's keywords (and the URL's query) become every connection's keywords.
    "redis.*ConnectionPool.from_url": takes("redis.connection.AbstractConnection"),
    "redis.asyncio.*ConnectionPool.from_url": takes("redis.asyncio.connection.AbstractConnection"),
    "asyncpg.create_pool": takes("asyncpg.connect"),
    # OpenSearch(**kwargs) hands them to every connection of its default connection class.
    "opensearchpy.OpenSearch": takes("opensearchpy.connection.base.Connection"),
    "dns.resolver.*resolve_address": takes("dns.resolver.Resolver.resolve"),
    # requests-hardened's sessions are requests sessions; its Manager hands them the call.
    "requests_hardened.HTTPSession.*": takes("requests.Session.request"),
    "requests_hardened.Manager.send_request": takes("requests.Session.request"),
    # get_connection(backend=None, fail_silently=False, **kwds) makes the backend with **kwds.
    "django.core.mail.get_connection": takes("django.core.mail.backends.smtp.EmailBackend"),
    "kombu.Connection.ensure_connection": takes("kombu.Connection._ensure_connection"),
    # Connection.drain_events(**kwargs) -> the transport's -> py-amqp's drain_events(timeout).
    "kombu.Connection.drain_events": takes("amqp.Connection.drain_events"),
    # kubernetes: **kwargs reach the generated method, then ApiClient.call_api.
    "kubernetes.stream.stream": takes("kubernetes.client.ApiClient.call_api"),
    "kubernetes.utils.create_from_yaml": takes("kubernetes.client.ApiClient.call_api"),
    "kubernetes.watch.Watch.stream": takes("kubernetes.client.ApiClient.call_api"),
    "google.cloud.bigquery.Client.insert_rows": takes(
        "google.cloud.bigquery.Client.insert_rows_json"
    ),
    # create_engine(url, **kwargs) pops its own keywords from kwargs, connect_args among them.
    "sqlalchemy.create_engine": lambda keyword: (
        f'pop_kwarg("{keyword}"'
        in inspect.getsource(resolve("sqlalchemy.engine.create.create_engine"))
    ),
}

#: Parameters the table keeps for older versions of a library, with the version that dropped them.
OLDER_SPELLINGS = {
    "elasticsearch.Elasticsearch:timeout": "elasticsearch 8.x, removed in 9",
    "elasticsearch.AsyncElasticsearch:timeout": "elasticsearch 8.x, removed in 9",
}

#: Positions the table keeps for the oldest Python fmcat supports, with the version from which the
#: parameter is keyword-only: 3.12 removed the TLS classes' keyfile/certfile, so code written for
#: 3.11 may still pass the timeout by position, and on 3.12+ a call cannot.
KEYWORD_ONLY_FROM = {
    "http.client.HTTPSConnection:timeout": (3, 12),
    "smtplib.SMTP_SSL:timeout": (3, 12),
    "ftplib.FTP_TLS:timeout": (3, 12),
    "imaplib.IMAP4_SSL:timeout": (3, 12),
    "poplib.POP3_SSL:timeout": (3, 12),
}

#: Module-level functions that forward everything to a method whose signature is the real one.
FORWARDS = {
    "boto3.client": "boto3.session.Session.client",
    "boto3.resource": "boto3.session.Session.resource",
    # `from kubernetes.stream import stream`: the function shares its module's name.
    "kubernetes.stream.stream": "kubernetes.stream.stream.stream",
    "kubernetes.utils.create_from_yaml": "kubernetes.utils.create_from_yaml.create_from_yaml",
}


def resolve(qualname: str) -> Any:
    """The object a dotted name denotes: the longest importable module, then attributes."""
    parts = qualname.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attr in parts[split:]:
            obj = getattr(obj, attr)
        return obj
    return getattr(builtins, qualname)


def documented_signature(obj: Any) -> inspect.Signature | None:
    """A C method's parameters from its `.. py:function:: name([a], [b=1])` docstring line."""
    found = re.search(r"py:function:: \w+\((.*)\)", obj.__doc__ or "")
    if found is None:
        return None
    names = [part.strip(" []").split("=")[0] for part in found[1].split(",") if part.strip()]
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    return inspect.Signature([inspect.Parameter(name, kind) for name in names])


def signature(obj: Any, *, method: bool) -> inspect.Signature | None:
    """The signature without self; for C methods, the documented one, or None if there is none
    (psycopg2's)."""
    try:
        sig = inspect.signature(obj)
    except ValueError:
        return documented_signature(obj)
    params = list(sig.parameters.values())
    if method and params and params[0].name in ("self", "cls"):
        sig = sig.replace(parameters=params[1:])
    return sig


def positional(sig: inspect.Signature) -> list[str]:
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p.name for p in sig.parameters.values() if p.kind in kinds]


def has_var_keyword(sig: inspect.Signature) -> bool:
    return any(p.kind is inspect.Parameter.VAR_KEYWORD for p in sig.parameters.values())


def owners(client: str) -> list[Any]:
    """The client type, and the classes the table says make one (FTP_TLS makes an ftplib.FTP)."""
    found = [resolve(client)]
    for lib in KB.library:
        for function in lib.functions:
            if function.returns == client and function.name not in DYNAMIC:
                made = resolve(function.name)
                if isinstance(made, type) and made not in found:
                    found.append(made)
    return found


def method_of(client: str, name: str) -> Any:
    for owner in owners(client):
        if hasattr(owner, name):
            return getattr(owner, name)
    raise AttributeError(f"no {name!r} on {client} or the types the table says make one")


def entries() -> Iterator[tuple[str, Call, Callable[[], Any], bool]]:
    """Every call of the table: its readable name, the entry, how to reach it, is it a method."""
    for lib in KB.library:
        for function in lib.functions:
            if function.name not in DYNAMIC and function.name not in GLOB_EXAMPLES:
                target = FORWARDS.get(function.name, function.name)
                yield function.name, function, partial(resolve, target), target != function.name
        for client in lib.clients:
            if client.name in DYNAMIC:
                continue
            for method in client.methods:
                if "*" in method.name:
                    continue
                yield (
                    f"{client.name}.{method.name}",
                    method,
                    partial(method_of, client.name, method.name),
                    True,
                )


ENTRIES = list(entries())


def params_of(call: Call) -> list[Param]:
    return [*call.timeout, *(p for p in (call.dsn, call.url, call.fails_if) if p is not None)]


def through_kwargs(name: str) -> Callable[[str], bool] | None:
    for pattern, check in THROUGH_KWARGS.items():
        if fnmatch.fnmatchcase(name, pattern):
            return check
    return None


@pytest.mark.parametrize(("name", "call", "reach", "method"), ENTRIES, ids=[e[0] for e in ENTRIES])
def test_parameters_match_the_real_signature(
    name: str, call: Call, reach: Callable[[], Any], method: bool
) -> None:
    obj = reach()
    assert callable(obj), name
    sig = signature(obj, method=method)
    if sig is None:
        assert not params_of(call), f"{name}: a C method without a signature cannot take {call}"
        return
    names = positional(sig)
    for param in params_of(call):
        if f"{name}:{param.keyword}" in OLDER_SPELLINGS:
            assert param.keyword not in sig.parameters, f"{name}: {param} is back; update the note"
        elif sys.version_info >= KEYWORD_ONLY_FROM.get(f"{name}:{param.keyword}", (99,)):
            kind = sig.parameters[param.keyword].kind
            assert kind is inspect.Parameter.KEYWORD_ONLY, f"{name}: {param} is positional again"
        elif param.position is not None:
            assert names[param.position : param.position + 1] == [param.keyword], (
                f"{name}: {param} but the signature is {sig}"
            )
        elif param.keyword not in sig.parameters:
            check = through_kwargs(name)
            assert has_var_keyword(sig) and check is not None, (
                f"{name}: no parameter {param.keyword!r} in {sig}"
            )
            assert check(param.keyword), f"{name}: {param.keyword!r} does not reach {check}"


@pytest.mark.parametrize("pattern", THROUGH_KWARGS)
def test_every_kwargs_route_is_used(pattern: str) -> None:
    assert any(fnmatch.fnmatchcase(name, pattern) for name, *_ in ENTRIES), pattern


@pytest.mark.parametrize("lib", KB.library, ids=[lib.name for lib in KB.library])
def test_exceptions_are_exception_classes(lib: Library) -> None:
    for name in lib.exceptions:
        obj = resolve(name)
        classes = obj if isinstance(obj, tuple) else (obj,)  # ftplib.all_errors is a tuple
        for cls in classes:
            assert isinstance(cls, type) and issubclass(cls, BaseException), name


OS_ERRORS = {"OSError", "IOError", "EnvironmentError"}
#: Libraries with no failure family of their own: their backend's errors come through.
BACKEND_FAMILIES = {"django.core.cache": "RedisCache raises redis's errors"}


@pytest.mark.parametrize("lib", KB.library, ids=[lib.name for lib in KB.library])
def test_oserror_is_listed_only_where_the_family_raises_one(lib: Library) -> None:
    """`except OSError` handles a library's failures only if they are OSErrors.

    The standard library's network modules raise raw OSErrors (refused, reset, timed out) beside
    their own protocol errors; a third-party library counts only if its root derives from it.
    """
    own = [
        resolve(name)
        for name in lib.exceptions
        if name.split(".")[0] in {m.split(".")[0] for m in lib.modules}
    ]
    own_classes = [c for o in own for c in (o if isinstance(o, tuple) else (o,))]
    # Families the library lets through from a lower layer (requests, urllib) count as its own.
    listed = [resolve(name) for name in lib.exceptions if "." in name]
    listed_classes = [c for o in listed for c in (o if isinstance(o, tuple) else (o,))]
    stdlib = lib.modules[0].split(".")[0] in sys.stdlib_module_names
    if OS_ERRORS & set(lib.exceptions):
        raw = lib.name in REFUSED_CONNECTION
        assert stdlib or raw or any(issubclass(c, OSError) for c in listed_classes), lib.name
    elif lib.name in BACKEND_FAMILIES:
        assert listed_classes and not any(issubclass(c, OSError) for c in listed_classes)
    else:
        assert own_classes, f"{lib.name} names none of its own exceptions"
        assert not all(issubclass(c, OSError) for c in own_classes), (
            f"{lib.name}: every root derives from OSError, so `except OSError` handles it too"
        )


def table_default(library: str) -> float | str:
    return next(lib.default_timeout for lib in KB.library if lib.name == library)


def default_of(qualname: str, parameter: str) -> Any:
    return inspect.signature(resolve(qualname)).parameters[parameter].default


def test_library_default_timeouts_are_the_libraries_own() -> None:
    import aiohttp.client
    import httpx
    import psycopg.conninfo

    with httpx.Client() as client:
        assert client.timeout == httpx.Timeout(float(table_default("httpx")))
    assert aiohttp.client.DEFAULT_TIMEOUT.total == table_default("aiohttp")
    assert table_default("boto3") == resolve("botocore.endpoint.DEFAULT_TIMEOUT")
    assert table_default("requests") == "none"
    assert default_of("requests.Session.request", "timeout") is None
    assert default_of("requests.adapters.HTTPAdapter.send", "timeout") is None
    urllib3_request = KB.function("urllib3.request")
    assert urllib3_request is not None
    assert default_of("urllib3.request", "timeout") == urllib3_request[1].default_timeout
    psycopg_connect = KB.function("psycopg.connect")
    assert psycopg_connect is not None
    assert psycopg_connect[1].default_timeout == psycopg.conninfo._DEFAULT_CONNECT_TIMEOUT


def test_sdk_default_timeouts_are_the_sdks_own() -> None:
    producer = resolve("kafka.KafkaProducer.DEFAULT_CONFIG")["request_timeout_ms"] / 1000
    assert producer == table_default("kafka-python")
    assert default_of("elastic_transport.NodeConfig", "request_timeout") == table_default(
        "elasticsearch"
    )
    assert default_of("slack_sdk.WebClient", "timeout") == table_default("slack_sdk")
    assert default_of("httplib2.Http", "timeout") is None
    assert default_of("paramiko.SSHClient.connect", "timeout") is None
    assert default_of("asyncpg.connect", "command_timeout") is None
    assert default_of("asyncpg.Connection.fetch", "timeout") is None
    assert default_of("twilio.http.http_client.TwilioHttpClient", "timeout") is None
    assert default_of("python_http_client.Client", "timeout") is None
    assert "timeout" not in inspect.signature(resolve("sendgrid.SendGridAPIClient")).parameters
    assert default_of("opensearchpy.connection.base.Connection", "timeout") == table_default(
        "opensearch-py"
    )
    assert default_of("aiokafka.AIOKafkaProducer", "request_timeout_ms") / 1000 == table_default(
        "aiokafka"
    )
    assert resolve("google.cloud.storage.constants._DEFAULT_TIMEOUT") == table_default(
        "google-cloud-storage"
    )
    for method in ("upload_from_string", "download_as_bytes", "exists", "delete"):
        assert default_of(f"google.cloud.storage.Blob.{method}", "timeout") == 60
    resolver = resolve("dns.resolver.Resolver")(configure=False)
    assert resolver.lifetime == table_default("dnspython")
    # The attribute the table lets bound a resolver's calls, and the one it does not: timeout
    # bounds one try of one server, the lifetime the whole resolution.
    attributes = KB.clients["dns.resolver.Resolver"][1].timeout_attributes
    assert attributes == ["lifetime"]
    assert all(isinstance(getattr(resolver, a), float) for a in [*attributes, "timeout"])
    assert resolver.timeout < resolver.lifetime
    # Minio's own pool: Timeout(connect=300, read=300) unless given an http_client.
    pool_timeout = resolve("minio.Minio")("localhost:9000")._http.connection_pool_kw["timeout"]
    assert pool_timeout.connect_timeout == pool_timeout.read_timeout == table_default("minio")


def test_kafka_consumer_default_is_version_dependent_as_the_table_says() -> None:
    """The table keeps kafka-python 2.x's 305 s for the consumer; 3.0 lowered it to 30 s."""
    major = int(resolve("kafka.__version__").split(".")[0])
    consumer = resolve("kafka.KafkaConsumer.DEFAULT_CONFIG")["request_timeout_ms"] / 1000
    assert consumer == (30 if major >= 3 else 305)
    entry = KB.function("kafka.KafkaConsumer")
    assert entry is not None and entry[1].default_timeout == 305


@pytest.mark.parametrize(
    "maker",
    [
        "redis.ConnectionPool.from_url",
        "redis.BlockingConnectionPool.from_url",
        "redis.asyncio.ConnectionPool.from_url",
        "redis.asyncio.BlockingConnectionPool.from_url",
    ],
)
def test_a_pool_maker_reads_the_timeout_key_from_its_url(maker: str) -> None:
    """The table judges a pool made from a URL by the URL's `?socket_timeout=` (its
    dsn_timeout_key): the pool hands that value to every connection it makes."""
    found = KB.function(maker)
    assert found is not None and found[1].dsn_timeout_key == "socket_timeout", maker
    pool = resolve(maker)("redis://cache:6379/0?socket_timeout=0.5")
    assert pool.connection_kwargs["socket_timeout"] == 0.5, maker
    assert "socket_timeout" not in resolve(maker)("redis://cache:6379/0").connection_kwargs


def test_redis_default_is_version_dependent_as_the_table_says() -> None:
    """The table keeps redis-py 7's default (none); 8.0 and later default to 5 s."""
    import redis

    major = int(redis.__version__.split(".")[0])
    expected = 5 if major >= 8 else None
    assert default_of("redis.Redis", "socket_timeout") == expected
    assert default_of("redis.Redis", "socket_connect_timeout") == expected
    assert table_default("redis") == "none"
    change = KB.libraries["redis"].default_changed
    assert change is not None and (change.version, change.seconds) == ("8.0", 5)


@contextlib.contextmanager
def closed_port() -> Iterator[int]:
    """A port on 127.0.0.1 that refuses connections: bound, never listening, and held through
    the test (a port released again could go to another process, a parallel test's server)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        yield port


def refused_slack(port: int) -> None:
    import slack_sdk

    slack_sdk.WebClient(base_url=f"http://127.0.0.1:{port}/", timeout=2).api_test()


def refused_httplib2(port: int) -> None:
    resolve("httplib2.Http")(timeout=2).request(f"http://127.0.0.1:{port}/")


def refused_paramiko(port: int) -> None:
    resolve("paramiko.SSHClient")().connect("127.0.0.1", port=port, timeout=2)


def refused_kombu(port: int) -> None:
    resolve("kombu.Connection")(
        f"amqp://guest:guest@127.0.0.1:{port}//", connect_timeout=2
    ).connect()


def refused_asyncpg(port: int) -> None:
    import asyncio

    asyncio.run(resolve("asyncpg.connect")(host="127.0.0.1", port=port, timeout=2))


#: Third-party libraries whose network failures come through as the socket layer's own OSErrors
#: (the table lists OSError for them), each shown by a connection to a closed port on 127.0.0.1.
REFUSED_CONNECTION: dict[str, Callable[[int], None]] = {
    "kombu": refused_kombu,
    "slack_sdk": refused_slack,
    "httplib2": refused_httplib2,
    "paramiko": refused_paramiko,
    "asyncpg": refused_asyncpg,
}


@pytest.mark.parametrize("library", REFUSED_CONNECTION)
def test_a_refused_connection_is_a_raw_oserror(library: str) -> None:
    lib = next(lib for lib in KB.library if lib.name == library)
    own = tuple(
        cls
        for name in lib.exceptions
        if name.split(".")[0] == library
        for cls in [resolve(name)]
        if not issubclass(cls, OSError)
    )
    with closed_port() as port, pytest.raises(OSError) as raised:
        REFUSED_CONNECTION[library](port)
    assert not isinstance(raised.value, own), raised.value


DJANGO_MAIL_REFUSED = """
import sys
from django.conf import settings
settings.configure(EMAIL_HOST="127.0.0.1", EMAIL_PORT=int(sys.argv[1]), EMAIL_TIMEOUT=2)
from django.core.mail import send_mail
try:
    send_mail("s", "b", "a@example.com", ["b@example.com"])
except Exception as error:
    print(" ".join(c.__module__ + "." + c.__qualname__ for c in type(error).__mro__))
"""


def test_a_refused_connection_through_django_mail_is_an_oserror_not_an_smtp_exception() -> None:
    """So the table lists OSError as django.core.mail's family: `except SMTPException` alone
    lets a refused connection through. (In a child: Django's settings configure once.)"""
    with closed_port() as port:
        run = subprocess.run(
            [sys.executable, "-c", DJANGO_MAIL_REFUSED, str(port)],
            capture_output=True,
            text=True,
            check=True,
        )
    raised = run.stdout.split()
    assert "builtins.OSError" in raised and "smtplib.SMTPException" not in raised, run.stdout
    family = KB.libraries["django.core.mail"].exceptions
    assert family[0] == "OSError" and "smtplib.SMTPException" not in family


def documented_defaults() -> dict[str, str]:
    """The library column and default column of docs/clients.md's defaults table."""
    text = (Path(__file__).resolve().parent.parent / "docs" / "clients.md").read_text("utf-8")
    section = text.split("## Defaults, and where they were read", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1:-1] for line in section.splitlines() if line.startswith("| ")]
    return {cells[0].strip(): cells[1].strip() for cells in rows[1:]}


def test_the_documented_defaults_are_the_tables() -> None:
    documented = documented_defaults()
    assert sorted(documented) == sorted(lib.name for lib in KB.library)
    for lib in KB.library:
        shown = documented[lib.name]
        if lib.default_timeout == "none":
            assert shown.startswith("none (waits forever)"), lib.name
        else:
            assert shown.startswith(f"{lib.default_timeout:g} s"), lib.name


GLOBS = [f.name for lib in KB.library for f in lib.functions if "*" in f.name]


@pytest.mark.parametrize("glob", GLOBS)
def test_every_glob_stands_for_real_names(glob: str) -> None:
    if glob in DYNAMIC:
        return
    examples = GLOB_EXAMPLES[glob]
    for name in examples:
        assert fnmatch.fnmatchcase(name, glob), (name, glob)
        assert callable(resolve(name)), name


def test_stripe_clients_and_default_http_client() -> None:
    assert default_of("stripe.RequestsClient", "timeout") == table_default("stripe")
    assert default_of("stripe.HTTPXClient", "timeout") == table_default("stripe")
    params = inspect.signature(resolve("stripe.StripeClient")).parameters
    assert params["http_client"].kind is inspect.Parameter.KEYWORD_ONLY
    client = resolve("stripe.StripeClient")("sk_test_123")
    for local in KB.clients["stripe.StripeClient"][1].local_methods:
        assert callable(getattr(client, local)), local
    assert callable(client.v1.customers.create)


# pycurl, whose timeout is an option set with `setopt`, and requests-hardened, whose Manager
# takes its default timeout from a Config.
import pycurl  # noqa: E402
import requests  # noqa: E402
import requests_hardened  # noqa: E402
from requests_hardened.client import HTTPSession  # noqa: E402


def test_pycurl_entry_matches_the_library() -> None:
    lib = next(lib for lib in KB.library if lib.name == "pycurl")
    # One exception class, not an OSError: only `except pycurl.error` (or Exception) handles it.
    assert lib.exceptions == ["pycurl.error"]
    assert pycurl.error.__mro__[1] is Exception
    client = KB.clients["pycurl.Curl"][1]
    curl = pycurl.Curl()
    assert client.setter is not None
    assert callable(getattr(curl, client.setter))
    for option in client.timeout_options:
        assert isinstance(getattr(pycurl, option.split(".", 1)[1]), int), option
    for method in client.methods:
        assert callable(getattr(curl, method.name)), method.name
    # A Curl handle is made without connecting: making one cannot fail.
    assert KB.functions["pycurl.Curl"][1].fails is False


def test_requests_hardened_entry_matches_the_library() -> None:
    config = KB.timeout_objects["requests_hardened.Config"]
    params = list(inspect.signature(requests_hardened.Config).parameters)
    for param in config.params:
        assert param.position is not None
        assert params[param.position] == param.keyword
    manager = inspect.signature(requests_hardened.Manager.__init__).parameters
    assert list(manager)[1] == KB.functions["requests_hardened.Manager"][1].timeout[0].keyword
    send = inspect.signature(requests_hardened.Manager.send_request).parameters
    assert list(send)[1:3] == ["method", "url"]
    # Its sessions are requests sessions: requests' exceptions, and the same methods.
    assert issubclass(HTTPSession, requests.Session)
    session = KB.clients["requests_hardened.HTTPSession"][1]
    for method in session.methods:
        assert callable(getattr(HTTPSession, method.name)), method.name
    request = list(inspect.signature(requests.Session.request).parameters)
    assert request[1 + 8] == "timeout"  # timeout@8, self not counted


# -- wrappers.toml: timeout scopes, partials, methods that hand back their argument -----------

TIMEOUT_SCOPES = KB.wrappers.timeout_scope


@pytest.mark.parametrize("scope", TIMEOUT_SCOPES, ids=[s.name for s in TIMEOUT_SCOPES])
def test_timeout_scope_parameters_match_the_real_signature(scope: TimeoutScope) -> None:
    sig = signature(resolve(scope.name), method=False)
    assert sig is not None, scope.name
    names = positional(sig)
    for param in (scope.bound, scope.awaitable):
        if param is not None:
            assert param.position is not None, f"{scope.name}: {param} needs its position"
            assert names[param.position : param.position + 1] == [param.keyword], (
                f"{scope.name}: {param} but the signature is {sig}"
            )


def _deadline_with_none(scope: TimeoutScope) -> float | None:
    """The deadline that ``scope`` sets when its bound is None, entered under its own loop."""
    make = resolve(scope.name)
    given = {scope.bound.keyword: None}
    family = scope.name.split(".", 1)[0]

    async def enter() -> float | None:
        if family == "asyncio":
            async with make(**given) as timeout:
                return cast(float | None, timeout.when())
        if family == "async_timeout":
            async with make(**given) as timeout:
                return cast(float | None, timeout.deadline)
        with make(**given) as cancel_scope:  # anyio's and trio's cancel scopes
            return cast(float | None, cancel_scope.deadline)

    if family in ("asyncio", "async_timeout"):
        return asyncio.run(enter())
    run: Callable[..., Any] = anyio.run if family == "anyio" else trio.run
    return cast(float | None, run(enter))


CONTEXTS = [s for s in TIMEOUT_SCOPES if s.awaitable is None]


@pytest.mark.parametrize("scope", CONTEXTS, ids=[s.name for s in CONTEXTS])
def test_a_none_bound_is_what_the_table_says(scope: TimeoutScope) -> None:
    if scope.none_is_unbounded:
        deadline = _deadline_with_none(scope)
        assert deadline is None or deadline == math.inf, f"{scope.name}(None): {deadline}"
    else:
        with pytest.raises(TypeError):
            _deadline_with_none(scope)


WAITS = [s for s in TIMEOUT_SCOPES if s.awaitable is not None]


@pytest.mark.parametrize("scope", WAITS, ids=[s.name for s in WAITS])
def test_wait_for_with_a_none_bound_waits_as_long_as_it_takes(scope: TimeoutScope) -> None:
    assert scope.none_is_unbounded
    wait_for = resolve(scope.name)

    async def wait(bound: float | None) -> str:
        await wait_for(asyncio.sleep(0.05, "done"), **{scope.bound.keyword: bound})
        return "done"

    assert asyncio.run(wait(None)) == "done"
    with pytest.raises(TimeoutError):
        asyncio.run(wait(0.001))  # the same wait, bounded, is cut short


@pytest.mark.parametrize("entry", KB.wrappers.partial, ids=[p.name for p in KB.wrappers.partial])
def test_partials_wrap_the_callable_the_table_says(entry: Partial) -> None:
    # functools.partial has no signature to read: check what it does with its arguments.
    make = resolve(entry.name)
    assert entry.function.position == 0
    preset = make(lambda *args, **kwargs: (args, kwargs), 1, timeout=5)
    assert preset(2) == ((1, 2), {"timeout": 5})
    with pytest.raises(TypeError):
        make(**{entry.function.keyword: print})  # positional-only: the scan reads it so


@pytest.mark.parametrize(
    "entry", KB.wrappers.hands_back, ids=[h.name for h in KB.wrappers.hands_back]
)
def test_hands_back_methods_return_their_argument(entry: HandsBack) -> None:
    sig = signature(resolve(entry.name), method=True)
    assert sig is not None, entry.name
    assert entry.argument.position is not None
    names = positional(sig)
    assert names[entry.argument.position : entry.argument.position + 1] == [
        entry.argument.keyword
    ], f"{entry.name}: {entry.argument} but the signature is {sig}"
    # What it hands back is what entering gives: the manager itself for a client (a requests
    # Session's __enter__ returns the session), which is what the scan assumes.
    owner, _, method = entry.name.rpartition(".")
    manager = _SelfEntering()

    async def enter() -> object:
        async with resolve(owner)() as stack:
            handed = getattr(stack, method)(manager)
            return await handed if method == "enter_async_context" else handed

    if owner.endswith("AsyncExitStack"):
        assert asyncio.run(enter()) is manager
    else:
        with resolve(owner)() as stack:
            assert getattr(stack, method)(manager) is manager


class _SelfEntering(contextlib.AbstractContextManager["_SelfEntering"]):
    """A client-like manager: entering it gives itself, sync or async."""

    def __exit__(self, *exc: object) -> None:
        return None

    async def __aenter__(self) -> _SelfEntering:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


@pytest.mark.parametrize(
    "lib", [lib for lib in KB.library if lib.also_raises], ids=lambda lib: lib.name
)
def test_a_second_family_is_apart_from_the_first(lib: Library) -> None:
    """`also_raises` names errors the first family does not cover, and the other way round:
    each family needs its own handler."""
    first = [resolve(name) for name in lib.exceptions]
    second = [resolve(name) for name in lib.also_raises]
    for one in first:
        for other in second:
            assert not issubclass(one, other) and not issubclass(other, one), (one, other)


def test_nntplib_entry_matches_the_library() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # removed in 3.13 (PEP 594)
        nntplib = importlib.import_module("nntplib")
    lib = next(lib for lib in KB.library if lib.name == "nntplib")
    assert nntplib.NNTPError.__mro__[1] is Exception
    assert set(lib.also_raises) >= {"OSError"}
    # Without timeout=, the socket module's global default applies: none unless a process sets it.
    assert default_of("nntplib.NNTP", "timeout") is socket._GLOBAL_DEFAULT_TIMEOUT  # type: ignore[attr-defined]
    assert socket.getdefaulttimeout() is None and lib.default_timeout == "none"
    client = KB.clients["nntplib.NNTP"][1]
    assert client.any_method
    for name in client.local_methods:
        assert callable(getattr(nntplib.NNTP, name)), name


def classes(name: str) -> tuple[type, ...]:
    """The classes an `except` naming ``name`` catches (a tuple such as ftplib.all_errors)."""
    obj = resolve(name)
    return tuple(obj) if isinstance(obj, tuple) else (obj,)


def catches(name: str, error: type) -> bool:
    return any(issubclass(error, cls) for cls in classes(name))


#: The network's own failures of one kind: catching one kind alone is not handling a library
#: whose calls can fail in the others (a refused connection is not a timeout).
ONE_KIND = (TimeoutError, ConnectionError)


@pytest.mark.parametrize("lib", KB.library, ids=[lib.name for lib in KB.library])
def test_a_handler_of_one_kind_of_network_failure_is_not_a_family(lib: Library) -> None:
    """A handler naming any one of `exceptions` counts as handling the library's failures.
    `except socket.timeout` (or TimeoutError, or ConnectionError) catches one kind of them, as
    `requests.Timeout` does, which the scan already reports as a partial catch; listing it would
    call a refused connection handled. A family of its own (aiohttp's bare asyncio timeouts)
    belongs in `also_raises`."""
    root = classes(lib.exceptions[0])
    for name in lib.exceptions:
        narrow = all(issubclass(cls, ONE_KIND) for cls in classes(name))
        assert not narrow or all(issubclass(cls, ONE_KIND) for cls in root), (
            f"{lib.name}: except {name} catches one kind of network failure only"
        )


def test_aiohttp_total_timeout_is_not_a_client_error() -> None:
    """Why aiohttp's timeouts are a second family (`also_raises`): the `total` timeout comes out
    as the builtin TimeoutError, not as a ClientError (a silent server on 127.0.0.1)."""
    import aiohttp

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # never answers; returns when the client goes away
        writer.close()

    async def fetch() -> BaseException:
        server = await asyncio.start_server(silent, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            async with aiohttp.ClientSession() as session:
                timeout = aiohttp.ClientTimeout(total=0.2)
                await session.get(f"http://127.0.0.1:{port}/", timeout=timeout)
        except Exception as error:
            return error
        finally:
            server.close()
        raise AssertionError("the silent server answered")

    raised = asyncio.run(fetch())
    assert isinstance(raised, TimeoutError) and not isinstance(raised, aiohttp.ClientError)
    lib = KB.libraries["aiohttp"]
    assert lib.exceptions == ["aiohttp.ClientError"] and "TimeoutError" in lib.also_raises
