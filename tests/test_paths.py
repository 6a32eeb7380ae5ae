"""Project-relative paths: one function (fmcat/paths.py) that baselines, per_file_ignores, the
checklist, init and the runbook site all use, so they agree on a file's name."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from fmcat.paths import project_relative
from tests.conftest import EXAMPLE, run_fmcat


def test_project_relative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "svc"
    (root / "app").mkdir(parents=True)
    (root / "app" / "real.py").write_text("", encoding="utf-8")
    (root / "app" / "link.py").symlink_to("real.py")
    (tmp_path / "alias").symlink_to("svc")
    monkeypatch.chdir(tmp_path)
    assert project_relative("svc/app/real.py", root) == "app/real.py"
    assert project_relative("alias/app/real.py", root) == "app/real.py"  # folder resolved
    assert project_relative("alias/app/link.py", root) == "app/link.py"  # the link's own name
    assert project_relative(root / "app" / "real.py", root) == "app/real.py"
    assert project_relative("elsewhere.py", root) is None


def test_per_file_ignores_name_a_symlinked_file_as_the_link(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    (root / "vendored").mkdir(parents=True)
    (root / "real").mkdir()
    (root / "real" / "client.py").write_text(
        'import requests\n\n\ndef get():\n    return requests.get("https://x.example.com")\n',
        encoding="utf-8",
    )
    (root / "vendored" / "client.py").symlink_to(Path("..") / "real" / "client.py")
    (root / "pyproject.toml").write_text(
        '[tool.fmcat]\nsrc = ["vendored"]\n[tool.fmcat.per_file_ignores]\n"vendored/*" = ["FM1"]\n',
        encoding="utf-8",
    )
    (tmp_path / "alias").symlink_to("svc")
    result = run_fmcat("lint", "-f", "json", "alias", cwd=tmp_path)
    assert result.code == 0, result
    assert json.loads(result.stdout)["findings"] == []


def test_the_site_names_catalog_files_from_the_project_through_a_symlinked_folder(
    tmp_path: Path,
) -> None:
    shutil.copytree(EXAMPLE / "failure-modes", tmp_path / "svc" / "failure-modes")
    (tmp_path / "alias").symlink_to("svc")
    result = run_fmcat("render", "alias", "--no-scan", "--no-build", "-o", "out", cwd=tmp_path)
    assert result.code == 0, result.stderr
    pages = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "out").rglob("*.md"))
    assert "failure-modes/payment-gateway.yaml" in pages
    assert "alias/failure-modes" not in pages
