from collections.abc import Iterator

from fmcat.findings import Finding, Severity
from fmcat.scan.facts import FileFacts, TimeoutState
from fmcat.scan.rules.base import CodeRule, ScanContext


class TimeoutFromConfiguration(CodeRule):
    """
    Informational. The client is made from a URL or connection string that fmcat cannot read,
    because it comes from configuration: a setting (`settings.REDIS_URL`, `app.config[...]`),
    the environment (`os.environ[...]`, `os.getenv(...)`), or a constant imported from another
    module. Such a URL can carry the timeout (`redis://cache:6379/0?socket_timeout=0.5`,
    `postgresql://db/app?connect_timeout=3`), so fmcat does not claim the client waits forever
    (that would be FM101); it says where the timeout is decided and what to check there. When
    the catalog declares a timeout for the dependency the client is attributed to, the catalog is
    the source of truth: the setting must agree with it. A literal URL in the code is judged as
    written (FM101 when it carries no timeout), and a timeout keyword given beside the URL
    (`socket_timeout=1`) is judged as any other.

    A timeout argument read from configuration (`timeout=settings.HTTP_TIMEOUT`,
    `timeout=config.get("ckan.requests.timeout")`, `timeout=int(os.environ["T"])`) is a bound
    whose value fmcat cannot see either: it is reported here too, so that every call says
    where its bound is decided (FM101: none; FM107: the library's default; FM109:
    configuration), and FM105 cannot hold it to the catalog. A computed value
    (`timeout=cfg.timeout()`) is not reported; a conversion of a value read from
    configuration (`timedelta(seconds=settings.T).total_seconds()`) is that value. So is a
    timeout set as a client's attribute (`resolver.lifetime = settings.DNS_LIFETIME`), and a
    redis pool made from a URL (`ConnectionPool.from_url(settings.URL)`) is judged where it is
    made, as `redis.from_url` is: the clients over it take its timeout.
    """

    code = "FM109"
    name = "timeout-from-configuration"
    summary = "A client's timeout comes from configuration fmcat cannot see (informational)"
    severity = Severity.INFO

    INVALID = (
        """\
import os

import redis
from django.conf import settings

cache = redis.from_url(settings.CACHE_URL)  # expect: FM109 "from configuration"
queue = redis.Redis.from_url(os.environ["QUEUE_URL"])  # expect: FM109
pool = redis.ConnectionPool.from_url(settings.POOL_URL)  # expect: FM109 "ConnectionPool.from_url"
pooled = redis.Redis(connection_pool=pool)
""",
        """\
import os
from datetime import timedelta

import dns.resolver
import requests
from django.conf import settings

def fetch(url):
    requests.get(url, timeout=settings.T)  # expect: FM109 "(timeout=settings.T); check the value"
    requests.get(url, timeout=float(os.environ.get("T", 5)))  # expect: FM109 "$T"
    requests.get(url, timeout=timedelta(seconds=settings.T).total_seconds())  # expect: FM109

def resolve(name):
    resolver = dns.resolver.Resolver()
    resolver.lifetime = float(settings.DNS_LIFETIME)
    return resolver.resolve(name)  # expect: FM109 "(lifetime=settings.DNS_LIFETIME)"
""",
    )
    VALID = (
        """\
import os

import redis

cache = redis.from_url("redis://cache:6379/0?socket_timeout=0.5")
queue = redis.Redis.from_url(os.environ["QUEUE_URL"], socket_timeout=1)
""",
        """\
import requests

def fetch(url, cfg, settings):
    requests.get(url, timeout=cfg.timeout())
    requests.get(url, timeout=max(settings.T, 5))
    requests.get(url, timeout=2.5)
""",
    )

    def check(self, facts: FileFacts, context: ScanContext) -> Iterator[Finding]:
        for index, site in enumerate(facts.sites):
            if site.timeout is not TimeoutState.CONFIG:
                continue
            found = context.kb.function(site.qualname)
            key = found[1].dsn_timeout_key if found is not None else None
            check = f"check `{key}=` in it" if key else "check the timeout it carries"
            # A client of a framework setting names it (django_redis: "CACHES['redis']").
            source = "the URL" if key or not site.timeout_hint else site.timeout_hint
            if site.timeout_source:
                source, check, key = site.timeout_source, "check the value it is set to", None
            message = (
                f"{site.qualname} takes its timeout from configuration fmcat cannot read "
                f"({source}); {check}"
            )
            entry = context.attribution.of(facts, index) if context.attribution else None
            declared = entry.model.policies.timeout if entry is not None else None
            if entry is not None and declared is not None and declared.phases():
                limit = max(declared.phases())
                message += (
                    f"; the catalog declares {limit} for {entry.name} and is the source of "
                    "truth: keep the setting in line with it"
                )
            elif key:
                message += f", or pass {key}= in the code"
            yield self.finding(facts, site.span, message, entry.name if entry else None)
