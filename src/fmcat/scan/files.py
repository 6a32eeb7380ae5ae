"""Which Python files a scan reads, and reading one: bounded, and never through a surprise.

Scope: the service's production code. Left out by default (patterns in gitignore syntax,
matched from the project folder):

- hidden files and folders, at any depth (`.git/`, `.venv/`, `.tox/`, `.github/`, rule
  fixtures in dot-folders, every tool's `.xxx_cache/`);
- tool folders: `__pycache__/`, `venv/`, `node_modules/`, `site-packages/`,
  `__pypackages__/`, `*.egg-info/` anywhere; `build/`, `dist/`, `site/` and `_build/` at the
  project's top only (a package may well have a `build` module of its own);
- tests: `tests/` folders at any depth, `test_*.py`, `*_test.py`, `conftest.py` (unless
  `include_tests = true`).

`exclude` patterns come after these, so they add to them, and a negated pattern
(`!.ci/scripts/`) brings back something the defaults leave out: in gitignore syntax the last
pattern that matches wins.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from fmcat.errors import ConfigError
from fmcat.paths import project_relative

TOOL_EXCLUDES = (
    ".*",
    "__pycache__/",
    "venv/",
    "node_modules/",
    "site-packages/",
    "__pypackages__/",
    "*.egg-info/",
    "/build/",
    "/dist/",
    "/site/",
    "/_build/",
)
TEST_EXCLUDES = ("tests/", "test_*.py", "*_test.py", "conftest.py")


def default_excludes(include_tests: bool) -> tuple[str, ...]:
    return TOOL_EXCLUDES if include_tests else (*TOOL_EXCLUDES, *TEST_EXCLUDES)


def exclusion(patterns: Iterable[str], include_tests: bool = False) -> pathspec.GitIgnoreSpec:
    lines = [*default_excludes(include_tests), *patterns]
    try:
        return pathspec.GitIgnoreSpec.from_lines(lines)
    except (ValueError, TypeError) as error:  # pathspec's GitWildMatchPatternError is a ValueError
        raise ConfigError(f"[tool.fmcat] exclude: {error}") from error


@dataclass(frozen=True)
class Discovered:
    path: Path
    #: Named on the command line rather than found in a folder: a link to it is followed.
    named: bool = False


@dataclass
class Discovery:
    files: list[Discovered]
    #: Files and folders named on the command line (or as `src`) that the exclusions leave out.
    excluded_named: list[Path]
    #: Every folder listed, with its status taken just before it was listed: while none of
    #: them changes, the same files would be found (the run memo's shortcut: scan/memo.py).
    folders: list[tuple[Path, os.stat_result]] = field(default_factory=list)


def python_files(paths: Iterable[Path], root: Path, excluded: pathspec.GitIgnoreSpec) -> Discovery:
    """Every ``.py`` file under ``paths``, in a stable order.

    Symbolic links found in folders are not followed, to folders or to files: a link loop
    cannot hang the scan, a link to `/dev/zero` or outside the project is not read, and code
    linked from inside the project is scanned once, where it is. FIFOs and devices are not
    files. A file named explicitly honours the exclusions too, so `fmcat lint` on the project
    and pre-commit on the changed files agree.
    """
    found = Discovery([], [])
    for path in paths:
        # From the project folder ("" for itself), or None outside it: then nothing is excluded
        # by its place, only by the parts below it.
        top = project_relative(path, root)
        top = "" if top == "." else top
        if not path.is_dir():
            if top is not None and excluded.match_file(top):
                found.excluded_named.append(path)
            elif path.suffix in (".py", ".pyi") or path.suffix == "":
                found.files.append(Discovered(path, named=True))
            continue
        if top and excluded.match_file(top + "/"):
            found.excluded_named.append(path)
            continue
        found.files.extend(Discovered(p) for p in _walk(path, top, excluded, found.folders))
    return found


def _walk(
    top: Path,
    relative: str | None,
    excluded: pathspec.GitIgnoreSpec,
    listed: list[tuple[Path, os.stat_result]],
) -> list[Path]:
    found: list[Path] = []
    pending = [(top, relative or "")]
    while pending:
        folder, shown = pending.pop()
        try:
            listed.append((folder, folder.stat()))
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue  # vanished or unreadable: nothing under it can be scanned
        subfolders = []
        for entry in entries:
            name = f"{shown}/{entry.name}" if shown else entry.name
            try:
                if entry.is_symlink():
                    continue
                if entry.is_dir(follow_symlinks=False):
                    if not excluded.match_file(name + "/"):
                        subfolders.append((Path(entry.path), name))
                elif (
                    entry.name.endswith(".py")
                    and entry.is_file(follow_symlinks=False)
                    and not excluded.match_file(name)
                ):
                    found.append(Path(entry.path))
            except OSError:
                continue
        pending.extend(reversed(subfolders))
    return found


# --- Reading one file ---------------------------------------------------------------------


class UnreadableError(Exception):
    """A file that cannot be read as source; ``vanished`` when it is simply gone."""

    def __init__(self, message: str, vanished: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.vanished = vanished


_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


def read_source(path: Path, limit: int, follow: bool) -> tuple[bytes, os.stat_result]:
    """At most ``limit + 1`` bytes of a regular file, and its status, from one open.

    Opened without following a final symbolic link unless ``follow`` (a file named on the
    command line), and without blocking, so a FIFO cannot hang the scan; anything but a
    regular file is refused. The read is bounded by ``limit``, never by the size the file
    claims: a sparse 10 GB file costs ``limit`` bytes. Raises UnreadableError.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError as error:
        raise UnreadableError("vanished during the scan", vanished=True) from error
    except OSError as error:
        raise UnreadableError(f"cannot read: {error.strerror or error}") from error
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            kind = _KINDS.get(stat.S_IFMT(status.st_mode), "not a regular file")
            raise UnreadableError(f"cannot read: {kind}, not a regular file")
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = os.read(descriptor, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks), status
    except OSError as error:
        raise UnreadableError(f"cannot read: {error.strerror or error}") from error
    finally:
        os.close(descriptor)


class ModuleNames:
    """The dotted module name Python would import each file as, with each folder's package
    looked up once per scan (a warm run must not stat every parent of every file)."""

    def __init__(self) -> None:
        self._packages: dict[Path, str] = {}

    def __call__(self, path: Path) -> tuple[str, bool]:
        path = path.resolve()
        is_package = path.name == "__init__.py"
        package = self._package(path.parent)
        own = [] if is_package else [path.stem]
        parts = ([package] if package else []) + own
        return ".".join(parts), is_package

    def _package(self, folder: Path) -> str:
        """The dotted name of ``folder`` as a package ('' when it is not one)."""
        known = self._packages.get(folder)
        if known is not None:
            return known
        if folder.parent != folder and (folder / "__init__.py").exists():
            parent = self._package(folder.parent)
            name = f"{parent}.{folder.name}" if parent else folder.name
        else:
            name = ""
        self._packages[folder] = name
        return name


def module_name(path: Path) -> tuple[str, bool]:
    """The dotted module name Python would import the file as, and whether it is a package."""
    return ModuleNames()(path)
