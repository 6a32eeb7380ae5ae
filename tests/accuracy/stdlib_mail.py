"""Mail gateway: SMTP out, IMAP and POP in (standard library)."""

import imaplib
import poplib
import smtplib
from email.message import EmailMessage

SMTP_HOST = "smtp.example.com"
TIMEOUT = 10


def send(msg: EmailMessage) -> None:
    with smtplib.SMTP(SMTP_HOST, 587) as smtp:  # expect: FM101, FM103
        smtp.starttls()  # expect: FM103
        smtp.send_message(msg)  # expect: FM103


def send_safely(msg: EmailMessage) -> bool:
    try:
        # A refused or reset connection is an OSError that no SMTPException handler catches.
        with smtplib.SMTP_SSL(SMTP_HOST, 465, timeout=TIMEOUT) as smtp:  # expect: FM103
            smtp.login("gateway", "secret")  # expect: FM103
            smtp.send_message(msg)  # expect: FM103
    except smtplib.SMTPException:
        return False
    return True


def send_later(msg: EmailMessage) -> None:
    smtp = smtplib.SMTP()  # expect: FM101
    try:
        smtp.connect(SMTP_HOST, 25)
        smtp.send_message(msg)
    except OSError:
        pass
    finally:
        smtp.quit()  # expect: FM103


def send_positional(msg: EmailMessage) -> None:
    try:
        smtp = smtplib.SMTP(SMTP_HOST, 25, "gateway.local")  # expect: FM101, FM103
        smtp.send_message(msg)  # expect: FM103
    except smtplib.SMTPException:
        pass


def inbox_count() -> int:
    imap = imaplib.IMAP4_SSL("imap.example.com")  # expect: FM101, FM103
    imap.login("gateway", "secret")  # expect: FM103
    _, data = imap.select("INBOX")  # expect: FM103
    return int(data[0])


def unseen() -> list[bytes]:
    try:
        imap = imaplib.IMAP4_SSL("imap.example.com", timeout=TIMEOUT)
        imap.login("gateway", "secret")
        return imap.search(None, "UNSEEN")[1]
    except imaplib.IMAP4.error:
        return []


def pop_count() -> int:
    try:
        box = poplib.POP3_SSL("pop.example.com")  # expect: FM101
        box.user("gateway")
        box.pass_("secret")
        return box.stat()[0]
    except poplib.error_proto:
        return 0
