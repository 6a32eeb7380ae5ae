"""Factories, subclasses and module-level clients that other modules import."""

import redis
import requests

cache = redis.Redis(host="cache", socket_timeout=0.5)


def make_session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = "shop/1.0"
    return session


def make_bounded():
    return requests.Session()


class Api(requests.Session):
    """Adds nothing: calls through it are requests calls."""


class TimeoutApi(requests.Session):
    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", 5)
        return super().request(method, url, **kwargs)
