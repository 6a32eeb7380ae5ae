"""Which files can matter: those that import a known library and name one of its entry points.

Two steps. On the bytes (or on the NFKC-normalised text, when the file is not ASCII), a
necessary condition that costs a few regular-expression matches: an import statement may name
the first part of some library's module (`requests`; `http` for http.client), continuation
lines, `;` and `try: import x` included. Most files stop there. The rest are tokenized (in the
parse workers) and judged on their import statements and identifiers, NFKC-normalised as
Python reads them.

It may let a file through for nothing (it is then parsed and yields no site), but never stops
one that imports a library and calls into it in any way the analysis follows.
"""

from __future__ import annotations

import fnmatch
import re
import sys
import unicodedata
from collections.abc import Iterable
from typing import Protocol

from fmcat.scan.scope import resolve_relative
from fmcat.scan.tokens import TokenFacts, decode

#: The first two lines, where a PEP 263 encoding cookie may be.
_HEAD = re.compile(rb"[^\r\n]*(?:\r\n?|\n)?[^\r\n]*")


#: Space within a statement, continuation lines included.
_GAP = r"(?:[ \t\f]|\\(?:\r\n?|\n))*"
#: Where an import statement can start; the pattern below is tried at each.
_KEYWORD = r"\b(?:from|import)\b"


def _import_pattern(words: list[str], relative: bool) -> str:
    """An import statement, from its first keyword, that may name one of ``words`` (the first
    parts of the libraries' modules): `from WORD`, or `import` and a comma-separated list that
    reaches `WORD`. It may match where no such import is (in a string), never miss one: an
    `import` list holds no brackets, comments or line ends except escaped ones, and the module
    of a `from` comes first."""
    names = "(?:" + "|".join(re.escape(w) for w in words) + ")" if words else "(?!)"
    alternatives = [
        rf"from{_GAP}{names}\b",
        rf"import{_GAP}(?:[\w.]+{_GAP}(?:as{_GAP}\w+{_GAP})?,{_GAP})*{names}\b",
    ]
    if relative:
        alternatives.append(rf"from{_GAP}\.")  # any relative import may reach the project
    return "|".join(alternatives)


class Wants(Protocol):
    """What the parse workers ask of a file's tokens: the per-file phase's Prefilter, or a
    round's (rounds.RoundFilter)."""

    def wants(self, facts: TokenFacts, module: str = "") -> bool: ...


class Prefilter:
    def __init__(
        self, libraries: Iterable[tuple[Iterable[str], Iterable[str]]], relative: bool
    ) -> None:
        #: Per library: its module names, and the names a file must use (empty: any).
        self.libraries: list[tuple[list[str], frozenset[str]]] = []
        words: set[str] = set()
        literals: set[str] = set()
        for modules, entry_points in libraries:
            modules = sorted(set(modules))
            names = frozenset(n for n in entry_points if n.isidentifier())
            self.libraries.append((modules, names))
            for module in modules:
                first = module.split(".")[0]
                if any(ch in first for ch in "*?["):
                    # A glob (`*_pb2_grpc`): its longest literal part, anywhere in the file
                    # (`from app.protos import inventory_pb2_grpc`).
                    literals.add(max(re.split(r"[*?\[\]]", first), key=len))
                else:
                    words.add(first)
        self.relative = relative
        literals.discard("")
        pattern = _import_pattern(sorted(words), relative)
        self._bytes = (re.compile(_KEYWORD.encode()), re.compile(pattern.encode()))
        self._text = (re.compile(_KEYWORD), re.compile(pattern))
        self._literals = sorted(literals)

    def may_matter(self, source: bytes) -> bool:
        """False only when no import of a library can be in the file (no tokenizing)."""
        head = _HEAD.match(source)
        if source.isascii() and (head is None or b"coding" not in head[0]):
            keyword, statement = self._bytes
            if any(literal.encode() in source for literal in self._literals):
                return True
            return any(statement.match(source, m.start()) for m in keyword.finditer(source))
        # Another encoding, or identifiers that NFKC may turn into a library's name.
        text = unicodedata.normalize("NFKC", decode(source)[0])
        keyword_text, statement_text = self._text
        if any(literal in text for literal in self._literals):
            return True
        return any(statement_text.match(text, m.start()) for m in keyword_text.finditer(text))

    def wants(self, facts: TokenFacts, module: str = "") -> bool:
        """From the tokens of a file that ``may_matter``; ``module`` is the file's own."""
        if facts.incomplete:
            return True  # the tokenizer stopped early: let the parser judge the whole file
        if self.relative and facts.relative:
            return True
        return any(
            _imports(facts.imports, modules)
            and (not names or not names.isdisjoint(facts.names))
            # A module of the library itself names its entry points by its own definitions
            # (`cls.search(...)` in stripe's Charge is `stripe._charge.Charge.search`).
            and (_inside(module, facts, modules, names) or _used(facts, modules, names))
            for modules, names in self.libraries
        )


