"""The JSON output contract: ``{"findings": [...], "summary": {...}}``, 1-based positions."""

from __future__ import annotations

import json

from fmcat.report.base import Report


def render(report: Report) -> str:
    findings = []
    for f in report.findings:
        end_line, end_column = f.location.end
        item = {
            "code": f.code,
            "path": f.location.path,
            "line": f.location.line,
            "column": f.location.column,
            "end_line": end_line,
            "end_column": end_column,
            "message": f.message,
            "severity": str(f.severity),
            "dependency": f.dependency,
        }
        if f.service is not None:  # several services (docs/org.md); absent for one
            item["service"] = f.service
        findings.append(item)
    document = {"findings": findings, "summary": report.summary()}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
