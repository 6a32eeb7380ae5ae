"""GitLab Code Quality: a JSON array of issues, the subset of Code Climate's format GitLab reads.

Each issue has ``description`` (``CODE message``, as the text format prints it), ``check_name``
(the code), ``fingerprint`` (see :mod:`fmcat.report.fingerprints`: unique in a report, stable
when lines move), ``severity`` and ``location.path`` with ``location.lines.begin`` (and
``end``). Severities: error is ``major``, warning ``minor``, info ``info``; fmcat uses neither
``critical`` nor ``blocker``. Paths are relative to the current directory, and GitLab reads
them from the repository's root, so run fmcat there. A clean run is ``[]``.

In a monorepo the description names the service as the text format does (``FM026 [billing]
...``). The fingerprint keeps its recipe: a finding's path is inside its service's folder, so
it already tells the services apart, and a service's findings keep the identities they had
before the monorepo was linted as a whole.
"""

from __future__ import annotations

import json
from typing import Any, assert_never

from fmcat.findings import Finding, Severity
from fmcat.report.base import Report, with_service
from fmcat.report.fingerprints import fingerprints


def severity(value: Severity) -> str:
    match value:
        case Severity.ERROR:
            return "major"
        case Severity.WARNING:
            return "minor"
        case Severity.INFO:
            return "info"
        case _:
            assert_never(value)


def _issue(finding: Finding, fingerprint: str) -> dict[str, Any]:
    location = finding.location
    begin = max(location.line, 1)
    return {
        "description": f"{finding.code} {with_service(finding)}",
        "check_name": finding.code,
        "fingerprint": fingerprint,
        "severity": severity(finding.severity),
        "location": {
            "path": location.path,
            "lines": {"begin": begin, "end": max(location.end[0], begin)},
        },
    }


def render(report: Report) -> str:
    issues = [
        _issue(finding, fingerprint)
        for finding, fingerprint in zip(report.findings, fingerprints(report.findings), strict=True)
    ]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
