"""Ledger sync: retries and circuit breakers around calls to the ledger API."""

import functools

import backoff
import pybreaker
import requests
import stamina
import tenacity
from circuitbreaker import circuit
from tenacity import retry, stop_after_attempt, wait_exponential

LEDGER = "https://ledger.example.com"
breaker = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30)


@retry(stop=stop_after_attempt(3), wait=wait_exponential(multiplier=0.2))
def post_entry(entry: dict) -> None:
    requests.post(f"{LEDGER}/entries", json=entry, timeout=5)


@retry  # expect: FM106
def balance(account: str) -> int:
    return requests.get(f"{LEDGER}/balances/{account}", timeout=5).json()["balance"]


@tenacity.retry(wait=tenacity.wait_fixed(1))  # expect: FM106
def close_period(period: str) -> None:
    requests.post(f"{LEDGER}/periods/{period}/close")  # expect: FM101


@backoff.on_exception(backoff.expo, requests.RequestException)  # expect: FM106
def reconcile(day: str) -> None:
    requests.post(f"{LEDGER}/reconcile/{day}", timeout=30)


@backoff.on_exception(backoff.expo, requests.RequestException, max_time=60)
def export(day: str) -> bytes:
    return requests.get(f"{LEDGER}/exports/{day}", timeout=30).content


@backoff.on_predicate(backoff.constant, lambda body: not body, interval=5)  # expect: FM106
def settled(tx: str) -> dict:
    return requests.get(f"{LEDGER}/tx/{tx}", timeout=5).json()


@retry(stop=tenacity.stop_never, wait=wait_exponential(max=30))  # expect: FM106
def close_day(day: str) -> None:
    requests.post(f"{LEDGER}/days/{day}/close", timeout=5)


@backoff.on_exception(backoff.expo, requests.RequestException, max_tries=None)  # expect: FM106
def open_day(day: str) -> None:
    requests.post(f"{LEDGER}/days/{day}/open", timeout=5)


@stamina.retry(on=requests.RequestException)
def accounts() -> list[str]:
    return requests.get(f"{LEDGER}/accounts", timeout=5).json()


@breaker
def statement(account: str) -> bytes:
    return requests.get(f"{LEDGER}/statements/{account}", timeout=10).content


@circuit(failure_threshold=3)
def rates() -> dict:
    return requests.get(f"{LEDGER}/rates", timeout=2).json()


@functools.lru_cache(maxsize=1)
def currencies() -> list[str]:
    return requests.get(f"{LEDGER}/currencies", timeout=2).json()  # expect: FM103
