"""SARIF 2.1.0, as GitHub code scanning (and SARIF viewers) read it: one run, one result a finding.

- Paths: relative URIs (percent-encoded, forward slashes) against ``%SRCROOT%``, which the run's
  ``originalUriBaseIds`` defines as the current directory. GitHub reads relative URIs from the
  repository's root, so run fmcat there. A path outside the current directory becomes an
  absolute ``file:`` URI.
- Positions: 1-based, ``endColumn`` exclusive, as fmcat counts them everywhere. fmcat counts
  columns in characters (Unicode code points), so the run says ``columnKind:
  unicodeCodePoints`` rather than SARIF's default of UTF-16 code units; the two differ only
  after a character outside the Basic Multilingual Plane (an emoji) on the same line.
- Levels: fmcat's error, warning and info are SARIF's error, warning and note.
- ``partialFingerprints["fmcat/v1"]``: see :mod:`fmcat.report.fingerprints`.
- Several services (a monorepo, docs/org.md): each result names its service in
  ``properties.service`` and, for readers that show only the message (GitHub's alert list), in
  the message, as the text format does: ``[orders] ...``. One run holds every service:
  GitHub refuses an upload with two runs of one tool and category.
- ``tool.driver.rules`` describes the rules that have results, in code order, with their
  documentation as ``help``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, assert_never
from urllib.parse import quote

from fmcat.docs import rule_markdown
from fmcat.findings import Finding, Severity
from fmcat.registry import ALL_RULES
from fmcat.report.base import Report, with_service
from fmcat.report.fingerprints import FINGERPRINT_NAME, fingerprints

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://pypi.org/project/fmcat/"
SRCROOT = "%SRCROOT%"


def level(severity: Severity) -> str:
    match severity:
        case Severity.ERROR:
            return "error"
        case Severity.WARNING:
            return "warning"
        case Severity.INFO:
            return "note"
        case _:
            assert_never(severity)


def _family(code: str) -> str | None:
    return {"FM0": "catalog", "FM1": "code", "FM2": "cross-check"}.get(code[:3])


def _first_paragraph(text: str) -> str:
    return " ".join(text.split("\n\n", 1)[0].split())


def _rule_descriptor(code: str) -> dict[str, Any]:
    rule = ALL_RULES.get(code)
    if rule is None:  # not a registered rule: describe it by its code alone
        return {
            "id": code,
            "shortDescription": {"text": code},
            "fullDescription": {"text": code},
            "help": {"text": code},
        }
    explanation = rule.explanation()
    family = _family(code)
    return {
        "id": code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _first_paragraph(explanation) or rule.summary},
        "help": {
            "text": explanation or rule.summary,
            "markdown": rule_markdown(rule),
        },
        "defaultConfiguration": {"level": level(rule.severity)},
        "properties": {
            "tags": ["reliability", *([family] if family else [])],
            "precision": "very-high" if family == "catalog" else "high",
        },
    }


def _artifact_location(path: str) -> dict[str, str]:
    if Path(path).is_absolute():
        return {"uri": Path(path).as_uri()}
    # `safe="/"` also encodes `:`, so `a:b.py` cannot be read as a URI scheme.
    return {"uri": quote(path, safe="/", errors="surrogateescape"), "uriBaseId": SRCROOT}


def _region(finding: Finding) -> dict[str, int]:
    location = finding.location
    start = (max(location.line, 1), max(location.column, 1))
    region = {"startLine": start[0], "startColumn": start[1]}
    if location.end_line is None and location.end_column is None:
        return region  # SARIF's default: to the end of the start line
    end = location.end
    if end > start:  # an empty or backwards span says no more than its start
        region["endLine"] = end[0]
        region["endColumn"] = end[1]
    return region


def _result(finding: Finding, rule_index: int, fingerprint: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": level(finding.severity),
        "message": {"text": with_service(finding)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _artifact_location(finding.location.path),
                    "region": _region(finding),
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_NAME: fingerprint},
    }
    properties = {"dependency": finding.dependency, "service": finding.service}
    if any(value is not None for value in properties.values()):
        result["properties"] = {k: v for k, v in properties.items() if v is not None}
    return result


def _root_uri(root: Path) -> str:
    uri = root.absolute().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def render(report: Report) -> str:
    codes = sorted({f.code for f in report.findings})
    rule_index = {code: index for index, code in enumerate(codes)}
    results = [
        _result(finding, rule_index[finding.code], fingerprint)
        for finding, fingerprint in zip(report.findings, fingerprints(report.findings), strict=True)
    ]
    run = {
        "tool": {
            "driver": {
                "name": "fmcat",
                "version": report.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": [_rule_descriptor(code) for code in codes],
            }
        },
        "originalUriBaseIds": {SRCROOT: {"uri": _root_uri(report.root)}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
