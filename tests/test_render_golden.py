"""Golden Markdown: the MkDocs project `fmcat render --no-build` writes for the example shop.

Regenerate after an intended change with
`FMCAT_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_render_golden.py` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fmcat.render.assets import VENDORED, verify
from tests.conftest import EXAMPLE, run_fmcat
from tests.golden import assert_golden

GOLDEN = Path(__file__).parent / "golden" / "render" / "shop"
REPO_URL = "https://git.example.com/shop/blob/main"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("render") / "project"
    result = run_fmcat("render", str(EXAMPLE), "--no-build", "-o", str(out), "--repo-url", REPO_URL)
    assert result.code == 0, result.stderr
    assert result.stdout == ""
    return out


def generated(project: Path) -> list[str]:
    return sorted(
        p.relative_to(project).as_posix()
        for p in project.rglob("*")
        if p.is_file() and (p.suffix == ".md" or p.name == "mkdocs.yml")
    )


def test_file_list(project: Path) -> None:
    every = sorted(p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file())
    assert_golden(GOLDEN / "FILES.txt", "\n".join(every) + "\n")


def test_every_page_matches_its_golden_file(project: Path) -> None:
    names = generated(project)
    assert "docs/index.md" in names and "mkdocs.yml" in names
    for name in names:
        assert_golden(GOLDEN / name, (project / name).read_text(encoding="utf-8"))
    expected = sorted(
        p.relative_to(GOLDEN).as_posix()
        for p in GOLDEN.rglob("*")
        if p.is_file() and p.name != "FILES.txt"
    )
    assert names == expected, "a golden file has no page any more: run the update and review"


def test_vendored_assets_are_the_pinned_ones() -> None:
    for asset in VENDORED:
        assert verify(asset), f"{asset.path} is not {asset.origin} as pinned in assets.py"
