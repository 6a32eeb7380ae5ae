"""`fmcat blast`: the blast radius of a shared dependency, as text and JSON (docs/org.md)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import REPO, run_fmcat
from tests.golden import assert_golden

GOLDEN = REPO / "tests" / "golden" / "org"


def test_blast_text_of_the_shared_database() -> None:
    run = run_fmcat("blast", "postgres", "examples/org")
    assert run.code == 0, run.stderr
    assert_golden(GOLDEN / "blast-postgres.txt", run.stdout)


def test_blast_json_counts_and_worst_risks() -> None:
    run = run_fmcat("blast", "postgres", "examples/org", "--format", "json")
    assert run.code == 0, run.stderr
    assert_golden(GOLDEN / "blast-postgres.json", run.stdout)
    data = json.loads(run.stdout)
    assert data["summary"] == {"fails": 3, "degrades": 1, "unaffected": 1}
    rows = {(o["service"], o["operation"]): o for o in data["operations"]}
    # billing's own mode (4 x 2 x 4) outranks the shared ones for its operation only.
    assert rows["billing", "charge"]["worst_risk"] == 32
    assert rows["billing", "charge"]["worst_mode"] == "invoice-lock-timeout"
    # slow-queries (3 x 3 x 3) is the worst shared mode: primary-down is 5 x 2 x 1 = 10.
    assert rows["orders", "place-order"]["worst_risk"] == 27
    assert rows["catalog", "browse"]["status"] == "degrades"
    assert rows["catalog", "search"]["status"] == "unaffected"


def test_blast_of_a_single_service(tmp_path: Path) -> None:
    run = run_fmcat("blast", "payment-gateway", "examples/shop", "-f", "json")
    assert run.code == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["services"] == ["shop"]
    assert data["summary"]["fails"] >= 1


def test_an_unknown_dependency_is_a_usage_error_with_a_hint() -> None:
    run = run_fmcat("blast", "postgress", "examples/org")
    assert run.code == 2
    assert 'no service declares a dependency "postgress"; did you mean "postgres"?' in run.stderr
    assert run_fmcat("blast", "postgres", "examples/org", "-f", "yaml").code == 2
