from collections.abc import Callable, Iterator

from fmcat.findings import Finding, Location, Severity
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

    # The engine reports this rule, through `unused`: only it knows which suppressions were used.
    def check(self, facts: FileFacts, context: ScanContext) -> Iterator[Finding]:
        return iter(())

    def unused(
        self, facts: FileFacts, used: dict[int, set[str]], enabled: Callable[[str], bool]
    ) -> Iterator[Finding]:
        """The suppressions of ``facts`` that suppressed nothing; ``used`` holds, by line, the
        codes each one did suppress."""
        for line, codes in sorted(facts.suppressions.items()):
            hits = used.get(line, set())
            if not codes and not hits:
                unused = "suppresses nothing"
            else:
                stale = [c for c in codes if c not in hits and enabled(c)]
                if not stale:
                    continue
                unused = f"{', '.join(stale)} not reported on this line"
            yield Finding(
                self.code,
                f"unused suppression: {unused}",
                Location(facts.path, line, 1),
                self.severity,
            )
