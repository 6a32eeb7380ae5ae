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
    following = page.locator("h3#fm-rate-limited ~ ol").first.inner_text()
    assert "limit increase" in following  # the section's numbered steps are there
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
    block = page.locator("h3#fm-timeout + p").inner_text()
    assert "Alert PaymentGatewayTimeouts" in block and "severity page" in block
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
