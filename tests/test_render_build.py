"""Real builds: `fmcat render` runs MkDocs Material in strict mode, as `mkdocs build --strict`.

Each test renders through the CLI, as users do, and reads the HTML that comes out.
"""

from __future__ import annotations

import json
import os
import re
import stat
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, Run, run_fmcat

PROJECTS = Path(__file__).resolve().parent / "projects"

SITEMAPS = {"sitemap.xml", "sitemap.xml.gz"}  # carry the build date, by mkdocs' design

HOSTILE = """\
dependency: evil
description: >-
  Plain <script>alert("description")</script> and {{ 7*7 }} and {% raw %}{% endraw %}
  and [click](javascript:alert(1)) and <img src=x onerror=alert(2)> and {: onclick="alert(3)" }
owner: "<b onmouseover=alert(4)>team</b>"
escalation: "| a | b | ![x](javascript:alert(5))"
kind: http
criticality: degradable
links:
  - {title: "<script>alert(6)</script>", url: "javascript:alert(7)"}
  - {title: Status, url: "https://status.example.com/?q=<script>"}
policies:
  timeout: {total: 1s}
  fallback: "<iframe src=javascript:alert(8)>"
operations:
  - name: op
    description: "!!! danger \\"injected admonition\\""
    latency_budget: 2s
    measures: {latency: "x<script>", errors: "`y`"}
failure_modes:
  - id: boom
    title: "<script>alert(9)</script> {{ 7*7 }} [x](javascript:alert(10))"
    detection:
      signals: ["</code><script>alert(11)</script>"]
      alert: "{{ 7*7 }}"
      dashboards: [{title: "<script>alert(15)</script>", url: "javascript:alert(16)"}]
      queries: ["````\\n</code></pre><script>alert(17)</script>"]
    impact: "```\\n<script>alert(12)</script>\\n```"
    likelihood: 2
    severity: 3
    detectability: 4
    response:
      diagnose:
        - "```sh\\n```\\n</code></pre><script>alert(18)</script>\\n```"
        - "```\\"><script>alert(19)</script>\\nx\\n```"
      steps:
        - "- nested list <script>alert(13)</script>"
        - "# heading {#fm-boom}"
        - "run `<script>alert(14)</script>` now"
      escalation: "#chan [x](javascript:alert(20)) tel:+1<script> https://x.example.com/\\"<script>"
      verify: "{% for x in range(3) %}loop{% endfor %}"
"""


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[str | None, str]] = []
        self.attributes: list[tuple[str, str, str | None]] = []
        self.text: list[str] = []
        self._in_script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            self.attributes.append((tag, name, value))
        if tag == "script":
            self._in_script = dict(attrs).get("src") or ""
            self.scripts.append((dict(attrs).get("src"), ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            src, body = self.scripts[-1]
            self.scripts[-1] = (src, body + data)
        else:
            self.text.append(data)


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def render(*args: str, cwd: Path | None = None) -> Run:
    return run_fmcat("render", *args, cwd=cwd)


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


@pytest.fixture(scope="module")
def shop_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("shop") / "site"
    result = render(str(EXAMPLE), "-o", str(site))
    assert result.code == 0, result.stderr
    return site


def make_project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / "failure-modes").mkdir(parents=True, exist_ok=True)
        (root / "failure-modes" / name).write_text(text, encoding="utf-8")
    return root


def test_example_site_has_every_page_and_anchor(shop_site: Path) -> None:
    names = {p.relative_to(shop_site).as_posix() for p in html_files(shop_site)}
    assert {"index.html", "operations.html", "risk.html", "code.html", "tags.html"} <= names
    assert "dependencies/payment-gateway.html" in names
    runbook = (shop_site / "dependencies" / "payment-gateway.html").read_text(encoding="utf-8")
    for anchor in ("fm-timeout", "fm-unavailable", "fm-rate-limited", "fm-auth-rejected"):
        assert f'id="{anchor}"' in runbook
    assert 'id="policies"' in runbook
    assert "<ol>" in runbook  # the steps are numbered
    assert (shop_site / ".fmcat-render").is_file()


def test_example_site_is_offline(shop_site: Path) -> None:
    """No script, stylesheet, font or image is fetched from elsewhere when a page is viewed."""
    for path in html_files(shop_site):
        page = parse(path)
        for tag, name, value in page.attributes:
            if (tag, name) in {("script", "src"), ("link", "href"), ("img", "src")}:
                assert value is not None and not re.match(r"^[a-z]+:|^//", value), (path, value)
    text = "\n".join(p.read_text(encoding="utf-8") for p in html_files(shop_site))
    for host in ("fonts.googleapis.com", "fonts.gstatic.com", "unpkg.com", "cdn.jsdelivr.net"):
        assert host not in text
    index = (shop_site / "index.html").read_text(encoding="utf-8")
    assert "assets/vendor/iframe-worker/shim.js" in index
    assert "assets/vendor/mermaid/mermaid.min.js" in index
    assert (shop_site / "search" / "search_index.js").is_file()  # search from file://
    assert (shop_site / "assets" / "vendor" / "mermaid" / "LICENSE").is_file()


def test_example_site_has_tags_and_search_entries(shop_site: Path) -> None:
    tags = (shop_site / "tags.html").read_text(encoding="utf-8")
    for tag in ("kind:http", "criticality:critical", "owner:team-payments"):
        assert tag in tags
    index = json.loads((shop_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = {doc["location"] for doc in index["docs"]}
    assert "dependencies/payment-gateway.html#fm-rate-limited" in locations


def test_relative_output_folder_gets_the_site_with_normal_permissions(tmp_path: Path) -> None:
    umask = os.umask(0)
    os.umask(umask)
    result = render(str(EXAMPLE), "-o", "out/site", "--no-scan", cwd=tmp_path)
    assert result.code == 0, result.stderr
    site = tmp_path / "out" / "site"
    assert (site / "index.html").is_file()
    assert stat.S_IMODE(site.stat().st_mode) == 0o777 & ~umask
    assert "site written to out/site; open out/site/index.html" in result.stderr
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["site"]


def test_two_renders_are_byte_identical(shop_site: Path, tmp_path: Path) -> None:
    again = tmp_path / "site"
    assert render(str(EXAMPLE), "-o", str(again)).code == 0
    first = {p.relative_to(shop_site): p for p in shop_site.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    for name, path in first.items():
        if name.name not in SITEMAPS:
            assert path.read_bytes() == second[name].read_bytes(), name


def test_catalog_text_cannot_inject_script_template_or_links(tmp_path: Path) -> None:
    project = make_project(tmp_path / "evil", {"evil.yaml": HOSTILE})
    site = tmp_path / "site"
    result = render(str(project), "-o", str(site), "--no-scan")
    assert result.code == 0, result.stderr
    runbook = site / "dependencies" / "evil.html"
    for path in html_files(site):
        page = parse(path)
        for src, body in page.scripts:
            assert "alert(" not in body, path
            assert src is None or not re.match(r"^[a-z]+:|^//", src), (path, src)
        for tag, name, value in page.attributes:
            assert not name.startswith("on"), (path, tag, name, value)
            if name in {"href", "src", "action", "formaction"} and value is not None:
                assert not value.strip().lower().startswith(("javascript:", "data:")), (path, value)
            assert tag not in {"iframe", "img", "object", "embed", "b"}, (path, tag)
    text = " ".join(" ".join(parse(runbook).text).split())
    # Jinja in the catalog is shown, never evaluated.
    assert "{{ 7*7 }}" in text and "49" not in text
    assert "{% for x in range(3) %}loop{% endfor %}" in text and "looploop" not in text
    assert '<script>alert("description")</script>' in text
    assert "[click](javascript:alert(1))" in text
    assert "javascript:alert(7)" in text  # the refused link is shown as text
    # Code blocks in steps and queries hold their text; it cannot close the block.
    # (Highlighted code is split into spans, so its text is joined without spaces.)
    joined = "".join(parse(runbook).text)
    assert "</code></pre><script>alert(18)</script>" in joined
    assert "</code></pre><script>alert(17)</script>" in joined
    assert "javascript:alert(16)" in text and "[x](javascript:alert(20))" in text
    assert 'id="fm-boom"' in runbook.read_text(encoding="utf-8")
    index = (site / "search" / "search_index.json").read_text(encoding="utf-8").lower()
    assert "<script" not in index and "<img" not in index and "<iframe" not in index


def test_invalid_catalog_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        {
            "ok.yaml": "dependency: ok\nowner: t\nkind: http\ncriticality: optional\n",
            "bad.yaml": "dependency: bad\nowner: t\nkind: telepathy\ncriticality: optional\n",
            "broken.yaml": "dependency: [unclosed\n",
        },
    )
    site = tmp_path / "site"
    result = render(str(project), "-o", str(site))
    assert result.code == 2
    assert "Traceback" not in result.stderr
    assert "the catalog has 2 errors" in result.stderr
    assert re.search(r"failure-modes/bad\.yaml:3:7: FM002 ", result.stderr), result.stderr
    assert re.search(r"failure-modes/broken\.yaml:\d+:\d+: FM001 ", result.stderr)
    assert not site.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["p"]  # no staging folder left behind


def test_failed_render_keeps_the_previous_site(tmp_path: Path, shop_site: Path) -> None:
    project = make_project(
        tmp_path / "p", {"ok.yaml": "dependency: ok\nowner: t\nkind: http\ncriticality: optional\n"}
    )
    site = tmp_path / "site"
    assert render(str(project), "-o", str(site)).code == 0
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    # A template override with a broken link: MkDocs warns, strict mode fails the build.
    overrides = tmp_path / "templates"
    overrides.mkdir()
    (overrides / "risk.md.j2").write_text("# Risk\n\n[gone](nowhere.md)\n", encoding="utf-8")
    result = render(str(project), "-o", str(site), "--templates", str(overrides))
    assert result.code == 2
    assert "nowhere.md" in result.stderr and "Traceback" not in result.stderr
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p", "site", "templates"]


def test_templates_override_a_page(tmp_path: Path) -> None:
    overrides = tmp_path / "templates"
    overrides.mkdir()
    (overrides / "risk.md.j2").write_text(
        "---\ntitle: Risk\n---\n\n# Our own risk page\n\n"
        "{% for mode in site.ranked %}- {{ mode.model.title }}\n{% endfor %}",
        encoding="utf-8",
    )
    site = tmp_path / "site"
    result = render(str(EXAMPLE), "-o", str(site), "--templates", str(overrides), "--no-scan")
    assert result.code == 0, result.stderr
    risk = (site / "risk.html").read_text(encoding="utf-8")
    assert "Our own risk page" in risk and "PayExample answers 429 Too Many Requests" in risk
    assert not (site / "code.html").exists()  # --no-scan: no Code page


@pytest.mark.parametrize(
    ("folder", "files", "message"),
    [
        ("missing", None, "no such folder"),
        ("file.txt", None, "not a folder"),
        ("t", {"rsik.md.j2": "x"}, "rsik.md.j2: not a template fmcat renders"),
        ("t", {"risk.md.j2": "{% if %}"}, "risk.md.j2:1: template syntax error"),
        (
            "t",
            {"risk.md.j2": "{{ site.nope }}"},
            "template risk.md.j2: 'fmcat.render.view.SiteView object' has no attribute 'nope'",
        ),
    ],
    ids=["missing", "file", "unknown-name", "syntax", "undefined"],
)
def test_bad_templates_folder(
    tmp_path: Path, folder: str, files: dict[str, str] | None, message: str
) -> None:
    templates = tmp_path / folder
    if folder == "file.txt":
        templates.write_text("x", encoding="utf-8")
    if files is not None:
        templates.mkdir()
        for name, text in files.items():
            (templates / name).write_text(text, encoding="utf-8")
    result = render(str(EXAMPLE), "-o", str(tmp_path / "site"), "--templates", str(templates))
    assert result.code == 2
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "site").exists()


def test_output_that_is_not_ours_is_not_replaced(tmp_path: Path) -> None:
    precious = tmp_path / "docs"
    precious.mkdir()
    (precious / "notes.md").write_text("mine", encoding="utf-8")
    result = render(str(EXAMPLE), "-o", str(precious), "--no-scan")
    assert result.code == 2
    assert "was not made by `fmcat render`" in result.stderr
    assert [p.name for p in precious.iterdir()] == ["notes.md"]


def test_unwritable_output(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    for output in (blocker, blocker / "site"):
        result = render(str(EXAMPLE), "-o", str(output), "--no-scan")
        assert result.code == 2
        assert "Traceback" not in result.stderr
        assert "fmcat: error:" in result.stderr
    assert blocker.read_text(encoding="utf-8") == "x"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "mailto:x@example.com", "ftp://x"])
def test_repo_url_must_be_http(tmp_path: Path, url: str) -> None:
    result = render(str(EXAMPLE), "-o", str(tmp_path / "site"), "--repo-url", url)
    assert result.code == 2
    assert "give an http(s) URL of the repository" in result.stderr
    assert not (tmp_path / "site").exists()


def test_no_catalog(tmp_path: Path) -> None:
    result = render(str(tmp_path), "-o", str(tmp_path / "site"))
    assert result.code == 2
    assert "nothing to render" in result.stderr


def test_print_template() -> None:
    result = run_fmcat("render", "--print-template", "failure-mode.md.j2")
    assert result.code == 0
    assert "{ #{{ mode.anchor }} }" in result.stdout


def test_messaging_dependency_shows_the_code_s_delivery_next_to_the_declared(
    tmp_path: Path,
) -> None:
    """A built page (mkdocs) puts each consumer's real semantics beside the catalog's: the
    Django shop's jobs are declared at-least-once with 3 deliveries, and its `charge` task
    acknowledges before it runs and allows 6 deliveries."""
    site = tmp_path / "site"
    result = render(str(PROJECTS / "django_shop"), "-o", str(site))
    assert result.code == 0, result.stderr
    page = (site / "dependencies" / "jobs.html").read_text(encoding="utf-8")
    assert 'id="delivery-in-code"' in page
    assert (
        "Declared: at-least-once, dedup on order_id, at most 3 deliveries, dead letter jobs.dlq."
        in page
    )
    rows = [r for r in re.findall(r"<tr>(.*?)</tr>", page, re.S) if "orders.tasks." in r]
    assert len(rows) == 2, rows
    charge = next(r for r in rows if "orders.tasks.charge" in r)
    assert "before processing" in charge
    assert "autoretry_for, at most 6 deliveries (max_retries=5)" in charge
    refund = next(r for r in rows if "orders.tasks.refund" in r)
    assert "after processing (acks_late=True)" in refund
    assert "<td>no</td>" in refund
