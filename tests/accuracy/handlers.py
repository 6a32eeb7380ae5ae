"""Notification fan-out: which handlers count as handling which client's failures."""

import contextlib
import logging

import httpx
import redis
import requests
from requests.exceptions import ConnectionError as RequestsConnectionError

log = logging.getLogger(__name__)
RETRYABLE = (requests.Timeout, requests.ConnectionError)
queue = redis.Redis(host="queue", socket_timeout=1)
client = httpx.Client(timeout=2.0)


def push_mobile(token: str, body: dict) -> None:
    try:
        requests.post("https://push.example.com/send", json={"to": token, **body}, timeout=2)  # Timeout and ConnectionError only: ChunkedEncodingError, InvalidURL escape  # expect: FM103
    except RETRYABLE:
        log.warning("push failed, will retry")


def push_web(endpoint: str, body: dict) -> None:
    try:
        client.post(endpoint, json=body)  # expect: FM103
    except OSError:  # httpx errors are not OSErrors
        log.warning("web push failed")


def push_email(address: str, body: dict) -> None:
    try:
        requests.post("https://mail.example.com/send", json={"to": address, **body}, timeout=2)  # a subclass only  # expect: FM103
    except RequestsConnectionError:
        log.warning("mail relay down")


def enqueue(job: dict) -> None:
    try:
        queue.rpush("jobs", repr(job))  # expect: FM103
    except ConnectionError:  # the builtin: redis.ConnectionError is not one
        log.error("queue down")


def enqueue_quietly(job: dict) -> None:
    with contextlib.suppress(redis.RedisError):
        queue.rpush("jobs", repr(job))
    with contextlib.suppress(OSError):
        client.post("https://audit.example.com", json=job)  # expect: FM103


def notify_all(endpoints: list[str], body: dict) -> int:
    sent = 0
    for endpoint in endpoints:
        try:
            client.post(endpoint, json=body)
            sent += 1
        except Exception:
            log.exception("notify %s", endpoint)
    return sent


def broadcast(endpoint: str, body: dict) -> None:
    try:
        client.post(endpoint, json=body)
    except:  # noqa: E722
        log.exception("broadcast")
        raise
