"""The runbook site's addresses: stable, from each id alone, and checked without a build."""

from __future__ import annotations

from pathlib import Path

import pytest

from fmcat.alerts.site import Mode, SiteMap
from fmcat.catalog.load import load_catalog
from fmcat.render.scheme import dependency_page, page_slug
from tests.conftest import run_fmcat

DEP = """\
dependency: {name}
owner: team-web
kind: http
criticality: optional
policies:
  timeout: {{read: 1s}}
  fallback: none shown
operations:
  - name: search
failure_modes:
  - id: slow
    title: Slow
"""


def catalog_folder(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "failure-modes"
    folder.mkdir(parents=True)
    for name in names:
        (folder / f"{name}.yaml").write_text(DEP.format(name=name), encoding="utf-8")
    return folder


def test_ids_that_share_a_page_are_a_located_fm003(tmp_path: Path) -> None:
    """Issue 9 row 13: instead of `a-b-2.html`, which moved when another id was added."""
    catalog_folder(tmp_path, "api-v2", "api.v2", "payments")
    result = run_fmcat("lint", ".", "--select", "FM003", cwd=tmp_path)
    assert result.code == 1, result.stderr
    assert result.stdout.splitlines() == [
        'failure-modes/api.v2.yaml:1:13: FM003 dependency "api.v2" would have the same runbook '
        'page as "api-v2" (dependencies/api-v2.html): page names are the id with dots turned '
        'into "-"; rename one of them'
    ]
    rendered = run_fmcat("render", ".", "--no-scan", "-o", "site", cwd=tmp_path)
    assert rendered.code == 2
    assert "FM003" in rendered.stderr and "nothing was written" in rendered.stderr
    assert not (tmp_path / "site").exists()


def test_page_names_depend_on_the_id_alone() -> None:
    assert dependency_page("a.b") == "dependencies/a-b.html"
    assert page_slug("a..b.") == "a-b"
    assert page_slug("Payments_v2") == "payments_v2"


SITE = "https://runbooks.example.com/"


@pytest.fixture
def site(tmp_path: Path) -> SiteMap:
    folder = catalog_folder(tmp_path, "search.api", "payments")
    return SiteMap(load_catalog(sorted(folder.iterdir())), SITE)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("dependencies/payments.html#fm-slow", "is relative"),
        ("https://wiki.example.com/dependencies/payments.html#fm-slow", "is not on the runbook"),
        (f"{SITE}payments/#slow", 'names page "payments/"'),
        (f"{SITE}dependencies/payments.html#slow", 'names anchor "#slow"'),
        (f"{SITE}operations.html#op-checkout", 'names anchor "#op-checkout"'),
    ],
)
def test_broken_links_say_what_is_wrong(site: SiteMap, url: str, problem: str) -> None:
    resolved = site.resolve(url)
    assert resolved.problem is not None and resolved.problem.startswith(problem), resolved


def test_good_links_resolve_to_their_target(site: SiteMap) -> None:
    assert site.resolve(f"{SITE}dependencies/search-api.html#fm-slow").mode == Mode(
        "search.api", "slow"
    )
    assert site.resolve(f"{SITE}dependencies/search-api.html#fm%2Dslow").mode is not None
    assert site.resolve(f"{SITE}operations.html#op-search").operation == "search"
    assert site.resolve(f"{SITE}dependencies/payments.html#policies").mode is None
    assert site.mode_url(Mode("search.api", "slow")) == (
        f"{SITE}dependencies/search-api.html#fm-slow"
    )
