"""The service's user-visible operations, as the catalog names them.

* checkout                 -- :meth:`Shop.checkout` (orders-db, payment-gateway)
* order-status             -- :meth:`Shop.order_status` (orders-db)
* cancel-order             -- :meth:`Shop.cancel_order` (orders-db, payment-gateway)
* browse-products          -- :meth:`Shop.browse_products` (product-cache, orders-db)
* order-confirmation-email -- :func:`relay_outbox` and :meth:`Shop.on_order_paid`
  (order-events, email)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from shop.cache import ProductCache
from shop.clients.payments import PaymentDeclined, PaymentError, PaymentsClient
from shop.config import Settings
from shop.db import Database, DatabaseError
from shop.email import send_order_confirmation
from shop.queue import EventPublisher, PublishError

log = logging.getLogger(__name__)


class CheckoutFailed(Exception):
    """Shown to the user as "payment could not be completed, you were not charged"."""


@dataclass(frozen=True)
class CartLine:
    sku: str
    quantity: int


class Shop:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db = Database(settings)
        self.cache = ProductCache(settings)
        self.payments = PaymentsClient(settings)
        self.events = EventPublisher(settings)

    def checkout(
        self, order_id: str, email: str, lines: list[CartLine], payment_token: str
    ) -> dict[str, Any]:
        """Price the cart, charge the card, mark the order paid. Safe to repeat per order_id."""
        existing = self.db.get_order(order_id)
        if existing is not None and existing["status"] == "paid":
            return existing  # a double click or a client retry: the card is not charged again
        total = self.db.create_order(order_id, email, [(line.sku, line.quantity) for line in lines])
        try:
            charge = self.payments.charge(order_id, total, "EUR", payment_token)
        except PaymentDeclined as declined:
            self.db.set_status(order_id, "declined")
            raise CheckoutFailed(f"card declined: {declined}") from declined
        except PaymentError as error:
            # Outcome unknown (timeout) or provider down: leave the order pending; the
            # reconciliation job settles it with get_charge, and the user may retry safely.
            log.warning("checkout %s: payment failed: %s", order_id, error)
            raise CheckoutFailed("payment could not be completed") from error
        event = {"order_id": order_id, "email": email, "total_cents": total, "currency": "EUR"}
        self.db.mark_paid(order_id, charge.id, event)
        return {"id": order_id, "status": "paid", "total_cents": total}

    def order_status(self, order_id: str) -> dict[str, Any] | None:
        return self.db.get_order(order_id)

    def cancel_order(self, order_id: str) -> None:
        order = self.db.get_order(order_id)
        if order is None or order["status"] == "cancelled":
            return
        if order["charge_id"]:
            self.payments.refund(order_id, order["charge_id"])
        self.db.set_status(order_id, "cancelled")

    def browse_products(self, category: str) -> list[dict[str, Any]]:
        """Cached listing; on a miss or a cache failure, straight from orders-db."""
        cached = self.cache.get_products(category)
        if cached is not None:
            return cached
        products = self.db.list_products(category)
        self.cache.set_products(category, products)
        return products

    def on_order_paid(self, event: dict[str, Any]) -> None:
        """Email worker: one ``order.paid`` event, one confirmation email."""
        send_order_confirmation(self.settings, event)


def relay_outbox(shop: Shop) -> int:
    """Publish pending outbox rows; run every second by the relay worker. Returns rows sent."""
    sent = 0
    try:
        for row in shop.db.unpublished_events():
            shop.events.publish(row["routing_key"], f"outbox-{row['id']}", row["payload"])
            shop.db.mark_published(row["id"])
            sent += 1
    except (PublishError, DatabaseError) as error:
        log.warning("outbox relay stopped after %d events, will retry: %s", sent, error)
    return sent
