"""Health prober: raw asyncio streams and redis.asyncio, bounded by asyncio timeouts or not."""

import asyncio

import requests
from redis import asyncio as aioredis

cache = aioredis.from_url("redis://cache:6379/0")  # expect: FM101
fast = aioredis.Redis(host="cache", socket_timeout=0.5)
slow = aioredis.Redis(host="cache", socket_connect_timeout=1)  # expect: FM101


async def ping(host: str, port: int) -> bool:
    try:
        reader, writer = await asyncio.open_connection(host, port)  # expect: FM101
    except OSError:
        return False
    writer.close()
    return True


async def ping_bounded(host: str, port: int) -> bool:
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout=2)
    except (OSError, TimeoutError):
        return False
    writer.close()
    return True


async def ping_scoped(host: str, port: int) -> None:
    async with asyncio.timeout(3):
        _, writer = await asyncio.open_connection(host, port)  # expect: FM103
    writer.close()


async def ping_never(host: str, port: int) -> None:
    _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout=None)  # expect: FM102, FM103
    writer.close()


async def legacy_lookup(url: str) -> dict:
    async with asyncio.timeout(5):  # cancels awaits only: a blocking call inside runs to its end
        return requests.get(url).json()  # expect: FM101, FM103


async def cached(key: str) -> bytes | None:
    return await cache.get(key)  # expect: FM103


async def cached_fast(key: str) -> bytes | None:
    try:
        return await fast.get(key)
    except aioredis.RedisError:
        return None


async def cached_slow(key: str) -> bytes | None:
    try:
        async with asyncio.timeout(1):
            return await slow.get(key)  # expect: FM103
    except TimeoutError:  # the bound's own error; redis failures are not TimeoutErrors
        return None
