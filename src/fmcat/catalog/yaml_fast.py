"""The fast path for reading a catalog file: libyaml's parser, for files that need nothing else.

ruamel's round-trip reader (yaml_guard.py) is pure Python: at 260 files, an organisation's
render spent more time reading YAML than building the site's pages. libyaml (the C parser
that PyYAML, which MkDocs depends on, ships) parses the same text about forty times faster,
but it is a YAML 1.1 parser, drops comments and keeps no positions, so it serves only to get
the plain data of a file that is plainly right:

- the events are turned into data here, each plain scalar resolved by ruamel's own YAML 1.2
  resolver, so that a value means what the round-trip reader makes of it (`yes` stays text,
  `2024-01-01` stays text as yaml_guard.py reads it);
- anything this module does not reproduce exactly sends the file back to the round-trip
  reader (`Unsupported`): a parse error (whose message and position are ruamel's), anchors,
  aliases, tags, directives, merge keys, floats and any integer but plain decimal digits,
  keys that are not text, duplicate keys, a second document, deep nesting, a file past a few
  thousand events, and the characters libyaml and YAML 1.2 disagree on (tabs, U+0085, U+2028,
  U+2029, a byte-order mark).

Positions and comments still come from the round-trip tree, which `Source.tree` builds when a
finding or a check asks for it (source.py); a file that validates and has no finding is never
read twice. tests/test_yaml_fast.py holds the two readers to the same data.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from ruamel.yaml.resolver import VersionedResolver

try:  # PyYAML without libyaml (a source build on a system without it) has no C parser.
    from yaml import events  # type: ignore[import-untyped]
    from yaml._yaml import CParser  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - the wheels on PyPI all have it
    CParser = None

from fmcat.catalog.yaml_guard import MAX_DEPTH, MAX_INT_DIGITS

#: Past this many events the round-trip reader decides: it bounds tokens (MAX_TOKENS) and says
#: so with a position. A catalog file has a few hundred.
MAX_EVENTS = 5_000
#: Characters that YAML 1.1 (libyaml) and 1.2 (ruamel) read differently, or that need
#: ruamel's own message.
_AWKWARD = re.compile("[\t\x85\u2028\u2029\ufeff]")
#: The integers whose value is their digits (ruamel also reads 0o17, 0x1f, 1_000, 017...).
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
#: What yaml_guard's constructor reads as the text written (`scalar_as_text`).
_AS_TEXT = ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:value")

#: ruamel's YAML 1.2 implicit resolvers, by first character (None: for any), as its
#: ``VersionedResolver.resolve`` applies them; taken once, since that method looks the version
#: up through a chain of failed attribute lookups on every call.
_RESOLVERS: dict[str | None, list[tuple[Any, Any]]] = VersionedResolver(
    version=(1, 2)
).versioned_resolver


class Unsupported(Exception):  # noqa: N818 - a signal to take the other path, not an error
    """Not a file for the fast path: read it with the round-trip reader."""


def available() -> bool:
    return CParser is not None


def fast_data(text: str) -> Any:
    """The plain data of ``text`` as ``to_plain(round-trip tree)`` gives it, or Unsupported."""
    if CParser is None or _AWKWARD.search(text):
        raise Unsupported
    parser = CParser(text)
    try:
        return _Builder(parser).document()
    except Exception as error:  # libyaml's errors: ruamel says what is wrong, and where
        if isinstance(error, Unsupported):
            raise
        raise Unsupported from error
    finally:
        parser.dispose()


class _Builder:
    def __init__(self, parser: Any) -> None:
        self._parser = parser
        self._events = 0

    def _next(self) -> Any:
        self._events += 1
        if self._events > MAX_EVENTS:
            raise Unsupported
        return self._parser.get_event()

    def document(self) -> Any:
        if not isinstance(self._next(), events.StreamStartEvent):
            raise Unsupported
        start = self._next()
        if not isinstance(start, events.DocumentStartEvent):
            raise Unsupported  # an empty stream: the round-trip reader says what is there
        if start.version is not None or start.tags:
            raise Unsupported  # `%YAML 1.1` changes how ruamel resolves the values
        data = self._node(self._next(), 1)
        if not isinstance(self._next(), events.DocumentEndEvent):
            raise Unsupported
        if not isinstance(self._next(), events.StreamEndEvent):
            raise Unsupported  # a second document is an error, worded by source.py
        if data is None:
            raise Unsupported  # only comments, or `null`: source.py words these
        return data

    def _node(self, event: Any, depth: int) -> Any:
        if getattr(event, "anchor", None) is not None or getattr(event, "tag", None) is not None:
            raise Unsupported
        if isinstance(event, events.ScalarEvent):
            return _scalar(event)
        if depth >= MAX_DEPTH:
            raise Unsupported
        if isinstance(event, events.SequenceStartEvent):
            items = []
            while not isinstance(event := self._next(), events.SequenceEndEvent):
                items.append(self._node(event, depth + 1))
            return items
        if isinstance(event, events.MappingStartEvent):
            mapping: dict[str, Any] = {}
            while not isinstance(event := self._next(), events.MappingEndEvent):
                key = self._key(event)
                if key in mapping:
                    raise Unsupported  # a duplicate key: FM003, located by ruamel
                mapping[key] = self._node(self._next(), depth + 1)
            return mapping
        raise Unsupported  # an alias

    def _key(self, event: Any) -> str:
        if not isinstance(event, events.ScalarEvent) or event.anchor is not None:
            raise Unsupported  # a complex key: ruamel's position for the message
        if event.tag is not None:
            raise Unsupported
        if event.style and event.style in "'\"":
            return str(event.value)
        if event.style or _resolve(event.value) != _STR:
            raise Unsupported  # `1:`, `true:`, `<<:`: to_plain's text_key and merges
        return str(event.value)


@functools.lru_cache(maxsize=4096)
def _resolve(value: str) -> str:
    """The tag ruamel gives a plain scalar (``VersionedResolver.resolve``, implicit)."""
    for tag, regexp in _RESOLVERS.get(value[0] if value else "", []) + _RESOLVERS.get(None, []):
        if regexp.match(value):
            return str(tag)
    return _STR


def _scalar(event: Any) -> Any:
    value = str(event.value)
    if event.style:  # quoted, or a block scalar (| or >): text as written
        return value
    tag = _resolve(value)
    if tag == _STR or tag in _AS_TEXT:
        return value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return value.lower() == "true"
    if tag == _INT and _DECIMAL.fullmatch(value) and len(value.lstrip("+-")) <= MAX_INT_DIGITS:
        return int(value)
    raise Unsupported  # floats, other integers, merge keys written as values
