"""The payment provider's REST API (dependency: payment-gateway).

Every charge and refund carries an ``Idempotency-Key``, so a retry after a timeout can never
charge a card twice: the provider answers a repeat with the original result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from shop.config import Settings
from shop.resilience import Bulkhead, BulkheadFull, CircuitBreaker, CircuitOpen, backoff


class PaymentError(Exception):
    """The charge did not happen or its outcome is unknown; the order stays pending."""


class PaymentDeclined(PaymentError):
    """The provider answered and said no (card declined, insufficient funds...)."""


@dataclass(frozen=True)
class Charge:
    id: str
    status: str
    amount_cents: int
    currency: str


def _retryable(response: requests.Response) -> bool:
    """429 and 5xx are worth another attempt; the idempotency key makes it safe."""
    return response.status_code == 429 or response.status_code >= 500


class PaymentsClient:
    """Thin wrapper around one ``requests.Session`` with the catalog's timeouts and policies."""

    def __init__(self, settings: Settings) -> None:
        self._base = settings.payments_url.rstrip("/")
        self._timeout = (settings.payments_connect_timeout, settings.payments_read_timeout)
        self._attempts = settings.payments_attempts
        self._session = requests.Session()
        self._session.headers["Authorization"] = f"Bearer {settings.payments_api_key}"
        self._breaker = CircuitBreaker(
            "payment-gateway",
            failure_rate=0.5,
            window=30,
            min_calls=20,
            open_for=30,
            failures=(requests.ConnectionError, requests.Timeout, requests.HTTPError),
        )
        self._bulkhead = Bulkhead("payment-gateway", max_concurrent=20, max_wait=0.05)

    def charge(self, order_id: str, amount_cents: int, currency: str, payment_token: str) -> Charge:
        """Charge the card behind ``payment_token``; the order id is the idempotency key."""
        body = {
            "amount": amount_cents,
            "currency": currency,
            "source": payment_token,
            "metadata": {"order_id": order_id},
        }
        data = self._post("/charges", body, idempotency_key=f"charge-{order_id}")
        return Charge(data["id"], data["status"], data["amount"], data["currency"])

    def refund(self, order_id: str, charge_id: str) -> None:
        """Refund a charge in full; safe to repeat for the same order."""
        self._post(f"/charges/{charge_id}/refunds", {}, idempotency_key=f"refund-{order_id}")

    def get_charge(self, charge_id: str) -> Charge:
        """Look a charge up, e.g. to settle an order whose charge timed out."""
        try:
            response = self._session.get(f"{self._base}/charges/{charge_id}")
            response.raise_for_status()
        except requests.RequestException as error:
            raise PaymentError(f"cannot look up charge {charge_id}: {error}") from error
        data = response.json()
        return Charge(data["id"], data["status"], data["amount"], data["currency"])

    def _post(self, path: str, body: dict[str, Any], *, idempotency_key: str) -> dict[str, Any]:
        """POST with the catalog's policies: 3 attempts, each through the breaker and bulkhead."""
        url = f"{self._base}{path}"
        headers = {"Idempotency-Key": idempotency_key}
        for attempt in range(self._attempts):
            try:
                with self._bulkhead, self._breaker:
                    response = self._session.post(
                        url, json=body, headers=headers, timeout=self._timeout
                    )
                    if _retryable(response):
                        response.raise_for_status()  # counts as a failure for the breaker
                break
            except (requests.ConnectionError, requests.Timeout, requests.HTTPError) as error:
                if attempt == self._attempts - 1:
                    raise PaymentError(f"payment provider failed: {error}") from error
            except (CircuitOpen, BulkheadFull) as error:
                raise PaymentError(f"payment provider unavailable: {error}") from error
            backoff(attempt, initial=0.2, maximum=0.8)
        if response.status_code == 402:
            raise PaymentDeclined(response.json().get("decline_code", "declined"))
        try:
            response.raise_for_status()
        except requests.HTTPError as error:
            raise PaymentError(f"payment provider refused the request: {error}") from error
        return response.json()
