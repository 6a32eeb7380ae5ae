"""Invariants of the built-in client knowledge base (fmcat/scan/clients.toml).

These tests read the table only; tests/test_library_facts.py checks its facts against the
libraries themselves, which the dev extra installs.
"""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase

import pytest

from fmcat.scan.knowledge import Call, Client, KnowledgeBase, Library, Param, builtin

KB = builtin()
LIBRARIES = KB.library
IDS = [lib.name for lib in LIBRARIES]


def under(name: str, module: str) -> bool:
    """`name` is `module` or inside it; glob components (`*_pb2_grpc`) match with fnmatch."""
    names, modules = name.split("."), module.split(".")
    if len(names) < len(modules):
        return False
    return all(fnmatchcase(n, m) for n, m in zip(names, modules, strict=False))


def calls(lib: Library) -> Iterator[tuple[str, Call]]:
    """Every function and every method of the library, with a readable location."""
    for function in lib.functions:
        yield function.name, function
    for client in lib.clients:
        for method in client.methods:
            yield f"{client.name}.{method.name}", method


def params(call: Call) -> list[Param]:
    found = list(call.timeout)
    found += [p for p in (call.dsn, call.url, call.fails_if) if p is not None]
    return found


def known_names(kb: KnowledgeBase) -> set[str]:
    return {*kb.functions, *kb.clients, *kb.timeout_objects}


def test_the_builtin_table_loads_and_is_not_empty() -> None:
    assert len(LIBRARIES) >= 20
    assert KB.functions
    assert KB.clients
    assert KB.timeout_objects


def test_library_names_are_unique() -> None:
    assert len(IDS) == len(set(IDS))


@pytest.mark.parametrize("lib", LIBRARIES, ids=IDS)
def test_every_returns_names_a_client_in_the_table(lib: Library) -> None:
    for where, call in calls(lib):
        if call.returns is not None:
            assert call.returns in KB.clients, f"{where} returns unknown client {call.returns}"


@pytest.mark.parametrize("lib", LIBRARIES, ids=IDS)
def test_every_name_is_under_one_of_its_modules(lib: Library) -> None:
    assert lib.modules, f"{lib.name} has no modules"
    names = [
        *(f.name for f in lib.functions),
        *(c.name for c in lib.clients),
        *(t.name for t in lib.timeout_objects),
        *lib.aliases,
    ]
    for name in names:
        assert any(under(name, m) for m in lib.modules), f"{name} is outside {lib.modules}"


@pytest.mark.parametrize("kind", ["functions", "clients", "timeout_objects"])
def test_no_name_is_defined_by_two_libraries(kind: str) -> None:
    owners: dict[str, str] = {}
    for lib in LIBRARIES:
        names = [entry.name for entry in getattr(lib, kind)]
        assert len(names) == len(set(names)), f"{lib.name} lists a {kind} entry twice"
        for name in names:
            assert name not in owners, f"{name} is in both {owners[name]} and {lib.name}"
            owners[name] = lib.name


@pytest.mark.parametrize("lib", LIBRARIES, ids=IDS)
def test_method_names_are_unique_per_client(lib: Library) -> None:
    for client in lib.clients:
        names = [m.name for m in client.methods]
        assert len(names) == len(set(names)), f"{client.name} lists a method twice"
        assert len(client.local_methods) == len(set(client.local_methods)), client.name


@pytest.mark.parametrize("lib", LIBRARIES, ids=IDS)
def test_every_alias_target_exists(lib: Library) -> None:
    known = known_names(KB)
    for alias, target in lib.aliases.items():
        exists = (
            target in known
            or target in KB.modules
            or any(name.startswith(f"{target}.") for name in known)
        )
        assert exists, f"alias {alias} -> {target}: no such entry"
        assert alias not in known, f"alias {alias} hides an entry of the same name"
        assert alias != target


def test_aliases_resolve_to_known_names() -> None:
    for alias, target in KB.aliases.items():
        assert KB.canonical(alias) == target
        assert KB.canonical(f"{alias}.anything") == f"{target}.anything"


@pytest.mark.parametrize("lib", LIBRARIES, ids=IDS)
def test_parameter_positions_are_unique_per_call(lib: Library) -> None:
    groups: list[tuple[str, list[Param]]] = [(where, params(call)) for where, call in calls(lib)]
    groups += [(t.name, list(t.params)) for t in lib.timeout_objects]
    for where, group in groups:
        by_position: dict[int, str] = {}
        by_keyword: dict[str, int] = {}
        for param in group:
            if param.position is None:
                continue
            other = by_position.setdefault(param.position, param.keyword)
            assert other == param.keyword, f"{where}: @{param.position} is {other} and {param}"
            seen = by_keyword.setdefault(param.keyword, param.position)
            assert seen == param.position, f"{where}: {param.keyword} at @{seen} and @{param}"


