"""The YAML reader a catalog file goes through: ruamel's round-trip parser, bounded.

Every limit here exists because a catalog file is input from anyone with commit access, and
``fmcat lint`` runs unattended in CI: it must finish, in bounded time and memory, whatever the
bytes are. Each limit's comment says what happened without it.
"""

from __future__ import annotations

import math
import re
from typing import Any, ClassVar

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedBase, CommentedMap, CommentedSeq
from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
from ruamel.yaml.nodes import Node
from ruamel.yaml.scanner import RoundTripScanner

# A dependency's catalog entry is a few hundred lines at most; 1 MiB is generous and keeps the
# pure-Python YAML parser to well under a second per file.
MAX_FILE_BYTES = 1024 * 1024
# Nesting and alias expansion limits: far beyond any real catalog, far below what hurts.
MAX_DEPTH = 64
MAX_NODES = 200_000
# Aliases can repeat one long string as well as a collection: `[*s, *s, ...]` with a 500 KB `s`
# is 100,000 nodes but 50 GB of text once expanded, so the expanded text is bounded as well.
MAX_TEXT = 4 * MAX_FILE_BYTES
# ruamel's round-trip parser is pure Python: about 25,000 values a second. A 700 KB file of
# `[a,a,a,...]` took 18 s and 280 MB, so the number of YAML tokens is bounded too: 50,000 is
# about a second of parsing and ten times the largest catalog file we have seen.
MAX_TOKENS = 50_000
# ruamel gathers a comment one character at a time (`comment += ch`), which CPython cannot always
# do in place: a 1 MB comment line took 17 s. No catalog line is anywhere near 64 Ki characters.
MAX_LINE = 64 * 1024
# Catalog numbers are scores, counts and attempts. Python refuses to parse integers of more than
# 4,300 digits (a ValueError deep in ruamel, not a YAML error), and anything past 18 digits is
# no count of anything.
MAX_INT_DIGITS = 18

Key = str | int
LocPath = tuple[Key, ...]
# YAML's own names for the plain types a catalog is made of; any other tag is refused.
_STANDARD_TAG = "tag:yaml.org,2002:"
# Line breaks as YAML 1.2 (and ruamel's positions) count them: not str.splitlines(), which also
# breaks at U+2028, U+0085, form feeds...
LINE_BREAK = re.compile("\r\n|[\r\n]")


class TooLargeError(Exception):
    """The tree expands past MAX_NODES values or MAX_TEXT characters: an alias bomb."""


