"""Async gateway: httpx.AsyncClient and aiohttp sessions, with their defaults and overrides."""

import asyncio

import aiohttp
import httpx
from tenacity import retry, stop_after_attempt

UPSTREAM = "https://upstream.example.com"


async def fetch_json(path: str) -> dict:
    async with httpx.AsyncClient() as client:  # expect: FM107
        resp = await client.get(f"{UPSTREAM}{path}")  # expect: FM103
        return resp.json()


async def fetch_bounded(path: str) -> dict:
    async with httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=1.0)) as client:
        try:
            return (await client.get(f"{UPSTREAM}{path}")).json()
        except httpx.HTTPError:
            return {}


async def fetch_unbounded(path: str) -> bytes:
    async with httpx.AsyncClient(timeout=None) as client:  # expect: FM102
        try:
            resp = await client.get(f"{UPSTREAM}{path}")
            return resp.content
        except httpx.TransportError:
            return b""


@retry(stop=stop_after_attempt(3))
async def fetch_retried(path: str) -> dict:
    async with httpx.AsyncClient(timeout=2) as client:
        return (await client.get(f"{UPSTREAM}{path}")).json()


async def scrape(url: str) -> str:
    async with aiohttp.ClientSession() as session:  # expect: FM107
        async with session.get(url) as resp:  # expect: FM103
            return await resp.text()


async def scrape_bounded(url: str) -> str:
    timeout = aiohttp.ClientTimeout(total=10, sock_connect=2)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.get(url) as resp:
                return await resp.text()
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return ""


async def scrape_forever(url: str) -> str:
    forever = aiohttp.ClientTimeout(total=None)
    try:
        async with aiohttp.ClientSession(timeout=forever) as session:  # expect: FM102
            # FM103: once a timeout is set (FM102), it surfaces as asyncio.TimeoutError, which
            # ClientError does not catch.
            async with session.post(url, timeout=aiohttp.ClientTimeout()) as resp:  # expect: FM102, FM103
                return await resp.text()
    except aiohttp.ClientError:
        return ""


async def scrape_once(url: str) -> bytes:
    async with aiohttp.request("GET", url) as resp:  # expect: FM103, FM107
        return await resp.read()


async def scrape_all(urls: list[str]) -> list[str]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        try:
            async with asyncio.timeout(60):
                return await asyncio.gather(*(fetch_text(session, u) for u in urls))
        except (aiohttp.ClientError, TimeoutError):
            return []


async def fetch_text(session: aiohttp.ClientSession, url: str) -> str:
    async with session.get(url) as resp:  # its only caller, scrape_all, catches ClientError
        return await resp.text()
