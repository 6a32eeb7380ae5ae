from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from fmcat.catalog.checks.base import CatalogCheck
from fmcat.findings import Finding

if TYPE_CHECKING:
    from fmcat.catalog.load import Catalog, Entry


class MessagingSemantics(CatalogCheck):
    """
    A queue delivers each message at most once (and may lose some) or at least once (and
    will redeliver some). Say which under `delivery.semantics`. At-least-once needs
    deduplication on the consumer (`delivery.dedup.key`) and a way out for a message that
    fails every time: a `poison.max_deliveries` and a `poison.dead_letter` destination, or one
    bad message blocks the queue forever. "Exactly-once" is reported too: across a network it
    is at-least-once plus deduplication, so declare that.
    """

    code = "FM018"
    name = "messaging-without-delivery-semantics"
    summary = "A queue does not state delivery semantics, deduplication or poison handling"

    INVALID = (
        """\
dependency: orders-queue  # expect: FM018 "is a queue but states no delivery.semantics"
owner: team-orders
kind: queue
criticality: degradable
""",
        """\
dependency: orders-queue
owner: team-orders
kind: queue
criticality: degradable
delivery:
  semantics: at-least-once  # expect: FM018
  poison: {max_deliveries: 5}  # expect: FM018
""",
        """\
dependency: orders-queue
owner: team-orders
kind: queue
criticality: degradable
delivery:
  semantics: exactly-once  # expect: FM018
""",
    )
    VALID = (
        """\
dependency: orders-queue
owner: team-orders
kind: queue
criticality: degradable
delivery:
  semantics: at-least-once
  dedup: {key: message_id, store: postgres processed_messages}
  poison: {max_deliveries: 5, dead_letter: orders.dlq}
""",
        """\
dependency: metrics-stream
owner: team-data
kind: queue
criticality: optional
delivery:
  semantics: at-most-once
""",
    )

    def check(self, entry: Entry, catalog: Catalog) -> Iterator[Finding]:
        model = entry.model
        if not model.is_messaging:
            return
        delivery = model.delivery
        if delivery is None or delivery.semantics is None:
            where = ("delivery",) if delivery else ("dependency",)
            yield self.finding(
                entry,
                where,
                f"{entry.name} is a {model.kind} but states no delivery.semantics "
                "(at-most-once or at-least-once)",
                at_key=True,
            )
            return
        if delivery.semantics == "exactly-once":
            yield self.finding(
                entry,
                ("delivery", "semantics"),
                "exactly-once is at-least-once plus deduplication; declare at-least-once "
                "with delivery.dedup",
            )
            return
        if delivery.semantics != "at-least-once":
            return
        if delivery.dedup is None:
            yield self.finding(
                entry,
                ("delivery", "semantics"),
                "at-least-once delivery without delivery.dedup: redelivered messages are "
                "processed twice",
            )
        poison = delivery.poison
        if poison is None or poison.max_deliveries is None or poison.dead_letter is None:
            missing = [
                key
                for key in ("max_deliveries", "dead_letter")
                if poison is None or getattr(poison, key) is None
            ]
            yield self.finding(
                entry,
                ("delivery", "poison") if poison else ("delivery", "semantics"),
                "no poison-message handling: set delivery.poison." + " and ".join(missing),
            )
