"""A monorepo linted as users run it: every service with its own configuration (docs/org.md)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import REPO, run_fmcat

ORG = REPO / "examples" / "org"

SHARED_DB = """\
dependency: db
owner: team-data
kind: database
criticality: critical
policies:
  timeout: {connect: 1s, read: 500ms}
"""


def service(root: Path, name: str, catalog: dict[str, str], pyproject: str | None = None) -> Path:
    folder = root / "services" / name
    (folder / "failure-modes").mkdir(parents=True)
    for file, text in catalog.items():
        (folder / "failure-modes" / file).write_text(text, encoding="utf-8")
    if pyproject is not None:
        (folder / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    return folder


def org(root: Path, shared: dict[str, str]) -> Path:
    (root / "pyproject.toml").write_text('[tool.fmcat]\nshared = "shared"\n', encoding="utf-8")
    (root / "shared").mkdir()
    for file, text in shared.items():
        (root / "shared" / file).write_text(text, encoding="utf-8")
    return root


def test_the_example_is_linted_per_service_and_findings_name_their_service() -> None:
    run = run_fmcat("lint", "examples/org", "--select", "FM0,FM1", "-f", "json")
    assert run.code == 1, run.stderr
    findings = json.loads(run.stdout)["findings"]
    assert [(f["code"], f["service"], f["line"]) for f in findings] == [("FM026", "billing", 4)]
    assert "services catalog, orders" in findings[0]["message"]
    assert "read 2s here but connect 2s, read 500ms" in findings[0]["message"]
    assert "examples/org: 3 services" in run.stderr
    text = run_fmcat("lint", "examples/org")
    assert text.stdout.startswith(
        "examples/org/services/billing/failure-modes/postgres.yaml:4:12: FM026 [billing] timeout"
    ), text.stdout
    assert text.stdout.count("\n") == 1


def test_each_service_keeps_its_own_configuration(tmp_path: Path) -> None:
    root = org(tmp_path, {"db.yaml": SHARED_DB})
    uses = "uses: db\noperations:\n  - name: pay\n"
    service(root, "pay", {"db.yaml": uses})
    service(root, "quiet", {"db.yaml": uses}, '[tool.fmcat]\nignore = ["FM019"]\n')
    run = run_fmcat("lint", str(root), "-f", "json")
    by_service = {(f["service"], f["code"]) for f in json.loads(run.stdout)["findings"]}
    assert ("pay", "FM019") in by_service
    assert not any(s == "quiet" and code == "FM019" for s, code in by_service)


def test_a_single_service_keeps_its_output_without_service(tmp_path: Path) -> None:
    target = tmp_path / "orders"
    shutil.copytree(ORG / "services" / "orders", target)
    shutil.copytree(ORG / "shared", tmp_path / "shared")
    (target / "pyproject.toml").write_text(
        '[tool.fmcat]\nsrc = ["orders"]\nshared = "../shared"\n', encoding="utf-8"
    )
    run = run_fmcat("lint", str(target), "-f", "json")
    assert run.code == 0, run.stdout + run.stderr
    run = run_fmcat("lint", str(target), "-f", "json", "--select", "FM019")
    assert "service" not in run.stdout


def test_two_services_with_the_same_name_are_a_located_error(tmp_path: Path) -> None:
    root = org(tmp_path, {"db.yaml": SHARED_DB})
    service(root, "a", {}, '[tool.fmcat]\nsrc = ["."]\nservice = "pay"\n')
    service(root, "pay", {})
    run = run_fmcat("lint", str(root))
    assert run.code == 2
    assert "services/a/pyproject.toml:3:1:" in run.stderr
    assert 'service name "pay" is also the name of the service in' in run.stderr
    assert "Traceback" not in run.stderr


def test_an_unknown_shared_dependency_is_a_located_finding_with_a_hint(tmp_path: Path) -> None:
    root = org(tmp_path, {"db.yaml": SHARED_DB})
    service(root, "pay", {"db.yaml": "# the database\nuses: dbb\n"})
    run = run_fmcat("lint", str(root), "--select", "FM020")
    assert run.code == 1
    assert run.stdout == (
        f'{root}/services/pay/failure-modes/db.yaml:2:7: FM020 [pay] uses "dbb", which is not'
        f' a shared dependency in {root}/shared; did you mean "db"?\n'
    )


def test_a_dangling_shared_reference_has_the_severity_of_its_rule(tmp_path: Path) -> None:
    # FM020 is one rule with one severity: `fmcat rules`, SARIF's rule metadata and every
    # finding of the code must agree, whichever part of fmcat reports it.
    from fmcat.catalog.checks.fm020_dangling_reference import DanglingReference

    root = org(tmp_path, {"db.yaml": SHARED_DB})
    service(root, "pay", {"db.yaml": "uses: dbb\n"})
    run = run_fmcat("lint", str(root), "--select", "FM020", "-f", "json")
    findings = json.loads(run.stdout)["findings"]
    assert [(f["code"], f["severity"]) for f in findings] == [
        ("FM020", DanglingReference.severity.value)
    ]


def test_a_cycle_of_shared_references_is_reported_once_in_the_shared_file(
    tmp_path: Path,
) -> None:
    root = org(
        tmp_path, {"a.yaml": "dependency: a\nuses: b\n", "b.yaml": "dependency: b\nuses: a\n"}
    )
    service(root, "one", {"a.yaml": "uses: a\n"})
    service(root, "two", {"a.yaml": "uses: a\n"})
    run = run_fmcat("lint", str(root), "--select", "FM020")
    assert run.code == 1
    assert run.stdout.count("FM020") == 1, run.stdout
    assert f"{root}/shared/b.yaml:2:7: FM020" in run.stdout
    assert "shared dependencies form a cycle: a -> b -> a" in run.stdout


def test_a_shared_folder_that_is_missing_is_an_error(tmp_path: Path) -> None:
    root = org(tmp_path, {})
    (root / "pyproject.toml").write_text('[tool.fmcat]\nshared = "common"\n', encoding="utf-8")
    service(root, "pay", {"db.yaml": "uses: db\n"})
    run = run_fmcat("lint", str(root))
    assert run.code == 2
    assert "is not a folder of shared dependencies" in run.stderr


def test_checklist_of_a_monorepo_has_one_section_per_service() -> None:
    run = run_fmcat("checklist", "examples/org")
    assert run.code == 0, run.stderr
    headings = [line for line in run.stdout.splitlines() if line.startswith("## ")]
    assert headings == [
        "## fmcat checklist: `examples/org/services/billing`",
        "## fmcat checklist: `examples/org/services/catalog`",
        "## fmcat checklist: `examples/org/services/orders`",
    ]
    # The shared declaration is resolved: no "uses" error, and the shared modes are listed.
    assert "FM020" not in run.stdout
    assert run.stdout.count("`primary-down`") == 3
    assert "checklists of 3 services" in run.stderr


def test_one_service_of_a_monorepo_finds_the_monorepo_shared_folder() -> None:
    run = run_fmcat("lint", "examples/org/services/orders", "-f", "json")
    assert run.code == 0, run.stdout + run.stderr
    assert "1 catalog file" in run.stderr


def test_the_roots_settings_are_the_services_defaults(tmp_path: Path) -> None:
    """docs/org.md: CASCADE keys of the root's [tool.fmcat] apply to every service unless the
    service sets the key itself; paths and the service's own URLs do not cascade."""
    root = org(tmp_path, {"db.yaml": SHARED_DB})
    (root / "pyproject.toml").write_text(
        '[tool.fmcat]\nshared = "shared"\nignore = ["FM019"]\n'
        'site_url = "https://runbooks.example.com/"\n',
        encoding="utf-8",
    )
    uses = "uses: db\noperations:\n  - name: pay\n"  # no measures: FM019
    service(root, "plain", {"db.yaml": uses})
    service(root, "quiet", {"db.yaml": uses}, '[tool.fmcat]\nowner = "team-q"\n')
    service(root, "loud", {"db.yaml": uses}, "[tool.fmcat]\nignore = []\n")
    run = run_fmcat("lint", str(root), "-f", "json")
    fm019 = sorted(
        {f["service"] for f in json.loads(run.stdout)["findings"] if f["code"] == "FM019"}
    )
    assert fm019 == ["loud"], run.stdout
    # One service linted alone sees the same defaults as the monorepo run.
    alone = run_fmcat("lint", str(root / "services" / "quiet"), "-f", "json", "--select", "FM019")
    assert alone.code == 0, alone.stdout
    loud = run_fmcat("lint", str(root / "services" / "loud"), "-f", "json", "--select", "FM019")
    assert loud.code == 1 and '"FM019"' in loud.stdout
    shown = json.loads(run_fmcat("config", str(root / "services" / "quiet"), "-f", "json").stdout)
    settings = shown["settings"]
    assert settings["ignore"]["value"] == ["FM019"]
    assert settings["ignore"]["source"] == "pyproject"
    assert settings["ignore"]["origin"] == str(root / "pyproject.toml")
    assert settings["owner"]["origin"] == str(root / "services" / "quiet" / "pyproject.toml")
    assert settings["site_url"]["source"] == "default" and settings["site_url"]["value"] is None
    text = run_fmcat("config", str(root / "services" / "loud")).stdout
    rows = [line.split() for line in text.splitlines() if line.startswith("ignore ")]
    assert rows == [["ignore", str(root / "services" / "loud" / "pyproject.toml"), "[]"]], text
