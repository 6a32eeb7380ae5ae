"""``path:line:col: CODE message``, one per line, as ruff and mypy print them."""

from __future__ import annotations

from fmcat.escape import one_line
from fmcat.report.base import Report


def render(report: Report) -> str:
    lines = [
        f"{one_line(f.location.path)}:{f.location.line}:{f.location.column}: {f.code} "
        + (f"[{one_line(f.service)}] " if f.service is not None else "")
        + one_line(f.message)
        for f in report.findings
    ]
    return "".join(line + "\n" for line in lines)
