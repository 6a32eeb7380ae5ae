"""Guesses `fmcat init` writes into a skeleton, as tables a reader can scan and extend.

Every guess lands in the file with a TODO beside it: the code says which client library a
dependency is reached through, not what the dependency is to the service nor how much the
service needs it.
"""

from __future__ import annotations

from fmcat.catalog.model import Criticality, Kind

#: The catalog `kind` of a dependency reached through each client library of fmcat's table
#: (fmcat/scan/clients.toml). Libraries not listed (users' own clients) are `other`.
KIND_BY_LIBRARY: dict[str, Kind] = {
    "requests": "http",
    "httpx": "http",
    "aiohttp": "http",
    "urllib.request": "http",
    "urllib3": "http",
    "http.client": "http",
    "socket": "other",
    "asyncio": "other",
    "smtplib": "email",
    "imaplib": "email",
    "poplib": "email",
    "ftplib": "other",
    "redis": "cache",
    "psycopg2": "database",
    "psycopg": "database",
    "pymysql": "database",
    "pymongo": "database",
    "elasticsearch": "database",
    # boto3 reaches every AWS service (S3, SQS, DynamoDB...): the code does not say which kind.
    "boto3": "other",
    "grpc": "rpc",
    "pika": "queue",
    "kafka-python": "queue",
}

#: The starting criticality for each kind: what a service usually cannot do without (its
#: database, the APIs its operations call) is critical; caches and queues are usually there to
#: be degraded around, and mail can usually wait.
CRITICALITY_BY_KIND: dict[Kind, Criticality] = {
    "http": "critical",
    "database": "critical",
    "rpc": "critical",
    "object-store": "critical",
    "other": "critical",
    "cache": "degradable",
    "queue": "degradable",
    "email": "optional",
}


def kind_of(libraries: list[str]) -> Kind:
    """The kind of the first library that has one; `other` when none does."""
    for library in libraries:
        kind = KIND_BY_LIBRARY.get(library)
        if kind is not None and kind != "other":
            return kind
    return "other"
