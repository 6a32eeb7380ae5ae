"""Order store: Postgres through psycopg2 and psycopg 3, the legacy MySQL through PyMySQL."""

import os

import psycopg
import psycopg2
import pymysql

DSN = "dbname=orders host=db user=app"
DSN_BOUNDED = "dbname=orders host=db user=app connect_timeout=5"
URL_BOUNDED = "postgresql://app@db/orders?connect_timeout=3"


def connect(dsn: str):
    return psycopg2.connect(dsn)  # expect: FM101, FM103


def load_order(order_id: int) -> tuple | None:
    try:
        with psycopg2.connect(DSN_BOUNDED) as conn, conn.cursor() as cur:
            cur.execute("SELECT * FROM orders WHERE id = %s", (order_id,))
            return cur.fetchone()
    except psycopg2.OperationalError:
        return None


def save_order(order: dict) -> None:
    conn = psycopg2.connect(DSN)  # expect: FM101, FM103
    cur = conn.cursor()
    cur.execute("INSERT INTO orders (id) VALUES (%s)", (order["id"],))  # expect: FM103
    conn.commit()  # expect: FM103


def report_rows(day: str) -> list[tuple]:
    try:
        conn = psycopg2.connect(host="db", dbname="orders", connect_timeout=0)  # expect: FM102
        with conn.cursor() as cur:
            cur.execute("SELECT * FROM report WHERE day = %s", (day,))
            return cur.fetchall()
    except psycopg2.Error:
        return []


def archive(order_id: int) -> None:
    with psycopg.connect("postgresql://app@db/orders") as conn:  # expect: FM103, FM107
        conn.execute("DELETE FROM orders WHERE id = %s", (order_id,))  # expect: FM103


def purge(before: str) -> None:
    try:
        with psycopg.connect(URL_BOUNDED, autocommit=True) as conn:
            conn.execute("DELETE FROM audit WHERE at < %s", (before,))
    except psycopg.OperationalError:
        pass


def purge_configured(before: str) -> None:
    try:
        with psycopg.connect(os.environ["DATABASE_URL"], connect_timeout=2) as conn:
            conn.execute("DELETE FROM audit WHERE at < %s", (before,))
    except psycopg.Error:
        pass


def legacy_total() -> int:
    conn = pymysql.connect(host="mysql", user="app", password=os.environ["MYSQL_PASSWORD"], connect_timeout=5)  # expect: FM101, FM103
    with conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM orders")  # expect: FM103
        return cur.fetchone()[0]


def legacy_total_bounded() -> int:
    try:
        conn = pymysql.connect(host="mysql", user="app", read_timeout=10, write_timeout=10)
        with conn.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM orders")
            return cur.fetchone()[0]
    except pymysql.MySQLError:
        return 0
