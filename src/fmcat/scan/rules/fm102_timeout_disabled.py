from collections.abc import Iterator

from fmcat.findings import Finding, Severity
from fmcat.scan.facts import FileFacts, TimeoutState
from fmcat.scan.rules.base import CodeRule, ScanContext


class TimeoutDisabled(CodeRule):
    """
    A timeout is given but switched off: `timeout=None` (or `0`), a tuple with a `None` phase
    such as requests' `(3.05, None)`, `httpx.Client(timeout=None)`, `httpx.Timeout(None)` or
    `aiohttp.ClientTimeout(total=None)`. Writing it down does not make it a bound. Only a
    literal or a constant that resolves to `None`/`0` is reported; a computed value
    (`timeout=cfg.timeout()`) counts as a timeout.
    """

    code = "FM102"
    name = "timeout-disabled"
    summary = "A timeout is given but switched off (None or 0)"
    severity = Severity.ERROR

    INVALID = (
        """\
import httpx
import requests

NO_TIMEOUT = None

def fetch(url):
    requests.get(url, timeout=NO_TIMEOUT)  # expect: FM102 "timeout is switched off"
    requests.get(url, timeout=(3.05, None))  # expect: FM102
    with httpx.Client(timeout=httpx.Timeout(None)) as client:  # expect: FM102
        return client.get(url)
""",
        """\
import aiohttp

async def fetch(url):
    timeout = aiohttp.ClientTimeout(total=None)
    async with aiohttp.ClientSession(timeout=timeout) as session:  # expect: FM102
        async with session.get(url) as response:
            return await response.text()
""",
        """\
import asyncio
import functools as ft

import anyio
import async_timeout
import requests

async def ping(host):
    async with asyncio.timeout_at(when=None):
        await asyncio.open_connection(host, 6379)  # expect: FM102
    async with anyio.move_on_after(None):
        await asyncio.open_connection(host, 6379)  # expect: FM102
    async with async_timeout.timeout(delay=None):
        await asyncio.open_connection(host, 6379)  # expect: FM102
    return await asyncio.wait_for(asyncio.open_connection(host, 6379), None)  # expect: FM102

def fetch(url):
    session = requests.Session()
    session.request = ft.partial(session.request, timeout=None)
    session.get(url)  # expect: FM102
    get = ft.partial(requests.get, timeout=None)
    return get(url)  # expect: FM102
""",
    )
    VALID = (
        """\
import httpx
import requests

def fetch(url, settings):
    requests.get(url, timeout=(3.05, 27))
    requests.get(url, timeout=settings.timeout())
    with httpx.Client(timeout=httpx.Timeout(5.0, connect=1.0)) as client:
        return client.get(url)
""",
    )

    def check(self, facts: FileFacts, context: ScanContext) -> Iterator[Finding]:
        for site in facts.sites:
            if site.timeout is TimeoutState.DISABLED:
                yield self.finding(
                    facts,
                    site.span,
                    f"{site.qualname}: the timeout is switched off (None or 0); give a bound",
                )
