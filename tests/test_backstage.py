"""`fmcat export backstage`, checked by Backstage's own validators (@backstage/catalog-model,
installed by npm from tests/backstage/package-lock.json) run with node (docs/org.md)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.conftest import REPO, run_fmcat
from tests.golden import assert_golden
from tests.test_org_lint import SHARED_DB, org, service

BACKSTAGE = REPO / "tests" / "backstage"
GOLDEN = REPO / "tests" / "golden" / "org"


def validate(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Backstage's verdict on each entity: its policies, then its kind's validator."""
    node = shutil.which("node")
    installed = (BACKSTAGE / "node_modules" / "@backstage" / "catalog-model").is_dir()
    if node is None or not installed:
        message = "node and `npm ci --prefix tests/backstage` are needed (make test runs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    done = subprocess.run(
        [node, str(BACKSTAGE / "validate.cjs")],
        input=json.dumps(entities),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stderr == "", done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def exported(root: Path, *args: str, out: Path) -> list[dict[str, Any]]:
    run = run_fmcat("export", "backstage", str(root), "-o", str(out), *args)
    assert run.code == 0, run.stderr
    text = (out / "catalog-info.yaml").read_text(encoding="utf-8")
    return [doc for doc in YAML(typ="safe").load_all(text) if doc is not None]


def test_the_example_exports_entities_backstage_accepts(tmp_path: Path) -> None:
    url = "https://runbooks.example.com/org"
    entities = exported(REPO / "examples" / "org", "--site-url", url, out=tmp_path)
    assert_golden(GOLDEN / "catalog-info.yaml", (tmp_path / "catalog-info.yaml").read_text())
    verdicts = validate(entities)
    assert verdicts == [
        {"ref": "component:default/billing", "ok": True},
        {"ref": "component:default/catalog", "ok": True},
        {"ref": "component:default/orders", "ok": True},
        {"ref": "resource:default/catalog-search", "ok": True},
        {"ref": "resource:default/postgres", "ok": True},
    ]
    postgres = entities[-1]
    assert postgres["spec"] == {"type": "database", "owner": "group:default/team-data"}
    annotations = postgres["metadata"]["annotations"]
    assert annotations["fmcat.dev/criticality"] == "critical"
    assert annotations["fmcat.dev/runbook-url"] == f"{url}/blast/postgres.html"
    assert annotations["backstage.io/techdocs-ref"] == "dir:."
    orders = entities[2]
    assert orders["spec"]["dependsOn"] == ["resource:default/postgres"]


def test_the_validator_refuses_what_backstage_refuses() -> None:
    """The check can fail: a name with a trailing separator is refused by Backstage."""
    bad = {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Resource",
        "metadata": {"name": "cache-"},
        "spec": {"type": "cache", "owner": "group:default/team-a"},
    }
    [verdict] = validate([bad])
    assert verdict["ok"] is False
    assert '"metadata.name" is not valid' in verdict["error"]


def test_ids_that_are_not_entity_names_are_translated(tmp_path: Path) -> None:
    long_id = "a-very-long-dependency-id-" + "x" * 50
    (tmp_path / "org").mkdir()
    root = org(tmp_path / "org", {"db.yaml": SHARED_DB})
    local = 'dependency: {id}\nowner: "#team-pay"\nkind: cache\ncriticality: optional\n'
    service(
        root,
        "pay",
        {"a.yaml": local.format(id="cache-"), "b.yaml": local.format(id=long_id)},
        '[tool.fmcat]\nowner = "team-pay"\n',
    )
    entities = exported(root, out=tmp_path / "out")
    names = [e["metadata"]["name"] for e in entities]
    assert names[0] == "pay"
    assert "pay-cache-1" not in names
    assert any(
        name.startswith("pay-cache-") and len(name) == len("pay-cache-") + 8 for name in names
    )
    assert all(len(name) <= 63 for name in names)
    again = exported(root, out=tmp_path / "again")
    assert [e["metadata"]["name"] for e in again] == names, "translation is deterministic"
    assert all(v["ok"] for v in validate(entities)), validate(entities)


def test_entity_names_that_collide_after_translation_are_an_error(tmp_path: Path) -> None:
    root = org(
        tmp_path, {"db.yaml": SHARED_DB, "pay-db.yaml": SHARED_DB.replace("db\n", "pay-db\n", 1)}
    )
    service(root, "pay", {"db.yaml": SHARED_DB.replace("dependency: db", "dependency: db")})
    service(root, "shop", {"db.yaml": "uses: pay-db\n"})
    run = run_fmcat("export", "backstage", str(root), "-o", str(tmp_path / "out"))
    assert run.code == 2
    assert 'Backstage entity name collision: Resource "pay-db"' in run.stderr
    assert "services/pay/failure-modes/db.yaml" in run.stderr
    assert not (tmp_path / "out").exists(), "nothing is written on failure"


def test_an_export_folder_inside_the_catalog_is_an_error(tmp_path: Path) -> None:
    root = org(tmp_path, {"db.yaml": SHARED_DB})
    service(root, "pay", {"db.yaml": "uses: db\n"})
    inside = root / "services" / "pay" / "failure-modes" / "backstage"
    run = run_fmcat("export", "backstage", str(root), "-o", str(inside))
    assert run.code == 2
    assert "is inside the catalog folder" in run.stderr and "of service pay" in run.stderr
    assert not inside.exists()


def test_translation_is_fixed_and_fits() -> None:
    from fmcat.org.names import entity_name, is_entity_name

    assert entity_name("postgres") == "postgres"
    assert entity_name("cache-") == "cache-9f798a92"
    long = entity_name("a" * 100)
    assert len(long) == 63 and is_entity_name(long) and long != entity_name("a" * 99)
    assert entity_name("my service!") == entity_name("my service!")
    assert is_entity_name(entity_name("__--"))
