"""The site in a real browser, opened from disk as an on-call engineer would open it.

Headless Debian chromium, driven by Playwright (never `playwright install`: the browser is the
system's). In CI (CI=true) these tests are mandatory, and a missing browser fails them instead of
skipping; locally they skip and say why. FMCAT_CHROMIUM names another chromium binary.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import EXAMPLE, run_fmcat
from tests.test_render_build import HOSTILE, make_project

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Dialog, Page, ViewportSize

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# Material shows the search box at desktop widths only.
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"the browser test is mandatory in CI: {reason}")
    pytest.skip(reason)


def _chromium() -> str:
    found = os.environ.get("FMCAT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).is_file():
        _unavailable("no chromium found (apt-get install chromium, or set FMCAT_CHROMIUM)")
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[dev]')")
    executable = _chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield launched
        finally:
            launched.close()


class Visit:
    """A page that records every request it makes and every dialog it opens."""

    def __init__(self, browser: Browser) -> None:
        self.page: Page = browser.new_page(viewport=VIEWPORT)
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))

        def dismiss(dialog: Dialog) -> None:
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        self.page.on("dialog", dismiss)

    def off_machine(self) -> list[str]:
        return [url for url in self.requests if not url.startswith("file://")]


def test_search_finds_a_failure_mode_and_leads_to_its_runbook(
    browser: Browser, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    result = run_fmcat("render", str(EXAMPLE), "-o", str(site))
    assert result.code == 0, result.stderr
    visit = Visit(browser)
    page = visit.page
    page.goto((site / "index.html").as_uri())

    # The operations graph is drawn by the vendored mermaid.js: Material swaps the fenced
    # source for a rendered diagram.
    page.wait_for_selector("div.mermaid", state="attached", timeout=20_000)
    assert page.locator("pre.mermaid").count() == 0

    page.click(".md-search__input")
    page.keyboard.type("Too Many Requests")
    hit = page.locator('.md-search-result__item a[href*="#fm-rate-limited"]').first
    hit.wait_for(timeout=15_000)
    hit.click()

    # Material adds ?h=<terms> to highlight them on the page it opens.
    page.wait_for_url(
        lambda url: (
            "/dependencies/payment-gateway.html" in url and url.endswith("#fm-rate-limited")
        ),
        timeout=15_000,
    )
    section = page.locator("h3#fm-rate-limited")
    section.wait_for(timeout=10_000)
    assert "PayExample answers 429 Too Many Requests" in section.inner_text()
    following = page.locator("h3#fm-rate-limited ~ ol").nth(1).inner_text()
    assert "limit increase" in following  # the section's numbered mitigation steps are there
    shot = tmp_path / "runbook-search.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")

    assert visit.off_machine() == [], "the site fetched something from the network"
    assert visit.dialogs == []


def test_searching_an_alert_name_ranks_its_failure_mode_first(
    browser: Browser, tmp_path: Path
) -> None:
    """Issue 11: the paged engineer types the alert's name; its failure mode comes first."""
    site = tmp_path / "site"
    result = run_fmcat("render", str(EXAMPLE), "-o", str(site), "--no-scan")
    assert result.code == 0, result.stderr
    visit = Visit(browser)
    page = visit.page
    page.goto((site / "index.html").as_uri())
    page.click(".md-search__input")
    page.keyboard.type("PaymentGatewayTimeouts")
    page.locator(".md-search-result__item").first.wait_for(timeout=15_000)
    page.wait_for_timeout(500)  # let the result list settle
    links = [
        href.split("?", 1)[0] + ("#" + href.split("#", 1)[1] if "#" in href else "")
        for href in page.locator(".md-search-result__list a").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
    ]
    # Material lists each page's article first and its matching sections under it: the first
    # page is the runbook, and its first section the failure mode the alert detects.
    sections = [link for link in links if "#" in link]
    assert links[0].endswith("dependencies/payment-gateway.html"), links
    assert sections[0].endswith("dependencies/payment-gateway.html#fm-timeout"), links
    # The Alerts page and the risk ranking list the alert too, below the runbook.
    assert any(link.endswith("alerts.html") for link in links[2:]), links
    page.locator('.md-search-result__list a[href*="#fm-timeout"]').first.click()
    page.wait_for_url(lambda url: url.endswith("#fm-timeout"), timeout=15_000)
    # The on-call block right under the heading names the alert and its severity label.
    block = page.locator("h3#fm-timeout + .admonition").inner_text()
    assert "Alert: PaymentGatewayTimeouts · severity page" in block, block
    assert visit.off_machine() == []


