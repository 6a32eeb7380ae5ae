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
    if caught & _GENERIC:
        return True
    if caught & set(library.exceptions):
        return True
    # Any exception of the library's own (requests.exceptions.Timeout) shows the failure was
    # thought about; which ones to catch is the author's call, not a lint's.
    return any(name.startswith(f"{module}.") for name in caught for module in library.modules)
