from ..transport.api import get_json, post_json

BILLING = "https://billing.example.com"


def invoice(invoice_id: str) -> dict:
    return get_json(f"{BILLING}/invoices/{invoice_id}")  # get_json's timeout defaults to None  # expect: FM101


def invoice_bounded(invoice_id: str) -> dict:
    return get_json(f"{BILLING}/invoices/{invoice_id}", timeout=2)


def pay(order: dict) -> dict:
    return post_json(f"{BILLING}/payments", order)  # post_json defaults to 5 s
