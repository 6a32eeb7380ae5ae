"""Facts clients.toml states about libraries, checked against the installed libraries.

The two here are dev dependencies (pyproject's dev extras): pycurl, whose timeout is an option
set with `setopt`, and requests-hardened, whose Manager takes its default timeout from a Config.
"""

from __future__ import annotations

import inspect

import pycurl
import requests
import requests_hardened
from requests_hardened.client import HTTPSession

from fmcat.scan.knowledge import builtin

KB = builtin()


def test_pycurl_entry_matches_the_library() -> None:
    lib = next(lib for lib in KB.library if lib.name == "pycurl")
    # One exception class, not an OSError: only `except pycurl.error` (or Exception) handles it.
    assert lib.exceptions == ["pycurl.error"]
    assert pycurl.error.__mro__[1] is Exception
    client = KB.clients["pycurl.Curl"][1]
    curl = pycurl.Curl()
    assert client.setter is not None
    assert callable(getattr(curl, client.setter))
    for option in client.timeout_options:
        assert isinstance(getattr(pycurl, option.split(".", 1)[1]), int), option
    for method in client.methods:
        assert callable(getattr(curl, method.name)), method.name
    # A Curl handle is made without connecting: making one cannot fail.
    assert KB.functions["pycurl.Curl"][1].fails is False


def test_requests_hardened_entry_matches_the_library() -> None:
    config = KB.timeout_objects["requests_hardened.Config"]
    params = list(inspect.signature(requests_hardened.Config).parameters)
    for param in config.params:
        assert param.position is not None
        assert params[param.position] == param.keyword
    manager = inspect.signature(requests_hardened.Manager.__init__).parameters
    assert list(manager)[1] == KB.functions["requests_hardened.Manager"][1].timeout[0].keyword
    send = inspect.signature(requests_hardened.Manager.send_request).parameters
    assert list(send)[1:3] == ["method", "url"]
    # Its sessions are requests sessions: requests' exceptions, and the same methods.
    assert issubclass(HTTPSession, requests.Session)
    session = KB.clients["requests_hardened.HTTPSession"][1]
    for method in session.methods:
        assert callable(getattr(HTTPSession, method.name)), method.name
    request = list(inspect.signature(requests.Session.request).parameters)
    assert request[1 + 8] == "timeout"  # timeout@8, self not counted
