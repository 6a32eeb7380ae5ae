"""The whole-project join: project code that wraps a known client becomes a derived client.

Step one (analyze.py, per file, cached) leaves each file's sites and a summary: the functions
that make external calls, with their parameters; the classes whose methods do, or that subclass
a client; factories; module-level clients. Step two, here, joins those summaries across the
project into table entries of the same schema as clients.toml (knowledge.Library), marked
``project``. The files that can reach them are then analysed again with the extended table, so a
call through ``lib.curl.get`` is judged like a call to the library, and so on until nothing
changes (at most MAX_ROUNDS rounds: one per level of a wrapper chain).

How a wrapper's timeout parameter follows from its code:

- the library's timeout comes from one of its parameters (``requests.get(url, timeout=timeout)``,
  ``c.setopt(pycurl.TIMEOUT, timeout)``, or ``**kwargs`` passed on): that parameter is the
  derived client's, and its default decides a call without it (None: no timeout; 5: bounded);
- every call it makes sets a timeout: its callers get one;
- otherwise the timeout is judged inside it, and its callers are not asked for one.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from fmcat.scan.facts import FileFacts, FunctionSummary, Parameter, Role, Site, TimeoutState
from fmcat.scan.knowledge import Call, Client, KnowledgeBase, Library, Param
from fmcat.scan.reach import Derived, entry_names, reaches

#: Rounds of re-analysis, and so the longest wrapper chain followed (a wrapper of a wrapper of ...).
MAX_ROUNDS = 8
#: Parameter names that carry the URL of a wrapper's call, for attribution by `match: url:`.
_URL_PARAMS = ("url", "uri", "endpoint", "address")


def without_module(kb: KnowledgeBase, module: str) -> KnowledgeBase:
    """The table less the derived entries of ``module`` (its file joins its own)."""
    return KnowledgeBase(
        library=[lib for lib in kb.library if not (lib.project and lib.modules[-1] == module)],
        resilience=kb.resilience,
        framework=kb.framework,
        wrappers=kb.wrappers,
        instances=kb.instances,
    )


def local_table(facts: FileFacts, kb: KnowledgeBase) -> list[Library] | None:
    """The derived entries of one file that the file itself calls, or None if it calls none."""
    derived = derive([facts], kb)
    libraries = [
        lib
        for lib in derived.libraries
        if lib.modules[-1] == facts.module
        and any(reaches(facts, name) for name in entry_names(lib))
    ]
    return libraries or None


def _shorter_imports(
    files: list[FileFacts], modules: set[str], kb: KnowledgeBase
) -> dict[str, dict[str, str]]:
    """Project modules imported by a shorter name, by module: a service run from a folder
    inside its package tree (Django's manage.py folder on sys.path) writes ``from
    core.utils.io import get`` for ``label_studio.core.utils.io``. An import that names no
    module of the project nor a library, and is the tail of exactly one module defining a
    derived client, is that module."""
    known = {facts.module for facts in files}
    taken = _tops(known) | _tops(set(kb.modules)) | set(sys.stdlib_module_names)
    # The modules by each of their dotted tails (`utils.io` and `io` of `core.utils.io`), so
    # that each import is looked up, not held against every module.
    tails: dict[str, list[str]] = {}
    for module in sorted(modules):
        parts = module.split(".")
        for start in range(1, len(parts)):
            tails.setdefault(".".join(parts[start:]), []).append(module)
    found: dict[str, dict[str, str]] = {}
    for facts in files:
        for name in facts.summary.imports:
            top = name.partition(".")[0]
            if not top or top in taken:
                continue
            head = name  # `core.utils.io.get` (a name imported from it) or the module
            while head:
                matches = tails.get(head, [])
                if len(matches) == 1:
                    found.setdefault(matches[0], {})[head] = matches[0]
                    break
                head = head.rpartition(".")[0]
    return found


def _tops(modules: set[str]) -> set[str]:
    return {module.partition(".")[0] for module in modules}


# -- the join ------------------------------------------------------------------------------


@dataclass
class _Function:
    facts: FileFacts
    summary: FunctionSummary
    sites: list[Site] = field(default_factory=list)


def derive(files: Iterable[FileFacts], kb: KnowledgeBase) -> Derived:
    files = [f for f in files if f.parse_error is None]
    base = {lib.name: lib for lib in kb.library if not lib.project}
    functions: dict[str, _Function] = {}
    for facts in files:
        for summary in facts.summary.functions:
            functions[summary.qualname] = _Function(facts, summary)
    for facts in files:
        for site in facts.sites:
            # A function calling itself adds nothing to what it does.
            if (
                site.role is Role.CALL
                and site.enclosing in functions
                and site.qualname != site.enclosing
            ):
                functions[site.enclosing].sites.append(site)
    grounded = _grounded(functions)
    # (module, library) -> the entries of one derived library
    calls: dict[tuple[str, str], list[Call]] = {}
    methods: dict[str, tuple[str, str, list[Call]]] = {}  # class -> (module, library, methods)
    for name, function in sorted(functions.items()):
        entry = _entry(function, grounded) if name in grounded else None
        library = _library_of(function, grounded)
        if entry is None:
            returns = function.summary.returns
            if not returns:
                continue
            entry, library = (
                Call(name=name, fails=False, returns=returns[0]),
                _owner(returns[0], kb),
            )
        if library not in base:
            continue
        module = function.facts.module
        owner, _, method = name.rpartition(".")
        if function.summary.is_method:
            methods.setdefault(owner, (module, library, []))[2].append(
                entry.model_copy(update={"name": method})
            )
        else:
            calls.setdefault((module, library), []).append(entry)
    clients: dict[tuple[str, str], list[Client]] = {}
    for facts in files:
        for klass in facts.summary.classes:
            made = _class_entries(klass.qualname, klass.bases, klass.methods, methods, kb)
            if made is None:
                continue
            library, client, constructor = made
            if library not in base:
                continue
            clients.setdefault((facts.module, library), []).append(client)
            calls.setdefault((facts.module, library), []).append(constructor)
    libraries = []
    shorter = _shorter_imports(files, {module for module, _ in {*calls, *clients}}, kb)
    for module, library in sorted({*calls, *clients}):
        lib = base[library]
        libraries.append(
            Library(
                name=lib.name,
                modules=[*lib.modules, module],
                aliases=shorter.get(module, {}),
                exceptions=lib.exceptions,
                also_raises=lib.also_raises,
                raised_through=lib.raised_through,
                default_timeout="none",
                functions=calls.get((module, library), []),
                clients=clients.get((module, library), []),
                project=True,
            )
        )
    instances = {
        f"{facts.module}.{name}": kind
        for facts in files
        for name, kind in facts.summary.instances
        if facts.module
    }
    return Derived(libraries, dict(sorted(instances.items())))


def _grounded(functions: dict[str, _Function]) -> set[str]:
    """Functions that reach a library call, directly or through other project functions. A
    cycle of wrappers that reaches none (left from an earlier run's table) is not a client."""
    # A call to a derived client defined elsewhere (in the table, so grounded there) counts.
    elsewhere = {
        _target(s) for f in functions.values() for s in f.sites if s.derived
    } - functions.keys()
    grounded = elsewhere | {
        name
        for name, f in functions.items()
        if any(not s.derived or _target(s) in elsewhere for s in f.sites)
    }
    changed = True
    while changed:
        changed = False
        for name, function in functions.items():
            if name in grounded:
                continue
            if any(_target(s) in grounded for s in function.sites if s.derived):
                grounded.add(name)
                changed = True
    return grounded


def _target(site: Site) -> str:
    return site.qualname


def _counts(site: Site, grounded: set[str]) -> bool:
    return not site.derived or _target(site) in grounded


def _library_of(function: _Function, grounded: set[str]) -> str:
    sites = [s for s in function.sites if _counts(s, grounded)]
    escaping = [s for s in sites if s.can_fail and not s.handled]
    chosen = escaping or sites
    return chosen[0].library if chosen else ""


def _owner(client: str, kb: KnowledgeBase) -> str:
    found = kb.clients.get(client)
    return found[0].name if found is not None else ""


def _entry(function: _Function, grounded: set[str]) -> Call | None:
    sites = [s for s in function.sites if _counts(s, grounded)]
    if not sites:
        return None
    params = {p.name: p for p in function.summary.params}
    fails = any(s.can_fail and not s.handled for s in sites)
    url = next(
        (Param(p.name, p.position) for p in function.summary.params if p.name in _URL_PARAMS),
        None,
    )
    name = function.summary.qualname
    flowing = next((s for s in sites if s.timeout_param), None)
    if flowing is None and not fails:
        # Handles what it calls and gives no timeout of its own: nothing for its callers to
        # judge (and leaving it out keeps the files that call it from being parsed for it).
        return None
    if flowing is not None:
        timeout = _flowing_timeout(flowing, params)
        if timeout is not None:
            param, default = timeout
            return Call(
                name=name,
                timeout=[param],
                default_timeout="none"
                if default is None or default == "none"
                else (default if isinstance(default, float) else None),
                default_is_set=default not in (None, "none"),
                fails=fails,
                url=url,
            )
    if all(s.timeout in (TimeoutState.SET, TimeoutState.CONTEXT) for s in sites):
        seconds = [v for s in sites for v in s.timeout_values]
        return Call(
            name=name,
            default_timeout=max(seconds) if seconds else None,
            default_is_set=True,
            fails=fails,
            url=url,
        )
    return Call(name=name, fails=fails, url=url)


def _flowing_timeout(
    site: Site, params: dict[str, Parameter]
) -> tuple[Param, str | float | None] | None:
    """The wrapper's parameter that reaches the library's timeout, and its default."""
    if site.timeout_param == "**":
        keyword = site.timeout_hint[:-1] if site.timeout_hint.endswith("=") else ""
        return (Param(keyword), None) if keyword.isidentifier() else None
    param = params.get(site.timeout_param)
    if param is None:
        return None
    default: str | float | None = None if param.default == "none" else param.default
    return Param(param.name, param.position), default


def _class_entries(
    qualname: str,
    bases: tuple[str, ...],
    defined: tuple[str, ...],
    methods: dict[str, tuple[str, str, list[Call]]],
    kb: KnowledgeBase,
) -> tuple[str, Client, Call] | None:
    """A class with derived methods, or a subclass of a client: a client type of its own."""
    own = methods.get(qualname)
    inherited: list[Call] = []
    timeout_on: Literal["call", "client", "either"] = "call"
    library = own[1] if own is not None else ""
    constructor = Call(name=qualname, fails=False, returns=qualname)
    for base in bases:
        found = kb.clients.get(base)
        if found is None:
            continue
        lib, client = found
        library = library or lib.name
        timeout_on = client.timeout_on
        # A subclass that overrides a network method (``request`` or ``send``, which the
        # others go through in requests) may well set the timeout there, the pattern requests'
        # docs suggest: then nothing is claimed about its calls. One that adds nothing is the
        # library's client under another name.
        overrides = any(call.name in defined for call in client.methods)
        for call in client.methods:
            if overrides:
                call = call.model_copy(update={"default_is_set": True, "timeout": []})
            inherited.append(call)
        maker = kb.functions.get(base)
        if maker is not None:
            constructor = maker[1].model_copy(update={"name": qualname, "returns": qualname})
        break
    if own is None and not inherited:
        return None
    names = {call.name for call in own[2]} if own is not None else set()
    every = [*(own[2] if own is not None else []), *(c for c in inherited if c.name not in names)]
    client = Client(name=qualname, timeout_on=timeout_on, methods=every)
    return library, client, constructor
