"""FM110: the code's delivery semantics contradict the catalog's."""

from __future__ import annotations

from collections.abc import Iterator

from fmcat.findings import Finding, Severity
from fmcat.scan.facts import Consumer, FileFacts
from fmcat.scan.rules.base import CodeRule, ScanContext

_CATALOG = """\
dependency: jobs
owner: team-orders
kind: queue
criticality: critical
match:
  - call: "celery.*"
  - call: "pika.*"
  - call: "kafka.*"
delivery:
  semantics: at-least-once
  dedup: {key: order_id}
  poison: {max_deliveries: 4, dead_letter: jobs.dlq}
"""


class DeliveryContradictsCatalog(CodeRule):
    """
    The catalog promises a delivery semantics for a messaging dependency, and the consumer's
    code does something else. Reported on the consumer (the task's decorator, the
    `basic_consume` call, the Kafka consumer's construction) when:

    - the catalog says at-least-once but the consumer acknowledges before it processes: a
      Celery task without `acks_late=True` (Celery's default is False, and the app-wide
      `task_acks_late` counts), pika's `auto_ack=True` or a callback that acks first and
      then works, a Kafka consumer with auto-commit on (the default of kafka-python, aiokafka
      and confluent-kafka) or one that commits first. A crash in the middle loses the
      message. A Kafka consumer only asked for metadata (`list_topics`, `close`) takes none;
    - the catalog says at-most-once but the code has it run again: a task with
      `autoretry_for` or `self.retry()`, a pika callback that nacks with `requeue=True`
      (pika's default);
    - the code allows more deliveries than the catalog's `delivery.poison.max_deliveries`
      (a task's `max_retries + 1`, Celery's default `max_retries` being 3), or redelivers
      without any bound while the catalog declares one (pika's requeue, or a task's
      `max_retries=None`, which Celery retries forever);
    - the catalog names a dead letter (`delivery.poison.dead_letter`) and the queue's
      `queue_declare` in the consumer's file sends elsewhere (`x-dead-letter-exchange`,
      `x-dead-letter-routing-key`), or has no dead letter at all: a poison message is dropped,
      not kept where the runbook looks for it. A queue declared in another file, or with
      arguments built elsewhere, is not judged.

    Runs only with a catalog; a consumer is matched to a dependency by `call:` globs on
    `celery.Task`, `pika.channel.Channel.basic_consume`, `kafka.KafkaConsumer` or the task's
    own qualified name.
    """

    code = "FM110"
    name = "delivery-contradicts-catalog"
    summary = "The consumer's delivery semantics contradict the catalog's"
    severity = Severity.ERROR
    needs_catalog = True
    CATALOG = _CATALOG

    INVALID = (
        """\
from celery import shared_task

@shared_task  # expect: FM110 "app.ship contradicts jobs's delivery in the catalog"
def ship(order_id):
    ...

@shared_task(acks_late=True, autoretry_for=(OSError,), max_retries=10)  # expect: FM110
def bill(order_id):
    ...

@shared_task(autoretry_for=(OSError,), max_retries=None)  # expect: FM110 "without a bound"
def refund(order_id):
    ...
""",
        """\
import pika

def handle(channel, method, properties, body):
    channel.basic_nack(method.delivery_tag)

def main():
    channel = pika.BlockingConnection(pika.ConnectionParameters("mq")).channel()
    channel.basic_consume("orders", handle, auto_ack=True)  # expect: FM110
""",
        """\
from kafka import KafkaConsumer

def run():
    consumer = KafkaConsumer("orders", bootstrap_servers="kafka:9092")  # expect: FM110
    for message in consumer:
        print(message)
""",
        """\
import pika

def handle(channel, method, properties, body):
    channel.basic_ack(method.delivery_tag)

def main():
    channel = pika.BlockingConnection(pika.ConnectionParameters("mq")).channel()
    channel.queue_declare("orders", arguments={"x-dead-letter-exchange": "orders.parked"})
    channel.basic_consume("orders", handle)  # expect: FM110 "not to the catalog's jobs.dlq"

def other():
    channel = pika.BlockingConnection(pika.ConnectionParameters("mq")).channel()
    channel.queue_declare("orders", durable=True)
    channel.basic_consume("orders", handle)  # expect: FM110 "without x-dead-letter-exchange"
""",
    )
    VALID = (
        """\
from celery import shared_task

@shared_task(acks_late=True, autoretry_for=(OSError,), max_retries=3)
def bill(order_id):
    ...
""",
        """\
from kafka import KafkaConsumer

def topics():
    probe = KafkaConsumer(bootstrap_servers="kafka:9092")
    names = probe.topics()
    probe.close()
    return names

def run(process):
    consumer = KafkaConsumer("orders", enable_auto_commit=False, consumer_timeout_ms=1000)
    for message in consumer:
        process(message)
        consumer.commit()
""",
        """\
import pika

DEAD = "jobs.dlq"

def handle(channel, method, properties, body):
    channel.basic_ack(method.delivery_tag)

def main():
    channel = pika.BlockingConnection(pika.ConnectionParameters("mq")).channel()
    channel.queue_declare(
        "orders", arguments={"x-dead-letter-exchange": "", "x-dead-letter-routing-key": DEAD}
    )
    channel.basic_consume("orders", handle)
""",
    )

    def check(self, facts: FileFacts, context: ScanContext) -> Iterator[Finding]:
        # Here, not at the top: fmcat.frameworks imports the parser, and every lint run loads
        # the rule table, a run answered by its memo too (scan/memo.py).
        from fmcat.frameworks.attribution import consumer_dependency

        for consumer in facts.consumers:
            entry = consumer_dependency(consumer, context)
            if entry is None or entry.model.delivery is None:
                continue
            problems = _contradictions(consumer, entry.model.delivery)
            if problems:
                yield self.finding(
                    facts,
                    consumer.span,
                    f"{consumer.name} contradicts {entry.name}'s delivery in the catalog: "
                    + "; ".join(problems),
                    entry.name,
                )


