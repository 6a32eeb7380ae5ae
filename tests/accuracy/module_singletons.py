"""Pricing client: module-level clients made lazily, or returned by cached factories."""

from __future__ import annotations

import functools

import redis
import requests

PRICING = "https://pricing.example.com"
_cache = None


@functools.cache
def session() -> requests.Session:
    return requests.Session()


@functools.cache
def store() -> redis.Redis:
    return redis.Redis(host="pricing-cache", socket_timeout=0.2)


def price(sku: str) -> dict:
    return session().get(f"{PRICING}/prices/{sku}").json()  # expect: FM101, FM103


def cached_price(sku: str) -> bytes | None:
    return store().get(f"price:{sku}")  # expect: FM103


def warm(skus: list[str]) -> None:
    global _cache
    if _cache is None:
        _cache = redis.Redis(host="pricing-cache")  # expect: FM101
    for sku in skus:
        _cache.set(f"price:{sku}", "")  # expect: FM103
