"""A client class with an injected session: `self.http = session if ... else requests.session()`."""

import requests

API = "https://api.github.com"


class GitHub:
    def __init__(self, token: str, session: requests.Session | None = None) -> None:
        self.http = session if session is not None else requests.session()
        self.token = token

    def repo(self, name: str, timeout: float = 10) -> dict:
        return self.http.get(f"{API}/repos/{name}", timeout=timeout).json()

    def issues(self, name: str) -> list:
        return self.http.get(f"{API}/repos/{name}/issues").json()  # issues_page does not handle it  # expect: FM101, FM103


class Status:
    def __init__(self, session=None) -> None:
        self.http = session or requests.Session()

    def summary(self) -> dict:
        return self.http.get("https://www.githubstatus.com/api/v2/summary.json", timeout=5).json()
