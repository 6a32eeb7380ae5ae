"""Census: external call sites per client library or framework in the real-service corpus.

    python bench/census.py                 # the ranked table, as Markdown, on stdout
    python bench/census.py --json          # the counts per service and library, as JSON
    python bench/census.py --sites LIB     # every counted site of one library (path:line)

The services are bench/realworld/services.toml's (fetched like the real-service suite). Only
each service's own package is counted, and only production code: test folders, test_*.py,
*_test.py, conftest.py and hidden folders are left out.

A call site is a call that reaches a library below (by its import root), resolved through the
file's imports: `import requests as r; r.get(u)`, `from django.core.cache import caches;
caches["x"].get(k)`. A name or `self.` attribute bound in the file from such a call (a client,
`s = requests.Session()`) carries that library, so `s.get(u)` counts too. Exception classes and
`*.exceptions.*` do not count. Two things are counted by name, because their receiver is the
project's own object: Celery publishing (`.delay(...)`, `.apply_async(...)`, `.send_task(...)`)
in services that import celery, and Django's ORM is not counted at all (every query is a
database call; the census counts the raw `django.db.connection(s)` layer only). Calls through
the project's own wrappers count once, at the library call inside the wrapper.
"""

from __future__ import annotations

import ast
import json
import sys
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.realworld.fetch import Service, fetch, load_manifest

REPO = Path(__file__).resolve().parent.parent
CLIENTS_TOML = REPO / "src" / "fmcat" / "scan" / "clients.toml"

#: Qualified-name prefix -> the census's name for the library or framework. Longest prefix wins.
LIBRARIES: dict[str, str | None] = {
    "requests": "requests",
    "requests_oauthlib": "requests",
    "requests_toolbelt": "requests",
    "httpx": "httpx",
    "aiohttp": "aiohttp",
    "aiohttp.web": None,  # the server side: responses and routes, not calls out
    "aiohttp.web_exceptions": None,
    "aiohttp.web_response": None,
    "urllib3": "urllib3",
    "urllib.request": "urllib.request",
    "http.client": "http.client",
    "socket": "socket",
    "ssl": None,  # contexts and certificates: local
    "smtplib": "smtplib",
    "imaplib": "imaplib",
    "poplib": "poplib",
    "ftplib": "ftplib",
    "nntplib": "nntplib",
    "redis": "redis",
    "django_redis": "redis",
    "rq": "rq",
    "django_rq": "rq",
    "openai": "openai",
    "litellm": "litellm",
    "anthropic": "anthropic",
    "databricks.sdk": "databricks-sdk",
    "azure.storage": "azure-storage",
    "azure.identity": "azure-identity",
    "google.cloud.bigquery": "google-cloud-bigquery",
    "docker": "docker",
    "kubernetes": "kubernetes",
    "sentry_sdk": None,  # reports in the background; no call of the service waits on it
    "boto3": "boto3",
    "botocore": "boto3",
    "storages": "django-storages",
    "django.core.files.storage": "django storage",
    "stripe": "stripe",
    "paypalcheckoutsdk": "paypal",
    "paypalhttp": "paypal",
    "twilio": "twilio",
    "slack_sdk": "slack_sdk",
    "sendgrid": "sendgrid",
    "google.cloud.storage": "google-cloud-storage",
    "google.cloud": "google-cloud (other)",
    "minio": "minio",
    "opensearchpy": "opensearch-py",
    "elasticsearch": "elasticsearch",
    "pysolr": "pysolr",
    "pycurl": "pycurl",
    "paramiko": "paramiko",
    "httplib2": "httplib2",
    "asyncpg": "asyncpg",
    "psycopg2": "psycopg2",
    "psycopg": "psycopg",
    "pymysql": "pymysql",
    "pymongo": "pymongo",
    "sqlalchemy.create_engine": "sqlalchemy create_engine",
    "sqlalchemy.engine.create_engine": "sqlalchemy create_engine",
    "confluent_kafka": "confluent-kafka",
    "aiokafka": "aiokafka",
    "kafka": "kafka-python",
    "kombu": "kombu",
    "pika": "pika",
    "dns.resolver": "dnspython",
    "dns.asyncresolver": "dnspython",
    "ldap": "python-ldap",
    "ldap3": "ldap3",
    "zeep": "zeep",
    "pywebpush": "pywebpush",
    "webauthn": None,  # local cryptography, no network
    "aiosmtplib": "aiosmtplib",
    "django.core.cache.cache": "django cache",
    "django.core.cache.caches": "django cache",
    "django.core.mail": "django email",
    "django.db.connection": "django db (raw)",
    "django.db.connections": "django db (raw)",
    "celery.current_app.send_task": "celery publish",
}