def _used(facts: TokenFacts, modules: list[str], names: frozenset[str]) -> bool:
    """Is a name that an import of ``modules`` binds used in a way that may reach one of the
    library's ``names`` (any way, when it has none)? The analysis reaches a library only
    through such a name: `requests.get(...)`, `get(...)` after `from requests import get`, a
    `requests.Session` annotation, or the name passed on (`http = requests`, a base class),
    which may be anything. A file that imports `socket` for `except socket.gaierror` alone, or
    an SDK's module that raises its own `StripeError(...)`, calls nothing."""
    for imported, bound in facts.bindings:
        if not _imports({imported}, modules):
            continue
        if bound == "*":
            return True
        attributes = facts.uses.get(bound)
        quoted = facts.quoted.get(bound)
        if attributes is None and quoted is None:
            continue  # imported and never used (a re-export)
        if not names or bound in facts.bare:
            return True
        if not names.isdisjoint(attributes or ()) or not names.isdisjoint(quoted or ()):
            return True
        # Used in any way when it names one of the library's entry points (an annotation
        # `s3: BaseClient` makes a client), unless it is the module itself (`socket`, whose
        # client is `socket.socket`); else not when only called (a call of `StripeError(...)`
        # or `ListObject(...)` is no site).
        # Not when it only annotates names it hands on (inert): an SDK's event class that
        # takes `client: "StripeClient"` to give it to its base class calls nothing.
        plain = imported == bound or imported.startswith(bound + ".")  # `import socket`
        if not plain and imported.rpartition(".")[2] in names and not inert(facts, bound):
            return True
    return False


def inert(facts: TokenFacts, bound: str) -> bool:
    """Can the analysis reach nothing through the name ``bound`` (an import binds it)? So when
    it is read only in the annotations of plain names (`def __init__(self, version: Version)`,
    `v: Version = ...`), each of which is only ever passed on as a call's argument
    (`super().__init__(version)`), or never read at all (a re-export).

    The analysis reaches a client through a name by calling it, an attribute of it, or what it
    is bound to (`=`, `:=`, `with ... as`, a dict's or tuple's value, a return); the tokens show
    each of these (TokenFacts.bare, called, uses). An annotated name is a client only where it
    is read, and a call's argument is judged only as the argument of a call that reaches a
    client by another way (client_arguments binds a parameter to a client class, never to the
    instance an annotation makes). A return annotation (`-> Version`: calling the function
    gives a client) or an annotated attribute (`self.v: Version`) is not followed here: the
    name is then not inert. An annotation in a string (`client: "StripeClient"`) is one too,
    as the analysis reads it."""
    if bound == "*" or bound in facts.unannotated:
        return False
    return all(target and _passed_on(facts, target) for target in facts.annotating.get(bound, ()))


def _passed_on(facts: TokenFacts, name: str) -> bool:
    """Is ``name`` read only as a call's argument: never called, with an attribute, bound to
    another name (TokenFacts.bare), in a string, nor the attribute of anything (`self.name`,
    which a class's annotated attribute `name: Version` may be read as)?"""
    if name in facts.bare or name in facts.called or facts.uses.get(name) or name in facts.quoted:
        return False
    attributes = [*facts.uses.values(), *facts.quoted.values()]
    return not any(name in names for names in attributes)


def _inside(module: str, facts: TokenFacts, modules: list[str], names: frozenset[str]) -> bool:
    """A module of the library that calls one of its entry points or names one (they may be
    its own definitions, which it reaches without an import). Defining one (`def create(`)
    is neither: a definition is analysed for the calls in it."""
    if not any(module == m or module.startswith(m + ".") for m in modules if m[:1] != "*"):
        return False
    if not names or not names.isdisjoint(facts.calls):
        return True
    # A name read only in the annotations of names it hands on reaches nothing (inert).
    return any(name in facts.uses and not inert(facts, name) for name in names)


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


# --- What a file's imports bind, read from its bytes (the whole-project rounds) ----------

_DOTTED_NAME = rf"\w+(?:{_GAP}\.{_GAP}\w+)*"
#: `from`, its dots and module, `import`, and an opening bracket if the names are in one.
_FROM = (
    rf"from{_GAP}(?P<dots>(?:\.{_GAP})*)(?P<base>{_DOTTED_NAME})?{_GAP}"
    rf"(?P<keyword>import){_GAP}(?P<open>\()?"
)
#: The names of an import without brackets: the rest of the logical line, up to `;` or `#`
#: (an import statement holds no strings, so neither can be anything else there).
_LINE_REST = r"(?:[^\r\n\\;#]|\\(?:\r\n?|\n)?)*"
_IMPORT = rf"import{_GAP}(?P<names>{_DOTTED_NAME}(?:{_GAP}(?:as|,){_GAP}{_DOTTED_NAME})*)"
_SPACE = re.compile(r"[\s\\]+")


