"""Catalog text in the runbook site: it reads exactly as written and can add nothing to the page.

The property tests run the escaped text through Python-Markdown with the site's own extensions
and check that what comes out is one paragraph whose text is the input, with no element in it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import markdown as python_markdown  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fmcat.render import markdown
from fmcat.render.graph import MAX_EDGES, mermaid
from fmcat.render.view import anchor, page_slugs, risk_level

EXTENSIONS = ["attr_list", "tables", "toc", "pymdownx.superfences"]


class _Parsed(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def to_html(text: str) -> _Parsed:
    parsed = _Parsed()
    parsed.feed(python_markdown.markdown(text, extensions=EXTENSIONS))
    return parsed


def collapsed(text: str) -> str:
    return " ".join(text.split())


# Text as a catalog holds it: letters, digits, punctuation, symbols and spaces, no backticks
# (code spans are tested on their own) and no control characters (the loader refuses them).
catalog_text = st.text(
    st.characters(categories=["L", "N", "P", "S", "Zs"], exclude_characters="`"),
    max_size=80,
)


@settings(max_examples=400, deadline=None)
@given(catalog_text)
def test_inline_text_reads_as_written_and_adds_no_element(text: str) -> None:
    parsed = to_html(markdown.inline(text))
    expected = collapsed(text)
    assert parsed.tags == (["p"] if expected else [])
    assert parsed.attributes == []
    assert "".join(parsed.text) == expected


@settings(max_examples=200, deadline=None)
@given(catalog_text)
def test_table_cells_stay_in_their_cell(text: str) -> None:
    table = f"| a | b |\n|---|---|\n| {markdown.cell(text)} | end |\n"
    parsed = to_html(table)
    assert parsed.tags.count("td") == 2
    assert set(parsed.tags) <= {"table", "thead", "tbody", "tr", "th", "td"}


@settings(max_examples=200, deadline=None)
@given(catalog_text)
def test_headings_keep_their_anchor(text: str) -> None:
    parsed = to_html(f"### {markdown.inline(text)} {{ #fm-x }}")
    assert parsed.tags == ["h3"]
    assert parsed.attributes == [("id", "fm-x")]


@settings(max_examples=200, deadline=None)
@given(catalog_text)
def test_list_items_stay_one_item(text: str) -> None:
    parsed = to_html(f"1. {markdown.inline(text)}\n2. end\n")
    assert parsed.tags[:2] == ["ol", "li"]
    assert parsed.tags.count("li") == 2
    assert set(parsed.tags) <= {"ol", "li", "p"}


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "{{ 7*7 }}",
        "{% include 'x' %}",
        "[x](javascript:alert(1))",
        "![x](javascript:alert(1))",
        "<img src=x onerror=alert(1)>",
        'text {: onclick="alert(1)" }',
        "<https://evil.example>",
        "```mermaid",
        "~~~",
        "!!! danger",
        "# heading",
        "- item",
        "12) item",
        "| a | b |",
        "&lt;script&gt;",
    ],
)
def test_injection_attempts_are_text(text: str) -> None:
    for rendered in (markdown.inline(text), markdown.paragraphs(text)):
        parsed = to_html(rendered)
        assert parsed.tags == ["p"], rendered
        assert parsed.attributes == []
        assert "".join(parsed.text) == text


def test_code_spans_stay_code_and_escape_their_content() -> None:
    parsed = to_html(markdown.inline("run `shopctl flags set <x> | y` now"))
    assert parsed.tags == ["p", "code"]
    assert "".join(parsed.text) == "run shopctl flags set <x> | y now"
    assert markdown.code("a ``b`` c") == "```a ``b`` c```"
    assert to_html(markdown.code("`x`")).text == ["`x`"]


def test_paragraphs_keep_blank_line_breaks_only() -> None:
    parsed = to_html(markdown.paragraphs("one\ntwo\n\n- three"))
    assert parsed.tags == ["p", "p"]
    assert parsed.text[0] == "one two"


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://status.example.com", True),
        ("mailto:oncall@example.com", True),
        ("javascript:alert(1)", False),
        (" JavaScript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("vbscript:x", False),
        ("//evil.example/x", False),
    ],
)
def test_links_only_to_safe_schemes(url: str, linked: bool) -> None:
    parsed = _Parsed()
    parsed.feed(python_markdown.markdown(markdown.link("title", url), extensions=EXTENSIONS))
    hrefs = [value for name, value in parsed.attributes if name == "href"]
    assert bool(hrefs) == linked
    for href in hrefs:
        assert href is not None and href.startswith(("https:", "mailto:"))


def test_link_urls_cannot_break_out_of_the_link() -> None:
    rendered = markdown.link("t", 'https://x.example/a b)"<script>')
    assert rendered == "[t](https://x.example/a%20b%29%22%3Cscript%3E)"


def test_tags_are_reduced_to_safe_characters() -> None:
    assert markdown.tag("team-payments") == "team-payments"
    assert markdown.tag("<b>Team</b> & co") == "b-Team-b-co"
    assert markdown.tag("<>") == "unnamed"


def test_page_slugs_are_file_safe() -> None:
    slugs = page_slugs(["api.v2", "payments", "a_b", "x..y"])
    assert slugs == {"a_b": "a_b", "api.v2": "api-v2", "payments": "payments", "x..y": "x-y"}
    assert all(re.fullmatch(r"[a-z0-9_-]+", slug) for slug in slugs.values())


def test_a_page_slug_depends_on_its_own_id_alone() -> None:
    """Issue 9 row 13: `a.b` was `a-b-2.html`, and moved when `a-b-2` was added."""
    alone = page_slugs(["a.b"])["a.b"]
    assert page_slugs(["a-b", "a.b"])["a.b"] == alone == "a-b"
    assert page_slugs(["a-b", "a-b-2", "a.b"])["a.b"] == alone


def test_anchors_are_stable_and_safe() -> None:
    assert anchor("fm", "timeout") == "fm-timeout"
    assert anchor("fm", "db.read-timeout") == "fm-db.read-timeout"
    assert anchor("op", "Bad Name<x>") == "op-bad-name-x"


def test_risk_levels() -> None:
    assert [risk_level(r) for r in (None, 1, 14, 15, 39, 40, 125)] == [
        "unscored",
        "low",
        "low",
        "medium",
        "medium",
        "high",
        "high",
    ]


def test_graph_labels_and_size_limit() -> None:
    graph = mermaid([("checkout", "payments", "critical"), ("browse", "cache", "optional")])
    assert graph is not None
    assert 'op1(["checkout"])' in graph and "op1 --> dep1" in graph and "op0 -.-> dep0" in graph
    assert mermaid([]) is None
    many = [(f"op{i}", f"dep{i}", "critical") for i in range(MAX_EDGES + 1)]
    assert mermaid(many) is None
    odd = mermaid([('a"]; click x call alert(1)', "b", "critical")])
    assert odd is not None and '"]' not in odd.split("\n")[1][:-3]
