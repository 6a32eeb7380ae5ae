from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "shop"
#: "Today" for every CLI run (SOURCE_DATE_EPOCH, 2026-12-01 UTC), so that review ages (FM024,
#: "reviewed N days ago") in golden files do not change with the calendar.
TODAY_EPOCH = "1796083200"


def write(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """A project under ``root``: each file (text as UTF-8, or bytes as given), folders made."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


def run_fmcat(*args: str, cwd: Path | None = None, timeout: float = 120) -> Run:
    """The CLI as users run it: a real subprocess of `python -m fmcat`."""
    env = {**os.environ, "NO_COLOR": "1", "FMCAT_NO_CACHE": "1", "SOURCE_DATE_EPOCH": TODAY_EPOCH}
    env.pop("FMCAT_DEBUG", None)
    done = subprocess.run(
        [sys.executable, "-m", "fmcat", *args],
        cwd=cwd or REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def fmcat() -> Callable[..., Run]:
    return run_fmcat


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder an unprivileged user can reach (pytest's tmp_path is private to its owner)."""
    folder = Path(tempfile.mkdtemp(prefix="fmcat-init-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(folder)


def run_unprivileged(*args: str, cwd: Path) -> Run:
    """fmcat as a user that file permissions apply to: as root, as nobody (through setpriv)."""
    if os.geteuid() != 0:
        return run_fmcat(*args, cwd=cwd)
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions cannot be tested")
    drop = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    env = {**os.environ, "NO_COLOR": "1", "FMCAT_NO_CACHE": "1", "HOME": str(cwd)}
    env.pop("FMCAT_DEBUG", None)
    probe = subprocess.run([*drop, sys.executable, "-c", "import fmcat"], env=env, check=False)
    if probe.returncode != 0:
        pytest.skip("nobody cannot run this Python: permissions cannot be tested")
    done = subprocess.run(
        [*drop, sys.executable, "-m", "fmcat", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture(autouse=True)
def _own_scan_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scan cache lives in the user's cache folder: in tests, a fresh one of their own."""
    monkeypatch.setenv("FMCAT_CACHE_DIR", str(tmp_path_factory.mktemp("fmcat-cache")))