TEST_FOLDERS = frozenset({"tests", "test", "testing", "testutils", "test_utils"})
TEST_FILES = frozenset({"conftest.py", "pytest_plugin.py"})
CELERY_METHODS = frozenset({"delay", "apply_async", "send_task"})
#: A name bound from a library call carries the library only when the call makes a client: a
#: class (CamelCase) or one of these factories; `resp = requests.get(u)` binds a response, and
#: `resp.json()` is no external call.
FACTORIES = frozenset({
    "session", "client", "resource", "connect", "from_url", "get_redis_connection",
    "get_connection", "create_engine", "cursor", "pipeline", "open_connection", "Bucket",
})  # fmt: skip
#: Calls into a listed library that do no I/O: configuration objects, request builders, local
#: socket set-up, reading a response already received. Namespaces (by prefix), exact names
#: (constructors: `dns.resolver.Resolver` makes no query, its `.resolve()` does), and method names
#: on a client or a response.
LOCAL_PREFIXES: tuple[str, ...] = (
    "redis.retry.",
    "redis.backoff.",
    "django.db.connection.ops.",
    "socket.inet_",
    "requests.auth.",
    "requests.adapters.",
    "requests.models.",
    "requests.structures.",
    "requests.cookies.",
    "requests.utils.",
    "aiohttp.resolver.",
    "aiohttp.client.DEFAULT",
    "zeep.cache.",
    "paypalcheckoutsdk.",
    "paypalhttp.",
    "slack_sdk.models.",
    "boto3.s3.transfer.TransferConfig",
    "botocore.config.",
    "google.cloud.storage.Blob",
    "databricks.sdk.config.",
    "databricks.sdk.service.",
    "databricks.sdk.errors.",
    "kubernetes.config.",
    "kubernetes.client.V1",
    # The generated models only hold values; the API groups' methods are the requests.
    "kubernetes.client.models.",
    "kubernetes.client.Configuration",
    # Table and dataset references, schemas and job configurations are values, built locally.
    "google.cloud.bigquery.dataset.DatasetReference",
    "google.cloud.bigquery.DatasetReference",
    "google.cloud.bigquery.table.TableReference",
    "google.cloud.bigquery.TableReference",
    "google.cloud.bigquery.table.Table",
    "google.cloud.bigquery.routine.",
    "google.cloud.bigquery.dataset.Dataset",
    "google.cloud.bigquery.dataset.AccessEntry",
    "google.cloud.bigquery.SchemaField",
    "google.cloud.bigquery.QueryJobConfig",
    "google.cloud.bigquery.ExternalConfig",
    "docker.types.",
    "requests.Response",
    "litellm.token_counter",
    "litellm.get_model_info",
    "rq.Retry",
)
LOCAL_EXACT = frozenset(
    {
        "kombu.Queue",
        "kombu.Exchange",
        "django.core.files.storage.Storage",
        "django.core.files.storage.FileSystemStorage",
        "socket.gethostname",
        "socket.getdefaulttimeout",
        "socket.setdefaulttimeout",
        "socket.htons",
        "socket.ntohs",
        "dns.resolver.Resolver",
        "zeep.Transport",
        "aiohttp.ClientTimeout",
        "aiohttp.TCPConnector",
        "aiohttp.BasicAuth",
        "aiohttp.FormData",
        "requests.Request",
        "stripe.set_app_info",
        "django.core.mail.EmailMessage",
        "django.core.mail.EmailMultiAlternatives",
    }
)
LOCAL_METHODS = frozenset(
    {
        "bind",
        "close",
        "settimeout",
        "setsockopt",
        "fileno",
        "mount",
        "prepare_request",
        "merge_environment_settings",
        "raise_for_status",
        "json",
        "decode",
        "has_extn",
        "attach",
        "attach_alternative",
        "attach_file",
        "pipeline",
        "request_body",
    }
)


