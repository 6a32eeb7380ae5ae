"""How paths are shown: relative to the current directory when under it, as ruff and mypy do."""

from __future__ import annotations

import os
from pathlib import Path


def display_path(path: Path) -> str:
    # abspath, not resolve(): a symlinked folder is shown under the name the user gave it.
    absolute = Path(os.path.abspath(path))  # noqa: PTH100
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()
