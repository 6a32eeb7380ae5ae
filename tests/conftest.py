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
#: "Today" for every CLI run (SOURCE_DATE_EPOCH, 2026-12-01 UTC), so that review ages (FM024,
#: "reviewed N days ago") in golden files do not change with the calendar.
TODAY_EPOCH = "1796083200"


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
