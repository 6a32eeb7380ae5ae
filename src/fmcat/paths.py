"""How paths are shown and named.

- :func:`display_path`: relative to the current directory when under it, as ruff and mypy do.
- :func:`project_relative`: from the project's (or repository's) root, as baselines,
  `per_file_ignores`, the checklist and the runbook site name files, whichever folder fmcat ran
  from and whatever symlinked folder it was reached through.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def display_path(path: Path) -> str:
    # abspath, not resolve(): a symlinked folder is shown under the name the user gave it.
    absolute = Path(os.path.abspath(path))  # noqa: PTH100
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


def project_relative(path: str | Path, root: Path) -> str | None:
    """``path`` (as shown, or absolute) from ``root`` (a resolved folder), with forward slashes;
    None when it lies outside.

    The folders on the way are resolved, so a project reached through a symlinked folder still
    lies under its resolved root; the file keeps its own name, so a symlinked file is named as
    the link (as the user sees it in the tree), not as its target.
    """
    absolute = Path(os.path.abspath(path))  # noqa: PTH100
    candidates = [absolute]
    # A symlink loop on the way (RuntimeError): the path as given only.
    with contextlib.suppress(RuntimeError, OSError):
        candidates.append(absolute.parent.resolve() / absolute.name)
    for candidate in candidates:
        try:
            return candidate.relative_to(root).as_posix()
        except ValueError:
            continue
    return None
