"""The derived table (project.py joins it) and which files reach its entries: a file is analysed
again with the table only when an entry it can reach changed (file_key), and the table answers
one of the names its analysis asked for differently (lookup_key)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

from fmcat.scan.facts import FileFacts
from fmcat.scan.knowledge import KnowledgeBase, Library
from fmcat.scan.lookups import MAKERS, MODULES


@dataclass
class Derived:
    """The derived table: libraries of project entries, and module-level client objects."""

    libraries: list[Library] = field(default_factory=list)
    instances: dict[str, str] = field(default_factory=dict)
    _index: Index | None = field(default=None, init=False, repr=False, compare=False)

    def index(self) -> Index:
        """Made on first use; the table is not changed once derived."""
        if self._index is None:
            self._index = Index.of(self)
        return self._index

    def to_json(self) -> dict[str, object]:
        return {
            "libraries": [lib.model_dump(mode="json") for lib in self.libraries],
            "instances": self.instances,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Derived:
        libraries = data.get("libraries", [])
        instances = data.get("instances", {})
        assert isinstance(libraries, list) and isinstance(instances, dict)
        return cls([Library.model_validate(lib) for lib in libraries], dict(instances))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Derived) and self.to_json() == other.to_json()

    def modules(self) -> set[str]:
        found = {lib.modules[-1] for lib in self.libraries}
        return found | {name.rpartition(".")[0] for name in self.instances}

    def entries(self) -> dict[str, str]:
        """Each name a file can reach in the table (an entry, a module-level client), with its
        module."""
        found = {name: lib.modules[-1] for lib in self.libraries for name in entry_names(lib)}
        return found | {name: name.rpartition(".")[0] for name in self.instances}

    def extend(self, kb: KnowledgeBase) -> KnowledgeBase:
        base = KnowledgeBase(
            library=[lib for lib in kb.library if not lib.project],
            resilience=kb.resilience,
            framework=kb.framework,
            wrappers=kb.wrappers,
        )
        return base.extended(self.libraries, self.instances)


def reaches(facts: FileFacts, name: str, aliases: dict[str, str] | None = None) -> bool:
    """Does code in ``facts`` call ``name`` or something in it (a method of a class, a method
    of a module-level client), by its name or by a shorter one (``aliases``)?"""
    prefix = f"{name}."
    referenced = [_unaliased(r, aliases or {}) for r in facts.summary.referenced]
    return any(r == name or r.startswith(prefix) for r in referenced)


def _unaliased(name: str, aliases: dict[str, str]) -> str:
    head = name
    while head:
        if head in aliases:
            return aliases[head] + name[len(head) :]
        head = head.rpartition(".")[0]
    return name


def entry_names(lib: Library) -> list[str]:
    return [*(c.name for c in lib.functions), *(c.name for c in lib.clients)]


def file_key(derived: Derived, facts: FileFacts) -> str:
    """A digest of the derived entries ``facts`` can reach: analysed again when it changes."""
    # The file's own entries are joined in the file (analyze.py), not taken from the table.
    index = derived.index()
    reached = _prefixes(_unaliased(r, index.aliases) for r in facts.summary.referenced)
    found = sorted({i for name in reached for i in index.by_entry.get(name, ())})
    relevant = [index.dumps[i] for i in found if index.modules[i] != facts.module]
    plain = _prefixes(facts.summary.referenced) if index.aliases else reached
    instances = {
        name: derived.instances[name]
        for name in plain & derived.instances.keys()
        if name.rpartition(".")[0] != facts.module
    }
    if not relevant and not instances:
        return ""
    # The text of json.dumps([dumps, instances], sort_keys=True), from the libraries' texts.
    text = f"[[{', '.join(relevant)}], {json.dumps(instances, sort_keys=True)}]"
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def lookup_key(derived: Derived, facts: FileFacts) -> str:
    """A digest of the table's answers to the names ``facts``' analysis asked for
    (Summary.looked_up, lookups.py), but those of its own module, which it joins itself
    (analyze.py), as file_key does. With the same answers, the analysis gives the same
    facts: a file that file_key calls stale is analysed again only when this changed too."""
    answers = derived.index().answers
    found = [
        (name, text)
        for name in facts.summary.looked_up
        for module, text in answers.get(name, ())
        if module != facts.module
    ]
    if not found:
        return ""
    return hashlib.blake2b(json.dumps(found).encode(), digest_size=12).hexdigest()


def _prefixes(names: Iterable[str]) -> set[str]:
    """Each name and its dotted prefixes: ``a.b.c`` gives a.b.c, a.b and a. A file reaches an
    entry when one of its references is the entry or something inside it (reaches)."""
    found: set[str] = set()
    for name in names:
        head = name
        while head and head not in found:
            found.add(head)
            head = head.rpartition(".")[0]
    return found


@dataclass(frozen=True)
class Index:
    """The derived table looked up by entry name, made once per table: file_key runs for
    every file in every round, and scanning the whole table for each grew with the square of
    the project."""

    aliases: dict[str, str]
    #: Entry name -> the positions of the libraries that define it.
    by_entry: dict[str, list[int]]
    #: Per library: its module, and its dump as JSON text (the digest's input): a string
    #: per library, not the dump's dicts (4.4 MB of them at once on the SDK corpus).
    modules: list[str]
    dumps: list[str]
    #: Name -> (the module of the entry, its answer as text) for each derived entry of that
    #: name (lookup_key): a function or client with its library's other fields, a module-level
    #: client, an alias; and the keys of lookups.MODULES and MAKERS.
    answers: dict[str, list[tuple[str, str]]]

    @classmethod
    def of(cls, derived: Derived) -> Index:
        by_entry: dict[str, list[int]] = {}
        for i, lib in enumerate(derived.libraries):
            for name in dict.fromkeys(entry_names(lib)):
                by_entry.setdefault(name, []).append(i)
        dumps = [lib.model_dump(mode="json") for lib in derived.libraries]
        return cls(
            {short: long for lib in derived.libraries for short, long in lib.aliases.items()},
            by_entry,
            [lib.modules[-1] for lib in derived.libraries],
            [json.dumps(dump, sort_keys=True) for dump in dumps],
            _answers(derived, dumps),
        )


def _answers(derived: Derived, dumps: list[dict[str, object]]) -> dict[str, list[tuple[str, str]]]:
    """What the table answers for each name a Noted lookup may ask (lookups.py)."""
    answers: dict[str, list[tuple[str, str]]] = {}

    def add(name: str, module: str, answer: object) -> None:
        answers.setdefault(name, []).append((module, json.dumps(answer, sort_keys=True)))

    for lib, dump in zip(derived.libraries, dumps, strict=True):
        module = lib.modules[-1]
        # A function's or a client's library comes with it: its exceptions, its modules.
        header = {key: value for key, value in dump.items() if key not in ("functions", "clients")}
        # The library's dump holds each function's and client's own, in order: not dumped again.
        functions = cast("list[object]", dump["functions"])
        for call, call_dump in zip(lib.functions, functions, strict=True):
            add(call.name, module, ["function", header, call_dump])
            if call.returns and call.timeout:
                add(MAKERS + call.returns, "", [call.name, call.timeout[0].keyword])
        clients = cast("list[object]", dump["clients"])
        for client, client_dump in zip(lib.clients, clients, strict=True):
            add(client.name, module, ["client", header, client_dump])
        for alias, real in lib.aliases.items():
            add(alias, module, ["alias", real])
    for name, kind in derived.instances.items():
        add(name, name.rpartition(".")[0], ["instance", kind])
    tops = sorted({m.partition(".")[0] for lib in derived.libraries for m in lib.modules})
    add(MODULES, "", tops)
    return answers