def test_hostile_catalog_runs_no_script_in_the_browser(browser: Browser, tmp_path: Path) -> None:
    project = make_project(tmp_path / "evil", {"evil.yaml": HOSTILE})
    site = tmp_path / "site"
    assert run_fmcat("render", str(project), "-o", str(site), "--no-scan").code == 0
    visit = Visit(browser)
    for name in ("index.html", "dependencies/evil.html", "risk.html", "operations.html"):
        visit.page.goto((site / name).as_uri())
        visit.page.wait_for_load_state("load")
    visit.page.click(".md-search__input")
    visit.page.keyboard.type("injected admonition")  # results show the hostile text
    visit.page.wait_for_selector(".md-search-result__item", timeout=15_000)
    visit.page.wait_for_timeout(500)
    visit.page.screenshot(path=str(tmp_path / "hostile-search.png"))
    assert visit.dialogs == [], "catalog text ran script in the page"
    assert visit.off_machine() == []


# --- The runbook page for the engineer on call, and the layout (issue 12) -----------------------

REPO_URL = "https://git.example.com/shop/blob/main"
PHONE: ViewportSize = {"width": 390, "height": 844}
#: Material's copy button on a code block (content.code.copy).
COPY_BUTTON = 'button.md-code__button[data-md-type="copy"]'
# Material draws Mermaid diagrams in a closed shadow root; opening it lets the test find the
# nodes' links (the page behaves the same otherwise).
OPEN_SHADOWS = """
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) {
  return attach.call(this, {...init, mode: "open"});
};
"""


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("shop") / "site"
    result = run_fmcat("render", str(EXAMPLE), "-o", str(site), "--repo-url", REPO_URL)
    assert result.code == 0, result.stderr
    return site


def _shots(browser: Browser, url: str, folder: Path, name: str) -> list[Path]:
    """The page at the desktop and the phone viewport, saved as test artifacts."""
    paths = []
    for viewport in (VIEWPORT, PHONE):
        page = browser.new_page(viewport=viewport)
        page.goto(url)
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        path = folder / f"{name}-{viewport['width']}x{viewport['height']}.png"
        page.screenshot(path=str(path))
        assert path.stat().st_size > 10_000, f"{path} is (nearly) empty"
        print(f"screenshot: {path}")
        paths.append(path)
        page.close()
    return paths


