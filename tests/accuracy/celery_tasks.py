"""Billing tasks: a Celery app, its tasks, and the code that publishes them."""

from __future__ import annotations

from celery import Celery, shared_task
from kombu.exceptions import OperationalError

app = Celery("billing", broker="amqp://broker//")


@app.task(acks_late=True)
def bill(order_id: str) -> None:
    print(order_id)


@shared_task
def remind(order_id: str) -> None:
    print(order_id)


def checkout(order_id: str) -> None:
    bill.delay(order_id)  # expect: FM103, FM107
    try:
        remind.apply_async(args=(order_id,), countdown=3600)  # expect: FM107
    except OperationalError:
        pass


def nightly() -> None:
    app.send_task("billing.close_day")  # expect: FM103, FM107


def lookalikes(queue: list[str], later: object) -> None:
    queue.append("x")
    print(later)
