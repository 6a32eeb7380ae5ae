"""Which fmcat this is, for the caches: its version alone does not say.

A cache written by one fmcat must not answer for another. The version string changes only at a
release, so an upgrade from a branch, an editable install being worked on, or a reinstall of the
same version would keep the old answers. The status (size, modification time) of every file of
the package's code and data tells them apart, for a few milliseconds of `stat` per run.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from pathlib import Path

from fmcat import __version__

#: The package's code and data: what decides what a scan finds.
_OWN = (".py", ".toml", ".json", ".yaml")


def files_status(package: Path) -> list[tuple[str, int, int]]:
    """(path inside the package, size, mtime_ns) of each code and data file, in a fixed order."""
    found = []
    for folder, subfolders, names in os.walk(package):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
        for name in sorted(names):
            if name.endswith(_OWN):
                path = os.path.join(folder, name)  # noqa: PTH118 (hundreds of calls: os.path)
                status = os.stat(path)  # noqa: PTH116
                found.append((path[len(str(package)) :], status.st_size, status.st_mtime_ns))
    return found


def identity_of(package: Path) -> str:
    # The interpreter too: how deep a file may nest before the tokenizer gives up is its own
    # (Python 3.12's stops at 200 brackets), so one file's result differs between them.
    parts = [__version__, list(sys.version_info[:2]), files_status(package)]
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


@functools.cache
def identity() -> str:
    """This fmcat's identity: computed once a process."""
    return identity_of(Path(__file__).resolve().parent)
