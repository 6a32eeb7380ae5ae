from collections.abc import Iterator

from fmcat.catalog.units import Duration
from fmcat.findings import Finding, Severity
from fmcat.scan.facts import FileFacts, TimeoutState
from fmcat.scan.rules.base import CodeRule, ScanContext


class DefaultTimeout(CodeRule):
    """
    Informational. The call or client relies on its library's default timeout: httpx 5 s,
    aiohttp 300 s (total), botocore 60 s. That is a bound, so it is not FM101 (bandit and
    ruff both had to retract reporting httpx as "missing a timeout"), but it is a bound nobody
    chose, and 300 s is rarely what users will wait. State it in code, so it shows in review
    and FM105 can hold it to the catalog. A client made in a function whose every call in the
    file is bounded otherwise (a timeout of its own, or `asyncio.timeout` around it) relies on
    no default, and is not reported.
    """

    code = "FM107"
    name = "default-timeout"
    summary = "Relies on a library's default timeout (informational)"
    severity = Severity.INFO

    INVALID = (
        """\
import httpx

async def fetch(url):
    async with httpx.AsyncClient() as client:  # expect: FM107 "httpx's default timeout of 5s"
        return await client.get(url)
""",
    )
    VALID = (
        """\
import httpx

async def fetch(url):
    async with httpx.AsyncClient(timeout=2.0) as client:
        return await client.get(url)
""",
        """\
import asyncio

import aiohttp

async def submit(url, data):
    async with aiohttp.ClientSession() as session:
        async with asyncio.timeout(30):
            async with session.post(url, data=data) as response:
                return response.status
""",
    )

    def check(self, facts: FileFacts, context: ScanContext) -> Iterator[Finding]:
        bounded = _bounded_clients(facts)
        for index, site in enumerate(facts.sites):
            if index in bounded:
                continue
            if site.timeout is TimeoutState.DEFAULT and site.default_seconds is not None:
                default = Duration.of_seconds(site.default_seconds)
                hint = f" with {site.timeout_hint}" if site.timeout_hint else ""
                yield self.finding(
                    facts,
                    site.span,
                    f"{site.qualname} relies on {site.library}'s default timeout of {default}; "
                    f"state it{hint}",
                )


def _bounded_clients(facts: FileFacts) -> set[int]:
    """Clients made in a function whose every call seen is bounded otherwise (pulpcore's
    analytics session, used only inside ``asyncio.timeout(300)``)."""
    calls: dict[int, list[bool]] = {}
    for site in facts.sites:
        if site.client_site is not None:
            bounded = site.timeout in (TimeoutState.CONTEXT, TimeoutState.SET)
            calls.setdefault(site.client_site, []).append(bounded or bool(site.timeout_source))
    return {
        index
        for index, states in calls.items()
        if facts.sites[index].enclosing != facts.module and all(states)
    }
