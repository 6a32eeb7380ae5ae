import redis
import requests

from .clients import Api, TimeoutApi, cache, make_bounded, make_session

SHOP = "https://shop.example.com"


def refresh() -> None:
    s = make_session()
    try:
        s.get(f"{SHOP}/catalog")  # expect: FM101
        make_bounded().get(f"{SHOP}/prices", timeout=3)
        cache.get("catalog")
    except (requests.RequestException, redis.RedisError):
        pass


def warm() -> None:
    cache.set("warm", 1)  # expect: FM103


def api_calls() -> None:
    try:
        Api().get(f"{SHOP}/stock")  # expect: FM101
        TimeoutApi().get(f"{SHOP}/stock")
    except requests.RequestException:
        pass
