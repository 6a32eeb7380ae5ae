"""What an expression can be, as far as the scan cares: a known name, a client, a constant."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from fmcat.scan.scope import Scope


@dataclass(frozen=True)
class Qual:
    """A module, function or class, by qualified (canonical) name."""

    name: str


@dataclass(frozen=True)
class ClientValue:
    """An object of a known client type; ``origin`` is the call that made it, when seen."""

    type: str
    origin: cst.Call | None = None
    #: The name to show, when ``type`` is a glob (``*_pb2_grpc.*Stub``).
    label: str = ""

    @property
    def shown(self) -> str:
        return self.label or self.type


@dataclass(frozen=True)
class MethodValue:
    """``head = session.head``: a client's method, taken but not yet called."""

    client: ClientValue
    name: str


@dataclass(frozen=True)
class PartialValue:
    """``fetch = functools.partial(requests.get, timeout=5)``: the function, arguments preset."""

    function: Qual
    maker: cst.Call


@dataclass(frozen=True)
class FunctionValue:
    """A function of the module; ``returns`` is what its return annotation names."""

    returns: Value


@dataclass(frozen=True)
class ClassValue:
    """A class of the module."""

    scope: Scope


@dataclass(frozen=True)
class Const:
    """A constant; for strings, ``prefix`` means only the start is known (an f-string)."""

    value: str | int | float | bool | None
    prefix: bool = False


@dataclass(frozen=True)
class TupleValue:
    items: tuple[Value, ...]


@dataclass(frozen=True)
class DictValue:
    """A dict display with constant string keys, as passed with ``**``."""

    items: tuple[tuple[str, Value], ...]

    def get(self, key: str) -> Value | None:
        for name, value in self.items:
            if name == key:
                return value
        return None


@dataclass(frozen=True)
class TimeoutValue:
    """A timeout object (``httpx.Timeout(None)``), judged: a TimeoutState value and seconds."""

    state: str
    seconds: tuple[float, ...] = ()


@dataclass(frozen=True)
class Unknown:
    pass


UNKNOWN = Unknown()
Value = (
    Qual
    | ClientValue
    | MethodValue
    | PartialValue
    | FunctionValue
    | ClassValue
    | Const
    | TupleValue
    | DictValue
    | TimeoutValue
    | Unknown
)
