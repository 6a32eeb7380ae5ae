"""Optional integrations: imports that depend on what is installed, or on type checking."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import settings
from .http import api_session

try:
    import httpx
except ImportError:  # pragma: no cover - httpx is an optional extra
    httpx = None

if TYPE_CHECKING:
    from redis import Redis


def fetch_optional(url: str) -> bytes:
    if httpx is None:
        return b""
    return httpx.get(url).content  # expect: FM103, FM107


def fetch_lazy(url: str) -> int:
    import requests

    return requests.get(url).status_code  # expect: FM101, FM103


def configured(url: str) -> dict:
    import requests

    # FM109: the timeout is given, but its value is the project's setting, which fmcat cannot
    # read (and FM105 cannot hold to a catalog).
    return requests.get(url, timeout=settings.HTTP_TIMEOUT).json()  # expect: FM103, FM109


def count(store: Redis, key: str) -> int:
    return int(store.get(key) or 0)  # expect: FM103


def count_quoted(store: "Redis", key: str) -> int:
    return int(store.get(key) or 0)  # expect: FM103


def via_project(url: str) -> dict:
    return api_session.get(url).json()
