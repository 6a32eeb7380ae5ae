"""Chat, SSH, plain HTTP and async Postgres: slack_sdk, paramiko, httplib2 and asyncpg."""

import asyncio

import asyncpg
import httplib2
import paramiko
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

alerts = WebClient(token="xoxb-test")  # expect: FM107
alerts_bounded = WebClient(token="xoxb-test", timeout=5)
pages = httplib2.Http()  # expect: FM101
pages_bounded = httplib2.Http(timeout=5)
pages_off = httplib2.Http(timeout=None)  # expect: FM102


def notify(text: str) -> None:
    alerts.chat_postMessage(channel="#ops", text=text)  # expect: FM103


def notify_quietly(text: str) -> None:
    try:
        alerts_bounded.chat_postMessage(channel="#ops", text=text)
    except SlackApiError:
        pass


def page(url: str) -> bytes | None:
    try:
        _, body = pages_bounded.request(url)
    except (httplib2.HttpLib2Error, OSError):
        return None
    return body


def page_raw(url: str) -> bytes:
    return pages.request(url)[1]  # expect: FM103


def deploy(host: str) -> None:
    ssh = paramiko.SSHClient()
    try:
        ssh.connect(host, username="deploy")  # expect: FM101
        ssh.exec_command("systemctl restart shop")  # expect: FM101
    except (paramiko.SSHException, OSError):
        return


def uptime(host: str) -> None:
    ssh = paramiko.SSHClient()
    ssh.connect(host, username="deploy", timeout=5)  # expect: FM103
    ssh.exec_command("uptime", timeout=5)  # expect: FM103


async def orders(dsn: str) -> list[asyncpg.Record]:
    try:
        conn = await asyncpg.connect(dsn)  # expect: FM101
        return await conn.fetch("select * from orders")
    except (asyncpg.PostgresError, OSError, asyncio.TimeoutError):
        return []


async def totals(dsn: str) -> int:
    pool = await asyncpg.create_pool(dsn, command_timeout=5)  # expect: FM103
    # acquire() may open a new connection, which can fail.
    async with pool.acquire() as conn:  # expect: FM103
        return await conn.fetchval("select count(*) from orders")  # expect: FM103