@pytest.mark.parametrize("lib", LIBRARIES, ids=IDS)
def test_timeout_parameters_are_listed_once(lib: Library) -> None:
    for where, call in calls(lib):
        keywords = [p.keyword for p in call.timeout]
        assert len(keywords) == len(set(keywords)), where


@pytest.mark.parametrize("lib", LIBRARIES, ids=IDS)
def test_default_timeouts_are_positive_or_none(lib: Library) -> None:
    defaults: list[tuple[str, float | str | None]] = [(lib.name, lib.default_timeout)]
    defaults += [(client.name, client.default_timeout) for client in lib.clients]
    defaults += [(where, call.default_timeout) for where, call in calls(lib)]
    for where, default in defaults:
        if default is None:  # not overridden at this level
            continue
        assert default == "none" or (isinstance(default, float) and default > 0), where


@pytest.mark.parametrize("lib", LIBRARIES, ids=IDS)
def test_calls_are_consistent(lib: Library) -> None:
    for where, call in calls(lib):
        assert call.timeout_unit > 0, where
        assert (call.dsn is None) == (call.dsn_timeout_key is None), f"{where}: dsn needs its key"
        if call.fails_if is not None:
            assert call.fails, f"{where}: fails_if on a call that never fails"
        if call.needs_context_timeout:
            assert not call.timeout, f"{where}: takes a timeout, yet needs a context one"
            assert call.fails, where


@pytest.mark.parametrize("lib", LIBRARIES, ids=IDS)
def test_local_methods_belong_to_any_method_clients(lib: Library) -> None:
    for client in lib.clients:
        if not client.any_method:
            assert not client.local_methods, f"{client.name}: local_methods without any_method"
        local = set(client.local_methods)
        for method in client.methods:
            if method.name in local:
                assert not method.fails, f"{client.name}.{method.name} is local yet fails"


@pytest.mark.parametrize("lib", LIBRARIES, ids=IDS)
def test_every_library_names_its_failures(lib: Library) -> None:
    assert lib.exceptions
    assert len(lib.exceptions) == len(set(lib.exceptions)), lib.name


# Facts the design and the rules depend on, pinned so that an edit of the table shows up here.


def function(name: str) -> Call:
    return KB.functions[name][1]


def client(name: str) -> Client:
    return KB.clients[name][1]


def test_design_examples_are_in_the_table() -> None:
    for name in (
        "requests.get",
        "urllib.request.urlopen",
        "socket.create_connection",
        "smtplib.SMTP",
        "redis.Redis",
        "psycopg2.connect",
        "asyncio.open_connection",
    ):
        assert name in KB.functions, name


def test_connecting_and_lazy_constructors() -> None:
    assert function("smtplib.SMTP").fails_if == Param("host", 0)
    assert function("ftplib.FTP").fails_if == Param("host", 0)
    assert function("imaplib.IMAP4").fails and function("imaplib.IMAP4").fails_if is None
    assert function("psycopg2.connect").fails
    lazy = ("redis.Redis", "pymongo.MongoClient", "http.client.HTTPConnection", "boto3.client")
    for name in lazy:
        assert not function(name).fails, name


def test_timeouts_inside_connection_strings() -> None:
    for name in ("psycopg2.connect", "psycopg.connect", "redis.from_url", "pymongo.MongoClient"):
        assert function(name).dsn is not None, name
    assert function("psycopg2.connect").dsn_timeout_key == "connect_timeout"
    assert function("pymongo.MongoClient").timeout_unit == pytest.approx(0.001)


def test_asyncio_open_connection_needs_a_context_timeout() -> None:
    assert function("asyncio.open_connection").needs_context_timeout


def test_library_defaults_of_the_rules() -> None:
    defaults = {lib.name: lib.default_timeout for lib in LIBRARIES}
    assert defaults["httpx"] == pytest.approx(5.0)
    assert defaults["aiohttp"] == pytest.approx(300.0)
    assert defaults["boto3"] == pytest.approx(60.0)
    assert defaults["requests"] == "none"
    assert function("urllib3.request").default_timeout == pytest.approx(3.0)
    assert function("psycopg.connect").default_timeout == pytest.approx(130.0)


def test_oserror_counts_only_where_the_family_derives_from_it() -> None:
    handlers = {lib.name: set(lib.exceptions) for lib in LIBRARIES}
    for derives in ("requests", "smtplib", "socket", "urllib.request"):
        assert "OSError" in handlers[derives], derives
    for wrapped in ("httpx", "aiohttp", "urllib3", "redis", "psycopg2", "pymongo", "boto3", "grpc"):
        assert "OSError" not in handlers[wrapped], wrapped
    assert "ftplib.all_errors" in handlers["ftplib"]


def test_grpc_stubs_use_a_glob() -> None:
    stub = client("*_pb2_grpc.*Stub")
    assert stub.any_method and stub.timeout_on == "call"
    assert [str(p) for p in stub.methods[0].timeout] == ["timeout@1"]
    assert under("helloworld_pb2_grpc.GreeterStub", stub.name)