def _local(qualified: str) -> bool:
    plain = qualified.replace("()", "")
    last = qualified.rsplit(".", 1)[-1]
    return (
        qualified in LOCAL_EXACT
        or plain.startswith(LOCAL_PREFIXES)
        or ("." in qualified and last in LOCAL_METHODS and "(" in qualified)
        or ".headers." in qualified
        or ".cookies." in qualified
    )


@dataclass(frozen=True)
class Site:
    library: str
    path: str  # relative to the service's folder
    line: int
    name: str  # the resolved qualified name, or `<task>.delay` for Celery


def _library(qualified: str) -> str | None:
    best: tuple[int, str | None] = (-1, None)
    for prefix, library in LIBRARIES.items():
        if (qualified == prefix or qualified.startswith(prefix + ".")) and len(prefix) > best[0]:
            best = (len(prefix), library)
    return best[1]


def _is_exception(qualified: str) -> bool:
    last = qualified.rsplit(".", 1)[-1]
    return ".exceptions." in qualified + "." or last.endswith(
        ("Error", "Exception", "Warning", "Refused", "Disconnected")
    )


def is_production(relative: str) -> bool:
    """Whether a path (relative to the service's folder) is production code, not tests."""
    *folders, name = relative.split("/")
    if any(p.startswith(".") or p in TEST_FOLDERS for p in folders):
        return False
    return not (name.startswith("test_") or name.endswith("_test.py") or name in TEST_FILES)


def production_files(root: Path, package: str) -> Iterator[Path]:
    """The .py files of ``root/package``, without tests or hidden folders, in path order."""
    for path in sorted((root / package).rglob("*.py")):
        if is_production(path.relative_to(root).as_posix()):
            yield path


def _dotted(node: ast.expr) -> list[str] | None:
    """`a.b.c` as ["a", "b", "c"]; `a["k"].b` as ["a", "b"] (subscripts of a mapping)."""
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            return parts[::-1]
        elif isinstance(node, ast.Call):
            # `EmailMessage(...).send()`, `Session().get()`: resolve the inner call's callee.
            node = node.func
            parts.append("()")
        else:
            return None


class _FileCensus:
    def __init__(self, tree: ast.Module, module: str) -> None:
        self.names: dict[str, str] = {}  # local name (or "self.x") -> qualified name
        self.module = module
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.names[alias.asname] = alias.name
                    else:
                        root = alias.name.split(".")[0]
                        self.names[root] = root
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                for alias in node.names:
                    if alias.name != "*":
                        self.names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        # Names bound from a library call carry the call's qualified name; two passes reach
        # clients made from clients (`s3 = session.client("s3")`).
        for _ in range(2):
            for node in ast.walk(tree):
                value, targets = self._binding(node)
                if value is None:
                    continue
                qualified = self.qualify(value)
                if qualified is None or _library(qualified) is None or _is_exception(qualified):
                    continue
                last = qualified.rsplit(".", 1)[-1].removesuffix("()")
                if not (last[:1].isupper() or last in FACTORIES):
                    continue
                for target in targets:
                    key = self._target(target)
                    if key is not None and key not in self.names:
                        self.names[key] = qualified + "()"

    @staticmethod
    def _binding(node: ast.AST) -> tuple[ast.expr | None, list[ast.expr]]:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call | ast.Await):
            call = node.value.value if isinstance(node.value, ast.Await) else node.value
            return (call.func if isinstance(call, ast.Call) else None), node.targets
        if isinstance(node, ast.AnnAssign) and isinstance(node.value, ast.Call):
            return node.value.func, [node.target]
        if isinstance(node, ast.withitem) and isinstance(node.context_expr, ast.Call):
            return node.context_expr.func, [node.optional_vars] if node.optional_vars else []
        return None, []

    @staticmethod
    def _target(node: ast.expr) -> str | None:
        if isinstance(node, ast.Name):
            return node.id
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in {"self", "cls"}
        ):
            return f"self.{node.attr}"
        return None

    def qualify(self, func: ast.expr) -> str | None:
        parts = _dotted(func)
        if not parts:
            return None
        if parts[0] in {"self", "cls"} and len(parts) > 1 and f"self.{parts[1]}" in self.names:
            return ".".join([self.names[f"self.{parts[1]}"], *parts[2:]])
        if parts[0] not in self.names:
            return None
        return ".".join([self.names[parts[0]], *parts[1:]]).replace(".()", "()")

    def sites(self, tree: ast.Module, path: str, celery: bool) -> Iterator[Site]:
        # ast.walk visits an outer call before the calls in its callee (`a().b()` before `a()`),
        # so a chain counts once, under the name of its outermost call.
        counted: set[int] = set()
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or id(node) in counted:
                continue
            func = node.func
            if celery and isinstance(func, ast.Attribute) and func.attr in CELERY_METHODS:
                yield Site("celery publish", path, node.lineno, f"<task>.{func.attr}")
                continue
            qualified = self.qualify(func)
            if qualified is None or _is_exception(qualified):
                continue
            plain = qualified.replace("()", "")
            library = _library(plain)
            if library is None or _local(qualified):
                continue
            counted.update(id(inner) for inner in ast.walk(func) if isinstance(inner, ast.Call))
            yield Site(library, path, node.lineno, qualified)


