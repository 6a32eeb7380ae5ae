"""Stable identities for findings, so CI services can match them from one run to the next.

SARIF's ``partialFingerprints["fmcat/v1"]`` and GitLab's ``fingerprint`` are the same value:

    sha256(code NUL path NUL message NUL occurrence), in hex

where ``message`` has its runs of whitespace collapsed to one space and ``occurrence`` counts,
from 0, the findings with the same code, path and message in the order they appear in the file.
The line and column are left out on purpose: a finding keeps its identity when lines are added
above it. Two identical findings in one file differ by their occurrence, so every fingerprint
in a report is unique. The path is the one shown in the report, so run fmcat from the same
folder (the repository's root) every time. Changing this recipe changes every fingerprint:
do it only with a new name (``fmcat/v2``).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence

from fmcat.findings import Finding

#: The key under SARIF's partialFingerprints; the version names the recipe above.
FINGERPRINT_NAME = "fmcat/v1"


def _identity(finding: Finding) -> tuple[str, str, str]:
    return (finding.code, finding.location.path, " ".join(finding.message.split()))


def _position(finding: Finding) -> tuple[int, int, int, int]:
    location = finding.location
    return (location.line, location.column, *location.end)


def fingerprints(findings: Sequence[Finding]) -> list[str]:
    """One fingerprint per finding, in the order given."""
    by_identity: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for index, finding in enumerate(findings):
        by_identity[_identity(finding)].append(index)
    result = [""] * len(findings)
    for identity, indices in by_identity.items():
        # Occurrences count in file order, whatever order the findings were given in.
        in_file_order = sorted(indices, key=lambda i: (*_position(findings[i]), i))
        for occurrence, index in enumerate(in_file_order):
            text = "\0".join((*identity, str(occurrence)))
            result[index] = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return result
