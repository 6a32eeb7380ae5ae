"""Profile service client: clients kept on the instance, made in __init__, lazily, or inherited."""

from __future__ import annotations

import httpx
import redis
import requests

BASE = "https://profiles.internal"


class ProfileClient:
    def __init__(self, base: str = BASE) -> None:
        self.base = base
        self.session = requests.Session()
        self.http = httpx.Client(base_url=base, timeout=3.0)
        self.cache = redis.Redis(host="profiles-cache")  # expect: FM101
        self._audit: requests.Session | None = None

    def profile(self, user_id: str) -> dict:
        return self.session.get(f"{self.base}/users/{user_id}").json()  # expect: FM101, FM103

    def avatar(self, user_id: str) -> bytes:
        try:
            return self.http.get(f"/users/{user_id}/avatar").content
        except httpx.HTTPError:
            return b""

    def cached_profile(self, user_id: str) -> bytes | None:
        return self.cache.get(f"profile:{user_id}")  # expect: FM103

    def fetch_many(self, ids: list[str]) -> list[dict]:
        def one(user_id: str) -> dict:
            return self.session.get(f"{self.base}/users/{user_id}", timeout=2).json()  # one() runs in the try

        try:
            return [one(i) for i in ids]
        except requests.RequestException:
            return []

    def record(self, event: dict) -> None:
        if self._audit is None:
            self._audit = requests.Session()
        self._audit.post(f"{self.base}/audit", json=event)  # expect: FM101, FM103


class Uploader:
    session = requests.Session()

    def upload(self, blob: bytes) -> None:
        self.session.put(f"{BASE}/blobs", data=blob)  # expect: FM101, FM103

    @classmethod
    def ping(cls) -> bool:
        return cls.session.head(BASE).ok  # expect: FM101, FM103


class AdminClient(ProfileClient):
    def ban(self, user_id: str) -> None:
        self.session.post(f"{self.base}/users/{user_id}/ban")  # expect: FM101, FM103


class NotAClient:
    def __init__(self) -> None:
        self.session: dict[str, str] = {}
        self.cache = {"user": None}

    def user(self) -> object:
        return self.session.get("user") or self.cache.get("user")
