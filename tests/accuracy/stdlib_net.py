"""Legacy integrations on the standard library: urllib, http.client and sockets."""

import http.client
import socket
import urllib.error
import urllib.request
from urllib.request import Request, urlopen

RATES = "https://rates.example.com/latest"


def rates() -> bytes:
    with urllib.request.urlopen(RATES) as resp:  # expect: FM101, FM103
        return resp.read()  # expect: FM103


def rates_bounded() -> bytes:
    try:
        with urlopen(Request(RATES, headers={"Accept": "application/json"}), timeout=5) as resp:
            # A timeout while reading the body is a TimeoutError (an OSError), not a URLError:
            # `except URLError` does not catch it.
            return resp.read()  # expect: FM103
    except urllib.error.URLError:
        return b""


def rates_positional(payload: bytes) -> bytes:
    try:
        return urlopen(RATES, payload, 5).read()
    except OSError:
        return b""


def via_opener(url: str) -> bytes:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    try:
        return opener.open(url).read()  # expect: FM101
    except urllib.error.HTTPError:
        return b""


def quote(symbol: str) -> bytes:
    conn = http.client.HTTPSConnection("quotes.example.com")  # expect: FM101
    conn.request("GET", f"/q/{symbol}")  # expect: FM103
    resp = conn.getresponse()  # expect: FM103
    return resp.read()  # expect: FM103


def quote_bounded(symbol: str) -> bytes:
    conn = http.client.HTTPSConnection("quotes.example.com", timeout=4)
    try:
        conn.request("GET", f"/q/{symbol}")
        return conn.getresponse().read()
    except (http.client.HTTPException, OSError):
        return b""
    finally:
        conn.close()


def probe(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port)):  # expect: FM101
            return True
    except OSError:
        return False


def probe_bounded(host: str, port: int) -> bool:
    try:
        # FM103: a timeout and a refused connection are two of the OSErrors it can raise; an
        # unknown host (socket.gaierror) or an unreachable network escapes this handler.
        with socket.create_connection((host, port), 2.0):  # expect: FM103
            return True
    except (socket.timeout, ConnectionRefusedError):
        return False


def probe_with_global_default(host: str, port: int) -> bool:
    socket.setdefaulttimeout(5.0)  # global state: not a bound fmcat can see at the call
    try:
        with socket.create_connection((host, port)):  # expect: FM101
            return True
    except OSError:
        return False


def send_line(host: str, port: int, line: bytes) -> None:
    sock = socket.create_connection((host, port), timeout=None)  # expect: FM102, FM103
    sock.sendall(line)  # expect: FM103
    sock.close()
