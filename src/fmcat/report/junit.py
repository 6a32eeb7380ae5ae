"""JUnit XML, for CI services that show test reports (GitLab, Jenkins, Azure, test-report actions).

Shape: one ``<testsuite>`` per file that has findings (named by its path), one ``<testcase>``
per finding in it (``classname`` the path, ``name`` ``CODE rule-name at line L, column C``,
with ``file`` and ``line`` attributes), each with a ``<failure>`` whose ``type`` is the
severity, ``message`` the finding's message, and text the finding as the text format prints
it. Every finding is a failure, whatever its severity, as every finding makes `fmcat lint`
exit 1. A clean run is one suite, ``fmcat``, holding one passing testcase, ``no findings``:
some CI services treat a report with no tests at all as a missing report.

In a monorepo (findings that name their service, docs/org.md) the suites are the services
instead: one ``<testsuite>`` per service with findings, named by the service, its testcases
as above, and the failure text names the service as the text format does (``path:L:C: CODE
[orders] message``). One service's report keeps the suite per file.

There are no timestamps, durations or host names, so the same findings give the same bytes.
Characters XML 1.0 cannot carry (control characters, lone surrogates) are written as
``\\xNN`` or ``\\uNNNN``; ElementTree escapes the rest.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from fmcat.findings import Finding
from fmcat.registry import ALL_RULES
from fmcat.report.base import Report, with_service

# What XML 1.0 cannot contain, even escaped: C0 controls but tab/LF/CR, lone surrogates,
# U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def xml_text(text: str) -> str:
    return _NOT_XML.sub(_visible, text)


def _element(tag: str, parent: ET.Element | None = None, **attributes: str) -> ET.Element:
    safe = {key: xml_text(value) for key, value in attributes.items()}
    return ET.Element(tag, safe) if parent is None else ET.SubElement(parent, tag, safe)


def _counts(element: ET.Element, tests: int, failures: int) -> None:
    element.set("tests", str(tests))
    element.set("failures", str(failures))
    element.set("errors", "0")


def _testcase(suite: ET.Element, finding: Finding) -> None:
    location = finding.location
    rule = ALL_RULES.get(finding.code)
    title = f"{finding.code} {rule.name}" if rule else finding.code
    case = _element(
        "testcase",
        suite,
        classname=location.path,
        name=f"{title} at line {location.line}, column {location.column}",
        file=location.path,
        line=str(location.line),
    )
    failure = _element("failure", case, type=str(finding.severity), message=finding.message)
    failure.text = xml_text(
        f"{location.path}:{location.line}:{location.column}: {finding.code} "
        + with_service(finding)
    )


def render(report: Report) -> str:
    root = _element("testsuites", name="fmcat")
    _counts(root, max(len(report.findings), 1), len(report.findings))
    if not report.findings:
        suite = _element("testsuite", root, name="fmcat")
        _counts(suite, 1, 0)
        suite.set("skipped", "0")
        _element("testcase", suite, classname="fmcat", name="no findings")
    by_suite: dict[str, list[Finding]] = {}
    for finding in report.findings:
        name = finding.location.path if finding.service is None else finding.service
        by_suite.setdefault(name, []).append(finding)
    for name, findings in by_suite.items():
        suite = _element("testsuite", root, name=name)
        _counts(suite, len(findings), len(findings))
        suite.set("skipped", "0")
        for finding in findings:
            _testcase(suite, finding)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