def census(service: Service, root: Path) -> list[Site]:
    files = list(production_files(root, service.package))
    celery = any(b"celery" in path.read_bytes() for path in files)
    found: list[Site] = []
    for path in files:
        relative = path.relative_to(root).as_posix()
        try:
            tree = ast.parse(path.read_bytes(), filename=relative)
        except (SyntaxError, ValueError) as error:
            print(f"census: {relative}: not parsed ({error})", file=sys.stderr)
            continue
        module = relative.removesuffix(".py").replace("/", ".")
        found.extend(_FileCensus(tree, module).sites(tree, relative, celery))
    return found


def covered_roots(path: Path = CLIENTS_TOML) -> set[str]:
    """The import roots fmcat's client table knows (its libraries' `modules`)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {module for library in data.get("library", []) for module in library["modules"]}


def _covered(library: str, roots: set[str]) -> bool:
    prefixes = [p for p, name in LIBRARIES.items() if name == library]
    return any(p == r or p.startswith(r + ".") for p in prefixes for r in roots)


def ranked(per_service: dict[str, list[Site]]) -> list[tuple[str, int, list[str]]]:
    totals: Counter[str] = Counter()
    where: dict[str, set[str]] = defaultdict(set)
    for name, sites in per_service.items():
        for site in sites:
            totals[site.library] += 1
            where[site.library].add(name)
    return [(lib, n, sorted(where[lib])) for lib, n in totals.most_common()]


def markdown(services: Sequence[Service], per_service: dict[str, list[Site]]) -> list[str]:
    roots = covered_roots()
    names = [s.name for s in services]
    short = {n: n.removeprefix("apache-airflow-providers-") for n in names}
    out = [
        "| library / framework | sites | services | "
        + " | ".join(short[n] for n in names)
        + " | in clients.toml |",
        "|---|---:|---:|" + "---:|" * len(names) + "---|",
    ]
    for library, total, where in ranked(per_service):
        cells = [str(sum(s.library == library for s in per_service[n])) or "0" for n in names]
        covered = "yes" if _covered(library, roots) else "**no**"
        out.append(
            f"| {library} | {total} | {len(where)} | "
            + " | ".join(c if c != "0" else "" for c in cells)
            + f" | {covered} |"
        )
    return out


def main(argv: Sequence[str]) -> int:
    services = load_manifest()
    folders = fetch(services)
    per_service = {s.name: census(s, folders[s.name]) for s in services}
    if argv[:1] == ["--json"]:
        data = {
            name: dict(Counter(site.library for site in sites))
            for name, sites in per_service.items()
        }
        print(json.dumps(data, indent=2, sort_keys=True))
    elif argv[:1] == ["--sites"] and len(argv) == 2:
        for name, sites in per_service.items():
            for site in sites:
                if site.library == argv[1]:
                    print(f"{name}: {site.path}:{site.line}  {site.name}")
    elif not argv:
        files = {
            s.name: sum(1 for _ in production_files(folders[s.name], s.package)) for s in services
        }
        for service in services:
            print(
                f"- {service.name} {service.version}: {files[service.name]} production files, "
                f"{len(per_service[service.name])} external call sites"
            )
        print()
        print("\n".join(markdown(services, per_service)))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
