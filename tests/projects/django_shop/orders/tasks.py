import requests
import stripe
from celery import shared_task
from shop.celery import app

PAYMENTS = "https://api.pay.example.com/v1"


@shared_task(autoretry_for=(requests.RequestException,), max_retries=5)
def charge(order_id: str, amount: int) -> None:
    requests.post(f"{PAYMENTS}/charges", json={"amount": amount}, timeout=2)


@app.task(acks_late=True)
def refund(order_id: str) -> None:
    stripe.Refund.create(charge=order_id, idempotency_key=f"refund-{order_id}")
