"""Orders views: Django's cache, mail and raw cursors, with no settings module in sight.

Without a settings module (this file is linted alone) every Django call is judged where it is:
its timeout lives in settings fmcat cannot find, so each one is reported with the setting to add.
"""

from __future__ import annotations

import logging

from django.core import mail
from django.core.cache import cache
from django.core.mail import EmailMessage, get_connection, send_mail
from django.db import connection

log = logging.getLogger(__name__)


def order_state(order_id: str) -> str | None:
    return cache.get(f"order:{order_id}")  # expect: FM101, FM103


def remember(order_id: str, state: str) -> None:
    try:
        cache.set(f"order:{order_id}", state, timeout=300)  # expect: FM101
    except Exception:
        log.warning("cache unavailable")


def notify(address: str) -> None:
    send_mail("Order received", "Thanks", "shop@example.com", [address])  # expect: FM101, FM103
    mail.mail_admins("New order", "See the admin")  # expect: FM101, FM103


def receipt(address: str) -> None:
    message = EmailMessage("Receipt", "Attached", to=[address])
    message.send()  # expect: FM101, FM103


def bulk(messages: list[EmailMessage]) -> int:
    smtp = get_connection(timeout=10)
    try:
        return smtp.send_messages(messages)
    except OSError:
        return 0


def archive(order_id: str) -> None:
    with connection.cursor() as cursor:  # expect: FM101, FM103
        cursor.execute("UPDATE orders SET archived = true WHERE id = %s", [order_id])  # expect: FM103


def lookalikes(settings: dict[str, str]) -> str | None:
    local_cache: dict[str, str] = {}
    local_cache.get("key")
    return settings.get("EMAIL_HOST")
