from fmcat.catalog.checks.base import CatalogCheck
from fmcat.findings import Severity


class InvalidYaml(CatalogCheck):
    """
    The file cannot be read as a catalog file: a YAML syntax error, tabs used for indentation,
    bytes that are not UTF-8, control characters, more than one document, or a YAML tag other
    than the plain types (`!!python/object`, `!!binary`, custom tags: a catalog holds text,
    numbers, booleans, lists and mappings). The position is where the parser stopped.

    Limits keep `fmcat lint` fast and bounded on any input: a file of at most 1 MiB, lines of at
    most 64 Ki characters, 50,000 YAML tokens, nesting of 64 levels, integers of 18 digits, and
    anchors and aliases that expand to at most 200,000 values or 4 Mi characters (a "billion
    laughs" bomb is reported, not expanded). Nothing else in the file is checked until it parses.
    """

    code = "FM001"
    name = "invalid-yaml"
    summary = "The catalog file is not valid YAML"
    severity = Severity.ERROR
    from_loader = True

    INVALID = (
        """\
dependency: search
owner: team-search
kind: http
criticality: optional
policies:
	timeout: {connect: 100ms}  # expect: FM001 "tab character: YAML indentation must use spaces"
""",
        """\
dependency: search
owner: team-search
links: [{title: Status, url: "https://status.example.com"}  # expect: FM001
""",
    )
    VALID = (
        """\
dependency: search
owner: team-search
kind: http
criticality: optional
policies:
  timeout: {connect: 100ms, read: 400ms}
  fallback: Hide the search box
""",
    )
