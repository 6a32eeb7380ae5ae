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
    and FM105 can hold it to the catalog.
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
    )

    def check(self, facts: FileFacts, context: ScanContext) -> Iterator[Finding]:
        for site in facts.sites:
            if site.timeout is TimeoutState.DEFAULT and site.default_seconds is not None:
                default = Duration.of_seconds(site.default_seconds)
                hint = f" with {site.timeout_hint}" if site.timeout_hint else ""
                yield self.finding(
                    facts,
                    site.span,
                    f"{site.qualname} relies on {site.library}'s default timeout of {default}; "
                    f"state it{hint}",
                )
