"""Which values of a catalog file still say TODO: `fmcat init` writes them, people fill them in.

Only values count, not comments: a comment is a note to the next editor, while a value is what
the runbook shows to the engineer on call.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fmcat.catalog.yaml_guard import Key

_TODO = re.compile(r"\bTODO\b")


def todo_values(data: Any, path: tuple[Key, ...] = ()) -> Iterator[tuple[Key, ...]]:
    """The path of every text value (or key) that holds the word TODO, in file order."""
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str) and _TODO.search(key):
                yield (*path, key)
            else:
                yield from todo_values(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from todo_values(value, (*path, index))
    elif isinstance(data, str) and _TODO.search(data):
        yield path


def shown(path: tuple[Key, ...]) -> str:
    """`failure_modes[0].impact`: a path as a reader finds it in the file."""
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out
