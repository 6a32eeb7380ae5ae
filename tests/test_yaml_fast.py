"""The fast YAML path (catalog/yaml_fast.py) gives the round-trip reader's data or steps aside.

For every text here, `fast_data` either raises Unsupported or returns exactly what
`to_plain(round-trip tree)` returns, types included (`True` is not `1`). The texts: every
catalog check's own cases, the catalog files in the repository, the benchmark's generated
organisation, the edge cases YAML 1.1 and 1.2 read differently, and text Hypothesis makes up.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from bench.org import generate_org
from fmcat.catalog.checks import CATALOG_CHECKS
from fmcat.catalog.load import load_catalog
from fmcat.catalog.source import UNPARSED, Source, read_source
from fmcat.catalog.yaml_fast import Unsupported, available, fast_data
from fmcat.catalog.yaml_guard import catalog_yaml, to_plain

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not available(), reason="PyYAML built without libyaml")


def _typed(value: Any) -> Any:
    """The value with every scalar's type beside it, so that 1 == True does not pass."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


def _round_trip(text: str) -> Any:
    return to_plain(catalog_yaml().load(text))


def _agree(text: str) -> bool:
    """True when the fast path read the text (and agreed); False when it stepped aside."""
    try:
        fast = fast_data(text)
    except Unsupported:
        return False
    try:
        slow = _round_trip(text)
    except YAMLError as error:  # the fast path took a text the round-trip reader refuses
        raise AssertionError(f"fast path read {text!r}, round trip refused: {error}") from None
    assert _typed(fast) == _typed(slow), text
    return True


CASES = [case for check in CATALOG_CHECKS for case in (*check.VALID, *check.INVALID)]
FILES = sorted(
    p
    for folder in ("examples", "tests")
    for p in (ROOT / folder).rglob("*.y*ml")
    if p.suffix in (".yaml", ".yml") and "node_modules" not in p.parts
)

EDGES = [
    "a: yes\nb: no\nc: on\nd: off\ne: y\n",  # booleans in YAML 1.1, text in 1.2
    "a: true\nb: False\nc: TRUE\nd: tRue\n",
    "a: +5\nb: -0\nc: 0\nd: 12\ne: -7\n",
    "a: 010\nb: 0o10\nc: 0x1f\nd: 1_000\ne: +5\nf: -0\ng: 0\nh: 12\n",
    "a: 1e3\nb: 1.5\nc: .inf\nd: .nan\ne: 1:30\n",
    "a: 2024-01-01\nb: 2024-01-01T10:00:00Z\nc: '2024-01-01'\n",
    "a: ~\nb: null\nc:\nd: Null\ne: ''\n",
    "a: =\nb: <<\n",
    "<<: {a: 1}\nb: 2\n",
    "a: &x 1\nb: *x\n",
    "a: !!str 1\nb: !custom x\n",
    "%YAML 1.1\n---\na: yes\n",
    "a: 1\n---\nb: 2\n",
    "a: 1\n...\n",
    "---\na: 1\n",
    "a: |\n  one\n  two\n\nb: >\n  folded\n  text\n\n  para\nc: |-\n  strip\nd: >+\n  keep\n\n",
    "a: 'single ''quoted'''\nb: \"double \\\"q\\\" \\u00e9 \\x41 \\t\"\n",
    "a: plain\n  continued\n  lines\nb: [x, y, {c: d}]\nc: {e: f, g: [h]}\n",
    "a: value # comment\nb: '# not a comment'\nc: a#b\n",
    "a: 1\na: 2\n",
    "1: a\ntrue: b\nnull: c\n",
    "? [a, b]\n: c\n",
    "'quoted key': 1\n\"other\": 2\n",
    "a:\n- 1\n- 2\nb:\n  - x\n  -   - y\n",
    "a:\tb\n",
    "a: b\u2028c\n",
    "a: b\x85c\n",
    "\ufeffa: 1\n",
    "a: 'é — ✓ 😀'\nb: 日本\n",
    "a: {x:1}\nb: [a:b]\nc: {x: }\n",
    "a: [1, 2,]\nb: {c: d,}\n",
    "a: 12345678901234567890\nb: 123456789012345678\n",
    "a: b: c\n",
    "a:\n  - b\n c\n",
    "- a\n- b\n",
    "just text\n",
    "# only a comment\n",
    "",
    "a: @b\n",
    "a: `b`\n",
    'a: "unclosed\n',
    "a: [unclosed\n",
    "a: b\r\nc: d\r\n",
    "a: b\rc: d\r",
    "a: 'multi\n  line\n\n  quoted'\n",
    'a: "multi\\\n  escaped"\n',
    "a: -\nb: - x\n",
    "a: ? x\n",
    "a: 50%\nb: 300ms\nc: '#chan'\nd: '@user'\ne: \"https://x.example.com/*\"\n",
]


@pytest.mark.parametrize("text", CASES, ids=range(len(CASES)))
def test_check_cases_read_alike(text: str) -> None:
    _agree(text)


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_repository_files_read_alike(path: Path) -> None:
    _agree(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("text", EDGES, ids=range(len(EDGES)))
def test_edge_cases_read_alike(text: str) -> None:
    _agree(text)


def test_the_fast_path_reads_plain_catalogs(tmp_path: Path) -> None:
    """It must not step aside on the files it exists for: the check cases and the benchmark's
    generated organisation (a fast path that always fell back would pass every test above)."""
    assert sum(_agree(case) for case in CASES) >= len(CASES) * 0.8
    generate_org(tmp_path / "org", 3)
    files = sorted((tmp_path / "org").rglob("*.yaml"))
    assert len(files) == 60 + 3 * 4
    assert all(_agree(p.read_text(encoding="utf-8")) for p in files)
    source = read_source(files[0])
    assert isinstance(source, Source) and source.parsed is UNPARSED


def test_positions_come_from_the_round_trip_tree_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "db.yaml"
    path.write_text("dependency: db\nowner: team-data\nkind: database\n", encoding="utf-8")
    source = read_source(path)
    assert isinstance(source, Source) and source.parsed is UNPARSED
    location = source.locate(("kind",))
    assert (location.line, location.column, location.end_column) == (3, 7, 15)
    assert source.parsed is not UNPARSED
    # The catalog's findings on such a file are located as before.
    catalog = load_catalog([path])
    assert catalog.entries == [] and catalog.findings
    assert all(f.location.line >= 1 for f in catalog.findings)


FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
YAML_PUNCTUATION = ":-[]{}&*!|>'\"#%@`,?~. \n\t\r"
YAMLISH = st.text(alphabet=st.sampled_from(list(YAML_PUNCTUATION + "abcxyz0159eE_")), max_size=120)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(["yes", "no", "on", "0o7", "010", "1_0", "2024-01-01", "~", "<<", "="]),
)
DATA = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@FAST
@given(YAMLISH)
def test_made_up_text_reads_alike(text: str) -> None:
    _agree(text)


@FAST
@given(DATA, st.sampled_from([None, True, False]))
def test_dumped_data_reads_alike(data: Any, flow: bool | None) -> None:
    yaml = YAML(typ="rt", pure=True)
    yaml.default_flow_style = flow
    stream = io.StringIO()
    yaml.dump({"dependency": "x", "value": data}, stream)
    _agree(stream.getvalue())
