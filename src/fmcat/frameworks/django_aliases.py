"""Django's named caches and databases: ``caches["alias"]`` and ``connections["alias"]``.

The client table knows the default aliases (``cache.get``, ``connection.cursor()``). A call on
another alias is a call site of the same library, judged by that alias's entry in CACHES or
DATABASES (fmcat/frameworks/django.py): its timeout where the entry sets one, the entry's own
FM101 where it does not, dropped for a local backend (locmem, sqlite). An alias that is not a
literal (``connections[db_alias]``) could be any entry: its timeout is configuration.
"""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from fmcat.frameworks.django import DjangoModel, State, alias_state, judged
from fmcat.frameworks.source import Source, literal, walk
from fmcat.scan.facts import Role, Site, TimeoutState

#: The alias tables, by qualified name: (library, the table in the settings, methods that do I/O;
#: None for every method).
TABLES: dict[str, tuple[str, str, frozenset[str] | None]] = {
    "django.core.cache.caches": ("django.core.cache", "CACHES", None),
    "django.db.connections": ("django.db", "DATABASES", frozenset({"cursor"})),
}
#: Methods of a cache that do no I/O.
_NO_IO = frozenset({"make_key", "validate_key", "get_backend_timeout", "make_and_validate_key"})
#: A handler of these (or a generic one) handles the call's failure.
_ERRORS = {"django.core.cache": ("redis.", "pymemcache."), "django.db": ("django.db.",)}
_GENERIC = {"*", "Exception", "BaseException"}
_RUN_TIME = "{}[...] with an alias chosen at run time"


def alias_sites(source: Source, model: DjangoModel | None) -> list[Site]:
    sites: list[Site] = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Subscript)):
                return
            table = TABLES.get(source.qual(func.value.value) or "")
            method = func.attr.value
            if table is None or method in _NO_IO:
                return
            library, setting, methods = table
            if methods is not None and method not in methods:
                return
            elements = func.value.slice
            key = (
                literal(elements[0].slice.value)
                if len(elements) == 1 and isinstance(elements[0].slice, cst.Index)
                else None
            )
            alias = key if isinstance(key, str) else None
            state = _state(model, library, setting, alias)
            if state is None:
                return  # a local backend: not an external call
            caught = source.caught_around(node)
            handled = bool(caught & _GENERIC) or any(c.startswith(_ERRORS[library]) for c in caught)
            function = source.enclosing_function(node)
            site = Site(
                span=source.span(node),
                role=Role.CALL,
                qualname=f"{library}.{'caches' if setting == 'CACHES' else 'connections'}.{method}",
                library=library,
                timeout=TimeoutState.MISSING,
                can_fail=True,
                handled=handled,
                enclosing=source.function_name(function) if function else source.module,
                text=source.text(node)[:200],
                timeout_hint=_hint(setting, alias),
            )
            if alias is None:
                # No one entry to report at: the call itself takes its timeout from
                # configuration (judged() would leave that to an entry's own FM109).
                site = replace(
                    site, timeout=TimeoutState.CONFIG, timeout_hint=_RUN_TIME.format(setting)
                )
            elif isinstance(state, tuple):
                site = judged(site, state)
            sites.append(site)

    walk(source.tree, Finder())
    return sites


def _state(
    model: DjangoModel | None, library: str, setting: str, alias: str | None
) -> State | bool | None:
    if alias is None:
        return (TimeoutState.CONFIG, (), _RUN_TIME.format(setting))
    if model is None:
        return False
    return alias_state(model.caches if setting == "CACHES" else model.databases, alias)


def _hint(setting: str, alias: str | None) -> str:
    key = "socket_timeout" if setting == "CACHES" else "connect_timeout"
    return f"the {key!r} in {setting}[{alias or '...'!r}]['OPTIONS'] of the Django settings"
