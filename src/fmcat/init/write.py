"""Writing files so that a failure leaves nothing half-written.

Every file is first written in full to a temporary file beside it; only when all of them are
written does each take its place, by a rename (a new file by a hard link, which fails rather
than replace a file that appeared in the meantime). A failure while writing removes the
temporary files, and the catalog folder if this run created it.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fmcat.errors import FmcatError
from fmcat.paths import display_path


class WriteError(FmcatError):
    """A file could not be written; nothing was."""


@dataclass(frozen=True)
class Planned:
    path: Path
    text: str
    #: False: a new file, never written over an existing one. True: replaces the file.
    replace: bool = False


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _make_folder(folder: Path) -> list[Path]:
    """Create ``folder`` and any missing parents; the folders created, outermost first."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    for path in reversed(missing):
        try:
            path.mkdir()
        except FileExistsError:
            if not path.is_dir():
                raise
    return list(reversed(missing))


def write_files(folder: Path, files: list[Planned]) -> list[Path]:
    """Write ``files`` (all in ``folder``); return those written, in order.

    A new file that exists by the time it is put in place is left alone and not returned.
    """
    try:
        created = _make_folder(folder)
    except OSError as error:
        raise WriteError(
            f"cannot create the catalog folder {display_path(folder)}: {error.strerror or error}"
        ) from error
    staged: list[tuple[Planned, str]] = []
    try:
        for planned in files:
            staged.append((planned, _stage(planned)))
    except OSError as error:
        for _planned, temporary in staged:
            with contextlib.suppress(OSError):
                Path(temporary).unlink()
        for path in reversed(created):
            with contextlib.suppress(OSError):
                path.rmdir()
        where = display_path(planned.path)
        raise WriteError(
            f"cannot write {where}: {error.strerror or error}; nothing was written"
        ) from error
    written: list[Path] = []
    for planned, temporary in staged:
        if _commit(planned, Path(temporary)):
            written.append(planned.path)
    return written


def _stage(planned: Planned) -> str:
    descriptor, temporary = tempfile.mkstemp(
        dir=planned.path.parent, prefix=f".{planned.path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(planned.text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        if planned.replace and planned.path.exists():
            mode = stat.S_IMODE(planned.path.stat().st_mode)
        else:
            mode = 0o666 & ~_umask()
        Path(temporary).chmod(mode)
    except OSError:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        raise
    return temporary


def _commit(planned: Planned, temporary: Path) -> bool:
    try:
        if planned.replace:
            temporary.replace(planned.path)
            return True
        try:
            planned.path.hardlink_to(temporary)
        except FileExistsError:
            return False
        except OSError:
            # No hard links here (some network and FUSE file systems): check, then rename.
            if planned.path.exists() or planned.path.is_symlink():
                return False
            temporary.replace(planned.path)
            return True
        return True
    except OSError as error:
        raise WriteError(
            f"cannot write {display_path(planned.path)}: {error.strerror or error}"
        ) from error
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()
