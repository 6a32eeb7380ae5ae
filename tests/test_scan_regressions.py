"""Cases found by running peers' fixtures through fmcat; each was a wrong answer once."""

from __future__ import annotations

from fmcat.scan.analyze import analyze
from fmcat.scan.facts import TimeoutState
from fmcat.scan.knowledge import builtin

KB = builtin()


def states(source: str) -> list[tuple[int, str, str]]:
    facts = analyze(source.encode(), "app.py", "app", KB)
    assert facts.parse_error is None
    return [(s.span.line, s.qualname, s.timeout.value) for s in facts.sites]


def test_double_star_of_a_known_dict_is_read() -> None:
    source = """\
import requests
EMPTY = {}
OFF = {"timeout": None}
GROWN = {}
GROWN.update(timeout=3)
requests.get("u", **{})
requests.get("u", **EMPTY)
requests.get("u", **OFF)
requests.get("u", **{"timeout": 3, **EMPTY})
requests.get("u", **GROWN)
"""
    assert [state for _, _, state in states(source)] == [
        TimeoutState.MISSING,
        TimeoutState.MISSING,
        TimeoutState.DISABLED,
        TimeoutState.SET,
        TimeoutState.UNKNOWN,  # mutated after its literal: not trusted
    ]


def test_a_name_bound_to_two_clients_of_one_type_keeps_its_type() -> None:
    source = """\
import httpx
import requests
def f(u):
    s = requests.Session()
    s.get(u)
    s = requests.Session()
    s.get(u)
    with httpx.Client(timeout=None) as c:
        c.get(u)
    with httpx.Client() as c:
        c.get(u, timeout=None)
"""
    assert states(source) == [
        (5, "requests.Session.get", "missing"),
        (7, "requests.Session.get", "missing"),
        (8, "httpx.Client", "disabled"),
        (9, "httpx.Client.get", "elsewhere"),
        (10, "httpx.Client", "default"),
        (11, "httpx.Client.get", "disabled"),
    ]


def test_ftp_connect_sets_the_session_timeout() -> None:
    source = """\
import ftplib
ftp = ftplib.FTP()
ftp.connect("h", timeout=10)
ftp.login()
other = ftplib.FTP()
other.connect("h", 21, None)
"""
    assert states(source) == [
        (3, "ftplib.FTP.connect", "set"),
        (4, "ftplib.FTP.login", "elsewhere"),
        (6, "ftplib.FTP.connect", "disabled"),
    ]
