from .base import send


def get_json(url: str, timeout: float | None = None) -> dict:
    return send("GET", url, timeout=timeout).json()


def post_json(url: str, data: dict, timeout: float = 5) -> dict:
    return send("POST", url, json=data, timeout=timeout).json()
