"""GitHub Actions workflow commands: one annotation a finding, on the file and line.

    ::error file=shop/email.py,line=31,col=14,endLine=31,endColumn=66,title=FM101 missing-timeout::…

Errors, warnings and infos are ``::error``, ``::warning`` and ``::notice``. Values are escaped as
the runner unescapes them: in the message ``%``, CR and LF become ``%25``, ``%0D`` and ``%0A``;
in properties ``:`` and ``,`` also become ``%3A`` and ``%2C``. Columns are given only for a span
on one line (GitHub ignores them across lines); ``endColumn`` is exclusive, as in every fmcat
format. Paths are relative to the current directory, and GitHub reads them from the repository's
root, so run fmcat there. A clean run prints nothing. In a monorepo the message starts with
the finding's service, as in the text format: ``::error ...::[orders] ...``.
"""

from __future__ import annotations

from typing import assert_never

from fmcat.findings import Finding, Severity
from fmcat.registry import ALL_RULES
from fmcat.report.base import Report, with_service


def command(severity: Severity) -> str:
    match severity:
        case Severity.ERROR:
            return "error"
        case Severity.WARNING:
            return "warning"
        case Severity.INFO:
            return "notice"
        case _:
            assert_never(severity)


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _properties(finding: Finding) -> dict[str, str]:
    location = finding.location
    properties = {"file": location.path, "line": str(location.line)}
    end_line, end_column = location.end
    if end_line == location.line:
        properties["col"] = str(location.column)
        properties["endLine"] = str(end_line)
        if location.end_column is not None and end_column > location.column:
            properties["endColumn"] = str(end_column)
    elif end_line > location.line:
        properties["endLine"] = str(end_line)
    rule = ALL_RULES.get(finding.code)
    properties["title"] = f"{finding.code} {rule.name}" if rule else finding.code
    return properties


def annotation(finding: Finding) -> str:
    properties = ",".join(
        f"{key}={escape_property(value)}" for key, value in _properties(finding).items()
    )
    message = escape_data(with_service(finding))
    return f"::{command(finding.severity)} {properties}::{message}"


def render(report: Report) -> str:
    return "".join(annotation(finding) + "\n" for finding in report.findings)
