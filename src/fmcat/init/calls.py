"""The call sites `fmcat init` writes down, taken from the scan's facts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from fmcat.scan.facts import FileFacts, Role, TimeoutState

#: Longer calls are cut in the catalog's comments: they name the site, they do not copy it.
MAX_CALL_TEXT = 100

_BARE_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$")
# libpq's key=value connection strings: "host=db.internal dbname=shop".
_CONNINFO_HOST = re.compile(r"(?:^|\s)host\s*=\s*'?([^\s']+)")
# A password in a URL (scheme://user:secret@host) is not copied into the catalog.
_URL_PASSWORD = re.compile(r"(\w[\w+.-]*://[^/\s:@]*):[^@\s/]*@")
# A libpq password (password=secret) neither.
_CONNINFO_PASSWORD = re.compile(r"(\bpassword\s*=\s*)('[^']*'|[^\s'\"]+)")


def mask_secrets(text: str) -> str:
    text = _URL_PASSWORD.sub(r"\1:***@", text)
    return _CONNINFO_PASSWORD.sub(r"\1***", text)


def call_text(text: str) -> str:
    """A site's source text as a one-line comment: shortened, passwords masked."""
    text = mask_secrets(" ".join(text.split()))
    if len(text) > MAX_CALL_TEXT:
        text = text[: MAX_CALL_TEXT - 3].rstrip() + "..."
    return text


def comment_text(path: str, line: int, text: str) -> str:
    return f"{path}:{line}: {text}"


#: The comments `fmcat init` writes for call sites: `# shop/cache.py:38: self._redis.get(key)`.
SITE_COMMENT = re.compile(
    r"^[ \t]*#[ \t]?(?P<path>[^\s:][^:]*\.pyi?):(?P<line>\d+): (?P<text>.*?)\s*$"
)


@dataclass(frozen=True)
class CallSite:
    """One external call or client construction, with what init needs to know about it.

    A construction (`redis.Redis(...)`, `requests.Session()`) is kept for what it says about
    the calls made through it (their host, their timeout), but it is not listed as a call.
    """

    path: str  # relative to the project's root, with forward slashes
    index: int  # in its file's sites
    line: int
    text: str  # as the catalog's comments show it (call_text)
    qualname: str
    library: str
    enclosing: str
    url: str | None
    url_is_prefix: bool
    timeout: TimeoutState
    timeout_values: tuple[float, ...]
    timeout_hint: str
    #: Index of the site whose client this call goes through, at the end of the chain;
    #: the site's own index when it goes through no client made in the file.
    root: int
    #: A call over the network, not a client's construction (which init does not list).
    is_call: bool = True
    #: The setting or environment variable its URL comes from (`settings.PAYMENT_URL`).
    url_source: str = ""

    @property
    def key(self) -> tuple[str, int]:
        return (self.path, self.index)

    @property
    def root_key(self) -> tuple[str, int]:
        return (self.path, self.root)

    @property
    def is_root(self) -> bool:
        return self.root == self.index

    @property
    def comment(self) -> str:
        return comment_text(self.path, self.line, self.text)

    @property
    def host(self) -> str | None:
        return host_of(self.url, self.url_is_prefix)


def _root(facts: FileFacts, index: int) -> int:
    seen = {index}
    while (maker := facts.sites[index].client_site) is not None and maker not in seen:
        seen.add(maker)
        index = maker
    return index


def call_sites(facts: FileFacts) -> list[CallSite]:
    return [
        CallSite(
            path=facts.path,
            index=index,
            line=site.span.line,
            text=call_text(site.text or site.qualname),
            qualname=site.qualname,
            library=site.library,
            enclosing=site.enclosing,
            url=site.url,
            url_is_prefix=site.url_is_prefix,
            timeout=site.timeout,
            timeout_values=site.timeout_values,
            timeout_hint=site.timeout_hint,
            root=_root(facts, index),
            is_call=site.role is Role.CALL,
            url_source=site.url_source,
        )
        for index, site in enumerate(facts.sites)
        # A call through a project wrapper is the wrapper's call to the library, listed where
        # the wrapper makes it: init lists calls to dependencies, not the paths to them.
        if not site.derived
    ]


def host_of(url: str | None, is_prefix: bool) -> str | None:
    """The host a URL, a bare host name or a libpq connection string names, when it is known.

    The head of an f-string (`f"https://api.example.com/{path}"`) names its host only when the
    host is followed by something, so `f"https://api.{region}.example.com"` names none.
    """
    if not url:
        return None
    if "://" in url:
        rest = url.split("://", 1)[1]
        if is_prefix and not any(c in rest for c in "/?#"):
            return None
        try:
            host = urlsplit(url).hostname
        except ValueError:
            return None
        return host or None
    if is_prefix:
        return None
    if _BARE_HOST.match(url.lower()):
        return url.lower()
    found = _CONNINFO_HOST.search(url)
    return found[1].lower() if found else None


def url_pattern(url: str) -> str:
    """The `url:` glob for a site's URL: its scheme and host, any path; its host alone when it
    names nothing else. The user part of a URL is not written (it may carry a password)."""
    if "://" in url:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            netloc = "*@" + netloc.rsplit("@", 1)[1]
        return f"{parts.scheme}://{netloc}/*"
    found = _CONNINFO_HOST.search(url)
    if found and not _BARE_HOST.match(url.lower()):
        return f"*host={found[1]}*"
    return url


def exact_pattern(url: str) -> str:
    """The fallback when url_pattern does not match the URL itself (`https://host` alone)."""
    if "://" in url:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            netloc = "*@" + netloc.rsplit("@", 1)[1]
        return f"{parts.scheme}://{netloc}*"
    return url


def timeout_phases(sites: list[CallSite]) -> tuple[float | None, float | None]:
    """The longest literal (connect, read) timeouts of the sites.

    A pair is requests' `(connect, read)`; a single value (requests, smtplib, socket, redis)
    bounds the connect and each read alike; more values (a timeout object) are taken at their
    longest for both phases, which is what FM105 compares the code against.
    """
    connect: float | None = None
    read: float | None = None
    for site in sites:
        if site.timeout is not TimeoutState.SET or not site.timeout_values:
            continue
        values = site.timeout_values
        c: float | None
        r: float | None
        if len(values) == 2:
            c, r = values
        elif "connect" in site.timeout_hint:
            c, r = max(values), None  # psycopg's connect_timeout bounds the connect alone
        else:
            c = r = max(values)
        connect = _longest(connect, c)
        read = _longest(read, r)
    return connect, read


def _longest(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else max(a, b)
