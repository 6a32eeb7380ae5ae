"""Reading one catalog file into a YAML tree that remembers where everything came from.

Every guard here exists because a catalog file is input from anyone with commit access, and
``fmcat lint`` runs unattended in CI: it must finish, in bounded time and memory, with a located
message, whatever the bytes are.
"""

from __future__ import annotations

import codecs
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedBase, CommentedMap, CommentedSeq
from ruamel.yaml.constructor import ConstructorError, DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import Node
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scanner import RoundTripScanner

from fmcat.findings import Finding, Location, Severity
from fmcat.paths import display_path

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
_LINE_BREAK = re.compile("\r\n|[\r\n]")


def _finding(code: str, path: str, message: str, line: int = 1, column: int = 1) -> Finding:
    # Reports are one finding a line; ruamel's messages can span several.
    return Finding(code, " ".join(message.split()), Location(path, line, column), Severity.ERROR)


class TooLargeError(Exception):
    """The tree expands past MAX_NODES values or MAX_TEXT characters: an alias bomb."""


class UnreadableError(Exception):
    """The YAML is valid but cannot be a catalog (a complex key, a recursive alias, ...).

    ``line`` and ``column`` are 0-based, as ruamel counts.
    """

    def __init__(self, message: str, line: int, column: int, code: str = "FM002") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.code = code


