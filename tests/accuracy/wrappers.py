"""HTTP plumbing for the billing service: session defaults, adapters and wrappers."""

import functools

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

BILLING = "https://billing.example.com"

# A session whose request() carries a default timeout: every call through it has one.
defaulted = requests.Session()
defaulted.request = functools.partial(defaulted.request, timeout=5)

# Retries through an adapter: no timeout at all.
adapted = requests.Session()
adapted.mount("https://", HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.5)))

# requests ignores a `timeout` attribute on the session.
attributed = requests.Session()
attributed.timeout = 5

fetch = functools.partial(requests.get, timeout=5)


class TimeoutSession(requests.Session):
    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", 5)
        return super().request(method, url, **kwargs)


def http_get(url: str, **kwargs) -> requests.Response:
    kwargs.setdefault("timeout", 5)
    return requests.get(url, **kwargs)  # expect: FM103


def invoices(customer: str) -> list:
    try:
        return defaulted.get(f"{BILLING}/invoices", params={"c": customer}).json()
    except requests.RequestException:
        return []


def credit_notes(customer: str) -> list:
    try:
        return adapted.get(f"{BILLING}/credit-notes", params={"c": customer}).json()  # expect: FM101
    except requests.RequestException:
        return []


def payments(customer: str) -> list:
    try:
        return attributed.get(f"{BILLING}/payments", params={"c": customer}).json()  # expect: FM101
    except requests.RequestException:
        return []


def plans() -> list:
    return fetch(f"{BILLING}/plans").json()  # expect: FM103


def usage(customer: str) -> dict:
    try:
        return TimeoutSession().get(f"{BILLING}/usage/{customer}").json()
    except requests.RequestException:
        return {}


def balance(customer: str) -> dict:
    return http_get(f"{BILLING}/balance/{customer}").json()
