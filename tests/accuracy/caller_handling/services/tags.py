"""Tag service calls: handled, or not, by the views and tasks that call them."""

import requests

TAGS = "https://tags.example.com"


def add_tag(item: str, tag: str) -> None:
    requests.post(f"{TAGS}/items/{item}/tags", json={"tag": tag}, timeout=5)  # remove_malware does not handle it  # expect: FM103


def remove_tag(item: str, tag: str) -> None:
    requests.delete(f"{TAGS}/items/{item}/tags/{tag}", timeout=5)  # every caller handles it


def rename_tag(old: str, new: str) -> None:
    requests.put(f"{TAGS}/tags/{old}", json={"name": new}, timeout=5)  # refresh catches HTTPError only  # expect: FM103


def count(item: str) -> int:
    return requests.get(f"{TAGS}/items/{item}/count", timeout=5).json()  # its caller is a task retried on it
