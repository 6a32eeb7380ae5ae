"""Search frontend: httpx module functions and clients, with and without timeouts."""

import httpx

SEARCH = "https://search.internal"
NO_TIMEOUT = None

client = httpx.Client(base_url=SEARCH)  # expect: FM107
bounded = httpx.Client(base_url=SEARCH, timeout=httpx.Timeout(2.0, connect=0.5))
unbounded = httpx.Client(base_url=SEARCH, timeout=httpx.Timeout(None))  # expect: FM102
streaming = httpx.Client(base_url=SEARCH, timeout=httpx.Timeout(10.0, read=None))  # expect: FM102


def suggest(prefix: str) -> list[str]:
    return httpx.get(f"{SEARCH}/suggest", params={"q": prefix}).json()  # expect: FM103, FM107


def search(query: str) -> dict:
    try:
        return httpx.post(f"{SEARCH}/search", json={"q": query}, timeout=3.0).json()
    except httpx.HTTPError:
        return {}


def reindex() -> None:
    try:
        httpx.post(f"{SEARCH}/reindex", timeout=NO_TIMEOUT)  # expect: FM102
    except httpx.TimeoutException:
        pass


def facets(query: str) -> dict:
    try:
        return client.get("/facets", params={"q": query}).json()
    except httpx.RequestError:
        return {}


def export(query: str) -> bytes:
    try:
        return client.get("/export", params={"q": query}, timeout=None).content  # expect: FM102
    except httpx.HTTPError:
        return b""


def dump(path: str) -> None:
    with httpx.stream("GET", f"{SEARCH}/dump") as resp:  # expect: FM103, FM107
        with open(path, "wb") as out:
            for chunk in resp.iter_bytes():
                out.write(chunk)


def health() -> bool:
    with httpx.Client(timeout=1.0) as probe:
        try:
            return probe.get(f"{SEARCH}/health").is_success
        except httpx.HTTPError:
            return False


def stats() -> dict:
    return bounded.get("/stats").json()  # expect: FM103


def raw_stats() -> bytes:
    try:
        return unbounded.get("/stats/raw").content + streaming.get("/stats/stream").content
    except httpx.HTTPError:
        return b""
