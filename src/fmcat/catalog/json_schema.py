"""The catalog format as JSON Schema, in the draft-07 dialect yaml-language-server reads."""

from __future__ import annotations

import json
from typing import Any

from fmcat.catalog.model import Dependency

SCHEMA_ID = "https://fmcat.dev/schema/catalog.schema.json"


def catalog_schema() -> dict[str, Any]:
    schema = Dependency.model_json_schema(ref_template="#/definitions/{model}")
    definitions = schema.pop("$defs", {})
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        **schema,
        "definitions": definitions,
    }


def catalog_schema_text() -> str:
    return json.dumps(catalog_schema(), indent=2, sort_keys=False) + "\n"
