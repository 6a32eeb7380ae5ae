"""RabbitMQ: ``order.*`` events (dependency: order-events).

Checkout never talks to the broker: it writes the event to the ``order_outbox`` table in the same
transaction as the order, and :func:`shop.checkout.relay_outbox` publishes it with publisher
confirms. Delivery is therefore at-least-once: a relay that crashes between the broker's confirm
and marking the row published sends the event again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pika
import pika.exceptions

from shop.config import Settings

log = logging.getLogger(__name__)

QUEUE = "order-events.email"
DEAD_LETTER_QUEUE = "order-events.dlq"
MAX_DELIVERIES = 5


class PublishError(Exception):
    """The broker did not confirm the event; it stays in the outbox and is sent again later."""


def _parameters(settings: Settings) -> pika.ConnectionParameters:
    return pika.ConnectionParameters(
        host=settings.amqp_host,
        socket_timeout=settings.amqp_socket_timeout,
        stack_timeout=settings.amqp_socket_timeout * 2,
        blocked_connection_timeout=settings.amqp_socket_timeout,
        connection_attempts=1,
        heartbeat=30,
    )


class EventPublisher:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._exchange = settings.events_exchange

    def publish(self, routing_key: str, message_id: str, event: dict[str, Any]) -> None:
        """Publish one persistent event and wait for the broker's confirm."""
        try:
            connection = pika.BlockingConnection(_parameters(self._settings))
            try:
                channel = connection.channel()
                channel.confirm_delivery()
                channel.basic_publish(
                    exchange=self._exchange,
                    routing_key=routing_key,
                    body=json.dumps(event).encode(),
                    properties=pika.BasicProperties(
                        message_id=message_id,
                        content_type="application/json",
                        delivery_mode=pika.DeliveryMode.Persistent,
                    ),
                    mandatory=True,
                )
            finally:
                connection.close()
        except pika.exceptions.AMQPError as error:
            raise PublishError(f"{routing_key} {message_id}: {error!r}") from error


def consume(settings: Settings, handle: Callable[[dict[str, Any]], None]) -> None:
    """Run the email worker: ack what ``handle`` processed, requeue what it could not.

    The quorum queue counts deliveries and dead-letters a message after MAX_DELIVERIES.
    """
    try:
        connection = pika.BlockingConnection(_parameters(settings))
        channel = connection.channel()
        channel.queue_declare(
            QUEUE,
            durable=True,
            arguments={
                "x-queue-type": "quorum",
                "x-delivery-limit": MAX_DELIVERIES,
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": DEAD_LETTER_QUEUE,
            },
        )
        channel.queue_bind(QUEUE, settings.events_exchange, routing_key="order.paid")
        channel.basic_qos(prefetch_count=10)

        def on_message(ch: Any, method: Any, properties: Any, body: bytes) -> None:
            try:
                handle(json.loads(body))
            except Exception:
                log.exception("order event %s failed; requeued", properties.message_id)
                ch.basic_nack(method.delivery_tag, requeue=True)
                return
            ch.basic_ack(method.delivery_tag)

        channel.basic_consume(QUEUE, on_message)
        channel.start_consuming()
    except pika.exceptions.AMQPError:
        log.exception("lost the broker; the supervisor restarts the worker")
        raise