def _top(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not displayed"
    return float(box["y"])


def test_failure_mode_section_puts_the_on_call_block_first(
    browser: Browser, shop: Path, tmp_path: Path
) -> None:
    visit = Visit(browser)
    page = visit.page
    url = (shop / "dependencies" / "payment-gateway.html").as_uri() + "#fm-rate-limited"
    page.goto(url)
    section = "h3#fm-rate-limited"
    # The element right after the heading is the on-call block.
    block = page.locator(f"{section} + .admonition.oncall")
    assert block.count() == 1
    text = block.inner_text()
    for words in ("Alert:", "PaymentGatewayRateLimited", "Escalate:", "Owner:", "team-payments"):
        assert words in text
    assert "Last reviewed: 2026-10-20, 42 days ago" in text
    channel = block.locator('a[href="https://chat.shop.example.com/channels/payments-oncall"]')
    assert channel.inner_text() == "#payments-oncall"
    assert block.locator('a[href="tel:+442079460000"]').inner_text() == "+44 20 7946 0000"
    # The query is a PromQL code block with Material's copy button.
    query = block.locator("pre code").first
    assert query.inner_text().strip() == (
        'sum by (pod) (rate(shop_payment_gateway_requests_total{outcome="429"}[5m]))'
    )
    assert block.locator(COPY_BUTTON).count() == 1

    # Then Impact, Diagnosis, Mitigation, Verify, in that order, each after the block.
    headings = page.locator(f"{section} ~ h4")
    names = [headings.nth(i).inner_text().strip("¶ \n") for i in range(4)]
    assert names == ["Impact", "Diagnosis", "Mitigation", "Verify"]
    tops = [_top(page, f"{section} ~ h4 >> nth={i}") for i in range(4)]
    assert _top(page, f"{section} + .admonition") < tops[0] < tops[1] < tops[2] < tops[3]

    # A fenced block in a step is a code block of its own, with a copy button, not a line.
    step = page.locator(f"{section} ~ ol").first
    command = step.locator("pre code")
    assert command.count() == 1
    assert command.inner_text().strip() == (
        "kubectl -n shop logs -l app=shop-api --since 15m | grep -c 429"
    )
    assert step.locator(COPY_BUTTON).count() == 1
    assert "```" not in step.inner_text()

    # The FMEA number is labelled as one, apart from the alert.
    assert "FMEA risk: RPN 12 of 125 (low)." in page.locator("article").inner_text()
    assert "12 low" not in page.locator("article").inner_text()

    # The declared timeout says where the code contradicts it, and links to the line.
    row = page.locator("article td:text-is('Timeout')").locator("xpath=..")
    assert "The code disagrees at 1 call site" in row.inner_text()
    assert row.locator(f'a[href="{REPO_URL}/shop/clients/payments.py#L76"]').count() == 1

    edit = page.locator("a.fmcat-edit")
    assert edit.get_attribute("href") == (
        "https://git.example.com/shop/edit/main/failure-modes/payment-gateway.yaml"
    )
    assert visit.off_machine() == []
    _shots(browser, url, tmp_path, "failure-mode")


def test_dark_mode_toggle(browser: Browser, shop: Path) -> None:
    page = browser.new_page(viewport=VIEWPORT, color_scheme="light")
    page.goto((shop / "index.html").as_uri())
    body = page.locator("body")
    assert body.get_attribute("data-md-color-scheme") == "default"
    page.locator('label[title="Switch to dark mode"]').first.click()
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background != "rgb(255, 255, 255)", "the dark scheme left the page white"
    page.close()


def test_home_table_is_ranked_and_fits(browser: Browser, shop: Path, tmp_path: Path) -> None:
    page = browser.new_page(viewport=VIEWPORT)
    page.goto((shop / "index.html").as_uri())
    table = page.locator("article table").first
    rows = table.locator("tbody tr")
    criticality = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(rows.count())]
    assert criticality == ["critical", "critical", "degradable", "degradable", "optional"]
    # Nothing cut off: the table is no wider than the space it has, and no scroll bar.
    overflow = page.evaluate(
        """() => { const t = document.querySelector('article table');
                   const wrap = t.closest('.md-typeset__scrollwrap') || t.parentElement;
                   return [t.getBoundingClientRect().right, wrap.getBoundingClientRect().right,
                           wrap.scrollWidth, wrap.clientWidth]; }"""
    )
    table_right, wrap_right, scroll_width, client_width = overflow
    assert table_right <= wrap_right + 1
    assert scroll_width <= client_width, f"the home table scrolls: {overflow}"
    page.close()
    _shots(browser, (shop / "index.html").as_uri(), tmp_path, "home")


