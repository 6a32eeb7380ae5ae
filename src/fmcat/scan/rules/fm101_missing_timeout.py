from collections.abc import Iterator

from fmcat.findings import Finding, Severity
from fmcat.scan.facts import FileFacts, Role, TimeoutState
from fmcat.scan.knowledge import Library
from fmcat.scan.rules.base import CodeRule, ScanContext


class MissingTimeout(CodeRule):
    """
    An external call, or the client it goes through, has no timeout, and the library waits
    forever without one. One slow dependency then holds a worker per request until the
    service stops answering. The finding sits where the timeout belongs: on the call for
    `requests` (a `Session` takes no timeout of its own, and `session.timeout = 5` does
    nothing), on the client for `redis.Redis(socket_timeout=...)`, around the call for
    `asyncio.open_connection` (`asyncio.wait_for` or `async with asyncio.timeout(...)`).
    A call that passes `**kwargs` may carry a timeout and is not reported.
    """

    code = "FM101"
    name = "missing-timeout"
    summary = "An external call or its client has no timeout"
    severity = Severity.ERROR

    INVALID = (
        """\
import requests

def charge(order):
    return requests.post("https://api.pay.example.com/v1/charges", json=order)  # expect: FM101
""",
        """\
import requests as r
from requests import Session

session = Session()

def status(url):
    with r.Session() as s:
        s.get(url)  # expect: FM101 "requests waits forever"
    return session.head(url)  # expect: FM101
""",
        """\
import asyncio
import redis

cache = redis.Redis(host="cache")  # expect: FM101 "redis waits forever before 8.0 (5 s from 8.0)"

async def ping(host):
    return await asyncio.open_connection(host, 6379)  # expect: FM101
""",
    )
    VALID = (
        """\
import asyncio

import redis
import requests

cache = redis.Redis(host="cache", socket_timeout=0.2)

def charge(order, timeout):
    return requests.post("https://api.pay.example.com/v1/charges", json=order, timeout=timeout)

def forward(url, **kwargs):
    return requests.get(url, **kwargs)

async def ping(host):
    return await asyncio.wait_for(asyncio.open_connection(host, 6379), timeout=1)

def lookalikes(d, get):
    d.get("key")
    get("https://example.com")
""",
        """\
import asyncio
import functools as ft
from functools import partial as preset

import anyio
import async_timeout
import requests
import trio

async def ping(host):
    async with asyncio.timeout_at(when=asyncio.get_running_loop().time() + 1):
        await asyncio.open_connection(host, 6379)
    async with anyio.fail_after(1):
        await asyncio.open_connection(host, 6379)
    async with anyio.move_on_after(delay=1):
        await asyncio.open_connection(host, 6379)
    async with async_timeout.timeout(1):
        await asyncio.open_connection(host, 6379)
    async with trio.fail_after(1):
        await asyncio.open_connection(host, 6379)
    async with trio.move_on_after(seconds=1):
        await asyncio.open_connection(host, 6379)

def fetch(url):
    session = requests.Session()
    session.request = ft.partial(session.request, timeout=5)
    other = requests.Session()
    other.request = preset(other.request, timeout=5)
    return session.get(url), other.get(url)
""",
    )

    def check(self, facts: FileFacts, context: ScanContext) -> Iterator[Finding]:
        for site in facts.sites:
            if site.timeout is not TimeoutState.MISSING:
                continue
            hint = f"; set {site.timeout_hint}" if site.timeout_hint else ""
            what = "is made without a timeout" if site.role is Role.CLIENT else "has no timeout"
            waits = _waits(context.kb.libraries.get(site.library), site.library)
            yield self.finding(facts, site.span, f"{site.qualname} {what} and {waits}{hint}")


def _waits(library: Library | None, name: str) -> str:
    """What the library does without a timeout, in the versions where it waits forever."""
    change = library.default_changed if library is not None else None
    if change is None or library is None or library.default_timeout != "none":
        return f"{name} waits forever"
    since = change.version
    return f"{name} waits forever before {since} ({change.seconds:g} s from {since})"
