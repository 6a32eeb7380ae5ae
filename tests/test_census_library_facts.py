"""The client table's entries for the libraries the census found in two or more services
(docs/census.md), checked against the installed libraries beyond what tests/test_library_facts.py
checks for every entry: what their glob names stand for, where their timeouts go, what they do
without one, and which errors a failed request raises (a closed port or a silent server on
127.0.0.1, never the network)."""

from __future__ import annotations

import contextlib
import inspect
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from fmcat.scan.knowledge import builtin

KB = builtin()


@contextlib.contextmanager
def closed_port() -> Iterator[int]:
    """A port on 127.0.0.1 that refuses connections: bound, never listening, held through the
    test."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@contextlib.contextmanager
def silent_server() -> Iterator[int]:
    """A port on 127.0.0.1 that accepts connections and never answers."""
    server = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                accepted.append(server.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        server.close()


def family(library: str) -> tuple[type[BaseException], ...]:
    """The classes the table's `exceptions` of ``library`` name."""
    import builtins
    import importlib

    found: list[type[BaseException]] = []
    for name in KB.libraries[library].exceptions:
        module, _, attr = name.rpartition(".")
        found.append(getattr(importlib.import_module(module) if module else builtins, attr))
    return tuple(found)


# -- kubernetes ---------------------------------------------------------------------------------


def kubernetes_api_classes() -> list[tuple[str, type]]:
    import fnmatch

    import kubernetes.client

    pattern = next(f.name for f in KB.libraries["kubernetes"].functions if "*" in f.name)
    assert pattern == "kubernetes.client.*Api"
    return [
        (name, obj)
        for name, obj in vars(kubernetes.client).items()
        if inspect.isclass(obj) and fnmatch.fnmatchcase(f"kubernetes.client.{name}", pattern)
    ]


def test_every_kubernetes_api_group_method_takes_request_timeout() -> None:
    """`kubernetes.client.*Api` with `{ name = "*", timeout = ["_request_timeout"] }`: every
    public method of every API group is a request that takes `_request_timeout` through its
    **kwargs (the generated `all_params` of its *_with_http_info twin)."""
    classes = kubernetes_api_classes()
    assert len(classes) > 40, [n for n, _ in classes]
    assert {"CoreV1Api", "BatchV1Api", "AppsV1Api", "CustomObjectsApi", "VersionApi"} <= {
        n for n, _ in classes
    }
    checked = 0
    for name, cls in classes:
        for method, function in vars(cls).items():
            if method.startswith("_") or not callable(function):
                continue
            twin_name = method if method.endswith("_with_http_info") else f"{method}_with_http_info"
            twin = getattr(cls, twin_name)
            source = inspect.getsource(twin)
            assert "'_request_timeout'" in source, f"{name}.{method}"
            assert "_request_timeout=local_var_params.get('_request_timeout')" in source, (
                f"{name}.{method}: the timeout does not reach call_api"
            )
            checked += 1
    assert checked > 1000, checked


def test_kubernetes_waits_forever_without_request_timeout() -> None:
    """The table's default ("none"): `_request_timeout` defaults to None all the way down, and
    RESTClientObject hands urllib3 `timeout=None`, which urllib3 reads as no timeout at all."""
    import urllib3
    from kubernetes.client import ApiClient, Configuration
    from kubernetes.client.rest import RESTClientObject

    assert KB.libraries["kubernetes"].default_timeout == "none"
    for target in (ApiClient.call_api, ApiClient.request, RESTClientObject.request):
        assert inspect.signature(target).parameters["_request_timeout"].default is None
    assert "timeout = None\n        if _request_timeout:" in inspect.getsource(
        RESTClientObject.request
    )
    off = urllib3.Timeout.from_float(None)  # what HTTPConnectionPool makes of timeout=None
    assert off.connect_timeout is None and off.read_timeout is None
    pool = RESTClientObject(Configuration()).pool_manager
    assert "timeout" not in pool.connection_pool_kw
    assert not any("timeout" in attr for attr in vars(Configuration()))


def test_kubernetes_stream_default_is_sixty_seconds() -> None:
    from kubernetes.stream import ws_client

    entry = KB.function("kubernetes.stream.stream")
    assert entry is not None and entry[1].default_timeout == 60
    assert 'kwargs.get("_request_timeout", 60)' in inspect.getsource(ws_client.websocket_call)


