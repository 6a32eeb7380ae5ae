"""Reading and parsing for the framework pass, with the scan's own guards.

The pass reads settings modules and the files that mention Celery, consumers or retries a second
time, after the scan. Those files are the repository's, so they get what the scan's files get: a
bounded read of regular files only, without following a final link (a FIFO must not hang it, a
link to /dev/zero must not fill memory), and the token guard before libcst (a long `and` chain
must not crash the parser). A symbolic-link loop on the way to a file is not a file.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import libcst as cst

from fmcat.scan.cache import status_key
from fmcat.scan.engine import MAX_PARSE_BYTES
from fmcat.scan.files import UnreadableError, read_source
from fmcat.scan.tokens import precheck

#: While a run is recorded for its memo (scan/memo.py): each file the pass read, by absolute
#: path, with the status of that read (None: seen with two statuses, it changed meanwhile). A
#: module global rather than a parameter: the reads are spread over every pass.
_recorded: dict[str, list[int] | None] | None = None


@contextlib.contextmanager
def recording() -> Iterator[dict[str, list[int] | None]]:
    global _recorded
    found: dict[str, list[int] | None] = {}
    _recorded = found
    try:
        yield found
    finally:
        _recorded = None


def _record(path: Path, status: os.stat_result) -> None:
    if _recorded is not None:
        record(os.path.abspath(path), status_key(status))  # noqa: PTH100 (not resolve(): links)


def record(key: str, seen: list[int]) -> None:
    """Note a read of the file at the absolute path ``key``, with status ``seen``: the pass's
    own, or the scan's, whose bytes the pass used (early.py)."""
    if _recorded is not None:
        _recorded[key] = seen if _recorded.get(key, seen) == seen else None


def read(path: Path) -> bytes | None:
    """The file's bytes, or None when the scan would not read it either."""
    return read_with_status(path)[0]


def read_with_status(path: Path) -> tuple[bytes | None, os.stat_result | None]:
    """As read(), with the status of the file read (from the same open)."""
    try:
        source, status = read_source(path, MAX_PARSE_BYTES, follow=False)
    except UnreadableError:
        return None, None
    _record(path, status)
    return (None, None) if len(source) > MAX_PARSE_BYTES else (source, status)


def real(path: Path) -> Path:
    """``path`` resolved, or as given when a link loop (or a vanished folder) is on the way."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):
        return path


def parse(source: bytes) -> cst.Module:
    """libcst's tree, after the token guard; raises cst.ParserSyntaxError when it refuses."""
    problem = precheck(source)
    if problem is not None:
        raise cst.ParserSyntaxError(problem.message, lines=[""], raw_line=1, raw_column=0)
    return cst.parse_module(source)
