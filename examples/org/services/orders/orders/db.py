"""Orders' access to the shared Postgres cluster."""

import psycopg2


def connect(dsn: str) -> "psycopg2.extensions.connection | None":
    try:
        return psycopg2.connect(dsn, connect_timeout=2)
    except psycopg2.Error:
        return None
