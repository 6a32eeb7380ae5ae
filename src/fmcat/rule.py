"""What every rule has, catalog or code: a code, a name, a summary, documentation and its cases.

The docstring of a rule class is its documentation (``fmcat explain``, docs/rules.md); its first
INVALID and VALID cases are shown there as the Bad and Good examples, and every case runs in the
test suite, so the documentation cannot drift from what the rule does.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import ClassVar

from fmcat.findings import Severity

# A case marks each line where the rule must report with a trailing comment: `# expect: FM010`
# is one finding of FM010 on that line, `# expect: FM010 FM010` two, and a quoted text after a
# code, `# expect: FM106 "has no stop condition"`, is part of that finding's message.
EXPECT_MARK = "# expect:"
_MARK_TOKEN = re.compile(r'(?P<code>FM\d{3})|"(?P<text>(?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class Expected:
    """One finding a case expects: its line and, optionally, text its message contains."""

    line: int
    message: str | None = None


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


def expected_findings(case: str, code: str) -> list[Expected]:
    """Every finding of ``code`` that ``case`` marks, one entry a finding, in line order."""
    found = []
    for number, line in enumerate(case.splitlines(), start=1):
        if EXPECT_MARK not in line:
            continue
        current: str | None = None
        for token in _MARK_TOKEN.finditer(line.split(EXPECT_MARK, 1)[1]):
            if token["code"] is not None:
                current = token["code"]
                if current == code:
                    found.append(Expected(number))
            elif current == code:
                text = re.sub(r"\\(.)", r"\1", token["text"])
                found[-1] = Expected(number, text)
                current = None  # one text per finding; a second needs its code again
    return found


def expected_lines(case: str, code: str) -> list[int]:
    """1-based lines of ``case`` that carry ``# expect: CODE``."""
    return sorted({expected.line for expected in expected_findings(case, code)})


def strip_marks(case: str) -> str:
    """The case as a user would write it, for documentation."""
    out = []
    for line in case.splitlines():
        if EXPECT_MARK in line:
            line = line.split(EXPECT_MARK, 1)[0].rstrip()
            line = line.removesuffix("#").rstrip()
        out.append(line)
    return "\n".join(out).strip("\n") + "\n"
