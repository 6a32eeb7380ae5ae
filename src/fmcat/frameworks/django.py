"""Django's settings as timeouts: DATABASES, CACHES and EMAIL_TIMEOUT, against the call sites.

The client table (clients.toml: django.core.cache, django.core.mail, django.db) makes each
cache, mail and raw-cursor call a site that waits forever. This post-pass reads the settings
module (fmcat/frameworks/settings.py) and judges those sites by it:

- a CACHES or DATABASES entry that defines a client without its timeout is reported once, FM101
  on that entry's key in the settings file, and the calls through it are judged there
  (ELSEWHERE); an entry with its timeout makes them SET; a local backend (locmem, sqlite, the
  console mail backend) drops them: they are not external;
- EMAIL_TIMEOUT absent: FM101 stays on each call that relies on it, naming the settings file
  and the key to add;
- a value from the environment is configuration (FM109), never "waits forever".
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from urllib.parse import parse_qs, urlsplit

import libcst as cst

from fmcat.frameworks.local import keep_sites
from fmcat.frameworks.settings import Setting, SettingsModule, describe
from fmcat.frameworks.values import FromEnv, Mapping, Opaque, Value
from fmcat.scan.arguments import find_argument
from fmcat.scan.facts import FileFacts, Role, Site, Span, TimeoutState
from fmcat.scan.knowledge import Param


@dataclass(frozen=True)
class Note:
    """A finding about a setting, made into a Finding by fmcat/frameworks/__init__.py."""

    code: str
    path: str
    span: Span
    message: str
    #: The source text that names it in a baseline.
    text: str = ""


#: Backends that are not external: their calls are dropped from the scan.
LOCAL_CACHES = ("locmem", "dummy", "filebased", "db.DatabaseCache")
LOCAL_DATABASES = ("sqlite3", "dummy")
LOCAL_EMAIL = ("console", "locmem", "filebased", "dummy")
#: The OPTIONS keys (or LOCATION URL parameters) that bound a cache backend's socket.
CACHE_TIMEOUT_KEYS = (
    "socket_timeout",
    "socket_connect_timeout",
    "SOCKET_TIMEOUT",
    "SOCKET_CONNECT_TIMEOUT",
    "timeout",
    "connect_timeout",
)
DATABASE_TIMEOUT_KEYS = ("connect_timeout",)

#: Judgement of one alias: its state, the seconds, and the settings entry it comes from.
State = tuple[TimeoutState, tuple[float, ...], str]


@dataclass
class DjangoModel:
    caches: dict[str, State | None] = field(default_factory=dict)  # None: local backend
    databases: dict[str, State | None] = field(default_factory=dict)
    email: State | None = None  # None: local backend
    notes: list[Note] = field(default_factory=list)


def _number(value: Value) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _url_timeout(location: Value, keys: tuple[str, ...]) -> Value:
    texts = location if isinstance(location, list) else [location]
    for text in texts:
        if isinstance(text, Opaque) and ": " in text.reason:
            text = text.reason.split(": ", 1)[1]  # an f-string's literal parts
        if isinstance(text, str) and "?" in text:
            query = parse_qs(urlsplit(text).query)
            for key in keys:
                if key in query:
                    return query[key][0]
    return None


def _judge_entry(
    setting: Setting,
    alias: str,
    entry: Value,
    kind: str,
    keys: tuple[str, ...],
    local: tuple[str, ...],
    notes: list[Note],
) -> State | None:
    span = _key_span(setting, alias)
    where = f"{setting.name}[{alias!r}]"
    if isinstance(entry, (FromEnv, Opaque)):
        notes.append(
            Note(
                "FM109",
                setting.path,
                span,
                f"{where} is {describe(entry)}: its timeout is configuration fmcat cannot see",
            )
        )
        return (TimeoutState.UNKNOWN, (), where)
    if not isinstance(entry, Mapping):
        return (TimeoutState.UNKNOWN, (), where)
    backend = entry.items.get("BACKEND" if kind == "cache" else "ENGINE")
    if isinstance(backend, str) and any(
        backend.endswith(name) or f".{name}" in backend for name in local
    ):
        return None
    options = entry.items.get("OPTIONS")
    found: Value = None
    if isinstance(options, Mapping):
        for key in keys:
            if key in options.items:
                found = options.items[key]
                break
    elif isinstance(options, (FromEnv, Opaque)):
        found = options
    location = entry.items.get("LOCATION")
    if found is None and kind == "cache":
        found = _url_timeout(location, keys)
    if found is None and kind == "cache" and _unseen_url(location):
        notes.append(
            Note(
                "FM109",
                setting.path,
                span,
                f"{where}'s LOCATION is {describe(location)}: its socket timeout may be in that "
                "URL (?socket_timeout=), which is configuration fmcat cannot see",
            )
        )
        return (TimeoutState.CONFIG, (), where)
    if found is None:
        hint = (
            "'OPTIONS': {'socket_timeout': 1}"
            if kind == "cache"
            else "'OPTIONS': {'connect_timeout': 5}"
        )
        what = backend if isinstance(backend, str) else "its backend"
        notes.append(
            Note(
                "FM101",
                setting.path,
                span,
                f"{where} is made without a timeout and {what} waits forever; add {hint}",
                f"{where}",
            )
        )
        return (TimeoutState.ELSEWHERE, (), where)
    seconds = _number(found)
    if seconds is None:
        notes.append(
            Note(
                "FM109",
                setting.path,
                span,
                f"{where}'s timeout is {describe(found)}: configuration fmcat cannot see",
            )
        )
        return (TimeoutState.UNKNOWN, (), where)
    if seconds <= 0:
        return (TimeoutState.DISABLED, (seconds,), where)
    return (TimeoutState.SET, (seconds,), where)


def _unseen_url(location: Value) -> bool:
    """A LOCATION from the environment or a config reader (pretix's ``config.get('redis',
    'location')``), not an f-string whose written parts show the query."""
    return isinstance(location, FromEnv) or (
        isinstance(location, Opaque) and ": " not in location.reason
    )


def _key_span(setting: Setting, alias: str) -> Span:
    if isinstance(setting.value, Mapping) and alias in setting.value.spans:
        return setting.value.spans[alias]
    return setting.span


def _judge_table(
    settings: SettingsModule,
    name: str,
    kind: str,
    keys: tuple[str, ...],
    local: tuple[str, ...],
    model: DjangoModel,
) -> dict[str, State | None]:
    setting = settings.get(name)
    if setting is None:
        return {}
    value = setting.value
    if isinstance(value, (FromEnv, Opaque)):
        model.notes.append(
            Note(
                "FM109",
                setting.path,
                setting.span,
                f"{name} is {describe(value)}: its timeouts are configuration fmcat cannot see",
            )
        )
        return {"*": (TimeoutState.UNKNOWN, (), name)}
    if not isinstance(value, Mapping):
        return {}
    return {
        alias: _judge_entry(setting, alias, entry, kind, keys, local, model.notes)
        for alias, entry in value.items.items()
    }


def _judge_email(settings: SettingsModule, model: DjangoModel) -> State | None:
    backend = settings.get("EMAIL_BACKEND")
    value = backend.value if backend is not None else None
    if isinstance(value, str) and any(f".{name}." in value for name in LOCAL_EMAIL):
        return None
    timeout = settings.get("EMAIL_TIMEOUT")
    if timeout is None or timeout.value is None:
        return (TimeoutState.MISSING, (), f"EMAIL_TIMEOUT in {settings.path}")
    seconds = _number(timeout.value)
    if seconds is None:
        model.notes.append(
            Note(
                "FM109",
                timeout.path,
                timeout.span,
                f"EMAIL_TIMEOUT is {describe(timeout.value)}: configuration fmcat cannot see",
            )
        )
        return (TimeoutState.UNKNOWN, (), "EMAIL_TIMEOUT")
    return (TimeoutState.SET, (seconds,), "EMAIL_TIMEOUT")


def read_model(settings: SettingsModule) -> DjangoModel:
    model = DjangoModel()
    model.caches = _judge_table(
        settings, "CACHES", "cache", CACHE_TIMEOUT_KEYS, LOCAL_CACHES, model
    )
    model.databases = _judge_table(
        settings, "DATABASES", "database", DATABASE_TIMEOUT_KEYS, LOCAL_DATABASES, model
    )
    model.email = _judge_email(settings, model)
    return model


def alias_state(table: dict[str, State | None], alias: str) -> State | bool | None:
    """The alias's state; False when the settings do not say (the site stays as it is)."""
    if alias in table:
        return table[alias]
    if "*" in table:
        return table["*"]
    return False


