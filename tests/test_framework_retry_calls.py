"""tenacity's call form, ``Retrying(...)(fn, *args)`` (fmcat/frameworks/retry_calls.py), and the
functions a retry loop's body calls (retry_loops.py): the library facts they rest on, checked
against the installed tenacity and requests, and the CLI's FM112 on a project shaped like
Airflow's HTTP hooks (apache-airflow-providers-http 6.3.0, bench/realworld/labels/)."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest
import requests
import tenacity

from fmcat.frameworks.retry_calls import call_policies
from fmcat.frameworks.source import Source
from tests.conftest import run_fmcat, write


def test_tenacity_retrying_calls_fn_again_with_the_same_arguments() -> None:
    """``Retrying.__call__(fn, *args, **kwargs)``: fn is the first argument, run once an attempt
    with the arguments that follow it, which is why the pass reads ``args[0]`` as the retried
    function."""
    parameters = list(inspect.signature(tenacity.Retrying.__call__).parameters)
    assert parameters[:2] == ["self", "fn"], parameters
    seen: list[tuple[str, dict[str, str]]] = []

    def flaky(url: str, **body: str) -> None:
        seen.append((url, body))
        raise OSError

    retrying = tenacity.Retrying(stop=tenacity.stop_after_attempt(3), reraise=True)
    with pytest.raises(OSError):
        retrying(flaky, "https://example.invalid/run", data="x")
    assert seen == [("https://example.invalid/run", {"data": "x"})] * 3


def test_requests_takes_the_method_first() -> None:
    """``Request(self.method, url)`` and ``session.request(self.method, url)``: the method is the
    first positional parameter of both, where the pass looks for ``self.method``."""
    assert next(iter(inspect.signature(requests.Request).parameters)) == "method"
    assert list(inspect.signature(requests.Session.request).parameters)[1] == "method"
    assert next(iter(inspect.signature(requests.request).parameters)) == "method"


HOOK = """\
import tenacity
from requests import Request, Session


class Hook:
    def __init__(self, method: str = "{default}") -> None:
        self.method = method.upper()

    def run(self, url, data=None):
        if self.method == "GET":
            request = Request(self.method, url, params=data)
        else:
            request = Request(self.method, url, data=data)
        return Session().send(request.prepare(), timeout=5)

    def run_with_advanced_retry(self, _retry_args, *args, **kwargs):
        self._retry_obj = tenacity.Retrying(**_retry_args)
        return self._retry_obj(self.run, *args, **kwargs)
"""


def _fm112(tmp_path: Path, files: dict[str, str]) -> list[dict[str, object]]:
    write(tmp_path, {"pyproject.toml": "[tool.fmcat]\n", **files})
    done = run_fmcat("lint", ".", "--format", "json", "--no-cache", cwd=tmp_path)
    assert done.code in (0, 1), done.stderr
    findings = json.loads(done.stdout)["findings"]
    return [f for f in findings if f["code"] == "FM112"]


def test_a_hook_posting_by_default_is_reported_on_its_retrying_call(tmp_path: Path) -> None:
    found = _fm112(tmp_path, {"hook.py": HOOK.format(default="POST")})
    assert [(f["path"], f["line"]) for f in found] == [("hook.py", 18)], found
    message = str(found[0]["message"])
    assert "tenacity.Retrying (line 17)" in message, message
    assert "self.run sends Request(self.method, ...) (line 13)" in message, message
    assert "POST by default (line 6)" in message, message


def test_a_hook_reading_by_default_is_not_reported(tmp_path: Path) -> None:
    assert _fm112(tmp_path, {"hook.py": HOOK.format(default="GET")}) == []


def test_a_hook_that_sends_an_idempotency_key_is_not_reported(tmp_path: Path) -> None:
    keyed = HOOK.format(default="POST").replace(
        "params=data)", 'params=data, headers={"Idempotency-Key": "k"})'
    )
    assert _fm112(tmp_path, {"hook.py": keyed}) == []


def test_only_the_default_branch_of_a_dispatch_on_the_method_counts() -> None:
    source = Source.parse(HOOK.format(default="POST").encode(), "hook.py", "hook")
    assert source is not None
    [call] = call_policies(source)
    assert "(line 13)" in call.via and "(line 11)" not in call.via, call.via


NESTED = """\
import aiohttp
import requests
from tenacity import AsyncRetrying, stop_after_attempt


async def deliver(url, body):
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:

        async def request_func():
            return await session.post(url, json=body)

        def unused():
            return requests.post(url, json=body, timeout=5)

        async for attempt in AsyncRetrying(stop=stop_after_attempt(3)):
            with attempt:
                return await request_func()
"""


def test_a_nested_function_called_in_a_retry_loop_is_retried(tmp_path: Path) -> None:
    found = _fm112(tmp_path, {"deliver.py": NESTED})
    assert [f["line"] for f in found] == [10], found  # not unused()'s POST, line 13
    assert "AsyncRetrying (line 15)" in str(found[0]["message"]), found
