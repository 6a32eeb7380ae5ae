"""A pycurl wrapper as real services keep one: `request(timeout=None)`, and `get`/`post` on it."""

from io import BytesIO

import pycurl


def request(method: str, url: str, timeout: float | None = None, body: bytes = b"") -> bytes:
    buffer = BytesIO()
    c = pycurl.Curl()
    c.setopt(pycurl.URL, url)
    c.setopt(pycurl.CUSTOMREQUEST, method)
    c.setopt(pycurl.WRITEDATA, buffer)
    if body:
        c.setopt(pycurl.POSTFIELDS, body)
    if timeout is not None:
        c.setopt(pycurl.TIMEOUT, timeout)
    c.perform()  # status() calls get() without handling pycurl.error  # expect: FM103
    c.close()
    return buffer.getvalue()


def get(url: str, timeout: float | None = None) -> bytes:
    return request("GET", url, timeout)


def post(url: str, body: bytes, timeout: float | None = None) -> bytes:
    return request("POST", url, timeout=timeout, body=body)


def ping(url: str) -> bytes:
    # Always bounded: its callers get a timeout without giving one.
    return request("HEAD", url, timeout=2)
