"""What a change did to a dependency's declared policy, and what that does to the worst case.

Each policy setting is one dotted key (`retry.attempts`) with its value as written (`3`,
`1.2s`), so the checklist can show `retry.attempts: 3 → 4` in a table; the worst case is
recomputed on both sides (`catalog/worst_case.py`, as FM017 does) for every operation with a
latency budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from fmcat.catalog.model import Dependency, Mechanism, Policies
from fmcat.catalog.worst_case import worst_case


@dataclass(frozen=True)
class PolicyChange:
    key: str
    #: As written; None when the setting is absent on that side.
    before: str | None
    after: str | None

    @property
    def mechanism(self) -> str:
        """`timeout`, `retry`, `circuit_breaker`, `bulkhead` or `fallback`."""
        return self.key.split(".", 1)[0]


@dataclass(frozen=True)
class WorstCaseChange:
    operation: str
    budget: str
    before: str | None
    after: str | None
    #: Whether the new worst case fits the budget; None when there is no worst case after.
    fits: bool | None


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return str(value)


def settings(policies: Policies) -> dict[str, str]:
    """Every declared setting as `mechanism.field` (or `fallback`) -> its value as written."""
    found: dict[str, str] = {}

    def walk(prefix: str, model: BaseModel) -> None:
        for name in type(model).model_fields:
            value = getattr(model, name)
            key = f"{prefix}.{name}" if prefix else name
            if isinstance(value, BaseModel):
                walk(key, value)
            elif value is not None and value != []:
                found[key] = _shown(value)

    walk("", policies)
    return found


def policy_changes(before: Dependency | None, after: Dependency) -> tuple[PolicyChange, ...]:
    """The settings that differ, in the order the model declares them (new entry: all)."""
    old = settings(before.policies) if before is not None else {}
    new = settings(after.policies)
    keys = list(new) + [key for key in old if key not in new]
    return tuple(
        PolicyChange(key, old.get(key), new.get(key))
        for key in keys
        if old.get(key) != new.get(key)
    )


def changed_mechanisms(changes: tuple[PolicyChange, ...]) -> frozenset[Mechanism]:
    names: set[Any] = {change.mechanism for change in changes}
    return frozenset(names)


def worst_case_changes(before: Dependency | None, after: Dependency) -> tuple[WorstCaseChange, ...]:
    """For each operation with a budget: the worst case before and after, and whether it fits."""
    old = worst_case(before.policies) if before is not None else None
    new = worst_case(after.policies)
    rows = []
    for operation in after.operations:
        budget = operation.latency_budget
        if budget is None:
            continue
        rows.append(
            WorstCaseChange(
                operation.name,
                str(budget),
                old.formula() if old else None,
                new.formula() if new else None,
                new.total.seconds <= budget.seconds if new else None,
            )
        )
    return tuple(rows)
