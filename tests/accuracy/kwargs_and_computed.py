"""Shipping quotes: timeouts that come from configuration, arithmetic or the caller."""

from __future__ import annotations

import requests

from .settings import HTTP_TIMEOUT

CARRIER = "https://carrier.example.com/v2/quotes"
BASE_TIMEOUT = 2.5
NO_TIMEOUT = None
ZERO = 0
PHASES = (3.05, 27)
OPEN_READ = (3.05, None)
TIMEOUTS = {"carrier": 4.0}


class Settings:
    def timeout(self) -> float:
        return 4.0


cfg = Settings()


def quote(parcel: dict, **kwargs) -> dict:
    return requests.post(CARRIER, json=parcel, **kwargs).json()  # expect: FM103


def forward(*args) -> requests.Response:
    # requests.get(url, params=None, **kwargs): positional arguments cannot carry the timeout.
    return requests.get(*args)  # expect: FM101, FM103


def variants(parcel: dict, options: dict, debug: bool, timeout: float | None = None) -> None:
    try:
        requests.post(CARRIER, json=parcel, timeout=cfg.timeout())
        requests.post(CARRIER, json=parcel, timeout=BASE_TIMEOUT * 2)
        # FM109: a bound, but the value is the project's setting (imported from .settings),
        # which fmcat cannot read.
        requests.post(CARRIER, json=parcel, timeout=HTTP_TIMEOUT)  # expect: FM109
        requests.post(CARRIER, json=parcel, timeout=PHASES)
        requests.post(CARRIER, json=parcel, timeout=TIMEOUTS["carrier"])
        requests.post(CARRIER, json=parcel, timeout=timeout)
        requests.post(CARRIER, json=parcel, timeout=options.get("timeout", 5))
        requests.post(CARRIER, json=parcel, timeout=None if debug else 5)
        requests.post(CARRIER, json=parcel, timeout=float(options["timeout"]))
        requests.post(CARRIER, json=parcel, **options)
        requests.post(CARRIER, json=parcel, timeout=NO_TIMEOUT)  # expect: FM102
        requests.post(CARRIER, json=parcel, timeout=ZERO)  # expect: FM102
        requests.post(CARRIER, json=parcel, timeout=0.0)  # expect: FM102
        requests.post(CARRIER, json=parcel, timeout=OPEN_READ)  # expect: FM102
        requests.post(CARRIER, json=parcel, timeout=(None, 10))  # expect: FM102
    except requests.RequestException:
        pass


def session_variants(session: requests.Session, parcel: dict, *args, **kwargs) -> None:
    try:
        session.post(CARRIER, json=parcel, **kwargs)
        session.request("POST", CARRIER, *args)
        session.post(CARRIER, json=parcel, timeout=HTTP_TIMEOUT / 2)
        session.post(CARRIER, json=parcel, timeout=NO_TIMEOUT)  # expect: FM102
    except OSError:
        pass