def _kubernetes_core(port: int) -> Any:
    from kubernetes import client

    configuration = client.Configuration(host=f"http://127.0.0.1:{port}")
    configuration.retries = 0
    # Making the API group (and its ApiClient) sends nothing: the table's `fails = false`.
    return client.CoreV1Api(client.ApiClient(configuration))


def test_a_refused_kubernetes_request_is_urllib3s_error_not_an_api_exception() -> None:
    import urllib3
    from kubernetes.client import ApiException

    with closed_port() as port:
        core = _kubernetes_core(port)
        with pytest.raises(urllib3.exceptions.HTTPError) as raised:
            core.list_namespaced_pod("default", _request_timeout=2)
    assert not isinstance(raised.value, (ApiException, OSError)), raised.value
    assert isinstance(raised.value, family("kubernetes"))


def test_a_silent_kubernetes_server_times_out_with_request_timeout() -> None:
    import urllib3

    with silent_server() as port:
        core = _kubernetes_core(port)
        with pytest.raises(urllib3.exceptions.HTTPError) as raised:
            core.list_namespaced_pod("default", _request_timeout=0.3)
    assert "timed out" in str(raised.value), raised.value
    assert isinstance(raised.value, family("kubernetes"))


# -- google-cloud-bigquery ----------------------------------------------------------------------


def _bigquery_client(port: int) -> Any:
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import bigquery

    return bigquery.Client(
        project="p",
        credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
        client_options={"api_endpoint": f"http://127.0.0.1:{port}"},
    )


def test_bigquery_requests_have_no_timeout_unless_given() -> None:
    """The table's default ("none"): every request method's timeout defaults to
    retry.DEFAULT_TIMEOUT, which is None, and _call_api hands it to the connection as it is
    (the connection's own 60 s applies only when no timeout is passed at all); get_job's is 128."""
    from google.cloud import _http as cloud_http
    from google.cloud.bigquery import Client, QueryJob, retry

    assert retry.DEFAULT_TIMEOUT is None
    assert KB.libraries["google-cloud-bigquery"].default_timeout == "none"
    client = KB.clients["google.cloud.bigquery.Client"][1]
    for method in client.methods:
        parameters = inspect.signature(getattr(Client, method.name)).parameters
        for param in method.timeout:
            if param.keyword not in parameters:  # insert_rows: through **kwargs
                continue
            default = parameters[param.keyword].default
            if method.default_timeout is not None:
                assert default == method.default_timeout == retry.DEFAULT_GET_JOB_TIMEOUT
            elif param.keyword != "wait_timeout":
                assert default is None, f"{method.name}: {default}"
    assert "call = functools.partial(self._connection.api_request, **kwargs)" in (
        inspect.getsource(Client._call_api)
    )
    assert "timeout=timeout" in inspect.getsource(cloud_http.JSONConnection._do_request)
    # result() without a timeout waits for the job however long it takes.
    assert "remaining_timeout = None" in inspect.getsource(QueryJob.result)


def test_a_refused_bigquery_request_is_an_oserror() -> None:
    import requests

    with closed_port() as port:
        client = _bigquery_client(port)  # making the client sends nothing: `fails = false`
        with pytest.raises(requests.ConnectionError) as raised:
            client.get_table("p.d.t", retry=None, timeout=2)
    assert isinstance(raised.value, OSError)
    assert isinstance(raised.value, family("google-cloud-bigquery"))


def test_a_bigquery_error_answer_is_a_google_api_call_error() -> None:
    import http.server

    from google.api_core.exceptions import GoogleAPICallError, NotFound

    class Missing(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b'{"error": {"code": 404, "message": "Not found: Table p:d.t"}}'
            self.send_response(404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return None

    server = http.server.HTTPServer(("127.0.0.1", 0), Missing)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    try:
        with pytest.raises(NotFound) as raised:
            _bigquery_client(server.server_address[1]).get_table("p.d.t", retry=None, timeout=5)
    finally:
        thread.join(5)
        server.server_close()
    assert isinstance(raised.value, GoogleAPICallError) and not isinstance(raised.value, OSError)
    assert isinstance(raised.value, family("google-cloud-bigquery"))


def test_a_silent_bigquery_server_times_out_only_with_a_timeout() -> None:
    import requests

    with silent_server() as port, pytest.raises(requests.Timeout):
        _bigquery_client(port).get_table("p.d.t", retry=None, timeout=0.3)