class UnreadableError(Exception):
    """The YAML is valid but cannot be a catalog: a complex key, or nesting through aliases.

    ``line`` and ``column`` are 0-based, as ruamel counts.
    """

    def __init__(self, message: str, line: int, column: int, *, invalid_yaml: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        #: Not readable as YAML at all (FM001), rather than YAML no catalog can be (FM002).
        self.invalid_yaml = invalid_yaml


class RefusedError(ConstructorError):
    """A located refusal raised while the YAML is read; its message is shown as it is."""

    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(None, None, message, mark)


class _BoundedScanner(RoundTripScanner):
    """Stops at the token past MAX_TOKENS, or the bracket or indent that nests past MAX_DEPTH.

    Without the depth limit, `[[[[...` 10,000 deep took ruamel's scanner over 5 s (its simple-key
    bookkeeping is quadratic in flow depth) before the composer hit Python's recursion limit.
    Open block collections are ``len(self.indents)``, open flow ones ``self.flow_level``.
    """

    _fetched = 0
    #: Other kinds of file (alerting rules) read through subclasses with their own bound.
    max_tokens: ClassVar[int] = MAX_TOKENS
    too_many_tokens: ClassVar[str] = (
        "a catalog file describes one dependency, and this is far more than one needs"
    )

    def fetch_more_tokens(self) -> Any:
        self._fetched += 1
        if self._fetched > self.max_tokens:
            raise RefusedError(
                f"more than {self.max_tokens:,} YAML tokens: {self.too_many_tokens}",
                self.reader.get_mark(),
            )
        return super().fetch_more_tokens()

    def fetch_flow_collection_start(self, TokenClass: Any, to_push: str) -> None:  # noqa: N803
        if len(self.indents) + self.flow_level + 1 > MAX_DEPTH:
            raise RefusedError(f"nesting deeper than {MAX_DEPTH} levels", self.reader.get_mark())
        super().fetch_flow_collection_start(TokenClass, to_push)

    def add_indent(self, column: int) -> bool:
        if self.indent < column and len(self.indents) + self.flow_level + 1 > MAX_DEPTH:
            # The new block collection starts at `column` of the current line (a `- ` or a key).
            mark = self.reader.get_mark()
            mark.column = column
            raise RefusedError(f"nesting deeper than {MAX_DEPTH} levels", mark)
        return bool(super().add_indent(column))


def _tag_name(node: Node) -> str:
    tag = str(getattr(node.tag, "value", node.tag))
    return "!!" + tag.removeprefix(_STANDARD_TAG) if tag.startswith(_STANDARD_TAG) else tag


class _CatalogConstructor(RoundTripConstructor):
    """The round-trip constructor, minus what a catalog has no use for.

    Round-trip never builds Python objects, but it did keep `!!python/object:...` and custom
    tags as tagged values, and `!!set`/`!!binary` became odd text: a catalog holds text,
    numbers, booleans, lists and mappings, so any other tag is refused where it is written.
    """

    #: What the file is, for messages; subclasses read other kinds of file.
    what: ClassVar[str] = "a catalog file"

    def refuse_tag(self, node: Node) -> None:
        raise RefusedError(
            f"YAML tag {_tag_name(node)} is not allowed in {self.what}: "
            "write plain text, numbers, true/false, lists and mappings",
            node.start_mark,
        )

    def scalar_as_text(self, node: Node) -> str:
        # `owner: 2024-01-01` is text to a reader; validate it as what was written, not as the
        # datetime ruamel would build (whose str() is not what the user wrote). The same for
        # `<<` and `=` written as values, which YAML 1.1 gave tags of their own.
        return str(node.value)

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        if node in self.recursive_objects:
            # ruamel quietly turns `tags: &t [a, *t]` into `[a, null]`.
            raise RefusedError(
                "this collection contains an alias to itself (a recursive anchor)",
                node.start_mark,
            )
        return super().construct_object(node, deep)

    _merged = 0

    def flatten_mapping(self, node: Any) -> Any:
        # A merge (`<<: *a`) copies the merged keys into the mapping, so a chain of mappings
        # that each merge the previous one costs the square of its length: 90 KB of them took
        # 43 s. Count the keys copied, as to_plain counts values.
        merged = super().flatten_mapping(node)
        self._merged += sum(len(mapping) for mapping in merged)
        if self._merged > MAX_NODES:
            raise RefusedError(
                f"merge keys (`<<`) copy more than {MAX_NODES:,} keys (an alias bomb?); "
                "merge a mapping once, not a chain of merges",
                node.start_mark,
            )
        return merged

    def bounded_int(self, node: Node) -> Any:
        digits = sum(ch.isalnum() for ch in str(node.value))
        if digits > MAX_INT_DIGITS:
            raise RefusedError(
                f"number with {digits} digits is too large for {self.what} "
                f"(at most {MAX_INT_DIGITS} digits); quote it if it is text",
                node.start_mark,
            )
        return super().construct_yaml_int(node)


for _tag in ("binary", "set", "omap", "pairs"):
    _CatalogConstructor.add_constructor(_STANDARD_TAG + _tag, _CatalogConstructor.refuse_tag)
_CatalogConstructor.add_constructor(None, _CatalogConstructor.refuse_tag)
for _tag in ("timestamp", "merge", "value"):
    _CatalogConstructor.add_constructor(_STANDARD_TAG + _tag, _CatalogConstructor.scalar_as_text)
_CatalogConstructor.add_constructor(_STANDARD_TAG + "int", _CatalogConstructor.bounded_int)


def catalog_yaml() -> YAML:
    return bounded_yaml(_BoundedScanner, _CatalogConstructor)


def bounded_yaml(scanner: type[BoundedScanner], constructor: type[CatalogConstructor]) -> YAML:
    """A round-trip reader with these limits (a subclass of each, for another kind of file)."""
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    yaml.Scanner = scanner
    yaml.Constructor = constructor
    return yaml


# Public names for the classes other readers subclass.
BoundedScanner = _BoundedScanner
CatalogConstructor = _CatalogConstructor


def to_plain(tree: Any) -> Any:
    """A copy of the tree in built-in types, so the strict models see ``str``, not ruamel's kin.

    Shared (aliased) nodes are expanded, as a consumer would see them, but the expansion is
    counted: past MAX_NODES values or MAX_TEXT characters it stops with TooLargeError instead
    of eating memory. Keys become text (`1:` is the key "1"), so the schema names them.
    """
    budget = [MAX_NODES, MAX_TEXT]

    def convert(node: Any, depth: int, where: tuple[int, int]) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise TooLargeError
        if depth >= MAX_DEPTH and isinstance(node, dict | list):
            # The collection at depth 0 is level 1, as the scanner counts. Only aliases (or
            # sequences written at their key's indentation) get here: the scanner stops deeper
            # text first.
            raise UnreadableError(
                f"nesting deeper than {MAX_DEPTH} levels", *where, invalid_yaml=True
            )
        # A collection cannot contain itself: the constructor refuses recursive anchors.
        if isinstance(node, dict):
            return {
                _plain_key(node, k): convert(v, depth + 1, _at(node, k, where))
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [convert(v, depth + 1, _at(node, i, where)) for i, v in enumerate(node)]
        if isinstance(node, bool) or node is None:
            return node
        if isinstance(node, int):
            return int(node)
        if isinstance(node, float):
            return float(node)
        # str() of ruamel's string kinds (quoted, tagged `!!str`) is a copy: count what it costs.
        text = str(node)
        budget[1] -= len(text)
        if budget[1] < 0:
            raise TooLargeError
        return text

    def _plain_key(mapping: dict[Any, Any], key: Any) -> Any:
        if isinstance(key, CommentedBase | tuple):
            # A complex key (`? [a, b]: x`, `[a]: x`) is legal YAML but never a catalog key.
            line, column = _at(mapping, key, (0, 0), at_key=True)
            raise UnreadableError(
                "a complex mapping key (a list or mapping used as a key) is not allowed: "
                "keys are plain names",
                line,
                column,
            )
        return text_key(key)

    return convert(tree, 0, _own_position(tree))


def _own_position(node: Any) -> tuple[int, int]:
    return (node.lc.line, node.lc.col) if isinstance(node, CommentedBase) else (0, 0)


def _at(
    parent: Any, key: Any, fallback: tuple[int, int], *, at_key: bool = False
) -> tuple[int, int]:
    """Where ``parent[key]`` (or the key itself) is written; merged keys fall back to the parent."""
    try:
        if isinstance(parent, CommentedMap):
            position = parent.lc.key(key) if at_key else parent.lc.value(key)
        elif isinstance(parent, CommentedSeq):
            position = parent.lc.item(key)
        else:
            return fallback
    except (KeyError, IndexError, TypeError):
        return fallback
    if position is None:
        return fallback
    line, column = position
    return (int(line), int(column))


def text_key(key: Any) -> str:
    # Catalog keys are names. `1:`, `true:` and `null:` are keys YAML reads as other types; as
    # text the schema reports them as unknown keys, where pydantic would say "Keys should be
    # strings" and the position would be lost.
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, float) and not math.isfinite(key):
        return ".nan" if math.isnan(key) else (".inf" if key > 0 else "-.inf")
    return str(key)
