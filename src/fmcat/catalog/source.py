"""Reading one catalog file into a YAML tree that remembers where everything came from.

Every guard here exists because a catalog file is input from anyone with commit access, and
``fmcat lint`` runs unattended in CI: it must finish, in bounded time and memory, with a located
message, whatever the bytes are.
"""

from __future__ import annotations

import codecs
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedBase, CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError

from fmcat.catalog.checks.fm001_invalid_yaml import InvalidYaml
from fmcat.catalog.checks.fm002_schema_violation import SchemaViolation
from fmcat.catalog.checks.fm003_duplicate_id import DuplicateId
from fmcat.catalog.yaml_fast import Unsupported, fast_data
from fmcat.catalog.yaml_guard import (
    LINE_BREAK,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_LINE,
    MAX_NODES,
    MAX_TEXT,
    Key,
    LocPath,
    RefusedError,
    TooLargeError,
    UnreadableError,
    catalog_yaml,
    text_key,
    to_plain,
)
from fmcat.findings import Finding, Location
from fmcat.paths import display_path
from fmcat.safe_io import FileRefusedError, FileTooLargeError, read_bytes

__all__ = ["Key", "LocPath", "Source", "read_source", "to_plain"]


#: A ``Source.parsed`` not read yet: the fast path (yaml_fast.py) gave the data alone.
UNPARSED: Any = object()


class SourceDriftError(Exception):
    """The round-trip reader refused a file the fast path read: a bug in yaml_fast.py."""


@dataclass
class Source:
    """A parsed catalog file: the round-trip tree (with positions) and a plain copy to validate."""

    path: Path
    display: str
    text: str
    #: The round-trip tree, or UNPARSED until ``tree`` is first asked for.
    parsed: Any
    data: Any
    findings: list[Finding] = field(default_factory=list)

    @property
    def tree(self) -> Any:
        """The round-trip tree (positions, comments), read on first use when the fast path gave
        the data: only a file with a finding, or a check that reads comments, needs it."""
        if self.parsed is UNPARSED:
            tree = _parse(self.text, self.display)
            if isinstance(tree, Finding):
                raise SourceDriftError(
                    f"{self.display}: the fast YAML path read this file, but the round-trip "
                    f"reader refuses it ({tree.code} {tree.message}); please report it"
                )
            self.parsed = tree
        return self.parsed

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
        lines = LINE_BREAK.split(self.text)
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
        if not isinstance(original, CommentedBase | tuple) and text_key(original) == key:
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
        return SchemaViolation.at(
            shown, "file is empty; expected a mapping that starts with `dependency:`"
        )
    for number, line in enumerate(LINE_BREAK.split(text), start=1):
        if len(line) > MAX_LINE:
            return InvalidYaml.at(
                shown,
                f"line is {len(line):,} characters long; catalog lines are limited to "
                f"{MAX_LINE:,} (break long text over several lines with `|` or `>`)",
                number,
            )
    try:
        return Source(path, shown, text, UNPARSED, fast_data(text))
    except Unsupported:
        pass  # the round-trip reader, with its positions and its messages
    tree_or_finding = _parse(text, shown)
    if isinstance(tree_or_finding, Finding):
        return tree_or_finding
    if tree_or_finding is None and all(
        not line.strip() or line.lstrip().startswith(("#", "---", "..."))
        for line in LINE_BREAK.split(text)
    ):
        # Only comments and markers: "got nothing (null)" would puzzle; say what is there.
        return SchemaViolation.at(
            shown,
            "file has only comments; expected a mapping that starts with `dependency:`",
        )
    try:
        data = to_plain(tree_or_finding)
    except TooLargeError:
        return InvalidYaml.at(
            shown,
            f"document expands to more than {MAX_NODES:,} values or {MAX_TEXT:,} characters "
            "(an alias bomb?); catalog files may use anchors and aliases, but not to multiply data",
        )
    except UnreadableError as error:
        rule = InvalidYaml if error.invalid_yaml else SchemaViolation
        return rule.at(shown, error.message, error.line + 1, error.column + 1)
    return Source(path, shown, text, tree_or_finding, data)


