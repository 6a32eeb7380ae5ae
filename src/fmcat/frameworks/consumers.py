"""pika and Kafka consumers: when they acknowledge, and whether they redeliver.

- pika: ``basic_consume(queue, on_message_callback, auto_ack=False)``. ``auto_ack=True``
  acknowledges on delivery, before the callback runs. A callback that calls ``basic_nack`` or
  ``basic_reject`` with ``requeue=True`` (pika's default for both) redelivers without a bound,
  unless the queue is declared with ``x-delivery-limit`` (a quorum queue). A ``queue_declare``
  in the same file tells where the queue dead-letters to (``x-dead-letter-exchange``,
  ``x-dead-letter-routing-key``), or that it has no dead letter.
- Kafka: kafka-python's ``KafkaConsumer`` and aiokafka's ``AIOKafkaConsumer`` commit offsets
  automatically unless ``enable_auto_commit=False``; confluent-kafka's ``Consumer`` (and its
  subclass ``DeserializingConsumer``) unless its configuration has
  ``"enable.auto.commit": False``. Auto-commit can commit before a message is
  processed. With it off, a ``commit()`` that comes first in the loop's body commits before.
"""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from fmcat.frameworks.consumer_uses import acks_first, metadata_only
from fmcat.frameworks.source import UNKNOWN, Source, keyword, literal, method_call, walk
from fmcat.scan.facts import Consumer

#: pika's defaults, checked against the installed pika in tests/test_library_facts.py.
PIKA_AUTO_ACK = False
PIKA_REQUEUE = True
KAFKA_CONSUMERS = {
    "kafka.KafkaConsumer": "enable_auto_commit",
    "aiokafka.AIOKafkaConsumer": "enable_auto_commit",
    "confluent_kafka.Consumer": "enable.auto.commit",
    # A subclass of Consumer (deserializers on top): the same configuration dict and defaults.
    "confluent_kafka.DeserializingConsumer": "enable.auto.commit",
}


def consumers(source: Source) -> list[Consumer]:
    found: list[Consumer] = []
    callbacks = _callbacks(source)
    delivery_limit = _delivery_limit(source)
    in_file = _dead_letter(source, source.tree)

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            name = source.qual(node.func)
            if isinstance(node.func, cst.Attribute) and node.func.attr.value == "basic_consume":
                if "pika" in source.imports.values() or any(
                    v.startswith("pika") for v in source.imports.values()
                ):
                    consumer = _pika(node, source, callbacks, delivery_limit)
                    function = source.enclosing_function(node)
                    here = _dead_letter(source, function) if function is not None else None
                    found.append(replace(consumer, dead_letter=in_file if here is None else here))
            elif name in KAFKA_CONSUMERS and not metadata_only(node, source):
                found.append(_kafka(node, source, name, KAFKA_CONSUMERS[name]))

    walk(source.tree, Finder())
    return found


