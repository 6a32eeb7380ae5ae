"""Reading and parsing for the framework pass, with the scan's own guards.

The pass reads settings modules and the files that mention Celery, consumers or retries a second
time, after the scan. Those files are the repository's, so they get what the scan's files get: a
bounded read of regular files only, without following a final link (a FIFO must not hang it, a
link to /dev/zero must not fill memory), and the token guard before libcst (a long `and` chain
must not crash the parser). A symbolic-link loop on the way to a file is not a file.
"""

from __future__ import annotations

import os
from pathlib import Path

import libcst as cst

from fmcat.scan.engine import MAX_PARSE_BYTES
from fmcat.scan.files import UnreadableError, read_source
from fmcat.scan.tokens import precheck


def read(path: Path) -> bytes | None:
    """The file's bytes, or None when the scan would not read it either."""
    try:
        source, _ = read_source(path, MAX_PARSE_BYTES, follow=False)
    except UnreadableError:
        return None
    return None if len(source) > MAX_PARSE_BYTES else source


def read_with_status(path: Path) -> tuple[bytes | None, os.stat_result | None]:
    """As read(), with the status of the file read (from the same open)."""
    try:
        source, status = read_source(path, MAX_PARSE_BYTES, follow=False)
    except UnreadableError:
        return None, None
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
