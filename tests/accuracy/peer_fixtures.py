"""Cases from peer linters' public fixtures (pylint's missing-timeout, semgrep's use-timeout,
bandit's and ruff's S113), relabelled with fmcat's semantics: an unhandled call is also FM103."""

import httpx
import not_requests
import requests
from requests import get, post
from requests import request as request_r

KWARGS_WO_TIMEOUT = {}
KWARGS_TIMEOUT = {"timeout": 10}
url = "https://localhost"


class CustomSession(requests.Session):
    pass


class Client:
    def __init__(self):
        self.session = requests.Session()

    def fetch(self):
        return self.session.get(url)  # expect: FM101, FM103


def pylint_cases(session: requests.Session) -> None:
    try:
        request_r("call", url)  # expect: FM101
        post(url, **KWARGS_WO_TIMEOUT)  # expect: FM101
        post(url, **KWARGS_TIMEOUT)
        session.post(url, **KWARGS_WO_TIMEOUT)  # expect: FM101
        requests.Session.get(session, url)  # expect: FM101
        requests.Session.get(session, url, timeout=10)
        CustomSession().get(url)  # a subclass that adds nothing is a Session  # expect: FM101
        CustomSession().get(url, timeout=10)
        requests.Session().get(url)  # expect: FM101
    except requests.RequestException:
        pass


def semgrep_cases(headers: dict, params: dict, kwargs: dict) -> None:
    try:
        get(url, timeout=3)
        requests.get(url, headers=headers, params=params, **{"timeout": 3, **kwargs})
        session = requests.Session()
        session.get(url)  # expect: FM101
        session.get(url, timeout=3)
    except OSError:
        pass


def bandit_cases() -> None:
    not_requests.get(url)
    requests.request("GET", url, timeout=None)  # expect: FM102, FM103
    httpx.head(url, timeout=None)  # expect: FM102, FM103
    httpx.head(url)  # expect: FM103, FM107
    httpx.Client()  # expect: FM107
    httpx.AsyncClient(timeout=None)  # expect: FM102
    with httpx.Client(timeout=None) as client:  # expect: FM102
        client.get(url)  # expect: FM103
    with httpx.Client(timeout=5) as client:
        client.get(url)  # expect: FM103
