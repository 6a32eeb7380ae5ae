"""The product listing: Postgres, with a snapshot when it is down; search over HTTP."""

import psycopg2
import requests

SEARCH = "https://search.internal.example.com/query"


def connect(dsn: str) -> "psycopg2.extensions.connection | None":
    try:
        return psycopg2.connect(dsn, connect_timeout=2)
    except psycopg2.Error:
        return None


def search(text: str) -> list[str]:
    try:
        response = requests.get(SEARCH, params={"q": text}, timeout=(0.2, 0.4))
        return list(response.json()["hits"])
    except requests.RequestException:
        return []
