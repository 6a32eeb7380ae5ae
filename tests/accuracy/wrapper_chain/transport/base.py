"""The bottom of a three-module chain: base.send -> api.get_json/post_json -> billing.client."""

import requests


def send(method: str, url: str, timeout: float | None = None, **kwargs) -> requests.Response:
    return requests.request(method, url, timeout=timeout, **kwargs)  # invoice() handles nothing  # expect: FM103
