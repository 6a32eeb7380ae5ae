"""Transactional email through the SMTP relay (dependency: email)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Any

from shop.config import Settings


class EmailError(Exception):
    """The relay did not accept the message; the order event is requeued and retried."""


def _confirmation(settings: Settings, order: dict[str, Any]) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = order["email"]
    message["Subject"] = f"Your order {order['order_id']} is confirmed"
    total = order["total_cents"] / 100
    message.set_content(
        f"Thank you for your order {order['order_id']}.\n\n"
        f"We charged {total:.2f} {order['currency']} and will email you again when it ships.\n"
    )
    return message


def send_order_confirmation(settings: Settings, order: dict[str, Any]) -> None:
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port) as smtp:
            smtp.starttls()
            smtp.send_message(_confirmation(settings, order))
    except smtplib.SMTPRecipientsRefused:
        return  # a bad address will not get better with retries; the order page still works
    except (smtplib.SMTPException, OSError) as error:
        raise EmailError(f"order {order['order_id']}: {error}") from error
