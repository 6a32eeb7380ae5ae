"""Redis clients made from URLs: in settings or the environment, or written in the code."""

import os

import redis

from . import settings

cache = redis.from_url(settings.REDIS_URL)  # ?socket_timeout= lives in the setting  # expect: FM109
sessions = redis.Redis.from_url(os.environ["SESSION_REDIS_URL"])  # expect: FM109
bounded = redis.from_url("redis://cache:6379/0?socket_timeout=0.5")
forever = redis.from_url("redis://cache:6379/1")  # a literal URL is judged as written  # expect: FM101
explicit = redis.from_url(os.environ["QUEUE_REDIS_URL"], socket_timeout=1)


def cached(key: str) -> bytes | None:
    try:
        return cache.get(key) or sessions.get(key) or forever.get(key) or bounded.get(key)
    except redis.RedisError:
        return None
