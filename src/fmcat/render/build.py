"""Build a generated MkDocs project with mkdocs' own functions, and publish it atomically.

The build goes into a hidden staging folder next to the output (`.site.fmcat-<hex>`), and only
once it has succeeded does it take the old site's place, so a failed render (a bad template, a
warning in strict mode) leaves the previous site as it was, and a reader never sees half a site.

Publishing checks the output again (it may have appeared while the site was built) and swaps the
two folders in one step (`renameat2(RENAME_EXCHANGE)`), so there is no moment, even on Ctrl-C,
when neither site is there. Where the system cannot swap, two renames run with SIGINT held off.
A staging folder holds a lock file while its render runs; one whose lock is free was left by a
killed run, and the next render of that output removes it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import re
import secrets
import shutil
import signal
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fmcat.errors import FmcatError
from fmcat.paths import display_path

#: Written into every site fmcat publishes: an existing folder is replaced only if it has one.
MARKER = ".fmcat-render"
#: In a staging folder while its render runs, locked (flock) by that render.
STAGING_LOCK = ".fmcat-staging"

_RENAME_NOREPLACE, _RENAME_EXCHANGE = 1, 2
_AT_FDCWD = -100

#: Open lock files of this process's staging folders, by folder.
_locks: dict[Path, int] = {}


class BuildError(FmcatError):
    """mkdocs refused the generated project, or the site cannot be written."""


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _mkdocs_logs() -> Iterator[_Collect]:
    """Keep mkdocs' log lines (INFO chatter and warnings) off the terminal; hand back warnings."""
    logger = logging.getLogger("mkdocs")
    handler = _Collect()
    saved = logger.propagate, logger.level
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.WARNING)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate, _ = saved
        logger.setLevel(saved[1])


def build_site(config_file: Path, site_dir: Path) -> None:
    """`mkdocs build --strict` of ``config_file`` into ``site_dir``, in this process."""
    # Material prints a banner about its end of life on import unless this is set; fmcat's
    # stderr is fmcat's own (docs/render.md says which Material version builds the site).
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    with _mkdocs_logs() as warnings:
        try:
            config = load_config(config_file=str(config_file), site_dir=str(site_dir.absolute()))
            config.plugins.on_startup(command="build", dirty=False)
            try:
                build(config)
            finally:
                config.plugins.on_shutdown()
        except MkDocsException as error:
            details = "".join(f"\n  {message}" for message in warnings.messages)
            raise BuildError(f"mkdocs could not build the site: {error}{details}") from error
        if not (site_dir / "index.html").is_file():
            raise BuildError(f"mkdocs wrote no index.html to {display_path(site_dir)}")
        if warnings.messages:
            # `strict: true` aborts on warnings already; this catches any that slip past it.
            details = "".join(f"\n  {message}" for message in warnings.messages)
            raise BuildError(f"mkdocs warned while building the site:{details}")


def _staging_name(output: Path) -> re.Pattern[str]:
    return re.compile(re.escape(f".{output.name}.fmcat-") + r"[0-9a-f]{8}")


def staging(output: Path) -> Path:
    """A fresh hidden folder beside ``output``, on the same file system, for the new site.

    Absolute, because MkDocs resolves a relative site_dir against the config file's folder.
    Made with mkdir rather than mkdtemp, whose 0700 mode the published site would keep.
    """
    parent = output.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(output)
        for _ in range(100):
            folder = parent / f".{output.name}.fmcat-{secrets.token_hex(4)}"
            try:
                folder.mkdir()
            except FileExistsError:
                continue
            _lock(folder)
            return folder
        raise FileExistsError(f"no free staging name in {parent}")
    except OSError as error:
        raise BuildError(
            f"cannot write the site to {display_path(output)}: {error.strerror or error}"
        ) from error


