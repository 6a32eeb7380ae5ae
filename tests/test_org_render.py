"""`fmcat render` of a monorepo (a level per service, blast radius, service lanes) and
`--techdocs`, built with the real techdocs-core plugin (docs/org.md)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO, run_fmcat
from tests.golden import assert_golden

GOLDEN = REPO / "tests" / "golden" / "org"
TECHDOCS_MKDOCS = REPO / ".venv-techdocs" / "bin" / "mkdocs"


def test_the_example_renders_one_site_with_a_level_per_service(tmp_path: Path) -> None:
    run = run_fmcat("render", "examples/org", "-o", str(tmp_path / "site"))
    assert run.code == 0, run.stderr
    site = tmp_path / "site"
    for page in (
        "index.html",
        "services/orders/index.html",
        "services/catalog/dependencies/search.html",
        "blast/postgres.html",
        "blast/search.html",
    ):
        assert (site / page).is_file(), page
    blast = (site / "blast" / "postgres.html").read_text(encoding="utf-8")
    assert "invoice-lock-timeout" in blast and "Degrades" in blast
    # 3 services x (home, their dependencies, operations, risk, alerts, code, tags, 404), the
    # catalog's second dependency, the organisation's home and 404, and a blast page per
    # dependency (2).
    for service in ("orders", "catalog", "billing"):
        assert (site / "services" / service / "alerts.html").is_file(), service
    assert "29 pages" in run.stderr
    assert (site / "404.html").is_file()


def test_the_markdown_of_the_org_pages(tmp_path: Path) -> None:
    run = run_fmcat("render", "examples/org", "--no-build", "--no-scan", "-o", str(tmp_path))
    assert run.code == 0, run.stderr
    index = (tmp_path / "docs" / "index.md").read_text(encoding="utf-8")
    blast = (tmp_path / "docs" / "blast" / "postgres.md").read_text(encoding="utf-8")
    assert_golden(GOLDEN / "site-index.md", index)
    assert_golden(GOLDEN / "site-blast-postgres.md", blast)
    # A lane per service; the shared database outside them, the catalog's own search inside.
    graph = index.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert graph.count("subgraph ") == 3 and graph.count("\n  end") == 3
    catalog_lane = graph.split('subgraph s1["catalog"]', 1)[1].split("end", 1)[0]
    assert '[("search")]' in catalog_lane and "postgres" not in catalog_lane
    assert graph.count("-.->") == 2  # browse -> postgres (degradable), search (optional)
    assert "[orders](services/orders/index.md)" in index
    assert "| orders | place-order | critical | 27 | slow-queries |" in blast
    assert "[billing](../services/billing/dependencies/postgres.md)" in blast


def test_techdocs_tree_builds_with_the_real_techdocs_core_plugin(tmp_path: Path) -> None:
    if not TECHDOCS_MKDOCS.is_file():
        message = "make unit installs mkdocs-techdocs-core into .venv-techdocs"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    tree = tmp_path / "tree"
    run = run_fmcat("render", "examples/org", "--techdocs", "--no-scan", "-o", str(tree))
    assert run.code == 0, run.stderr
    yml = (tree / "mkdocs.yml").read_text(encoding="utf-8")
    assert "plugins:\n  - techdocs-core\n" in yml
    assert not (tree / "site").exists() and (tree / "docs" / "index.md").is_file()
    built = subprocess.run(
        [str(TECHDOCS_MKDOCS), "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert built.returncode == 0, built.stderr[-3000:]
    # techdocs-core writes the metadata Backstage's TechDocs reads.
    assert (tmp_path / "site" / "techdocs_metadata.json").is_file()
    assert (tmp_path / "site" / "blast" / "postgres" / "index.html").is_file()


def test_techdocs_of_a_single_service(tmp_path: Path) -> None:
    run = run_fmcat("render", "examples/shop", "--techdocs", "--no-scan", "-o", str(tmp_path / "t"))
    assert run.code == 0, run.stderr
    assert (tmp_path / "t" / "docs" / "dependencies" / "payment-gateway.md").is_file()
    assert "techdocs-core" in (tmp_path / "t" / "mkdocs.yml").read_text(encoding="utf-8")


def test_a_large_organisation_has_a_nav_of_three_index_pages(tmp_path: Path) -> None:
    """Material writes the nav into every page: a nav that grows with the services makes the
    build quadratic (pages x nav items), so past 20 services it is three index pages."""
    from tests.test_org_lint import SHARED_DB, org, service

    root = org(tmp_path, {"db.yaml": SHARED_DB})
    for index in range(21):
        service(root, f"s{index:02d}", {"db.yaml": "uses: db\noperations:\n  - name: op\n"})
    out = tmp_path / "out"
    run = run_fmcat("render", str(root), "--no-build", "--no-scan", "-o", str(out))
    assert run.code == 0, run.stderr
    yml = (out / "mkdocs.yml").read_text(encoding="utf-8")
    assert yml.split("\nnav:\n", 1)[1] == (
        '  - Home: "index.md"\n  - Services: "services.md"\n  - Blast radius: "blast-radius.md"\n'
    )
    services = (out / "docs" / "services.md").read_text(encoding="utf-8")
    assert services.count("](services/s") == 21 and "[s20](services/s20/index.md)" in services
    blast = (out / "docs" / "blast-radius.md").read_text(encoding="utf-8")
    assert "| [db](blast/db.md) | database | team-data | yes | 21 | 21 | 0 |" in blast
    assert (out / "docs" / "services" / "s00" / "risk.md").is_file()


def test_each_services_tags_page_lists_its_own_pages(tmp_path: Path) -> None:
    """Material's tags listing is of the whole site unless scoped; at 200 services, every
    service's tags page listed every runbook of the organisation."""
    run = run_fmcat("render", "examples/org", "--no-scan", "-o", str(tmp_path / "site"))
    assert run.code == 0, run.stderr
    tags = (tmp_path / "site" / "services" / "catalog" / "tags.html").read_text(encoding="utf-8")
    listing = tags.split('<article class="md-content__inner', 1)[1].split("</article>", 1)[0]
    assert 'href="dependencies/search.html"' in listing
    assert 'href="dependencies/postgres.html"' in listing
    assert "orders" not in listing and "billing" not in listing


def test_a_site_inside_a_services_catalog_folder_is_an_error(tmp_path: Path) -> None:
    """It would be read back as catalog files on the next run (its mkdocs.yml is FM001)."""
    from tests.test_org_lint import SHARED_DB, org, service

    root = org(tmp_path, {"db.yaml": SHARED_DB})
    service(root, "pay", {"db.yaml": "uses: db\n"})
    for inside in (root / "services" / "pay" / "failure-modes" / "site", root / "shared" / "s"):
        run = run_fmcat("render", str(root), "--no-scan", "-o", str(inside))
        assert run.code == 2, run.stderr
        assert f"-o {inside} is inside the catalog folder" in run.stderr, run.stderr
        assert "of service pay" in run.stderr and "Traceback" not in run.stderr
        assert not inside.exists()
