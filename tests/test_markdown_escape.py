"""The one Markdown escaper (fmcat.render.markdown.escape), in its two dialects: the runbook
site's (Python-Markdown) and the checklist's (GitHub's Markdown).

tests/test_render_markdown.py runs the site's through Python-Markdown; this file pins what each
dialect escapes, character by character, and runs the checklist's through a CommonMark parser
with GitHub's tables and strikethrough.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from fmcat.checklist import markdown as checklist
from fmcat.render import markdown as site

# Each special character alone between letters, and how each dialect writes it: GitHub has a
# backslash escape for all ASCII punctuation; Python-Markdown has none for HTML's characters,
# which become references, and reads `{}` (attribute lists) and `#` (headings) where GitHub does
# not; `~` is strikethrough on GitHub only.
ESCAPES = [
    ("\\", "a\\\\b", "a\\\\b"),
    ("*", "a\\*b", "a\\*b"),
    ("[", "a\\[b", "a\\[b"),
    ("]", "a\\]b", "a\\]b"),
    ("|", "a\\|b", "a\\|b"),
    ("<", "a&lt;b", "a\\<b"),
    (">", "a&gt;b", "a\\>b"),
    ("&", "a&amp;b", "a\\&b"),
    ("~", "a~b", "a\\~b"),
    ("{", "a\\{b", "a{b"),
    ("}", "a\\}b", "a}b"),
    ("#", "a\\#b", "a#b"),
    ("(", "a(b", "a(b"),
    ("!", "a!b", "a!b"),
]


@pytest.mark.parametrize(("char", "for_site", "for_github"), ESCAPES, ids=[e[0] for e in ESCAPES])
def test_what_each_dialect_escapes(char: str, for_site: str, for_github: str) -> None:
    assert site.inline(f"a{char}b") == for_site
    assert checklist.text(f"a{char}b") == for_github


def test_underscores_are_escaped_only_where_they_could_be_emphasis() -> None:
    for escape in (site.inline, checklist.text):
        assert escape("metric_name _x_ a_") == "metric_name \\_x\\_ a\\_"


def test_code_spans_stay_code_and_newlines_collapse() -> None:
    for escape in (site.inline, checklist.text):
        assert escape("run `a_b | c`\nnow") == "run `a_b | c` now"
    assert checklist.code("a`b") == "``a`b``"
    assert site.code("a`b") == "``a`b``"


def test_only_the_site_guards_the_start_of_a_line() -> None:
    # The checklist's text always follows `- [ ] `, where no block can start.
    assert site.inline("- x") == "&#45; x"
    assert site.inline("1. x") == "1&#46; x"
    assert checklist.text("- x") == "- x"


def test_the_dialects_have_their_own_markers() -> None:
    # Text escaped for one is not safe in the other (`\<` is no escape for Python-Markdown).
    assert not isinstance(checklist.text("x"), site.Md)
    assert not isinstance(site.inline("x"), checklist.Md)


class _Parsed(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


GITHUB = MarkdownIt("commonmark").enable(["table", "strikethrough"])

catalog_text = st.text(
    st.characters(categories=["L", "N", "P", "S", "Zs"], exclude_characters="`"),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(catalog_text)
def test_checklist_text_reads_as_written_on_github(text: str) -> None:
    parsed = _Parsed()
    parsed.feed(GITHUB.render(f"- [ ] {checklist.text(text)}\n"))
    assert parsed.tags == ["ul", "li"], parsed.tags
    assert "".join(parsed.text).strip() == " ".join(f"[ ] {text}".split())
