"""Reading a file fmcat did not write: a regular file only, and never more than a bound.

`Path.read_bytes()` trusts the file: a symlink to /dev/zero reads until memory runs out, and a
FIFO blocks forever in open(). Opening with O_NONBLOCK returns at once for a FIFO, fstat() on
the open descriptor then says what the file really is (no race with a rename), and the read
stops one byte past the limit whatever st_size claims.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class ReadError(Exception):
    """The file cannot be read as input; the message says why, without the path."""


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at ``path`` (symlinks followed), at most ``limit`` of them."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        raise ReadError(f"cannot read: {error.strerror or error}") from error
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
            raise ReadError(f"is {kind}, not a regular file")
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 16, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise ReadError(f"is larger than {limit // 1024 // 1024} MiB")
        return b"".join(chunks)
    except OSError as error:
        raise ReadError(f"cannot read: {error.strerror or error}") from error
    finally:
        os.close(fd)
