"""Redis cache of product listings (dependency: product-cache).

The cache is an optimisation only: every read falls back to orders-db, so a cache outage costs
latency, not correctness.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import redis

from shop.config import Settings

log = logging.getLogger(__name__)


class ProductCache:
    def __init__(self, settings: Settings) -> None:
        self._ttl = settings.cache_ttl_seconds
        self._redis = redis.Redis(
            host=settings.redis_host,
            port=settings.redis_port,
            socket_connect_timeout=0.1,
            health_check_interval=30,
            decode_responses=True,
        )

    @staticmethod
    def _key(category: str) -> str:
        return f"products:v2:{category}"

    def get_products(self, category: str) -> list[dict[str, Any]] | None:
        """The cached listing, or None on a miss *or* when Redis fails (the caller asks the DB)."""
        try:
            cached = self._redis.get(self._key(category))
        except redis.exceptions.RedisError as error:
            log.warning("product-cache read failed, using orders-db: %s", error)
            return None
        return json.loads(cached) if cached else None

    def set_products(self, category: str, products: list[dict[str, Any]]) -> None:
        try:
            self._redis.set(self._key(category), json.dumps(products), ex=self._ttl)
        except redis.exceptions.RedisError as error:
            log.warning("product-cache write failed (ignored): %s", error)

    def invalidate(self, category: str) -> None:
        """Drop a listing after a price change, so the next read goes to the database."""
        self._redis.delete(self._key(category))
