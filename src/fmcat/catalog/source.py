"""Reading one catalog file into a YAML tree that remembers where everything came from.

Every guard here exists because a catalog file is input from anyone with commit access, and
``fmcat lint`` runs unattended in CI: it must finish, in bounded time and memory, with a located
message, whatever the bytes are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedBase, CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent

from fmcat.findings import Finding, Location, Severity
from fmcat.paths import display_path

# A dependency's catalog entry is a few hundred lines at most; 1 MiB is generous and keeps the
# pure-Python YAML parser to well under a second per file.
MAX_FILE_BYTES = 1024 * 1024
# Nesting and alias expansion limits: far beyond any real catalog, far below what hurts.
MAX_DEPTH = 64
MAX_NODES = 200_000

Key = str | int
LocPath = tuple[Key, ...]


def _finding(code: str, path: str, message: str, line: int = 1, column: int = 1) -> Finding:
    return Finding(code, message, Location(path, line, column), Severity.ERROR)


class TooLargeError(Exception):
    """The tree expands past MAX_NODES: an alias bomb, or data that is not a catalog."""


class TooDeepError(Exception):
    """The tree nests deeper than MAX_DEPTH."""


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
                if isinstance(node, CommentedMap) and key in node:
                    position = node.lc.key(key) if (last and at_key) else node.lc.value(key)
                    child = node[key]
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
        lines = self.text.splitlines()
        end_column = column + 1
        if line < len(lines):
            rest = lines[line][column:]
            token = rest.split(" #", 1)[0].rstrip()
            end_column = column + 1 + len(token) if token else column + 1
        return Location(self.display, line + 1, column + 1, line + 1, end_column)


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
    tree_or_finding = _parse(text, shown)
    if isinstance(tree_or_finding, Finding):
        return tree_or_finding
    try:
        data = to_plain(tree_or_finding)
    except TooDeepError:
        return _too_deep(text, shown)
    except TooLargeError:
        return _finding(
            "FM001",
            shown,
            f"document expands to more than {MAX_NODES:,} values (an alias bomb?); "
            "catalog files may use anchors and aliases, but not to multiply data",
        )
    return Source(path, shown, text, tree_or_finding, data)


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
    try:
        # utf-8-sig drops a byte-order mark, which some Windows editors still write.
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        return _finding(
            "FM001",
            shown,
            f"not UTF-8: byte 0x{raw[error.start]:02x} cannot be decoded; save the file as UTF-8",
            line,
            column,
        )


def _yaml() -> YAML:
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
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
    except MarkedYAMLError as error:
        return _syntax_finding(error, text, shown)
    except YAMLError as error:
        return _finding("FM001", shown, f"invalid YAML: {error}")
    except RecursionError:
        return _too_deep(text, shown)


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
    message = f"invalid YAML: {problem}"
    if error.context and error.problem and error.context_mark and error.context_mark != mark:
        message += f" ({error.context} at line {error.context_mark.line + 1})"
    return _finding("FM001", shown, message, line, column)


def _too_deep(text: str, shown: str) -> Finding:
    """Find where nesting passes MAX_DEPTH with the event parser, which does not recurse."""
    depth = 0
    try:
        for event in _yaml().parse(text):
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    return _finding(
                        "FM001",
                        shown,
                        f"nesting deeper than {MAX_DEPTH} levels",
                        mark.line + 1,
                        mark.column + 1,
                    )
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except (YAMLError, RecursionError):
        pass
    return _finding("FM001", shown, f"nesting deeper than {MAX_DEPTH} levels")


def to_plain(tree: Any) -> Any:
    """A copy of the tree in built-in types, so the strict models see ``str``, not ruamel's kin.

    Shared (aliased) nodes are expanded, as a consumer would see them, but the expansion is
    counted: past MAX_NODES it stops with TooLargeError instead of eating memory.
    """
    budget = [MAX_NODES]

    def convert(node: Any, depth: int) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise TooLargeError
        if depth > MAX_DEPTH:
            raise TooDeepError
        if isinstance(node, dict):
            return {_key(k): convert(v, depth + 1) for k, v in node.items()}
        if isinstance(node, list):
            return [convert(v, depth + 1) for v in node]
        if isinstance(node, bool) or node is None:
            return node
        if isinstance(node, int):
            return int(node)
        if isinstance(node, float):
            return float(node)
        if isinstance(node, str):
            return str(node)
        # Timestamps and other tagged scalars: validate them as the text they came from.
        return str(node)

    return convert(tree, 0)


def _key(key: Any) -> Any:
    # A complex key (`? [a, b]: x`) is legal YAML but never a catalog key; keep it as text so the
    # schema check can name it instead of the conversion failing.
    if isinstance(key, CommentedBase) or not (key is None or isinstance(key, (int, float, str))):
        return str(key)
    return str(key) if isinstance(key, str) else key
