"""Reading input files that anyone who commits controls, without hanging or exhausting memory.

A catalog or baseline file can be a symbolic link to ``/dev/zero``, a FIFO that no one writes
to, or a file that grows while it is read. :func:`read_bytes` opens without blocking (a FIFO
does not hang the open), refuses anything that is not a regular file once it is open (the check
and the read are on the same descriptor, so the file cannot be swapped in between), and reads at
most ``limit`` bytes whatever ``st_size`` says.

Callers turn :class:`FileRefusedError` into their own located message (a finding, an FmcatError).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

_CHUNK = 64 * 1024


class FileRefusedError(Exception):
    """The file is not one fmcat reads; ``reason`` says why, to follow ``path:``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotRegularFileError(FileRefusedError):
    """A folder, device, FIFO, socket, or (when links are not followed) a symbolic link."""


class FileTooLargeError(FileRefusedError):
    """More than the caller's limit; the file was not read to its end."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"larger than {_size(limit)}")
        self.limit = limit


def describe(mode: int) -> str:
    """What a file of this mode is, for a message: "a FIFO", "a character device"..."""
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def read_bytes(path: Path, *, limit: int, follow_symlinks: bool = True) -> bytes:
    """The contents of the regular file at ``path``, at most ``limit`` bytes.

    Raises :class:`NotRegularFileError` (naming what the file is), :class:`FileTooLargeError`,
    or ``OSError`` (missing file, no permission) as ``open`` does.
    """
    data = _read(path, limit + 1, follow_symlinks)
    if len(data) > limit:
        raise FileTooLargeError(limit)
    return data


def read_head(path: Path, size: int, *, follow_symlinks: bool = True) -> bytes:
    """The first ``size`` bytes (or fewer) of the regular file at ``path``; raises as
    :func:`read_bytes` does, except that a longer file is not an error."""
    return _read(path, size, follow_symlinks)


def _read(path: Path, most: int, follow_symlinks: bool) -> bytes:
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= os.O_NOFOLLOW
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ELOOP and not follow_symlinks:
            raise NotRegularFileError("is a symbolic link, not followed here") from error
        raise
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFileError(f"is {describe(mode)}, not a regular file")
        # Regular files ignore O_NONBLOCK; reading goes on until end of file or the limit.
        chunks: list[bytes] = []
        total = 0
        while total < most:
            chunk = os.read(descriptor, min(_CHUNK, most - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def existing_kind(path: Path) -> str | None:
    """None when nothing is at ``path`` (not even a broken link); else "file" for a regular
    file, or what :func:`describe` calls it. A symbolic link is reported as one, not followed."""
    try:
        mode = path.lstat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    return "file" if stat.S_ISREG(mode) else describe(mode)


def _size(limit: int) -> str:
    if limit >= 1024 * 1024 and limit % (1024 * 1024) == 0:
        return f"{limit // 1024 // 1024} MiB"
    if limit >= 1024 and limit % 1024 == 0:
        return f"{limit // 1024} KiB"
    return f"{limit:,} bytes"
