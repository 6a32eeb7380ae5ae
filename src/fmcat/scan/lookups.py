"""The names a file's analysis asked the table for: what it depends on (reach.file_key).

The whole-project rounds analyse a file again only when the table answers one of the names
its analysis asked differently. The knowledge base's lookup tables (functions, clients,
module-level client objects, aliases) are ``Noted`` dicts: while a file is analysed (``noting``),
each name asked of them is noted, found or not, so an entry a later round adds under a name the
file asked for makes it stale, and a change to an entry it never asked for does not. The
analysis is a function of the file and of these answers: with the same answers it asks the
same names and finds the same sites.

Two answers are not one name's: the modules of the table (the project's own modules are no
shorter name of an import, project._shorter_imports) and the makers of a client (a method's
hint names the maker's timeout, calls._hint_for_client). They are noted under the keys below.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

#: Noted when the analysis reads the table's modules.
MODULES = "\0modules"
#: Noted, followed by a client's name, when it looks for the makers of that client.
MAKERS = "\0makers "

_V = TypeVar("_V")

# The names noted for the file being analysed, or None when none is (the main process).
_noted: set[str] | None = None


def note(name: str) -> None:
    if _noted is not None:
        _noted.add(name)


class Noted(dict[str, _V]):
    """A lookup table that notes each name asked of it while a file is analysed."""

    __slots__ = ()

    def get(self, key: str, default: Any = None) -> Any:
        if _noted is not None:
            _noted.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> _V:
        if _noted is not None:
            _noted.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        if _noted is not None and isinstance(key, str):
            _noted.add(key)
        return super().__contains__(key)


@contextmanager
def noting() -> Iterator[set[str]]:
    """Note the names asked of the table in the block; nested blocks note into the outer."""
    global _noted
    outer = _noted
    names: set[str] = set() if outer is None else outer
    _noted = names
    try:
        yield names
    finally:
        _noted = outer
