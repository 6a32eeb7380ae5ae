"""Settings from the environment. Timeouts here mirror ``failure-modes/*.yaml``: change both."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _env(name: str, default: str) -> str:
    return os.environ.get(f"SHOP_{name}", default)


@dataclass(frozen=True)
class Settings:
    payments_url: str = "https://api.pay.example.com/v1"
    payments_api_key: str = ""
    payments_connect_timeout: float = 0.3
    payments_read_timeout: float = 1.2
    payments_attempts: int = 3

    database_dsn: str = "postgresql://shop@orders-db.internal:5432/shop"
    database_connect_timeout: int = 2  # seconds; libpq's minimum
    database_statement_timeout_ms: int = 500
    database_max_connections: int = 20

    redis_host: str = "product-cache.internal"
    redis_port: int = 6379
    cache_ttl_seconds: int = 300

    amqp_host: str = "rabbitmq.internal"
    amqp_socket_timeout: float = 1.0
    events_exchange: str = "order-events"

    smtp_host: str = "smtp-relay.internal"
    smtp_port: int = 587
    mail_from: str = "orders@shop.example.com"

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            payments_url=_env("PAYMENTS_URL", cls.payments_url),
            payments_api_key=_env("PAYMENTS_API_KEY", ""),
            database_dsn=_env("DATABASE_DSN", cls.database_dsn),
            redis_host=_env("REDIS_HOST", cls.redis_host),
            amqp_host=_env("AMQP_HOST", cls.amqp_host),
            smtp_host=_env("SMTP_HOST", cls.smtp_host),
        )
