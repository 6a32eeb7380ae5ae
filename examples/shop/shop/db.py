"""PostgreSQL: orders, products and the event outbox (dependency: orders-db)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.rows import dict_row

from shop.config import Settings
from shop.resilience import Bulkhead, BulkheadFull, CircuitBreaker, CircuitOpen

Row = dict[str, Any]


class DatabaseError(Exception):
    """orders-db could not serve the request (down, slow, full or failing over)."""


class Database:
    def __init__(self, settings: Settings) -> None:
        self._dsn = settings.database_dsn
        self._connect_timeout = settings.database_connect_timeout
        self._options = f"-c statement_timeout={settings.database_statement_timeout_ms}"
        self._breaker = CircuitBreaker(
            "orders-db",
            failure_rate=0.5,
            window=30,
            min_calls=50,
            open_for=15,
            failures=(psycopg.OperationalError, psycopg.errors.QueryCanceled),
        )
        self._bulkhead = Bulkhead(
            "orders-db", max_concurrent=settings.database_max_connections, max_wait=0.3
        )

    @contextmanager
    def _transaction(self) -> Iterator[psycopg.Connection[Row]]:
        """One connection, one transaction (committed unless the block raises)."""
        try:
            with (
                self._bulkhead,
                self._breaker,
                psycopg.connect(
                    self._dsn,
                    connect_timeout=self._connect_timeout,
                    options=self._options,
                    row_factory=dict_row,
                ) as conn,
            ):
                yield conn
        except (psycopg.Error, CircuitOpen, BulkheadFull) as error:
            raise DatabaseError(str(error)) from error

    def create_order(self, order_id: str, email: str, lines: Iterable[tuple[str, int]]) -> int:
        """Insert a pending order priced from the products table; return its total."""
        total = 0
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO orders (id, email, status) VALUES (%s, %s, 'pending')"
                " ON CONFLICT (id) DO NOTHING",
                (order_id, email),
            )
            for sku, quantity in lines:
                row = conn.execute(
                    "SELECT price_cents FROM products WHERE sku = %s AND active", (sku,)
                ).fetchone()
                if row is None:
                    raise ValueError(f"unknown product {sku}")
                total += row["price_cents"] * quantity
                conn.execute(
                    "INSERT INTO order_lines (order_id, sku, quantity, price_cents)"
                    " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    (order_id, sku, quantity, row["price_cents"]),
                )
            conn.execute("UPDATE orders SET total_cents = %s WHERE id = %s", (total, order_id))
        return total

    def mark_paid(self, order_id: str, charge_id: str, event: dict[str, Any]) -> None:
        """Record the charge and queue ``order.paid`` in the outbox, in one transaction."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE orders SET status = 'paid', charge_id = %s WHERE id = %s",
                (charge_id, order_id),
            )
            conn.execute(
                "INSERT INTO order_outbox (order_id, routing_key, payload) VALUES (%s, %s, %s)",
                (order_id, "order.paid", json.dumps(event)),
            )

    def set_status(self, order_id: str, status: str) -> None:
        with self._transaction() as conn:
            conn.execute("UPDATE orders SET status = %s WHERE id = %s", (status, order_id))

    def get_order(self, order_id: str) -> Row | None:
        with self._transaction() as conn:
            return conn.execute(
                "SELECT id, email, status, total_cents, charge_id FROM orders WHERE id = %s",
                (order_id,),
            ).fetchone()

    def list_products(self, category: str) -> list[Row]:
        with self._transaction() as conn:
            return conn.execute(
                "SELECT sku, name, price_cents FROM products"
                " WHERE category = %s AND active ORDER BY rank LIMIT 100",
                (category,),
            ).fetchall()

    def unpublished_events(self, limit: int = 100) -> list[Row]:
        """Outbox rows the broker has not confirmed yet, oldest first (for the relay)."""
        with self._transaction() as conn:
            return conn.execute(
                "SELECT id, order_id, routing_key, payload FROM order_outbox"
                " WHERE published_at IS NULL ORDER BY id LIMIT %s",
                (limit,),
            ).fetchall()

    def mark_published(self, outbox_id: int) -> None:
        with self._transaction() as conn:
            conn.execute("UPDATE order_outbox SET published_at = now() WHERE id = %s", (outbox_id,))
