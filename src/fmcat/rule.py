"""What every rule has, catalog or code: a code, a name, a summary, documentation and its cases.

The docstring of a rule class is its documentation (``fmcat explain``, docs/rules.md); its first
INVALID and VALID cases are shown there as the Bad and Good examples, and every case runs in the
test suite, so the documentation cannot drift from what the rule does.
"""

from __future__ import annotations

import inspect
from typing import ClassVar

from fmcat.findings import Severity

# A case marks each line where the rule must report with a trailing comment: `# expect: FM010`.
EXPECT_MARK = "# expect:"


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    severity: ClassVar[Severity] = Severity.WARNING
    #: Inputs on which the rule must stay silent.
    VALID: ClassVar[tuple[str, ...]] = ()
    #: Inputs on which it must report, on exactly the lines marked `# expect: CODE`.
    INVALID: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def explanation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def example_language(cls) -> str:
        return "yaml"


def expected_lines(case: str, code: str) -> list[int]:
    """1-based lines of ``case`` that carry ``# expect: CODE``."""
    lines = []
    for number, line in enumerate(case.splitlines(), start=1):
        if EXPECT_MARK in line:
            codes = line.split(EXPECT_MARK, 1)[1].replace(",", " ").split()
            if code in codes:
                lines.append(number)
    return lines


def strip_marks(case: str) -> str:
    """The case as a user would write it, for documentation."""
    out = []
    for line in case.splitlines():
        if EXPECT_MARK in line:
            line = line.split(EXPECT_MARK, 1)[0].rstrip()
            line = line.removesuffix("#").rstrip()
        out.append(line)
    return "\n".join(out).strip("\n") + "\n"