def _callbacks(source: Source) -> dict[str, cst.FunctionDef]:
    functions: dict[str, cst.FunctionDef] = {}

    class Collect(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            functions[node.name.value] = node

    walk(source.tree, Collect())
    return functions


#: Why a consumer's redeliveries are not bounded, as FM110 reads it.
REQUEUED_FOREVER = "requeued without a limit"
#: Celery's Task.retry checks its bound only when max_retries is not None: None retries forever.
CELERY_FOREVER = "max_retries=None, which Celery never stops retrying"
#: The reasons (Consumer.max_reason) of a redelivery that the code does not bound at all.
UNBOUNDED = frozenset({REQUEUED_FOREVER, CELERY_FOREVER})


def _constants(source: Source) -> dict[str, object]:
    found: dict[str, object] = {}
    for statement in source.tree.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and isinstance(small.targets[0].target, cst.Name):
                    found[small.targets[0].target.value] = literal(small.value)
    return found


def _delivery_limit(source: Source) -> int | str | None:
    """A quorum queue's x-delivery-limit: a number, "?" when not a literal, None when absent."""
    limit: int | str | None = None
    constants = _constants(source)

    class Finder(cst.CSTVisitor):
        def visit_DictElement(self, node: cst.DictElement) -> None:
            nonlocal limit
            if literal(node.key) == "x-delivery-limit":
                value = literal(node.value)
                if isinstance(node.value, cst.Name):
                    value = constants.get(node.value.value)
                limit = value if isinstance(value, int) and not isinstance(value, bool) else "?"

    walk(source.tree, Finder())
    return limit


_DEAD_LETTER_KEYS = ("x-dead-letter-exchange", "x-dead-letter-routing-key")


def _dead_letter(source: Source, scope: cst.CSTNode) -> tuple[str, ...] | None:
    """The dead-letter names of the ``queue_declare(..., arguments={...})`` calls in ``scope``
    (the consumer's function, else its file); () when the queue is declared without one, None
    when no queue is declared there."""
    declared = False
    names: list[str] = []
    constants = _constants(source)

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            nonlocal declared
            if not (
                isinstance(node.func, cst.Attribute) and node.func.attr.value == "queue_declare"
            ):
                return
            declared = True
            arguments = keyword(node, "arguments")
            if arguments is not None and not isinstance(arguments, cst.Dict):
                names.append("?")  # built elsewhere: not known
                return
            for element in arguments.elements if isinstance(arguments, cst.Dict) else ():
                if isinstance(element, cst.DictElement) and literal(element.key) in (
                    _DEAD_LETTER_KEYS
                ):
                    value = literal(element.value)
                    if isinstance(element.value, cst.Name):
                        value = constants.get(element.value.value, value)
                    if value != "":  # "" is the default exchange: the routing key names it
                        names.append(value if isinstance(value, str) else "?")

    walk(scope, Finder())
    return tuple(names) if declared else None


def _requeues(function: cst.FunctionDef | None) -> str:
    if function is None:
        return ""
    found = ""

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            nonlocal found
            if isinstance(node.func, cst.Attribute) and node.func.attr.value in (
                "basic_nack",
                "basic_reject",
            ):
                requeue = literal(keyword(node, "requeue"))
                if requeue is None and keyword(node, "requeue") is None:
                    requeue = PIKA_REQUEUE
                if requeue is True:
                    found = f"{node.func.attr.value} with requeue=True"

    walk(function, Finder())
    return found


def _pika(
    node: cst.Call, source: Source, callbacks: dict[str, cst.FunctionDef], limit: int | str | None
) -> Consumer:
    auto_ack = literal(keyword(node, "auto_ack", 2))
    if keyword(node, "auto_ack", 2) is None:
        auto_ack = PIKA_AUTO_ACK
    callback = keyword(node, "on_message_callback", 1)
    name = source.qual(callback) if callback is not None else None
    local = name.rsplit(".", 1)[-1] if name else ""
    function = callbacks.get(local)
    if auto_ack is True:
        when, why = "before", "auto_ack=True acknowledges on delivery, before the callback runs"
    elif auto_ack is False and function is not None and acks_first(function):
        when, why = "before", "auto_ack=False, but the callback acks first, then processes"
    elif auto_ack is False:
        when, why = "after", "auto_ack=False: the callback acknowledges"
    else:
        when, why = "unknown", "auto_ack is not a literal"
    requeue = _requeues(function)
    if limit is None:
        max_reason = REQUEUED_FOREVER if requeue else ""
    else:
        max_reason = f"the queue's x-delivery-limit={limit}"
    return Consumer(
        source.span(node),
        "pika.channel.Channel.basic_consume",
        f"{source.module}.{local}" if local else source.module,
        when,
        why,
        requeue,
        (limit if isinstance(limit, int) else None) if requeue else 1,
        max_reason,
    )


def _kafka(node: cst.Call, source: Source, name: str, key: str) -> Consumer:
    function = source.enclosing_function(node)
    if key == "enable.auto.commit":
        config = node.args[0].value if node.args else keyword(node, "config")
        auto = _config_value(config, key, function)
    else:
        given = keyword(node, key)
        spread = any(arg.star == "**" for arg in node.args)
        auto = literal(given) if given is not None else (UNKNOWN if spread else True)
    if auto is True:
        when, why = (
            "before",
            f"{key} is on (the default): offsets are committed on a timer, before processing ends",
        )
    elif auto is False:
        when, why = _commit_order(function)
    else:
        when, why = (
            "unknown",
            f"{key} is not a literal, or comes with configuration built elsewhere",
        )
    owner = source.function_name(function) if function is not None else source.module
    return Consumer(source.span(node), name, owner, when, why, "", 1, "")


def _config_value(
    config: cst.BaseExpression | None, key: str, function: cst.FunctionDef | None
) -> object:
    """``key`` in confluent-kafka's configuration dict: from a dict literal, or from a local
    name's dict literal, ``.update({...})`` and ``[key] = ...`` in the consumer's function.
    A dict made elsewhere (``conf.copy()``, a settings loader, a connection's extras) may set
    it: UNKNOWN, not the library's default, unless the function sets the key itself."""
    if isinstance(config, cst.Dict):
        return _dict_value(config, key, default=True)
    if not isinstance(config, cst.Name) or function is None:
        return UNKNOWN
    target = config.value
    value: object = UNKNOWN  # bound elsewhere until a literal binding is seen
    explicit: object = None

    class Bindings(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            nonlocal value, explicit
            for assigned in node.targets:
                place = assigned.target
                if isinstance(place, cst.Name) and place.value == target:
                    value = (
                        _dict_value(node.value, key, default=True)
                        if isinstance(node.value, cst.Dict)
                        else UNKNOWN
                    )
                elif (
                    isinstance(place, cst.Subscript)
                    and isinstance(place.value, cst.Name)
                    and place.value.value == target
                    and len(place.slice) == 1
                    and isinstance(place.slice[0].slice, cst.Index)
                    and literal(place.slice[0].slice.value) == key
                ):
                    explicit = literal(node.value)

        def visit_Call(self, node: cst.Call) -> None:
            nonlocal explicit
            if (
                method_call(node, target, "update")
                and node.args
                and isinstance(node.args[0].value, cst.Dict)
            ):
                found = _dict_value(node.args[0].value, key, default=None)
                if found is not None:
                    explicit = found

    walk(function, Bindings())
    return explicit if explicit is not None else value


def _dict_value(node: cst.Dict, key: str, default: object) -> object:
    """``key``'s literal value in a dict display; ``default`` when absent, UNKNOWN when a
    ``**`` in it may carry the key."""
    found = default
    for element in node.elements:
        if isinstance(element, cst.DictElement) and literal(element.key) == key:
            found = literal(element.value)
        elif isinstance(element, cst.StarredDictElement):
            found = UNKNOWN  # a later ** may set (or override) the key
    return found


def _commit_order(function: cst.FunctionDef | None) -> tuple[str, str]:
    """With auto-commit off: does the loop commit before or after processing?"""
    if function is None:
        return "unknown", "commits are made elsewhere"
    order = "unknown"

    class Loops(cst.CSTVisitor):
        def visit_For(self, node: cst.For) -> None:
            self._body(node.body)

        def visit_While(self, node: cst.While) -> None:
            self._body(node.body)

        def _body(self, body: cst.BaseSuite) -> None:
            nonlocal order
            if not isinstance(body, cst.IndentedBlock):
                return
            for index, statement in enumerate(body.body):
                if _commits(statement):
                    order = (
                        "before"
                        if index == 0 or all(_is_trivial(s) for s in body.body[:index])
                        else "after"
                    )
                    return

    walk(function, Loops())
    if order == "before":
        return "before", "commit() comes first in the loop, before the message is processed"
    if order == "after":
        return "after", "commit() after processing"
    return "unknown", "no commit() seen in a loop"


def _commits(statement: cst.CSTNode) -> bool:
    found = False

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            nonlocal found
            if isinstance(node.func, cst.Attribute) and node.func.attr.value == "commit":
                found = True

    walk(statement, Finder())
    return found


def _is_trivial(statement: cst.CSTNode) -> bool:
    """``if msg is None: continue`` and the like do not process anything."""
    if isinstance(statement, cst.If):
        return True
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Continue, cst.Pass)) for s in statement.body
    )
