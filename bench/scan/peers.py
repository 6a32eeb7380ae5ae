"""Reading the reports of fmcat, bandit and ruff into one shape: a finding's location."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.pypi import BenchError
from bench.scan.corpus import REPO
from bench.scan.measure import Run

# --- Reading the tools' reports --------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    path: str  # relative to the corpus root
    line: int
    column: int  # 1-based
    code: str
    message: str
    end_line: int


def relative(reported: str, root: Path) -> str:
    path = Path(reported)
    if not path.is_absolute():
        path = REPO / path
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return reported


def _json(run: Run, label: str) -> Any:
    try:
        return json.loads(run.stdout)
    except ValueError as error:
        raise BenchError(f"{label}: output is not JSON ({error}): {run.stdout[:300]!r}") from error


def fmcat_findings(run: Run, root: Path) -> list[Location]:
    data = _json(run, "fmcat")
    return [
        Location(
            relative(f["path"], root),
            int(f["line"]),
            int(f["column"]),
            str(f["code"]),
            str(f["message"]),
            int(f.get("end_line") or f["line"]),
        )
        for f in data["findings"]
    ]


def fmcat_counts(run: Run) -> tuple[int | None, int | None]:
    """Files read and files parsed, from fmcat's closing note."""
    text = run.stderr.decode("utf-8", "replace")
    match = re.search(r"([\d,]+) Python files? \(([\d,]+) with external calls parsed\)", text)
    if match is None:
        return None, None
    return int(match[1].replace(",", "")), int(match[2].replace(",", ""))


def bandit_findings(run: Run, root: Path) -> tuple[list[Location], list[str], list[str]]:
    """B113 results (bandit's col_offset is 0-based: made 1-based), files read, errors."""
    data = _json(run, "bandit")
    found = [
        Location(
            relative(r["filename"], root),
            int(r["line_number"]),
            int(r.get("col_offset", 0)) + 1,
            str(r["test_id"]),
            str(r["issue_text"]),
            int(max(r.get("line_range") or [r["line_number"]])),
        )
        for r in data.get("results", [])
        if r.get("test_id") == "B113"
    ]
    read = [relative(name, root) for name in data.get("metrics", {}) if name != "_totals"]
    errors = [f"{relative(e['filename'], root)}: {e['reason']}" for e in data.get("errors", [])]
    return found, read, errors


def ruff_findings(run: Run, root: Path) -> list[Location]:
    return [
        Location(
            relative(r["filename"], root),
            int(r["location"]["row"]),
            int(r["location"]["column"]),
            str(r["code"]),
            str(r["message"]),
            int(r["end_location"]["row"]),
        )
        for r in _json(run, "ruff")
        if r.get("code") == "S113"
    ]


def finding_keys(findings: Iterable[Location]) -> list[tuple[str, int, int, str]]:
    return sorted((f.path, f.line, f.column, f.code) for f in findings)