def _lock(folder: Path) -> None:
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    descriptor = os.open(folder / STAGING_LOCK, flags, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    _locks[folder] = descriptor


def _unlock(folder: Path) -> None:
    descriptor = _locks.pop(folder, None)
    if descriptor is not None:
        os.close(descriptor)


def remove_stale_staging(output: Path) -> list[Path]:
    """Remove the staging folders of ``output`` that killed renders left; the ones removed.

    A folder is fmcat's only if its name is a staging name, it is a real folder (not a link)
    owned by this user, and it holds a staging lock file that no running render holds, or
    (the old site, swapped out by a publish that was killed before it removed it) a site
    marker.
    """
    parent = output.absolute().parent
    pattern = _staging_name(output)
    removed: list[Path] = []
    try:
        candidates = [path for path in parent.iterdir() if pattern.fullmatch(path.name)]
    except OSError:
        return removed
    for folder in candidates:
        if folder in _locks:
            continue
        try:
            info = folder.lstat()
            if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
                continue
            if not _abandoned(folder):
                continue
        except OSError:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _abandoned(folder: Path) -> bool:
    try:
        descriptor = os.open(folder / STAGING_LOCK, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        marker = folder / MARKER
        return marker.is_file() and not marker.is_symlink()
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return False
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # a render that is running holds it
        return True
    finally:
        os.close(descriptor)


def check_output(output: Path) -> None:
    """Refuse before any work if publishing would replace something that is not our site."""
    if output.is_symlink() or (output.exists() and not output.is_dir()):
        raise BuildError(f"{display_path(output)} exists and is not a folder; choose another -o")
    if output.is_dir() and not _ours_or_empty(output):
        raise BuildError(
            f"{display_path(output)} exists and was not made by `fmcat render`; "
            "remove it or choose another -o (fmcat replaces only its own sites)"
        )
    cwd = Path.cwd().resolve()
    resolved = output.resolve()
    if resolved == cwd or resolved in cwd.parents:
        raise BuildError(f"-o {display_path(output)} would replace the current folder")


def check_apart(output: Path, catalog: Path) -> None:
    """Refuse an output inside the catalog folder (its pages would be read as catalog files on
    the next run, and replacing it would touch the catalog) or one that holds the catalog."""
    site, folder = output.resolve(), catalog.resolve()
    if site == folder or folder in site.parents or site in folder.parents:
        raise BuildError(
            f"-o {display_path(output)} is inside the catalog folder {display_path(catalog)}"
            if folder in site.parents
            else f"-o {display_path(output)} would replace the catalog folder "
            f"{display_path(catalog)}"
        )


def _ours_or_empty(folder: Path) -> bool:
    marker = folder / MARKER
    if marker.is_file() and not marker.is_symlink():
        return True
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is None
    except OSError:
        return False


def _renameat2(source: Path, target: Path, flags: int) -> bool:
    """``renameat2`` (Linux); False where the system or file system does not have it."""
    import ctypes  # only here: most renders never need it, and it costs start-up time

    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    function.argtypes += [ctypes.c_uint]
    result = function(_AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target), flags)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(target))


def publish(staged: Path, output: Path) -> None:
    """Put ``staged`` where ``output`` is, replacing an earlier site as late as possible."""
    (staged / MARKER).write_text(
        "This folder was made by `fmcat render`; it is replaced on the next render.\n",
        encoding="utf-8",
    )
    try:
        check_output(output)  # again: the folder may have appeared while the site was built
        if os.path.lexists(output):
            # The site keeps the mode of the folder it replaces (an empty 0700 folder stays so).
            staged.chmod(stat.S_IMODE(output.stat().st_mode))
            _replace(staged, output)
        elif not _renameat2(staged, output, _RENAME_NOREPLACE):
            staged.rename(output)  # a folder that appeared since is not empty, or is replaced
        with contextlib.suppress(OSError):
            (output / STAGING_LOCK).unlink()
    except OSError as error:
        raise BuildError(
            f"cannot replace {display_path(output)}: {error.strerror or error}"
        ) from error
    finally:
        _unlock(staged)


def _replace(staged: Path, output: Path) -> None:
    if _renameat2(staged, output, _RENAME_EXCHANGE):
        # ``staged`` now holds what was at ``output``. Between the check and the swap a folder
        # of the user's could have taken its place: give it back rather than delete it.
        if not _ours_or_empty(staged):
            _renameat2(staged, output, _RENAME_EXCHANGE)
            raise BuildError(
                f"{display_path(output)} changed while the site was built and was not made by "
                "`fmcat render`; it was left as it is"
            )
        shutil.rmtree(staged, ignore_errors=True)
        return
    # Two renames; SIGINT waits until both are done, so Ctrl-C cannot leave neither site.
    old = staged.with_name(f".{output.name}.fmcat-{secrets.token_hex(4)}")
    held = hasattr(signal, "pthread_sigmask")
    if held:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        output.rename(old)
        try:
            staged.rename(output)
        except OSError:
            old.rename(output)  # put the previous site back
            raise
    finally:
        if held:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    shutil.rmtree(old, ignore_errors=True)


def discard(staged: Path) -> None:
    _unlock(staged)
    shutil.rmtree(staged, ignore_errors=True)
