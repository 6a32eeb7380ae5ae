"""`fmcat schema`: draft-07 JSON Schema that matches the model and the committed copy."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
from ruamel.yaml import YAML

from fmcat.catalog.checks import CATALOG_CHECKS
from fmcat.catalog.json_schema import catalog_schema
from tests.conftest import EXAMPLE, REPO, run_fmcat
from tests.golden import assert_golden

COMMITTED = REPO / "schema" / "catalog.schema.json"


def _as_json(data: Any) -> Any:
    """What an editor's JSON Schema check sees: YAML 1.1 timestamps (`2026-03-01`) are text."""
    if isinstance(data, dict):
        return {key: _as_json(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_as_json(value) for value in data]
    return data.isoformat() if isinstance(data, date) else data


def _yaml(text: str) -> Any:
    return _as_json(YAML(typ="safe", pure=True).load(text))


def test_cli_prints_the_committed_schema() -> None:
    result = run_fmcat("schema")
    assert result.code == 0
    assert_golden(COMMITTED, result.stdout)
    assert json.loads(result.stdout) == catalog_schema()


def test_schema_is_valid_draft_07() -> None:
    schema = catalog_schema()
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(schema)
    text = json.dumps(schema)
    for newer_keyword in ("$defs", "prefixItems", "unevaluatedProperties", "dependentRequired"):
        assert newer_keyword not in text


def test_schema_agrees_with_the_model_on_the_rule_cases() -> None:
    """Every Good example validates; every case the loader rejects as FM002 the schema rejects."""
    validator = jsonschema.Draft7Validator(catalog_schema())
    for rule in CATALOG_CHECKS:
        for case in rule.VALID:
            errors = list(validator.iter_errors(_yaml(case)))
            assert errors == [], (rule.code, [e.message for e in errors])
    for case in next(r for r in CATALOG_CHECKS if r.code == "FM002").INVALID:
        assert list(validator.iter_errors(_yaml(case))), case


def test_example_catalog_validates_and_names_the_schema() -> None:
    validator = jsonschema.Draft7Validator(catalog_schema())
    files = sorted((EXAMPLE / "failure-modes").glob("*.yaml"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema=")
        target = (path.parent / first.split("$schema=", 1)[1].strip()).resolve()
        assert target == COMMITTED.resolve(), f"{path.name}: modeline points at {target}"
        assert list(validator.iter_errors(_yaml(text))) == [], path.name


def test_schema_describes_durations_and_ratios() -> None:
    definitions = catalog_schema()["definitions"]
    timeout = definitions["Timeout"]["properties"]["connect"]["anyOf"][0]
    assert timeout["type"] == "string" and "ms" in timeout["pattern"]
    assert Path(COMMITTED).read_text(encoding="utf-8").endswith("\n")
