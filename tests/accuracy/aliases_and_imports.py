"""Webhook relay: every way a module gets hold of requests, urllib and redis."""

import urllib.request as ureq
from urllib import request as urllib_request

import redis as cache_backend
import requests as r
from requests import Session as HttpSession
from requests import get as http_get
from requests.api import request as api_request
from requests.exceptions import RequestException as RelayError
from requests.sessions import Session as SessionsSession

HOOKS = "https://hooks.example.com"

cache = cache_backend.StrictRedis(host="cache", port=6379)  # expect: FM101
fast_cache = cache_backend.Redis(host="cache", socket_timeout=0.25)
fetch = r.get
http = r


def relay(event: dict) -> None:
    r.post(f"{HOOKS}/relay", json=event)  # expect: FM101, FM103


def ping() -> bool:
    try:
        return http_get(f"{HOOKS}/ping").ok  # expect: FM101
    except RelayError:
        return False


def replay(event_id: str) -> bytes:
    try:
        with ureq.urlopen(f"{HOOKS}/events/{event_id}") as resp:  # expect: FM101
            return resp.read()
    except OSError:
        return b""


def archive(event_id: str) -> bytes:
    try:
        return urllib_request.urlopen(f"{HOOKS}/archive/{event_id}", timeout=5).read()
    except OSError:
        return b""


def mirror(event: dict) -> None:
    fetch(f"{HOOKS}/mirror/{event['id']}")  # expect: FM101, FM103
    http.put(f"{HOOKS}/mirror", json=event, timeout=2)  # expect: FM103
    api_request("PATCH", f"{HOOKS}/mirror", json=event)  # expect: FM101, FM103


def sessions() -> None:
    with HttpSession() as a, SessionsSession() as b:
        a.get(HOOKS)  # expect: FM101, FM103
        b.get(HOOKS, timeout=1)  # expect: FM103
        head = a.head
        head(HOOKS)  # expect: FM101, FM103


def cached(key: str) -> bytes | None:
    try:
        return cache.get(key) or fast_cache.get(key)
    except cache_backend.RedisError:
        return None
