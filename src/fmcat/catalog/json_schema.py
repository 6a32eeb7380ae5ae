"""The catalog format as JSON Schema, in the draft-07 dialect yaml-language-server reads.

A catalog file is one of two shapes: a whole dependency (`Dependency`), or a service's
reference to a shared dependency with the service's own part (`SharedUse`, a file with
`uses:`; docs/org.md). The schema picks the shape by the `uses` key (draft-07's
`if`/`then`/`else`), so an editor reports the errors of the shape the file is, not a
union of both.
"""

from __future__ import annotations

import json
from typing import Any

from fmcat.catalog.model import Dependency
from fmcat.catalog.uses import SharedUse

SCHEMA_ID = "https://fmcat.dev/schema/catalog.schema.json"
_REF = "#/definitions/{model}"


def _definitions(model: type[Dependency] | type[SharedUse]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=_REF)
    definitions: dict[str, Any] = schema.pop("$defs", {})
    return {**definitions, model.__name__: schema}


def catalog_schema() -> dict[str, Any]:
    definitions = {**_definitions(Dependency), **_definitions(SharedUse)}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "fmcat catalog file",
        "description": "One dependency and how it fails; or, with `uses:`, a service's part of "
        "a shared dependency",
        "type": "object",
        "if": {"required": ["uses"]},
        "then": {"$ref": _REF.format(model="SharedUse")},
        "else": {"$ref": _REF.format(model="Dependency")},
        "definitions": dict(sorted(definitions.items())),
    }


def catalog_schema_text() -> str:
    return json.dumps(catalog_schema(), indent=2, sort_keys=False) + "\n"
