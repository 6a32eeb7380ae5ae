"""Views calling the project's curl wrapper: judged like calls to pycurl itself."""

import pycurl

from .lib import curl

STATUS = "https://status.example.com/api/v2/status.json"


def status(request) -> bytes:
    return curl.get(STATUS)  # timeout defaults to None: pycurl waits forever  # expect: FM101


def status_bounded(request) -> bytes | None:
    try:
        return curl.get(STATUS, timeout=3)
    except pycurl.error:
        return None


def publish(request, body: bytes) -> bytes | None:
    try:
        return curl.post("https://hooks.example.com/publish", body, timeout=None)  # expect: FM102
    except pycurl.error:
        return None


def alive(request) -> bytes | None:
    try:
        return curl.ping(STATUS)
    except Exception:
        return None
