"""Does a ``try`` (or a ``contextlib.suppress``) around a call handle its library's failures?"""

from __future__ import annotations

import libcst as cst

from fmcat.scan.knowledge import Library
from fmcat.scan.scope import Scope
from fmcat.scan.value_types import Qual, TupleValue
from fmcat.scan.values import Evaluator

#: A handler that names an expression fmcat cannot resolve (``except self.errors``) is given the
#: benefit of the doubt: reporting it would be a guess.
CATCH_ALL = "*"
_GENERIC = frozenset({"Exception", "BaseException", CATCH_ALL})


def caught_names(
    types: cst.BaseExpression | None, scope: Scope, evaluator: Evaluator
) -> frozenset[str]:
    """Qualified names an ``except`` clause catches; bare ``except:`` catches everything."""
    if types is None:
        return frozenset({CATCH_ALL})
    elements = types.elements if isinstance(types, cst.Tuple) else None
    if elements is not None:
        names: set[str] = set()
        for element in elements:
            names |= caught_names(element.value, scope, evaluator)
        return frozenset(names)
    if isinstance(types, cst.Name) and scope.lookup(types.value) is None:
        # A builtin (OSError, Exception), or a name from `from requests import *`.
        stars = scope.module().star_imports
        return frozenset({types.value, *(f"{module}.{types.value}" for module in stars)})
    value = evaluator.expr(types, scope)
    if isinstance(value, Qual):
        return frozenset({value.name})
    if isinstance(value, TupleValue):
        return frozenset(item.name for item in value.items if isinstance(item, Qual))
    return frozenset({CATCH_ALL})


def handles(caught: frozenset[str], library: Library) -> bool:
    """Does the handler catch the library's whole family (its root, a base class such as
    OSError, or everything)? Catching one subclass (``requests.HTTPError``) lets the others
    (a ConnectionError) through: see ``partial``."""
    if caught & _GENERIC:
        return True
    return all(caught & family for family in _families(library))


def _families(library: Library) -> list[frozenset[str]]:
    """The families a handler must catch, each by one of its names (nntplib: two)."""
    first = [frozenset(library.exceptions)]
    return [*first, frozenset(library.also_raises)] if library.also_raises else first


def partial(caught: frozenset[str], library: Library) -> tuple[str, ...]:
    """The library's own exceptions a handler names without its family root, and the
    family it does catch when it misses the other (``except nntplib.NNTPError``)."""
    modules = [*library.modules, *library.raised_through]
    names = {
        name
        for name in caught
        if any(name.startswith(f"{module}.") for module in modules)
        and name not in library.exceptions
    }
    covered = [caught & family for family in _families(library)]
    if len(covered) > 1 and any(covered) and not all(covered) and not caught & _GENERIC:
        names.update(*covered)
    return tuple(sorted(names))
