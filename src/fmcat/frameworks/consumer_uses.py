"""How a consumer's own code uses it, where that decides when it acknowledges.

- A Kafka consumer bound to a local name and only ever asked for metadata (``list_topics``,
  ``close``) takes no message: it is not a consumer to judge (pipelinewise-tap-kafka's topic
  discovery).
- A pika callback whose first act, at its top level, is ``basic_ack`` and that then goes on to
  work acknowledges before it processes, with ``auto_ack=False`` all the same (pycti's
  connector queue): a crash in the work loses the message.
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from fmcat.frameworks.source import Source, walk

#: Consumer methods that read metadata or offsets and take no message (confluent-kafka's,
#: kafka-python's; aiokafka's coroutines have the same names).
METADATA_METHODS = frozenset(
    {
        "list_topics",
        "get_watermark_offsets",
        "committed",
        "offsets_for_times",
        "position",
        "topics",
        "partitions_for_topic",
        "beginning_offsets",
        "end_offsets",
        "metrics",
        "close",
    }
)


def metadata_only(node: cst.Call, source: Source) -> bool:
    """A consumer bound to a local name, only ever asked for metadata (``list_topics``, ``close``)
    and never polled, iterated, handed on, kept or returned: it takes no message to lose."""
    statement = source.parent(node)
    function = source.enclosing_function(node)
    if not (
        function is not None
        and isinstance(statement, cst.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0].target, cst.Name)
    ):
        return False
    bound = statement.targets[0].target
    other_use = False

    class Uses(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            nonlocal other_use
            if name.value != bound.value or name is bound:
                return
            owner = source.parent(name)
            if isinstance(owner, cst.Attribute) and owner.attr is name:
                return  # self.consumer: another name
            if isinstance(owner, cst.Arg) and owner.keyword is name:
                return  # f(consumer=...): a parameter's name
            call = source.parent(owner) if owner is not None else None
            if not (
                isinstance(owner, cst.Attribute)
                and owner.attr.value in METADATA_METHODS
                and isinstance(call, cst.Call)
                and call.func is owner
            ):
                other_use = True

    walk(function, Uses())
    return not other_use


#: The last name of a receiver that only logs (``logger.info``, ``self.helper.log_error``).
_LOGGING = ("log", "logger", "logging")


def acks_first(function: cst.FunctionDef) -> bool:
    """The callback calls ``basic_ack`` in a plain statement of its own body (not under an
    ``if`` or ``try``) and then does more than log or return."""
    if not isinstance(function.body, cst.IndentedBlock):
        return False
    body = function.body.body
    for index, statement in enumerate(body):
        if _calls(statement, lambda call: _method(call) == "basic_ack"):
            if not isinstance(statement, cst.SimpleStatementLine):
                return False  # acked on a branch: the rest may be the work, acked after
            return any(_calls(later, _works) for later in body[index + 1 :])
    return False


def _method(call: cst.Call) -> str:
    return call.func.attr.value if isinstance(call.func, cst.Attribute) else ""


def _works(call: cst.Call) -> bool:
    """A call that is not logging: ``print(...)``, ``log.info(...)`` and the like are not work."""
    func = call.func
    if isinstance(func, cst.Name):
        return func.value != "print"
    if isinstance(func, cst.Attribute):
        receiver = func.value
        last = receiver.attr.value if isinstance(receiver, cst.Attribute) else ""
        if isinstance(receiver, cst.Name):
            last = receiver.value
        return not last.lower().endswith(_LOGGING)
    return True


def _calls(node: cst.CSTNode, wanted: Callable[[cst.Call], bool]) -> bool:
    found = False

    class Finder(cst.CSTVisitor):
        def visit_Call(self, call: cst.Call) -> None:
            nonlocal found
            found = found or wanted(call)

    walk(node, Finder())
    return found
