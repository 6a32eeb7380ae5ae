"""Golden-file comparison: `make golden` (FMCAT_UPDATE_GOLDEN=1) rewrites, review the diff."""

from __future__ import annotations

import os
from pathlib import Path

UPDATE = os.environ.get("FMCAT_UPDATE_GOLDEN") == "1"


def assert_golden(path: Path, actual: str) -> None:
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"{path} is missing: run `make golden` and review it"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{path} differs from the output: run `make golden` and review"
