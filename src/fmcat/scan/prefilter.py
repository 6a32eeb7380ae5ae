"""Which files can matter: those that import a known library and name one of its entry points.

Two steps. On the bytes, a necessary condition that costs one regular-expression search: the
first part of some library's module name (`requests`, `http` for http.client) occurs in the
file at all. Most files stop there. The rest are tokenized (in the parse workers) and judged on
their import statements and identifiers, NFKC-normalised as Python reads them.

It may let a file through for nothing (it is then parsed and yields no site), but never stops
one that imports a library and calls into it in any way the analysis follows.
"""

from __future__ import annotations

import fnmatch
import re
import unicodedata
from collections.abc import Iterable

from fmcat.scan.tokens import TokenFacts, decode

#: The first two lines, where a PEP 263 encoding cookie may be.
_HEAD = re.compile(rb"[^\r\n]*(?:\r\n?|\n)?[^\r\n]*")


class Prefilter:
    def __init__(
        self, libraries: Iterable[tuple[Iterable[str], Iterable[str]]], relative: bool
    ) -> None:
        #: Per library: its module names, and the names a file must use (empty: any).
        self.libraries: list[tuple[list[str], frozenset[str]]] = []
        words: set[str] = set()
        for modules, entry_points in libraries:
            modules = sorted(set(modules))
            names = frozenset(n for n in entry_points if n.isidentifier())
            self.libraries.append((modules, names))
            # A glob (`*_pb2_grpc`) is searched for by its longest literal part.
            words.update(max(re.split(r"[*?\[\]]", m.split(".")[0]), key=len) for m in modules)
        self.relative = relative
        words.discard("")
        if relative:
            words.add("from")  # `from . import x`: any relative import may matter
        pattern = "|".join(sorted(re.escape(w) for w in words)) or r"(?!)"
        self._bytes = re.compile(pattern.encode())
        self._text = re.compile(pattern)

    def may_matter(self, source: bytes) -> bool:
        """False only when no import of a library can be in the file (no tokenizing)."""
        head = _HEAD.match(source)
        if source.isascii() and (head is None or b"coding" not in head[0]):
            return self._bytes.search(source) is not None
        # Another encoding, or identifiers that NFKC may turn into a library's name.
        text, _ = decode(source)
        return self._text.search(unicodedata.normalize("NFKC", text)) is not None

    def wants(self, facts: TokenFacts) -> bool:
        """From the tokens of a file that ``may_matter``."""
        if facts.incomplete:
            return True  # the tokenizer stopped early: let the parser judge the whole file
        if self.relative and facts.relative:
            return True
        return any(
            _imports(facts.imports, modules) and (not names or not names.isdisjoint(facts.names))
            for modules, names in self.libraries
        )


def _imports(imported: set[str], modules: list[str]) -> bool:
    """Does any imported name reach one of ``modules``: the module itself, a submodule, or a
    parent package it is then reached through (`import urllib` and `urllib.request.urlopen`)."""
    for name in imported:
        for module in modules:
            if "*" in module or "?" in module or "[" in module:
                if any(fnmatch.fnmatchcase(part, module) for part in name.split(".")):
                    return True
            elif name == module or name.startswith(module + ".") or module.startswith(name + "."):
                return True
    return False
