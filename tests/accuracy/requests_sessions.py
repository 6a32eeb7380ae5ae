"""Catalog sync worker: requests.Session objects made, passed around and reused."""

from __future__ import annotations

import requests
from requests import Session

API = "https://catalog.example.com/api"

shared = requests.Session()
shared.headers.update({"User-Agent": "catalog-sync/1.0"})


def fetch_page(page: int) -> list[dict]:
    resp = shared.get(f"{API}/products", params={"page": page})  # expect: FM101, FM103
    return resp.json()["items"]


def fetch_product(sku: str) -> dict:
    try:
        return shared.get(f"{API}/products/{sku}", timeout=5).json()
    except requests.RequestException:
        return {}


def push(items: list[dict]) -> None:
    s = Session()
    s.auth = ("sync", "secret")
    try:
        s.post(f"{API}/bulk", json=items)  # HTTPError only: ConnectionError escapes  # expect: FM101, FM103
        s.put(f"{API}/bulk/commit", timeout=10)  # HTTPError only  # expect: FM103
    except requests.HTTPError:
        raise
    finally:
        s.close()


def delete_stale(skus: list[str], session: requests.Session) -> None:
    for sku in skus:
        session.delete(f"{API}/products/{sku}")  # expect: FM101, FM103


def raw(method: str, path: str, session: requests.Session) -> requests.Response:
    prepared = requests.Request(method, f"{API}{path}").prepare()
    return session.send(prepared)  # expect: FM101, FM103


def generic(session: requests.Session, path: str) -> requests.Response:
    return session.request("GET", f"{API}{path}", timeout=4)  # expect: FM103


def generic_positional(session: requests.Session, path: str) -> requests.Response:
    try:
        return session.request("GET", f"{API}{path}", None, None, None, None, None, None, 4)
    except requests.RequestException:
        raise


def legacy() -> dict:
    return requests.session().get(f"{API}/legacy").json()  # expect: FM101, FM103


def options(session: requests.Session) -> str:
    return session.options(API).headers.get("Allow", "")  # expect: FM101, FM103
