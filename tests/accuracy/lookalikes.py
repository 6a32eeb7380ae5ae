"""Web handlers: names that look like client calls and are not."""

import os

import requests
from flask import session
from requests import get as fetch
from sqlalchemy.orm import Session

client = requests.Session()
cache: dict[str, str] = {}


def get(url: str) -> str:
    return cache.get(url, os.environ.get("DEFAULT_PAGE", ""))


class Client:
    def post(self, url: str, data: dict) -> None:
        cache[url] = repr(data)

    def get(self, url: str) -> str:
        return get(url)


def fetch(key: str) -> str:  # redefines the imported requests.get
    return cache.get(key, "")


def handler(request, response, engine) -> str:
    token = request.headers.get("Authorization")
    user = session.get("user_id")
    Client().post("https://example.com/audit", {"user": user})
    get("https://example.com/page")
    fetch("https://example.com/page")
    with Session(engine) as db:
        db.get(dict, user)
    response.post = None
    return token or ""


def plans(clients: list[dict]) -> list[str]:
    return [client.get("plan", "free") for client in clients]


def first(requests: dict[str, dict]) -> dict:
    return requests.get("first", {})


def quote(path: str) -> str:
    return requests.utils.quote(path) + str(requests.codes.ok)


def prepare(url: str) -> requests.PreparedRequest:
    adapter = requests.adapters.HTTPAdapter(pool_maxsize=20)
    client.mount("https://", adapter)
    return requests.Request("GET", url).prepare()


def cached(redis_client, key: str) -> str | None:
    return redis_client.get(key)


def lookup(smtplib, host: str) -> object:
    return smtplib.SMTP(host)
