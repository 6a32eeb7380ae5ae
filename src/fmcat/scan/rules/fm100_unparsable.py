from collections.abc import Iterator

from fmcat.findings import Finding, Severity
from fmcat.scan.facts import FileFacts
from fmcat.scan.rules.base import CodeRule, ScanContext


class Unparsable(CodeRule):
    """
    A Python file that could matter (it imports a client library, a resilience library or a
    module the catalog names) could not be parsed, so its calls were not checked. libcst
    parses it, for the newest Python grammar libcst knows, whatever Python runs fmcat (so
    `except A, B:` of Python 3.14 is fine on 3.11). Reported here: a syntax error, Python 2
    code, bytes that are neither UTF-8 nor in the file's declared encoding, a null byte, a
    file over 2 MiB or one that cannot be read, and code nested deeper or chained longer than
    libcst parses safely (generated code, usually): brackets 200 deep, blocks 100 deep, an
    expression over 500 levels deep, where each link of a chain such as `a and b and ...`,
    `a + b + ...`, `a.b.c`, `f()()` or `"a" "b"` counts as a level, or a call with over 5,000
    arguments. If libcst crashes on a file all the same, the scan goes on without that file
    and reports it here. Fix the file, or exclude it.
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
        """\
import requests

def fetch(url):
    try:
        return requests.get(url, timeout=5)
    except requests.Timeout, requests.ConnectionError:  # Python 3.14 (PEP 758)
        return None
""",
    )

    def check(self, facts: FileFacts, context: ScanContext) -> Iterator[Finding]:
        if facts.parse_error is not None:
            yield self.finding(facts, facts.parse_error.span, facts.parse_error.message)
