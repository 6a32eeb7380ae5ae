"""Which files the scan's parse workers analyse, for tests that prove a cache hit.

The workers are forked, so they inherit the patch on ``analyze``; a file is the only channel
back from them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fmcat.scan import analyze as analysis


def log_parses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Patch ``analyze`` to append each analysed file's name to a log, and return the log."""
    log = tmp_path / "parses.log"
    log.touch()
    real = analysis.analyze

    def counting(source: bytes, path: str, *args: Any, **kwargs: Any) -> Any:
        with log.open("a", encoding="utf-8") as out:
            out.write(Path(path).name + "\n")
        return real(source, path, *args, **kwargs)

    monkeypatch.setattr(analysis, "analyze", counting)
    return log


def parsed(log: Path) -> list[str]:
    """The names logged since the last call, sorted; the log starts again empty."""
    names = sorted(log.read_text(encoding="utf-8").split())
    log.write_text("", encoding="utf-8")
    return names
