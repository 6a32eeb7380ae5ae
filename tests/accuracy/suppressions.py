"""Status page poller: findings the team reviewed and suppressed, and stale suppressions."""

import requests

STATUS = "https://status.example.com/api/v2/summary.json"


def summary() -> dict:
    return requests.get(STATUS).json()  # fmcat: ignore[FM101]  # expect: FM103


def summary_quiet() -> dict:
    return requests.get(STATUS).json()  # fmcat: ignore


def components() -> dict:
    return requests.get(STATUS, timeout=5).json()  # fmcat: ignore[FM101, FM103]  # expect: FM108


def incidents() -> dict:
    return requests.get(STATUS).json()  # fmcat: ignore[fm101,fm103]


def maintenance() -> dict:
    return requests.get(STATUS).json()  # noqa: S113  # expect: FM101, FM103


def history() -> dict:
    # fmcat: ignore[FM101]  # expect: FM108
    return requests.get(STATUS).json()  # expect: FM101, FM103


def uptime() -> dict:
    resp = requests.get(  # fmcat: ignore[FM101, FM103]
        STATUS,
        params={"window": "30d"},
    )
    return resp.json()


def stale() -> dict:
    try:
        return requests.get(STATUS, timeout=3).json()  # fmcat: ignore[FM103]  # expect: FM108
    except requests.RequestException:
        return {}


def nothing_here() -> int:
    return len(STATUS)  # fmcat: ignore  # expect: FM108
