"""Whatever a catalog file holds, loading and checking it never raises, and every finding points
into the file.

These run the in-process pipeline (`load_catalog` then `check_catalog`) that `fmcat lint` runs,
on text Hypothesis makes up: arbitrary characters, YAML punctuation, and YAML dumped from random
nested data whose keys are partly the catalog's own, so the schema and the checks see it too.
"""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from fmcat.catalog.load import load_catalog
from fmcat.findings import Finding
from fmcat.lint import check_catalog

FAST = settings(
    max_examples=200,
    deadline=None,
    # A fresh folder per example, not the function-scoped tmp_path fixture.
    suppress_health_check=[HealthCheck.too_slow],
)

# Line breaks as YAML 1.2 counts them (ruamel's positions do; str.splitlines() does not).
LINE_BREAK = re.compile("\r\n|[\r\n]")

YAML_PUNCTUATION = ":-[]{}&*!|>'\"#%@`,?~. \n\t\r"
YAMLISH = st.text(
    alphabet=st.sampled_from(list(YAML_PUNCTUATION + "abcdefxyz019")),
    max_size=200,
)
# Any code point, lone surrogates included: written with surrogatepass they are bytes that are
# not UTF-8, which the loader must locate as well.
ANY_TEXT = st.text(max_size=200)

CATALOG_KEYS = [
    "dependency",
    "owner",
    "kind",
    "criticality",
    "description",
    "policies",
    "timeout",
    "connect",
    "read",
    "total",
    "retry",
    "attempts",
    "backoff",
    "initial",
    "jitter",
    "circuit_breaker",
    "failure_rate",
    "bulkhead",
    "max_concurrent",
    "fallback",
    "operations",
    "name",
    "idempotent",
    "latency_budget",
    "measures",
    "objective",
    "failure_modes",
    "id",
    "title",
    "detection",
    "signals",
    "alert",
    "response",
    "automatic",
    "steps",
    "likelihood",
    "severity",
    "delivery",
    "semantics",
    "dedup",
    "poison",
    "match",
    "url",
    "call",
    "links",
    "tags",
]
CATALOG_WORDS = [
    "250ms",
    "2s",
    "1m",
    "4 seconds",
    "0.1%",
    "50%",
    "http",
    "queue",
    "critical",
    "optional",
    "exponential",
    "retry",
    "checkout",
    "team-a",
    "Bad_Id",
    "",
    "2024-01-01",
    "https://x.example.com/*",
]

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(CATALOG_WORDS),
)
KEYS = st.one_of(
    st.sampled_from(CATALOG_KEYS),
    st.text(min_size=1, max_size=12),
    st.integers(min_value=-5, max_value=5),
)
TREES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(KEYS, inner, max_size=5),
    ),
    max_leaves=30,
)
# Near-valid catalogs get past the schema more often, so the checks run on odd data too.
SMALL_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-2, max_value=50),
    st.sampled_from([1000, 1001, 10**15, 2**63]),
    st.sampled_from(CATALOG_WORDS),
)
CATALOG_TREES = st.recursive(
    SMALL_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(CATALOG_KEYS), inner, max_size=5),
    ),
    max_leaves=25,
)
NEAR_VALID = st.fixed_dictionaries(
    {
        "dependency": st.sampled_from(["payments", "search", "Bad Id"]),
        "owner": st.sampled_from(["team-a", ""]),
        "kind": st.sampled_from(["http", "queue", "web"]),
        "criticality": st.sampled_from(["critical", "degradable", "optional"]),
    },
    optional={key: CATALOG_TREES for key in CATALOG_KEYS[4:]},
)

# An FM002 message begins with where the problem is: a dotted path of plain or quoted keys and
# list indexes, or words about the whole document.
SEGMENT = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*")'
FM002_START = re.compile(
    rf"^(?:{SEGMENT}(?:\.{SEGMENT}|\[\d+\])*: "
    r"|\(top level\): |expected a mapping |file is empty|file has only comments)"
)


def lint_text(data: bytes) -> tuple[str, list[Finding]]:
    """Write ``data`` as a catalog file and run the loader and every check on it."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "dependency.yaml"
        path.write_bytes(data)
        findings = check_catalog(load_catalog([path]))
    text = data.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    return text, findings


def assert_located(text: str, findings: list[Finding]) -> None:
    lines = LINE_BREAK.split(text)
    for finding in findings:
        where = finding.location
        assert "\n" not in finding.message and "\r" not in finding.message, finding
        assert finding.message.strip(), finding
        assert 1 <= where.line <= len(lines), (finding, len(lines))
        # One past the end of the line is a real cursor position (an unclosed bracket at EOF).
        assert 1 <= where.column <= len(lines[where.line - 1]) + 1, (finding, lines[where.line - 1])
        if finding.code == "FM002":
            assert FM002_START.match(finding.message), finding.message


def dump(value: Any, *, flow: bool) -> str:
    yaml = YAML(typ="rt", pure=True)
    yaml.default_flow_style = flow
    out = io.StringIO()
    yaml.dump(value, out)
    return out.getvalue()


@FAST
@given(st.one_of(ANY_TEXT, YAMLISH))
def test_arbitrary_text_never_raises_and_findings_are_located(text: str) -> None:
    checked, findings = lint_text(text.encode("utf-8", errors="surrogatepass"))
    assert_located(checked, findings)


@FAST
@given(YAMLISH, st.sampled_from(["", "\ufeff"]), st.booleans())
def test_yaml_punctuation_with_bom_and_crlf(text: str, bom: str, crlf: bool) -> None:
    if crlf:
        text = text.replace("\r", "").replace("\n", "\r\n")
    checked, findings = lint_text((bom + text).encode("utf-8"))
    assert_located(checked, findings)


@FAST
@given(TREES, st.booleans())
def test_arbitrary_structured_yaml_never_raises(value: Any, flow: bool) -> None:
    text = dump(value, flow=flow)
    checked, findings = lint_text(text.encode("utf-8"))
    assert_located(checked, findings)
    if not isinstance(value, dict):
        assert findings, "a document that is not a mapping is never a valid catalog"


@FAST
@given(NEAR_VALID, st.booleans())
def test_near_valid_catalogs_never_raise(value: dict[str, Any], flow: bool) -> None:
    text = dump(value, flow=flow)
    checked, findings = lint_text(text.encode("utf-8"))
    assert_located(checked, findings)
