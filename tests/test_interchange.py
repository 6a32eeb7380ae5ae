"""`fmcat export json` and `fmcat render --from`: the interchange file, its committed JSON
Schema, and the errors on files that are corrupt or of another version (docs/org.md)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from fmcat.org.interchange import interchange_schema
from tests.conftest import REPO, run_fmcat
from tests.golden import assert_golden

COMMITTED = REPO / "schema" / "interchange.schema.json"


def export(tmp_path: Path) -> Path:
    out = tmp_path / "x"
    run = run_fmcat("export", "json", "examples/org", "-o", str(out))
    assert run.code == 0, run.stderr
    assert "wrote 3 interchange files" in run.stderr
    return out


def test_the_schema_is_committed_and_valid_draft_07() -> None:
    run = run_fmcat("export", "json", "--schema")
    assert run.code == 0
    assert_golden(COMMITTED, run.stdout)
    jsonschema.Draft7Validator.check_schema(interchange_schema())


def test_exported_files_carry_the_scan_and_validate_against_the_schema(tmp_path: Path) -> None:
    out = export(tmp_path)
    validator = jsonschema.Draft7Validator(json.loads(COMMITTED.read_text(encoding="utf-8")))
    catalog = json.loads((out / "catalog.fmcat.json").read_text(encoding="utf-8"))
    assert list(validator.iter_errors(catalog)) == []
    assert catalog["version"] == 1 and catalog["service"]["name"] == "catalog"
    by_id = {d["catalog"]["dependency"]: d for d in catalog["dependencies"]}
    assert by_id["postgres"]["shared"] == "postgres"
    assert by_id["postgres"]["catalog"]["criticality"] == "degradable"  # the service's own
    assert by_id["postgres"]["catalog"]["owner"] == "team-data"  # from the shared file
    [search] = by_id["search"]["call_sites"]
    assert search["qualname"] == "requests.get" and search["line"] == 18
    assert "0.4" in search["timeout"] and search["handling"] == "handled"
    billing = json.loads((out / "billing.fmcat.json").read_text(encoding="utf-8"))
    assert billing["code"]["python_files"] == 2


def test_render_from_interchange_files_builds_one_site(tmp_path: Path) -> None:
    out = export(tmp_path)
    files = [str(out / f"{name}.fmcat.json") for name in ("orders", "billing", "catalog")]
    run = run_fmcat("render", *(a for f in files for a in ("--from", f)), "-o", str(tmp_path / "s"))
    assert run.code == 0, run.stderr
    assert (tmp_path / "s" / "services" / "billing" / "code.html").is_file()
    blast = (tmp_path / "s" / "blast" / "postgres.html").read_text(encoding="utf-8")
    assert "invoice-lock-timeout" in blast


def test_a_corrupt_file_is_a_located_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "version": 1,\n  "service": {\n', encoding="utf-8")
    run = run_fmcat("render", "--from", str(bad), "-o", str(tmp_path / "s"))
    assert run.code == 2
    assert f"{bad}:4:1: not an interchange file: invalid JSON" in run.stderr
    assert not (tmp_path / "s").exists()


def test_another_version_is_a_located_error(tmp_path: Path) -> None:
    out = export(tmp_path)
    text = (out / "orders.fmcat.json").read_text(encoding="utf-8")
    newer = tmp_path / "newer.json"
    newer.write_text(text.replace('"version": 1', '"version": 2'), encoding="utf-8")
    run = run_fmcat("render", "--from", str(newer), "-o", str(tmp_path / "s"))
    assert run.code == 2
    assert f"{newer}:3:3: interchange version 2; this fmcat reads version 1" in run.stderr


def test_a_file_that_breaks_the_schema_names_the_key(tmp_path: Path) -> None:
    out = export(tmp_path)
    data = json.loads((out / "orders.fmcat.json").read_text(encoding="utf-8"))
    del data["dependencies"][0]["catalog"]["owner"]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data), encoding="utf-8")
    run = run_fmcat("render", "--from", str(broken), "-o", str(tmp_path / "s"))
    assert run.code == 2
    assert "dependencies.0.catalog.owner: Field required" in run.stderr
    twice = run_fmcat(
        "render",
        "--from",
        str(out / "orders.fmcat.json"),
        "--from",
        str(out / "orders.fmcat.json"),
        "-o",
        str(tmp_path / "s"),
    )
    assert twice.code == 2 and 'service "orders" is also in' in twice.stderr
