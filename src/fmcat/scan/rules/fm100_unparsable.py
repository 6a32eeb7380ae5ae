from collections.abc import Iterator

from fmcat.findings import Finding, Severity
from fmcat.scan.facts import FileFacts
from fmcat.scan.rules.base import CodeRule, ScanContext


class Unparsable(CodeRule):
    """
    A Python file that could matter (it imports a client library, a resilience library or a
    module the catalog names) could not be parsed, so its calls were not checked: a syntax
    error, Python 2 code, bytes that are neither UTF-8 nor in the file's declared encoding, a
    null byte, or a syntax tree deeper than 200 levels (generated code; libcst cannot parse
    such trees safely). The scan goes on with the other files. Fix the file, or exclude it.
    """

    code = "FM100"
    name = "unparsable-file"
    summary = "A Python file cannot be parsed; its calls were not checked"
    severity = Severity.ERROR

    INVALID = (
        """\
import requests

def fetch(url):
    print "fetching", url  # expect: FM100 "cannot parse: Missing parentheses"
    return requests.get(url, timeout=5)
""",
    )
    VALID = (
        """\
import requests

def fetch(url):
    print("fetching", url)
    return requests.get(url, timeout=5)
""",
    )

    def check(self, facts: FileFacts, context: ScanContext) -> Iterator[Finding]:
        if facts.parse_error is not None:
            yield self.finding(facts, facts.parse_error.span, facts.parse_error.message)