#: Library calls that hand out the client of a CACHES entry, and the parameter naming it.
CACHE_CLIENTS = {"django_redis.get_redis_connection": (Param("alias", 0), "default")}


def _cache_alias(site: Site) -> str | None:
    """``get_redis_connection("redis")``: the alias, read from the call's text."""
    param, default = CACHE_CLIENTS[site.qualname]
    try:
        call = cst.parse_expression(site.text)
    except cst.ParserSyntaxError:
        return None
    arg = find_argument(call, param) if isinstance(call, cst.Call) else None
    if arg is None:
        return default
    if not (isinstance(arg, cst.Arg) and isinstance(arg.value, cst.SimpleString)):
        return None
    value = arg.value.evaluated_value
    return value if isinstance(value, str) else None


def _site_state(site: Site, model: DjangoModel) -> State | bool | None:
    if site.qualname in CACHE_CLIENTS:
        alias = _cache_alias(site)
        return alias_state(model.caches, alias) if alias is not None else False
    if site.library == "django.core.cache":
        return alias_state(model.caches, "default")
    if site.library == "django.db":
        return alias_state(model.databases, "default")
    if site.library == "django.core.mail":
        return model.email
    return False


def apply(files: list[FileFacts], model: DjangoModel | None) -> None:
    """Judge each Django site by the settings (in place); drop those of local backends."""
    for facts in files:
        if not any(
            s.library.startswith("django.") or s.qualname in CACHE_CLIENTS for s in facts.sites
        ):
            continue

        def judge(site: Site) -> Site | None:
            state = _site_state(site, model) if model is not None else False
            if state is None:
                return None  # a local backend: not an external call
            return judged(site, state) if isinstance(state, tuple) else site

        keep_sites(facts, judge)


def judged(site: Site, state: State) -> Site:
    timeout, seconds, where = state
    if site.timeout not in (TimeoutState.MISSING, TimeoutState.ELSEWHERE):
        return site  # a timeout given in the call (get_connection(timeout=5)) wins
    if timeout is TimeoutState.MISSING:
        return replace(site, timeout_hint=where)
    if timeout is TimeoutState.CONFIG:
        # The client is made where the URL is read (get_redis_connection): FM109 there; the
        # calls through it are reported at the settings entry, once.
        made = TimeoutState.CONFIG if site.role is Role.CLIENT else TimeoutState.UNKNOWN
        return replace(site, timeout=made, timeout_hint=where)
    if site.role is Role.CLIENT and timeout is TimeoutState.ELSEWHERE:
        return replace(site, timeout=TimeoutState.ELSEWHERE)
    return replace(site, timeout=timeout, timeout_values=seconds)
