from fmcat.catalog.checks.base import CatalogCheck
from fmcat.findings import Severity


class SchemaViolation(CatalogCheck):
    """
    The file parses but does not match the catalog format: an unknown key (with a "did you
    mean"), a missing required key, a value of the wrong type, a duration without a unit
    (`timeout: 5` could be seconds or milliseconds, so write `5s`), a ratio that is not a
    percentage, or an id that cannot be a URL slug. `fmcat schema` prints the format as JSON
    Schema for editors.
    """

    code = "FM002"
    name = "schema-violation"
    summary = "The catalog file does not match the catalog format"
    severity = Severity.ERROR
    from_loader = True

    INVALID = (
        """\
dependency: search
owner: team-search
kind: http
criticality: optional
policies:
  timout: {connect: 100ms}  # expect: FM002 "policies.timout: unknown key"
  fallback: Hide the search box
""",
        """\
dependency: search
owner: team-search
kind: web  # expect: FM002
criticality: optional
policies:
  timeout: {connect: 5, read: 4 seconds}  # expect: FM002 "has no unit" FM002 "not a duration"
  retry: {attempts: many}  # expect: FM002
""",
        """\
dependency: search  # expect: FM002
kind: http
criticality: optional
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
