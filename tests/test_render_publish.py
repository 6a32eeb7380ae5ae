"""Publishing a rendered site: the output is checked again at publish time, the old site stays
until the new one is in place (whatever step is interrupted), and staging folders left by killed
runs are cleaned up, while folders fmcat did not make are never touched.

The publish step is tested as a library call on real folders, with an audit hook that raises
KeyboardInterrupt at each file-system step in turn (Ctrl-C at the worst moment); the options
around it through the real CLI.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from fmcat.render import build
from tests.conftest import EXAMPLE, run_fmcat

_STEPS = frozenset(
    {"open", "os.mkdir", "os.rename", "os.chmod", "os.remove", "os.rmdir", "os.listdir"}
    | {"os.scandir", "shutil.rmtree", "ctypes.call_function"}
)


class _Interrupter:
    """Raises KeyboardInterrupt at the ``at``-th file-system step, once armed."""

    def __init__(self) -> None:
        self.at: int | None = None
        self.seen = 0

    def __call__(self, event: str, _args: tuple[Any, ...]) -> None:
        if self.at is None or event not in _STEPS:
            return
        self.seen += 1
        if self.seen == self.at:
            self.at = None
            raise KeyboardInterrupt


_INTERRUPT = _Interrupter()
sys.addaudithook(_INTERRUPT)  # hooks cannot be removed; it does nothing unless armed


def staged_site(output: Path, text: str) -> Path:
    staged = build.staging(output)
    (staged / "index.html").write_text(text, encoding="utf-8")
    return staged


def test_interrupted_at_any_step_a_whole_site_is_there(tmp_path: Path) -> None:
    output = tmp_path / "site"
    build.publish(staged_site(output, "old"), output)
    step = 0
    while True:
        step += 1
        staged = staged_site(output, "new")
        _INTERRUPT.at, _INTERRUPT.seen = step, 0
        try:
            build.publish(staged, output)
        except KeyboardInterrupt:
            build.discard(staged)
        else:
            break
        finally:
            _INTERRUPT.at = None
        assert (output / "index.html").read_text(encoding="utf-8") in ("old", "new"), step
        assert (output / build.MARKER).is_file()
    assert step > 2, "publish took fewer steps than the test expects"
    assert (output / "index.html").read_text(encoding="utf-8") == "new"
    build.remove_stale_staging(output)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_folder_that_appears_during_the_build_is_not_replaced(tmp_path: Path) -> None:
    output = tmp_path / "docs"
    staged = staged_site(output, "new")
    output.mkdir()  # the user's, made while the site was being built
    (output / "notes.md").write_text("mine", encoding="utf-8")
    with pytest.raises(build.BuildError, match="was not made by `fmcat render`"):
        build.publish(staged, output)
    build.discard(staged)
    assert [p.name for p in output.iterdir()] == ["notes.md"]
    assert (output / "notes.md").read_text(encoding="utf-8") == "mine"


def test_stale_staging_folders_are_removed_and_nothing_else(tmp_path: Path) -> None:
    project = tmp_path / "svc"
    shutil.copytree(EXAMPLE / "failure-modes", project / "failure-modes")
    stale = project / ".site.fmcat-0badc0de"  # a render killed while building
    stale.mkdir()
    (stale / build.STAGING_LOCK).write_text("", encoding="utf-8")
    (stale / "index.html").write_text("half", encoding="utf-8")
    swapped = project / ".site.fmcat-0000beef"  # an old site a killed publish swapped out
    swapped.mkdir()
    (swapped / build.MARKER).write_text("", encoding="utf-8")
    running = project / ".site.fmcat-1234abcd"  # a render that is still running
    running.mkdir()
    (running / build.STAGING_LOCK).write_text("", encoding="utf-8")
    lookalike = project / ".site.fmcat-cafebabe"  # fmcat's name, but not fmcat's folder
    lookalike.mkdir()
    (lookalike / "mine.txt").write_text("mine", encoding="utf-8")
    other = project / ".docs.fmcat-0badc0de"  # another output's
    other.mkdir()
    (other / build.STAGING_LOCK).write_text("", encoding="utf-8")
    lock = os.open(running / build.STAGING_LOCK, os.O_RDONLY)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = run_fmcat("render", ".", "--no-scan", "--no-build", "-o", "site", cwd=project)
    finally:
        os.close(lock)
    assert result.code == 0, result.stderr
    left = sorted(p.name for p in project.iterdir() if p.name.startswith("."))
    assert left == [".docs.fmcat-0badc0de", ".site.fmcat-1234abcd", ".site.fmcat-cafebabe"]
    assert (lookalike / "mine.txt").read_text(encoding="utf-8") == "mine"
    assert not (project / "site" / build.STAGING_LOCK).exists()


def test_an_output_inside_the_catalog_is_refused(tmp_path: Path) -> None:
    project = tmp_path / "svc"
    shutil.copytree(EXAMPLE / "failure-modes", project / "failure-modes")
    before = sorted(p.name for p in (project / "failure-modes").iterdir())
    for output in ("failure-modes/site", "failure-modes/deep/site"):
        result = run_fmcat("render", ".", "--no-scan", "--no-build", "-o", output, cwd=project)
        assert (result.code, result.stdout) == (2, ""), result
        assert "Traceback" not in result.stderr
        assert "catalog folder failure-modes" in result.stderr, result.stderr
    assert sorted(p.name for p in (project / "failure-modes").iterdir()) == before


def test_an_empty_private_output_folder_keeps_its_mode(tmp_path: Path) -> None:
    output = tmp_path / "site"
    output.mkdir()
    output.chmod(0o700)
    result = run_fmcat("render", str(EXAMPLE), "--no-scan", "--no-build", "-o", str(output))
    assert result.code == 0, result.stderr
    assert (output / "mkdocs.yml").is_file()
    assert stat.S_IMODE(output.stat().st_mode) == 0o700


def test_no_catalog_suggests_fmcat_init(tmp_path: Path) -> None:
    result = run_fmcat("render", ".", "-o", "site", cwd=tmp_path)
    assert (result.code, result.stdout) == (2, "")
    assert "nothing to render; `fmcat init` writes one from the code's calls" in result.stderr
    (tmp_path / "failure-modes").mkdir()
    result = run_fmcat("render", ".", "-o", "site", cwd=tmp_path)
    assert "nothing to render; `fmcat init` writes them from the code's calls" in result.stderr
