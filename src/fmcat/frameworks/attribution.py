"""Which catalog dependency a consumer or a retry policy is about.

A consumer (a Celery task, a pika or Kafka consumer) is matched by the catalog's ``call:``
globs against its library's name (``celery.Task``, ``kafka.KafkaConsumer``) and its function's
(``shop.tasks.charge``). A retry policy is about the dependencies of the calls it repeats: the
attributed call sites in the function it wraps, or, for an SDK's own setting
(``stripe.max_network_retries``), every call site of that library.
"""

from __future__ import annotations

import fnmatch
from typing import TYPE_CHECKING

from fmcat.catalog.load import Catalog, Entry
from fmcat.scan.facts import Consumer, FileFacts, RetryPolicy

if TYPE_CHECKING:
    # Types only: the rules (scan.rules) import this module, and the runbook site imports it
    # before them.
    from fmcat.scan.rules.base import ScanContext


def consumer_dependency(consumer: Consumer, context: ScanContext) -> Entry | None:
    return consumer_entry(consumer, context.catalog)


def consumer_entry(consumer: Consumer, catalog: Catalog | None) -> Entry | None:
    """The first catalog entry whose ``call:`` globs match the consumer's library or function."""
    if catalog is None:
        return None
    names = [consumer.qualname, consumer.name]
    for entry in catalog.entries:
        for rule in entry.model.match:
            if rule.call is not None and any(fnmatch.fnmatchcase(n, rule.call) for n in names):
                return entry
    return None


def _in_scope(enclosing: str, scope: str) -> bool:
    return bool(scope) and (enclosing == scope or enclosing.startswith(f"{scope}."))


def policy_dependencies(policy: RetryPolicy, facts: FileFacts, context: ScanContext) -> list[Entry]:
    if context.attribution is None:
        return []
    found: dict[str, Entry] = {}
    candidates = (
        [
            (f, i, s)
            for f in context.files
            for i, s in enumerate(f.sites)
            if s.library == policy.library
        ]
        if policy.library and not policy.scope
        else [
            (facts, i, s) for i, s in enumerate(facts.sites) if _in_scope(s.enclosing, policy.scope)
        ]
    )
    for owner, index, _site in candidates:
        entry = context.attribution.of(owner, index)
        if entry is not None:
            found.setdefault(entry.name, entry)
    return list(found.values())