class _RefusedError(ConstructorError):
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

    def fetch_more_tokens(self) -> Any:
        self._fetched += 1
        if self._fetched > MAX_TOKENS:
            raise _RefusedError(
                f"more than {MAX_TOKENS:,} YAML tokens: a catalog file describes one "
                "dependency, and this is far more than one needs",
                self.reader.get_mark(),
            )
        return super().fetch_more_tokens()

    def fetch_flow_collection_start(self, TokenClass: Any, to_push: str) -> None:  # noqa: N803
        if len(self.indents) + self.flow_level + 1 > MAX_DEPTH:
            raise _RefusedError(f"nesting deeper than {MAX_DEPTH} levels", self.reader.get_mark())
        super().fetch_flow_collection_start(TokenClass, to_push)

    def add_indent(self, column: int) -> bool:
        if self.indent < column and len(self.indents) + self.flow_level + 1 > MAX_DEPTH:
            # The new block collection starts at `column` of the current line (a `- ` or a key).
            mark = self.reader.get_mark()
            mark.column = column
            raise _RefusedError(f"nesting deeper than {MAX_DEPTH} levels", mark)
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

    def refuse_tag(self, node: Node) -> None:
        raise _RefusedError(
            f"YAML tag {_tag_name(node)} is not allowed in a catalog file: "
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
            raise _RefusedError(
                "this collection contains an alias to itself (a recursive anchor)",
                node.start_mark,
            )
        return super().construct_object(node, deep)

    def bounded_int(self, node: Node) -> Any:
        digits = sum(ch.isalnum() for ch in str(node.value))
        if digits > MAX_INT_DIGITS:
            raise _RefusedError(
                f"number with {digits} digits is too large for a catalog "
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


@dataclass
class Source:
    """A parsed catalog file: the round-trip tree (with positions) and a plain copy to validate."""

    path: Path
    display: str
    text: str
    tree: Any
    data: Any
    findings: list[Finding] = field(default_factory=list)

    def locate(self, loc: Sequence[Key], *, at_key: bool = False) -> Location:
        """The position of the value at ``loc`` (or of its key), or of its nearest located parent.

        Falling back to the parent keeps every message located even when the key is missing,
        which is the common case for "X is required" and "no timeout declared".
        """
        node = self.tree
        line, column = (node.lc.line, node.lc.col) if isinstance(node, CommentedBase) else (0, 0)
        for index, key in enumerate(loc):
            last = index == len(loc) - 1
            position: tuple[int, int] | None = None
            try:
                if isinstance(node, CommentedMap):
                    # The plain copy names every key as text (`1:` becomes "1"); find the
                    # original key to find its position.
                    original = _original_key(node, key)
                    if original is _MISSING:
                        break
                    position = (
                        node.lc.key(original) if (last and at_key) else node.lc.value(original)
                    )
                    child = node[original]
                elif isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
                    position = node.lc.item(key)
                    child = node[key]
                else:
                    break
            except (KeyError, IndexError, TypeError):
                # Keys merged in with `<<: *anchor` have no position of their own.
                break
            if position is not None:
                line, column = position
            node = child
        return self._span(line, column)

    def _span(self, line: int, column: int) -> Location:
        lines = _LINE_BREAK.split(self.text)
        end_column = column + 1
        if line < len(lines):
            rest = lines[line][column:]
            token = rest.split(" #", 1)[0].rstrip()
            end_column = column + 1 + len(token) if token else column + 1
        return Location(self.display, line + 1, column + 1, line + 1, end_column)


_MISSING = object()


def _original_key(node: CommentedMap, key: Key) -> Any:
    if isinstance(key, str) and key in node:
        return key
    for original in node:
        if not isinstance(original, CommentedBase | tuple) and _key(original) == key:
            return original
    return _MISSING


def read_source(path: Path) -> Source | Finding:
    """Read, decode and parse one file; a problem comes back as an FM001/FM003 finding."""
    shown = display_path(path)
    text_or_finding = _read_text(path, shown)
    if isinstance(text_or_finding, Finding):
        return text_or_finding
    text = text_or_finding
    if not text.strip():
        return Finding(
            "FM002",
            "file is empty; expected a mapping that starts with `dependency:`",
            Location(shown, 1, 1),
            Severity.ERROR,
        )
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        if len(line) > MAX_LINE:
            return _finding(
                "FM001",
                shown,
                f"line is {len(line):,} characters long; catalog lines are limited to "
                f"{MAX_LINE:,} (break long text over several lines with `|` or `>`)",
                number,
            )
    tree_or_finding = _parse(text, shown)
    if isinstance(tree_or_finding, Finding):
        return tree_or_finding
    if tree_or_finding is None and all(
        not line.strip() or line.lstrip().startswith(("#", "---", "..."))
        for line in _LINE_BREAK.split(text)
    ):
        # Only comments and markers: "got nothing (null)" would puzzle; say what is there.
        return _finding(
            "FM002",
            shown,
            "file has only comments; expected a mapping that starts with `dependency:`",
        )
    try:
        data = to_plain(tree_or_finding)
    except TooLargeError:
        return _finding(
            "FM001",
            shown,
            f"document expands to more than {MAX_NODES:,} values or {MAX_TEXT:,} characters "
            "(an alias bomb?); catalog files may use anchors and aliases, but not to multiply data",
        )
    except UnreadableError as error:
        return _finding(error.code, shown, error.message, error.line + 1, error.column + 1)
    return Source(path, shown, text, tree_or_finding, data)


def _position(text: str) -> tuple[int, int]:
    """1-based line and column just after ``text``, counting line breaks as YAML does."""
    lines = _LINE_BREAK.split(text)
    # ruamel does not count a byte-order mark as a column, wherever it is.
    return len(lines), len(lines[-1].replace("\ufeff", "")) + 1


def _read_text(path: Path, shown: str) -> str | Finding:
    if path.is_symlink() and not path.exists():
        return _finding("FM001", shown, "broken symbolic link: the file it points to is missing")
    if path.is_dir():
        return _finding("FM001", shown, "is a directory, not a catalog file")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return _finding(
                "FM001",
                shown,
                f"file is {size / 1024 / 1024:.1f} MiB; catalog files are limited to "
                f"{MAX_FILE_BYTES // 1024 // 1024} MiB (one dependency per file)",
            )
        raw = path.read_bytes()
    except OSError as error:
        return _finding("FM001", shown, f"cannot read file: {error.strerror or error}")
    # Drop a byte-order mark, which some Windows editors still write. Not with "utf-8-sig":
    # its error offsets count from after the mark, which put the reported byte 3 places off.
    body = raw.removeprefix(codecs.BOM_UTF8)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        # Everything before the bad byte decoded, so count characters, not bytes: editors
        # (and ruamel, for every other message) give columns in characters.
        line, column = _position(body[: error.start].decode("utf-8"))
        return _finding(
            "FM001",
            shown,
            f"not UTF-8: byte 0x{body[error.start]:02x} cannot be decoded; save the file as UTF-8",
            line,
            column,
        )


def _yaml() -> YAML:
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    yaml.Scanner = _BoundedScanner
    yaml.Constructor = _CatalogConstructor
    return yaml


def _parse(text: str, shown: str) -> Any:
    try:
        return _yaml().load(text)
    except DuplicateKeyError as error:
        mark = error.problem_mark
        key = _duplicate_key_name(error)
        return _finding(
            "FM003",
            shown,
            f"duplicate key {key}: a later value would silently replace the first",
            mark.line + 1 if mark else 1,
            mark.column + 1 if mark else 1,
        )
    except _RefusedError as error:
        mark = error.problem_mark
        return _finding("FM001", shown, str(error.problem), mark.line + 1, mark.column + 1)
    except MarkedYAMLError as error:
        return _syntax_finding(error, text, shown)
    except ReaderError as error:
        # A control character (NUL, ESC...): ruamel gives an offset into the text.
        line, column = _position(text[: error.position])
        return _finding(
            "FM001",
            shown,
            f"invalid YAML: control character U+{error.character:04X} is not allowed; remove it",
            line,
            column,
        )
    except YAMLError as error:
        return _finding("FM001", shown, f"invalid YAML: {error}")
    except RecursionError:
        # The scanner stops nesting at MAX_DEPTH, so this is a last resort.
        return _finding("FM001", shown, f"nesting deeper than {MAX_DEPTH} levels")


def _duplicate_key_name(error: DuplicateKeyError) -> str:
    problem = str(error.problem or "")
    # ruamel says: found duplicate key "a" with value "3" (original value: "1")
    start = problem.find('"')
    end = problem.find('"', start + 1)
    return problem[start : end + 1] if start >= 0 and end > start else "in mapping"


def _syntax_finding(error: MarkedYAMLError, text: str, shown: str) -> Finding:
    problem = error.problem or error.context or "cannot parse"
    mark = error.problem_mark or error.context_mark
    if error.context_mark is not None and ("stream end" in problem or "end of stream" in problem):
        # An unclosed bracket or quote is found at the end of the file; where it opened is
        # where the fix goes.
        mark = error.context_mark
    line = mark.line + 1 if mark else 1
    column = mark.column + 1 if mark else 1
    if "'\\t'" in problem or "\\t" in repr(problem):
        problem = "tab character: YAML indentation must use spaces"
    if "another document" in problem:
        # ruamel's "but found another document" does not say what to do about it.
        return _finding(
            "FM001",
            shown,
            "a second YAML document (`---`): a catalog file holds one dependency; "
            "put each in its own file",
            line,
            column,
        )
    message = f"invalid YAML: {problem}"
    if error.context and error.problem and error.context_mark and error.context_mark != mark:
        message += f" ({error.context} at line {error.context_mark.line + 1})"
    return _finding("FM001", shown, message, line, column)


def to_plain(tree: Any) -> Any:
    """A copy of the tree in built-in types, so the strict models see ``str``, not ruamel's kin.

    Shared (aliased) nodes are expanded, as a consumer would see them, but the expansion is
    counted: past MAX_NODES values or MAX_TEXT characters it stops with TooLargeError instead
    of eating memory. Keys become text (`1:` is the key "1"), so the schema names them.
    """
    budget = [MAX_NODES, MAX_TEXT]
    # Collections being converted: meeting one again inside itself is a recursive alias.
    open_ids: set[int] = set()

    def convert(node: Any, depth: int, where: tuple[int, int]) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise TooLargeError
        if depth > MAX_DEPTH:
            # Only aliases (or sequences written at their key's indentation) get here:
            # the scanner stops deeper text first.
            raise UnreadableError(f"nesting deeper than {MAX_DEPTH} levels", *where, code="FM001")
        if isinstance(node, dict | list):
            if id(node) in open_ids:
                raise UnreadableError(
                    "an alias refers to a collection that contains it (a recursive anchor)",
                    *where,
                )
            open_ids.add(id(node))
            try:
                if isinstance(node, dict):
                    return {
                        _plain_key(node, k): convert(v, depth + 1, _at(node, k, where))
                        for k, v in node.items()
                    }
                return [convert(v, depth + 1, _at(node, i, where)) for i, v in enumerate(node)]
            finally:
                open_ids.discard(id(node))
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
        return _key(key)

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


def _key(key: Any) -> str:
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