_BROKEN_IDENTIFIERS = """() => [
    ...document.querySelectorAll('article td a.fmcat-id, article td code')]
    .filter(e => !/\\s/.test(e.textContent.trim()) && e.getClientRects().length > 1)
    .map(e => e.textContent)"""


def test_tables_wrap_between_words_and_show_no_markdown(browser: Browser, shop: Path) -> None:
    page = browser.new_page(viewport=VIEWPORT)
    for name in ("risk.html", "operations.html", "index.html", "dependencies/order-events.html"):
        page.goto((shop / name).as_uri())
        assert page.evaluate(_BROKEN_IDENTIFIERS) == [], f"{name}: an identifier is split"
        page.set_viewport_size(PHONE)
        assert page.evaluate(_BROKEN_IDENTIFIERS) == [], f"{name}: split at 390 px"
        page.set_viewport_size(VIEWPORT)
        cells = page.locator("article td").all_inner_texts()
        literal = [c for c in cells if "**" in c or "`" in c or "](" in c or "\\" in c]
        assert literal == [], f"{name}: Markdown shown as text in {literal}"
    page.goto((shop / "operations.html").as_uri())
    assert "no, over budget" in page.locator("article").inner_text()
    page.close()


def test_graph_nodes_open_their_runbooks(browser: Browser, shop: Path) -> None:
    page = browser.new_page(viewport=VIEWPORT)
    page.add_init_script(OPEN_SHADOWS)
    page.goto((shop / "index.html").as_uri())
    node = page.locator("div.mermaid .node", has_text="payment-gateway")
    node.wait_for(timeout=20_000)
    targets = page.evaluate(
        """() => [...document.querySelector('div.mermaid').shadowRoot.querySelectorAll('a')]
            .map(a => a.getAttribute('xlink:href') || a.getAttribute('href'))"""
    )
    assert "dependencies/payment-gateway.html" in targets
    assert "operations.html#op-checkout" in targets
    assert len(targets) == 10, targets  # 5 operations and 5 dependencies, each a link
    node.click()
    page.wait_for_url("**/dependencies/payment-gateway.html", timeout=10_000)
    assert page.locator("h1").inner_text().startswith("payment-gateway")
    page.close()


def test_404_page_links_relatively(browser: Browser, shop: Path) -> None:
    visit = Visit(browser)
    page = visit.page
    page.goto((shop / "404.html").as_uri())
    absolute = page.evaluate(
        """() => [...document.querySelectorAll('[href], [src]')]
            .map(e => e.getAttribute('href') ?? e.getAttribute('src'))
            .filter(u => u.startsWith('/'))"""
    )
    assert absolute == []
    # The stylesheet loaded from disk: Material's header has its colour.
    header = page.evaluate("getComputedStyle(document.querySelector('.md-header')).position")
    assert header == "sticky"
    page.locator("article a", has_text="home page").click()
    page.wait_for_url("**/index.html")
    assert visit.off_machine() == []


def test_draft_runbook_is_marked_on_the_page_and_in_the_nav(
    browser: Browser, tmp_path: Path
) -> None:
    draft = (
        "dependency: redis\n"
        'description: "TODO: what the service uses redis for"\n'
        "owner: TODO\n"
        "kind: cache\n"
        "criticality: optional\n"
        "policies: {timeout: {read: 100ms}, fallback: Serve from the database}\n"
    )
    project = make_project(tmp_path / "svc", {"redis.yaml": draft})
    site = tmp_path / "site"
    assert run_fmcat("render", str(project), "-o", str(site), "--no-scan").code == 0
    page = browser.new_page(viewport=VIEWPORT)
    page.goto((site / "dependencies" / "redis.html").as_uri())
    assert page.locator("h1").inner_text().strip("¶ ") == "redis (draft)"
    banner = page.locator(".admonition.warning")
    assert "2 values" in banner.inner_text() and "FM023" in banner.inner_text()
    assert page.locator(".md-nav__link", has_text="redis (draft)").count() >= 1
    page.close()
