from collections.abc import Iterator

from fmcat.findings import Finding, Severity
from fmcat.scan.facts import FileFacts
from fmcat.scan.rules.base import CodeRule, ScanContext


class UnusedSuppression(CodeRule):
    """
    A `# fmcat: ignore[...]` comment suppresses nothing: the finding it was written for is
    gone (fixed, or moved to another line), or the code is misspelt. Stale suppressions hide
    the next real finding on that line. Reported only when asked: `--report-unused-ignores`
    or `report_unused_ignores = true` in `[tool.fmcat]`.
    """

    code = "FM108"
    name = "unused-suppression"
    summary = "A suppression comment suppresses nothing (when asked)"
    severity = Severity.WARNING

    INVALID = (
        """\
import requests

def fetch(url):
    return requests.get(url, timeout=5)  # fmcat: ignore[FM101]  # expect: FM108
""",
        """\
import requests

requests.get(u, timeout=5)  # fmcat: ignore[FM101]  # expect: FM108 "unused suppression: FM101"
""",
    )
    VALID = (
        """\
import requests

def fetch(url):
    return requests.get(url)  # fmcat: ignore[FM101, FM103]
""",
    )

    # The engine reports this rule: only it knows which suppressions were used.
    def check(self, facts: FileFacts, context: ScanContext) -> Iterator[Finding]:
        return iter(())
