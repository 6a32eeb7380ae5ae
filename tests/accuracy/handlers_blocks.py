"""Notification retries: which blocks of a try protect a call, and handlers fmcat cannot resolve."""

import logging

import httpx
import redis
import requests

log = logging.getLogger(__name__)
queue = redis.Redis(host="queue", socket_timeout=1)
client = httpx.Client(timeout=2.0)


def fallback(endpoint: str, body: dict) -> None:
    try:
        client.post(endpoint, json=body)
    except httpx.HTTPError:
        client.post(endpoint + "/fallback", json=body)  # expect: FM103
    else:
        queue.incr("sent")  # expect: FM103
    finally:
        queue.incr("attempted")  # expect: FM103


def grouped(endpoint: str, body: dict) -> None:
    try:
        requests.post(endpoint, json=body, timeout=3)
        queue.incr("grouped")
    except* (requests.RequestException, redis.RedisError):
        log.error("grouped failed")


def wrong_family(endpoint: str) -> None:
    try:
        requests.get(endpoint, timeout=3)  # expect: FM103
        queue.get("last")
    except redis.RedisError:
        pass


class Sender:
    errors: tuple[type[Exception], ...] = (httpx.HTTPError,)

    def send(self, endpoint: str) -> None:
        try:
            client.get(endpoint)
        except self.errors:
            log.warning("send failed")
