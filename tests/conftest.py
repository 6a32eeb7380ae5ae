from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "shop"


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


def run_fmcat(*args: str, cwd: Path | None = None, timeout: float = 120) -> Run:
    """The CLI as users run it: a real subprocess of `python -m fmcat`."""
    env = {**os.environ, "NO_COLOR": "1", "FMCAT_NO_CACHE": "1"}
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


@pytest.fixture(autouse=True)
def _own_scan_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scan cache lives in the user's cache folder: in tests, a fresh one of their own."""
    monkeypatch.setenv("FMCAT_CACHE_DIR", str(tmp_path_factory.mktemp("fmcat-cache")))
