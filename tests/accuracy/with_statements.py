"""Feed importer: clients opened with `with`, made inline, or entered on an exit stack."""

import contextlib

import httpx
import requests
from requests import Session

FEEDS = "https://feeds.example.com"


def import_feed(name: str) -> bytes:
    with Session() as s:
        return s.get(f"{FEEDS}/{name}.xml").content  # expect: FM101, FM103


def import_bounded(name: str) -> bytes:
    with requests.Session() as s, open(f"/tmp/{name}.xml", "wb") as out:
        try:
            body = s.get(f"{FEEDS}/{name}.xml", timeout=10).content
        except requests.RequestException:
            return b""
        out.write(body)
        return body


def ack(name: str) -> None:
    Session().post(f"{FEEDS}/{name}/ack")  # expect: FM101, FM103


def ack_chained(name: str) -> int:
    return requests.Session().post(f"{FEEDS}/{name}/ack", timeout=3).status_code  # expect: FM103


def import_all(names: list[str]) -> None:
    with contextlib.ExitStack() as stack:
        session = stack.enter_context(requests.Session())
        for name in names:
            session.get(f"{FEEDS}/{name}.xml")  # expect: FM101, FM103


def check(name: str) -> bool:
    if (resp := requests.head(f"{FEEDS}/{name}.xml")).ok:  # expect: FM101, FM103
        return True
    return resp.status_code == 304


def import_parallel(names: list[str]) -> None:
    with (
        requests.Session() as legacy,
        httpx.Client(timeout=5) as modern,
    ):
        try:
            for name in names:
                legacy.get(f"{FEEDS}/{name}.xml")  # expect: FM101
                modern.get(f"{FEEDS}/{name}.json")
        except (requests.RequestException, httpx.HTTPError):
            pass
