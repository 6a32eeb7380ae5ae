"""Quick sync scripts folded into the service: star imports from client libraries."""

from redis import *  # noqa: F403
from requests import *  # noqa: F403
from urllib.request import *  # noqa: F403

API = "https://api.example.com"
store = StrictRedis(host="store")  # expect: FM101
fast = Redis(host="store", socket_timeout=0.1)


def sync() -> None:
    data = get(f"{API}/data").json()  # expect: FM101, FM103
    try:
        post(f"{API}/ack", json=data, timeout=5)
    except RequestException:
        pass


def mirror() -> bytes:
    with Session() as s:
        s.put(f"{API}/mirror", data=b"")  # expect: FM101, FM103
    return urlopen(f"{API}/raw").read()  # expect: FM101, FM103


def cached() -> bytes | None:
    try:
        return fast.get("k") or store.get("k")
    except RedisError:
        return None
