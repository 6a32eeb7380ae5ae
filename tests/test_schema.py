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


ORG = REPO / "examples" / "org"


def test_the_schema_describes_a_services_uses_file() -> None:
    """Every `uses:` file of the monorepo example validates, as the loader reads it."""
    validator = jsonschema.Draft7Validator(catalog_schema())
    files = sorted(ORG.glob("services/*/failure-modes/*.yaml"))
    uses = [path for path in files if "\nuses: " in path.read_text(encoding="utf-8")]
    assert len(uses) == 3, uses
    for path in files:
        errors = list(validator.iter_errors(_yaml(path.read_text(encoding="utf-8"))))
        assert errors == [], (path.name, [e.message for e in errors])
    definitions = catalog_schema()["definitions"]
    assert definitions["SharedUse"]["required"] == ["uses"]
    assert "owner" not in definitions["SharedUse"]["properties"]


USE_CASES = {
    # The loader's own verdicts (FM002 from `fmcat lint`), which the schema must share.
    "uses: db\noperations:\n  - name: pay\n": None,
    "uses: db\npolicies:\n  timeout: {read: 2s}\n": None,
    "uses: db\nowner: team-x\n": "owner",
    "uses: db\ndependency: db\n": "dependency",
    "uses: db\npolicies:\n  timeout: {read: two seconds}\n": "policies.timeout.read",
    "uses: db\npolicies:\n  timeot: {read: 2s}\n": "policies.timeot",
    "uses: Not A Slug\n": "uses",
}


def test_the_schema_and_the_loader_agree_on_uses_files(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.fmcat]\nshared = "shared"\n')
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "db.yaml").write_text(
        "dependency: db\nowner: team-data\nkind: database\ncriticality: critical\n"
    )
    (tmp_path / "failure-modes").mkdir()
    validator = jsonschema.Draft7Validator(catalog_schema())
    for text, fault in USE_CASES.items():
        (tmp_path / "failure-modes" / "db.yaml").write_text(text, encoding="utf-8")
        run = run_fmcat("lint", str(tmp_path), "--select", "FM002", "-f", "json")
        loader = [f["message"] for f in json.loads(run.stdout)["findings"]]
        schema = list(validator.iter_errors(_yaml(text)))
        if fault is None:
            assert loader == [] and schema == [], (text, loader, [e.message for e in schema])
        else:
            assert len(loader) == 1 and loader[0].startswith(fault), (text, loader)
            assert schema, f"the schema accepts what the loader rejects: {text!r}"