def _contradictions(consumer: Consumer, delivery: object) -> list[str]:
    from fmcat.catalog.model import Delivery
    from fmcat.frameworks.consumers import UNBOUNDED

    assert isinstance(delivery, Delivery)
    problems = []
    if delivery.semantics == "at-least-once" and consumer.acks == "before":
        problems.append(
            f"the catalog says at-least-once, but it acknowledges before processing "
            f"({consumer.acks_reason}), so a crash loses the message"
        )
    if delivery.semantics == "at-most-once" and consumer.retries:
        problems.append(
            f"the catalog says at-most-once, but it runs a message again ({consumer.retries})"
        )
    limit = delivery.poison.max_deliveries if delivery.poison is not None else None
    if limit is not None and consumer.retries:
        if consumer.max_deliveries is None and consumer.max_reason in UNBOUNDED:
            problems.append(
                f"it redelivers without a bound ({consumer.retries}, {consumer.max_reason}), "
                f"but the catalog allows {limit} deliveries"
            )
        elif consumer.max_deliveries is not None and consumer.max_deliveries > limit:
            problems.append(
                f"it allows {consumer.max_deliveries} deliveries ({consumer.max_reason}), "
                f"more than the catalog's poison.max_deliveries of {limit}"
            )
    dead = delivery.poison.dead_letter if delivery.poison is not None else None
    declared = consumer.dead_letter
    if dead and declared is not None and "?" not in declared and dead not in declared:
        if not declared:
            problems.append(
                f"the catalog dead-letters to {dead}, but the queue is declared without "
                "x-dead-letter-exchange, so a poison message is dropped"
            )
        else:
            problems.append(
                f"the queue dead-letters to {', '.join(declared)}, not to the catalog's {dead}"
            )
    return problems
