"""Ledger batches: what a resilience decorator covers, and retry objects made without one."""

import requests
import tenacity
from tenacity import retry, stop_after_attempt, wait_exponential

LEDGER = "https://ledger.example.com"


def balance(account: str) -> int:
    try:
        return requests.get(f"{LEDGER}/balances/{account}", timeout=5).json()["balance"]
    except requests.RequestException:
        return 0


@retry(stop=stop_after_attempt(3))
def batch(entries: list[dict]) -> None:
    def send(entry: dict) -> None:
        requests.post(f"{LEDGER}/entries", json=entry, timeout=5)  # send() runs inside @retry

    for entry in entries:
        send(entry)


def retry_later(func):  # home-made: not a resilience library
    return func


@retry_later
def audit(entry: dict) -> None:
    requests.post(f"{LEDGER}/audit", json=entry, timeout=5)  # expect: FM103


retrying = tenacity.Retrying(wait=tenacity.wait_random(0, 1))  # expect: FM106
bounded = tenacity.Retrying(stop=tenacity.stop_after_delay(10), reraise=True)
patient_balance = retry(wait=wait_exponential())(balance)  # expect: FM106
