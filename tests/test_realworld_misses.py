"""Misses and false alarms left on the real-service suite (bench/realworld), one test each.

Each test writes a small project with the shape of the service's code and runs the CLI on it;
the label it stands for is named in the docstring.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_fmcat, write


def lint(root: Path, files: dict[str, str]) -> list[tuple[str, int, str, str]]:
    """(path, line, code, message) of every finding of `fmcat lint -f json` on the project."""
    write(root, {"pyproject.toml": "[tool.fmcat]\n", **files})
    run = run_fmcat("lint", ".", "-f", "json", "--no-cache", cwd=root)
    assert run.code in (0, 1), run.stderr
    return sorted(
        (f["path"], f["line"], f["code"], f["message"]) for f in json.loads(run.stdout)["findings"]
    )


DMARC = """\
from datetime import timedelta

import dns.resolver
import requests
from dns.exception import DNSException
from lazr.config import as_timedelta

from app.config import config, settings


def policy(domain):
    resolver = dns.resolver.Resolver()
    resolver.timeout = as_timedelta(config.dmarc.resolver_timeout).total_seconds()
    resolver.lifetime = as_timedelta(config.dmarc.resolver_lifetime).total_seconds()
    try:
        return resolver.query(domain, "TXT")
    except DNSException:
        return None


def computed(domain, a, b):
    resolver = dns.resolver.Resolver()
    resolver.lifetime = max(a, b)
    try:
        return resolver.resolve(domain, "MX")
    except DNSException:
        return None


def fetch(url):
    try:
        return requests.get(url, timeout=timedelta(seconds=settings.HTTP_TIMEOUT).total_seconds())
    except requests.RequestException:
        return None
"""


def test_a_timeout_from_configuration_through_a_conversion(tmp_path: Path) -> None:
    """Mailman's DMARC rule (rules/dmarc.py:183): ``resolver.lifetime =
    as_timedelta(config.dmarc.resolver_lifetime).total_seconds()``. A conversion of a value
    read from configuration is still that value: configuration decides the bound (FM109), as
    for a timeout argument; a bound computed from other values is not reported."""
    found = lint(tmp_path, {"app/__init__.py": "", "app/config.py": "", "app/dmarc.py": DMARC})
    assert [(p, line, code) for p, line, code, _ in found] == [
        ("app/dmarc.py", 16, "FM109"),
        ("app/dmarc.py", 32, "FM109"),
    ]
    assert "(lifetime=config.dmarc); check the value it is set to" in found[0][3]
    assert "(timeout=settings.HTTP_TIMEOUT)" in found[1][3]


POOL = """\
import redis
from redis import ConnectionPool, Redis

from app.common import config

_pool = None


def connect():
    global _pool
    if _pool is None:
        url = config.get("app.redis.url")
        _pool = ConnectionPool.from_url(url)
    return Redis(connection_pool=_pool)


def literal():
    pool = redis.BlockingConnectionPool.from_url("redis://cache:6379/0")
    return redis.Redis(connection_pool=pool)


def bounded():
    pool = redis.ConnectionPool.from_url("redis://cache:6379/0?socket_timeout=0.5")
    return redis.Redis(connection_pool=pool)
"""


def test_a_redis_pool_made_from_a_url(tmp_path: Path) -> None:
    """ckan's ``lib/redis.py:40``: ``ConnectionPool.from_url(config.get("ckan.redis.url"))``,
    then lazy ``Redis(connection_pool=pool)`` clients over it. The pool maker is where the
    timeout is configured, as ``redis.from_url`` is: from configuration, FM109 there; from a
    literal URL without ``socket_timeout=``, FM101 there; the clients over it say nothing."""
    found = lint(tmp_path, {"app/__init__.py": "", "app/common.py": "", "app/cache.py": POOL})
    assert [(p, line, code) for p, line, code, _ in found] == [
        ("app/cache.py", 13, "FM109"),
        ("app/cache.py", 18, "FM101"),
    ]
    assert found[0][3].startswith("redis.ConnectionPool.from_url takes its timeout from")
    assert "check `socket_timeout=` in it" in found[0][3]