class _Grammar:
    """The patterns for bytes or for text (a file that is not ASCII is read NFKC-normalised)."""

    def __init__(self, kind: type[str] | type[bytes]) -> None:
        def make(pattern: str) -> re.Pattern[str]:
            return re.compile(pattern.encode() if kind is bytes else pattern)  # type: ignore[arg-type]

        self.keyword = make(_KEYWORD)
        self.from_ = make(_FROM)
        self.rest = make(_LINE_REST)
        self.import_ = make(_IMPORT)
        self.comment = make(r"#[^\r\n]*")


_BYTES = _Grammar(bytes)
_TEXT = _Grammar(str)


def ascii_text(source: bytes) -> bytes | str:
    """``source`` itself when it is ASCII with no encoding cookie, else its text, NFKC-
    normalised as Python reads identifiers."""
    head = _HEAD.match(source)
    if source.isascii() and (head is None or b"coding" not in head[0]):
        return source
    return unicodedata.normalize("NFKC", decode(source)[0])


def bound_imports(source: bytes | str, module: str, is_package: bool) -> frozenset[str]:
    """What the file's import statements make reachable, as dotted names, with relative
    imports resolved against its ``module`` as the analysis does (scope.BindingCollector): a
    name the file can refer to is one of these or inside one. `from a.b import c as d` gives
    a.b.c, `from a.b import *` a.b, `import a.b.c as d` a.b.c, and `import a.b.c` a (which
    it binds). ``source`` comes from ascii_text.

    Read from every `from` and `import` keyword, in brackets over lines, after `;` and across
    continuation lines, so it may find imports that are not there (in a string), never miss
    one."""
    grammar = _BYTES if isinstance(source, bytes) else _TEXT
    found: set[str] = set()
    text: str | bytes
    of_from: set[int] = set()  # the `import` of each `from ... import`, not one of its own
    for keyword in grammar.keyword.finditer(source):  # type: ignore[arg-type]
        start = keyword.start()
        if start in of_from:
            continue
        statement = grammar.from_.match(source, start)  # type: ignore[arg-type]
        if statement is not None:
            of_from.add(statement.start("keyword"))
            base = _plain(statement["base"] or "")
            dots = _plain(statement["dots"] or "")
            if dots:
                base = resolve_relative(module, is_package, len(dots), base or None)
            if statement["open"]:
                text = _bracketed(source, statement.end(), grammar)
            else:
                rest = grammar.rest.match(source, statement.end())  # type: ignore[arg-type]
                text = rest[0] if rest else source[:0]
            for item in _plain(text).split(","):
                name = item.split()[0] if item.split() else ""
                if name == "*":
                    found.add(base)
                elif name.isidentifier():
                    found.add(f"{base}.{name}" if base else name)
            continue
        statement = grammar.import_.match(source, start)  # type: ignore[arg-type]
        if statement is None:
            continue
        for item in _plain(statement["names"]).split(","):
            words = item.split()
            if not words:
                continue
            name = words[0]
            found.add(name if len(words) > 1 else name.partition(".")[0])
    found.discard("")
    return frozenset(map(sys.intern, found))  # the same names recur across a project's files


def _plain(part: str | bytes) -> str:
    """A dotted name or list as written, without continuation lines and space in dotted
    names (`a . b` is a.b); words stay apart."""
    text = part if isinstance(part, str) else part.decode("ascii")
    text = text.replace("\\\r\n", " ").replace("\\\n", " ").replace("\\\r", " ")
    return re.sub(r"\s*\.\s*", ".", text)


def _bracketed(source: str | bytes, start: int, grammar: _Grammar) -> str | bytes:
    """The names inside an import's brackets from ``start`` to the closing one, comments
    left out (a `)` in a comment does not close them); to the end when none does."""
    close, ends = (")", "\r\n") if isinstance(source, str) else (b")", b"\r\n")
    end = start
    while True:
        found = source.find(close, end)  # type: ignore[arg-type]
        if found < 0:
            found = len(source)
            break
        line = max(start, *(source.rfind(ends[i : i + 1], 0, found) + 1 for i in (0, 1)))  # type: ignore[arg-type]
        if grammar.comment.search(source, line, found) is None:  # type: ignore[arg-type]
            break
        # In a comment: on from the end of its line.
        after = [source.find(ends[i : i + 1], found) for i in (0, 1)]  # type: ignore[arg-type]
        end = min((a for a in after if a >= 0), default=len(source))
    return grammar.comment.sub(source[:0], source[start:found])  # type: ignore[arg-type]
