"""Billing tasks: a Celery app, its tasks, and the code that publishes them."""

from __future__ import annotations

from celery import Celery, chain, group, shared_task, signature
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


def signatures(order_id: str) -> None:
    """A signature publishes when it is delayed or applied, a canvas when it is called."""
    later = bill.s(order_id)
    later.apply_async(countdown=60)  # expect: FM103, FM107
    remind.si(order_id).delay()  # expect: FM103, FM107
    chain(bill.s(order_id), remind.si(order_id))()  # expect: FM103, FM107
    group(bill.s(order_id), remind.s(order_id)).apply_async()  # expect: FM103, FM107
    signature("billing.close_day").delay()  # expect: FM103, FM107


def signatures_that_do_not_publish(order_id: str) -> None:
    local = bill.s(order_id)
    local()  # runs the task here, in this process
    print(chain(bill.s(order_id)))
