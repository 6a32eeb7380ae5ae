from fmcat.catalog.checks.base import CatalogCheck
from fmcat.findings import Severity


class InvalidYaml(CatalogCheck):
    """
    The file cannot be read as YAML: a syntax error, tabs used for indentation, bytes that are
    not UTF-8, a file over 1 MiB, nesting deeper than 64 levels, or anchors and aliases that
    expand past 200,000 values (a "billion laughs" bomb). The position is where the parser
    stopped. Nothing else in the file is checked until it parses.
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
	timeout: {connect: 100ms}  # expect: FM001
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
