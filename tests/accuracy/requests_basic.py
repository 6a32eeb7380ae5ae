"""Order service: calls to the payment and inventory APIs with module-level requests."""

import logging

import requests

log = logging.getLogger(__name__)

PAYMENTS = "https://api.pay.example.com/v1"
INVENTORY = "https://inventory.internal/api"
TIMEOUT = 3.0

# Runs at import time, outside any function or try.
FEATURES = requests.get(f"{INVENTORY}/features").json()  # expect: FM101, FM103


def charge(order_id: str, amount: int) -> dict:
    resp = requests.post(f"{PAYMENTS}/charges", json={"order": order_id, "amount": amount})  # expect: FM101, FM103
    resp.raise_for_status()
    return resp.json()


def refund(charge_id: str) -> bool:
    try:
        resp = requests.post(f"{PAYMENTS}/refunds", json={"charge": charge_id}, timeout=TIMEOUT)
    except requests.RequestException:
        log.exception("refund failed")
        return False
    return resp.ok


def stock(sku: str) -> int:
    try:
        resp = requests.get(f"{INVENTORY}/stock/{sku}")  # requests.exceptions.Timeout only: ConnectionError escapes  # expect: FM101, FM103
        return int(resp.json()["count"])
    except requests.exceptions.Timeout:
        return 0


def capture(charge_id: str) -> dict:
    resp = requests.post(  # expect: FM101, FM103
        f"{PAYMENTS}/charges/{charge_id}/capture",
        json={"final": True},
    )
    return resp.json()


def reserve(sku: str, qty: int) -> None:
    requests.request("POST", f"{INVENTORY}/reservations", json={"sku": sku, "qty": qty})  # expect: FM101, FM103


def capabilities() -> str:
    resp = requests.options(INVENTORY)  # expect: FM101, FM103
    return resp.headers.get("Allow", "")


def healthy() -> bool:
    try:
        return requests.head(INVENTORY, timeout=(1.0, 2.0)).ok
    except OSError:
        return False


def search(term: str) -> list:
    # The second positional argument of requests.get is `params`, not the timeout.
    return requests.get(f"{INVENTORY}/search", {"q": term}).json()  # expect: FM101, FM103


def release(sku: str) -> None:
    try:
        requests.delete(f"{INVENTORY}/reservations/{sku}", timeout=2)  # ConnectionError only: Timeout escapes  # expect: FM103
    except (KeyError, requests.ConnectionError):
        log.warning("release failed")
    requests.put(f"{INVENTORY}/audit", json={"sku": sku}, timeout=2)  # expect: FM103


def adjust(sku: str, delta: int) -> None:
    try:
        requests.patch(f"{INVENTORY}/stock/{sku}", json={"delta": delta}, timeout=None)  # expect: FM102, FM103
    except ConnectionError:  # the builtin: requests' ConnectionError does not derive from it
        log.warning("adjust failed")
