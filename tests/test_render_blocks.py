"""Steps with fenced code and escalation with links: what they make, and nothing more.

Runs the output through Python-Markdown with the site's extensions, as `test_render_markdown`
does for one-line text.
"""

from __future__ import annotations

from html.parser import HTMLParser

import markdown as python_markdown  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fmcat.render.blocks import code_block, contact, step
from fmcat.render.graph import mermaid

EXTENSIONS = ["attr_list", "tables", "toc", "admonition", "pymdownx.superfences"]


class _Parsed(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.links += [value or "" for name, value in attrs if name == "href"]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def html(markdown_text: str) -> _Parsed:
    parsed = _Parsed()
    parsed.feed(python_markdown.markdown(markdown_text, extensions=EXTENSIONS))
    return parsed


def test_a_fenced_block_in_a_step_stays_a_code_block() -> None:
    text = "Look for 429s:\n```sh\nkubectl -n shop logs | grep 429\n```\nThen stop."
    parsed = html(f"1. {step(text)}\n\n2. next\n")
    assert parsed.tags.count("li") == 2
    assert parsed.tags.count("pre") == 1
    assert "kubectl -n shop logs | grep 429\n" in "".join(parsed.text)
    assert "Then stop." in parsed.text


def test_a_step_that_is_only_code_gets_a_lead_line() -> None:
    only_code = step("```sh\nls -l\n```")
    parsed = html(f"1. {only_code}\n")
    assert parsed.tags.count("pre") == 1 and parsed.tags.count("li") == 1
    assert next(t for t in parsed.text if t.strip()) == "Run:"


def test_code_cannot_close_its_fence() -> None:
    hostile = "```\n</code><script>alert(1)</script>\n````"
    block = code_block(hostile, "sh")
    assert block.startswith("`````sh\n")  # one backtick longer than any run inside
    parsed = html(block)
    assert "script" not in parsed.tags and parsed.tags.count("pre") == 1
    assert "<script>alert(1)</script>" in "".join(parsed.text)


def test_a_language_that_is_not_a_name_is_dropped() -> None:
    assert code_block("x", 'sh" onclick="x').splitlines()[0] == "```"


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(categories=["L", "N", "P", "S", "Zs"]), max_size=60))
def test_steps_add_no_element_but_code(text: str) -> None:
    parsed = html(f"1. {step('Check ' + text)}\n")
    assert set(parsed.tags) <= {"ol", "li", "p", "code", "pre", "div", "span"}
    assert parsed.links == []


def test_escalation_links_channels_phones_and_urls() -> None:
    text = (
        "#payments-oncall, then support +44 20 7946 0000 or tel:+1-555-0100; "
        "status at https://status.example.com."
    )
    parsed = html(contact(text, "https://chat.example.com/channels/{channel}"))
    assert parsed.links == [
        "https://chat.example.com/channels/payments-oncall",
        "tel:+442079460000",
        "tel:+15550100",
        "https://status.example.com",
    ]
    assert "".join(parsed.text) == (
        "#payments-oncall, then support +44 20 7946 0000 or +1-555-0100; "
        "status at https://status.example.com."
    )


def test_without_a_channel_url_a_channel_is_code_not_a_link() -> None:
    parsed = html(contact("page #payments-oncall", None))
    assert parsed.links == [] and parsed.tags.count("code") == 1


@pytest.mark.parametrize(
    "text",
    [
        "[x](javascript:alert(1)) #chan",
        "<img src=x onerror=alert(1)> https://ok.example.com",
        "javascript:alert(1) tel:+1 555",
        'https://x.example.com/"><script>alert(1)</script>',
    ],
)
def test_escalation_text_cannot_inject(text: str) -> None:
    parsed = html(contact(text, "https://chat.example.com/{channel}"))
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert all(link.startswith(("https://", "tel:")) for link in parsed.links)
    assert all("<" not in link and '"' not in link for link in parsed.links)


def test_graph_nodes_link_to_their_pages() -> None:
    source = mermaid(
        [("checkout", "payments", "critical")],
        {"payments": "dependencies/payments.html", "op:checkout": 'operations.html#op-"x'},
    )
    assert source is not None
    assert '  click dep0 href "dependencies/payments.html"' in source.splitlines()
    assert '  click op0 href "operations.html#op-%22x"' in source.splitlines()
