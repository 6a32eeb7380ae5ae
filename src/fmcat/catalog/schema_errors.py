"""pydantic validation errors of a catalog file, as FM002 findings at the value (or key) at fault.

The wording is fmcat's one translation, ``fmcat/schema_messages.py``.
"""

from __future__ import annotations

from pydantic import BaseModel, ValidationError

from fmcat.catalog.checks.fm002_schema_violation import SchemaViolation
from fmcat.catalog.source import Source
from fmcat.findings import Finding
from fmcat.schema_messages import dotted, problems

__all__ = ["dotted", "schema_findings"]

#: What a catalog file must be, for "expected ..., got a list".
TOP = "a mapping that starts with `dependency:`"


def schema_findings(error: ValidationError, source: Source, root: type[BaseModel]) -> list[Finding]:
    return [
        SchemaViolation.located(source.locate(problem.loc, at_key=problem.at_key), problem.message)
        for problem in problems(error, root, top=TOP)
    ]