def _position(text: str) -> tuple[int, int]:
    """1-based line and column just after ``text``, counting line breaks as YAML does."""
    lines = LINE_BREAK.split(text)
    # ruamel does not count a byte-order mark as a column, wherever it is.
    return len(lines), len(lines[-1].replace("\ufeff", "")) + 1


def _read_text(path: Path, shown: str) -> str | Finding:
    if path.is_symlink() and not path.exists():
        return InvalidYaml.at(shown, "broken symbolic link: the file it points to is missing")
    if path.is_dir():
        return InvalidYaml.at(shown, "is a directory, not a catalog file")
    try:
        # Bounded by the read, not by st_size: the file can be a link to /dev/zero, a FIFO, or
        # grow while it is read; anything but a regular file is refused once it is open.
        raw = read_bytes(path, limit=MAX_FILE_BYTES)
    except FileTooLargeError:
        size = 0
        with contextlib.suppress(OSError):
            size = path.stat().st_size
        seen = f"{size / 1024 / 1024:.1f} MiB" if size > MAX_FILE_BYTES else "larger than that"
        return InvalidYaml.at(
            shown,
            f"file is {seen}; catalog files are limited to "
            f"{MAX_FILE_BYTES // 1024 // 1024} MiB (one dependency per file)",
        )
    except FileRefusedError as error:
        return InvalidYaml.at(shown, f"cannot read file: {error.reason}")
    except OSError as error:
        return InvalidYaml.at(shown, f"cannot read file: {error.strerror or error}")
    # Drop a byte-order mark, which some Windows editors still write. Not with "utf-8-sig":
    # its error offsets count from after the mark, which put the reported byte 3 places off.
    body = raw.removeprefix(codecs.BOM_UTF8)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        # Everything before the bad byte decoded, so count characters, not bytes: editors
        # (and ruamel, for every other message) give columns in characters.
        line, column = _position(body[: error.start].decode("utf-8"))
        return InvalidYaml.at(
            shown,
            f"not UTF-8: byte 0x{body[error.start]:02x} cannot be decoded; save the file as UTF-8",
            line,
            column,
        )


def _parse(text: str, shown: str) -> Any:
    try:
        return catalog_yaml().load(text)
    except DuplicateKeyError as error:
        mark = error.problem_mark
        key = _duplicate_key_name(error)
        return DuplicateId.at(
            shown,
            f"duplicate key {key}: a later value would silently replace the first",
            mark.line + 1 if mark else 1,
            mark.column + 1 if mark else 1,
        )
    except RefusedError as error:
        mark = error.problem_mark
        return InvalidYaml.at(shown, str(error.problem), mark.line + 1, mark.column + 1)
    except MarkedYAMLError as error:
        return _syntax_finding(error, text, shown)
    except ReaderError as error:
        # A control character (NUL, ESC...): ruamel gives an offset into the text.
        line, column = _position(text[: error.position])
        return InvalidYaml.at(
            shown,
            f"invalid YAML: control character U+{error.character:04X} is not allowed; remove it",
            line,
            column,
        )
    except YAMLError as error:
        return InvalidYaml.at(shown, f"invalid YAML: {error}")
    except RecursionError:
        # The scanner stops nesting at MAX_DEPTH, so this is a last resort.
        return InvalidYaml.at(shown, f"nesting deeper than {MAX_DEPTH} levels")


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
        return InvalidYaml.at(
            shown,
            "a second YAML document (`---`): a catalog file holds one dependency; "
            "put each in its own file",
            line,
            column,
        )
    message = f"invalid YAML: {problem}"
    if error.context and error.problem and error.context_mark and error.context_mark != mark:
        message += f" ({error.context} at line {error.context_mark.line + 1})"
    return InvalidYaml.at(shown, message, line, column)
