"""Which Python files a scan reads, and which of those it parses."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pathspec

#: Never scanned, whatever the configuration: environments, build output, caches. Build output
#: is excluded at the project's top only: a package may well have a `build` module of its own.
DEFAULT_EXCLUDES = (
    ".git/",
    ".hg/",
    ".svn/",
    ".venv/",
    "venv/",
    ".tox/",
    ".nox/",
    "__pycache__/",
    "/build/",
    "/dist/",
    "/site/",
    "node_modules/",
    ".eggs/",
    "*.egg-info/",
    ".mypy_cache/",
    ".ruff_cache/",
    ".pytest_cache/",
    ".fmcat_cache/",
)


def exclusion(patterns: Iterable[str]) -> pathspec.GitIgnoreSpec:
    return pathspec.GitIgnoreSpec.from_lines([*DEFAULT_EXCLUDES, *patterns])


def python_files(
    paths: Iterable[Path], root: Path, excluded: pathspec.GitIgnoreSpec
) -> Iterator[Path]:
    """Every ``.py`` file under ``paths``, in a stable order.

    Symbolic links to folders are not followed, so a link loop cannot hang the scan; a file
    named explicitly is scanned even when an exclude pattern covers it, as in ruff.
    """
    for path in paths:
        if path.is_file():
            if path.suffix in (".py", ".pyi") or path.suffix == "":
                yield path
            continue
        found: list[Path] = []
        for folder, dirs, files in os.walk(path, followlinks=False):
            base = Path(folder)
            keep = []
            for name in dirs:
                relative = _relative(base / name, root)
                if not excluded.match_file(relative + "/"):
                    keep.append(name)
            dirs[:] = sorted(keep)
            for name in files:
                if not name.endswith(".py"):
                    continue
                candidate = base / name
                if excluded.match_file(_relative(candidate, root)):
                    continue
                if candidate.is_file():  # a broken link is not a file
                    found.append(candidate)
        yield from sorted(found)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def module_name(path: Path) -> tuple[str, bool]:
    """The dotted module name Python would import the file as, and whether it is a package."""
    path = path.resolve()
    is_package = path.name == "__init__.py"
    parts = [] if is_package else [path.stem]
    folder = path.parent
    while (folder / "__init__.py").exists() and folder.parent != folder:
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts), is_package


def import_filter(modules: Iterable[str], relative: bool) -> re.Pattern[bytes]:
    """A cheap test on raw bytes: does the file import any of ``modules``?

    It may say yes wrongly (the file is then parsed for nothing), never no wrongly for a
    plain ``import``/``from`` statement; ``relative`` also lets relative imports through, for
    catalogs that name the project's own wrapper modules.
    """
    # Glob module names (grpc's generated `*_pb2_grpc`) match any identifier characters.
    names = "|".join(sorted(re.escape(m).replace(r"\*", r"\w*") for m in set(modules)))
    alternatives = [
        rf"^[ \t]*import[ \t][^\n#]*\b(?:{names})\b",
        rf"^[ \t]*from[ \t]+(?:{names})\b",
        # `from myapp.protos import inventory_pb2_grpc`: a known module imported from a package.
        rf"^[ \t]*from[ \t]+[\w.]+[ \t]+import[^\n#]*\b(?:{names})\b",
    ]
    if relative:
        alternatives.append(r"^[ \t]*from[ \t]+\.")
    return re.compile("|".join(alternatives).encode(), re.MULTILINE)


class Prefilter:
    """Which files can matter, from their bytes alone: they import a library and name one of its
    entry points (`import asyncio` alone is not enough; `asyncio.open_connection` is).

    It may let a file through for nothing (it is then parsed and yields no site), but never
    stops one that imports a library with a plain import statement and calls into it.
    """

    def __init__(
        self, libraries: Iterable[tuple[Iterable[str], Iterable[str]]], relative: bool
    ) -> None:
        self.checks: list[tuple[re.Pattern[bytes], re.Pattern[bytes] | None]] = []
        modules: set[str] = set()
        for roots, entry_points in libraries:
            roots = list(roots)
            modules.update(roots)
            names = sorted({name for name in entry_points if name.isidentifier()})
            marker = re.compile(rb"\b(?:" + "|".join(names).encode() + rb")\b") if names else None
            self.checks.append((import_filter(roots, relative), marker))
        self.any_import = import_filter(modules, relative)

    def wants(self, source: bytes) -> bool:
        if not self.any_import.search(source):
            return False  # the common case, decided by one scan of the bytes
        return any(
            imports.search(source) and (marker is None or marker.search(source))
            for imports, marker in self.checks
        )
