"""Session and analytics stores: Redis clients and pools, MongoDB collections."""

import redis
from pymongo import MongoClient
from pymongo.errors import PyMongoError

cache = redis.Redis(host="cache", socket_connect_timeout=1)  # expect: FM101
bounded = redis.Redis(host="cache", socket_timeout=0.2, socket_connect_timeout=1)
sessions = redis.Redis(connection_pool=redis.ConnectionPool(host="sessions", port=6379))  # expect: FM101
pooled = redis.Redis(connection_pool=redis.ConnectionPool(host="sessions", socket_timeout=0.5))
rate_limits = redis.from_url("redis://limits:6379/0?socket_timeout=0.5")
locks = redis.from_url("redis://locks:6379/0")  # expect: FM101
disabled = redis.Redis(host="cache", socket_timeout=None)  # expect: FM102

mongo = MongoClient("mongodb://mongo:27017/")  # expect: FM101
mongo_bounded = MongoClient("mongodb://mongo:27017/?timeoutMS=2000")
mongo_kw = MongoClient("mongo", 27017, socketTimeoutMS=2000)


def hit(key: str) -> int:
    try:
        return cache.incr(key)
    except redis.RedisError:
        return 0


def session(token: str) -> bytes | None:
    return sessions.get(f"session:{token}")  # expect: FM103


def rotate(token: str, new: str) -> None:
    pipe = pooled.pipeline()
    pipe.delete(f"session:{token}")
    pipe.set(f"session:{new}", "1", ex=3600)
    pipe.execute()  # expect: FM103


def allow(client_id: str) -> bool:
    try:
        return rate_limits.incr(client_id) < 100 and bool(locks.set(client_id, "1", nx=True))
    except redis.exceptions.ConnectionError:
        return True


def track(event: dict) -> None:
    mongo.analytics.events.insert_one(event)  # expect: FM103


def track_bounded(event: dict) -> None:
    try:
        mongo_bounded.get_database("analytics").get_collection("events").insert_one(event)
    except PyMongoError:
        pass


def last_event(kind: str) -> dict | None:
    events = mongo_kw.get_database("analytics").get_collection("events")
    return events.find_one({"kind": kind})  # expect: FM103


def names() -> list[str]:
    enabled = bounded.get("names-enabled")  # expect: FM103
    return mongo_bounded.list_database_names() if enabled else []  # expect: FM103
