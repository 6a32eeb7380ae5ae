"""The organisation's site served as a web server serves it (GitHub Pages, Netlify, nginx's
`error_page 404`): every missing address gets the site's root 404.html. An address under a
service's folder lands on that service's own 404 page, in a real browser (docs/org.md)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import run_fmcat
from tests.test_render_browser import VIEWPORT, browser  # noqa: F401 (the fixture)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

#: The site is served below a sub-path, as GitHub project pages are (/<repo>/).
PREFIX = "/runbooks/"


class _Pages(http.server.SimpleHTTPRequestHandler):
    """The site's files under PREFIX; anything else, the site's 404.html with status 404."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        root = Path(self.directory)
        target = root / path.removeprefix(PREFIX) if path.startswith(PREFIX) else None
        if target is not None and target.is_dir():
            target = target / "index.html"
        if target is None or not target.is_file():
            body = (root / "404.html").read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.path = "/" + target.relative_to(root).as_posix()
        super().do_GET()


#: Material's stylesheet loaded: its header is sticky.
_STYLED = "getComputedStyle(document.querySelector('.md-header')).position === 'sticky'"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = tmp_path_factory.mktemp("org404") / "site"
    run = run_fmcat("render", "examples/org", "--no-scan", "-o", str(site))
    assert run.code == 0, run.stderr
    assert (site / "404.html").is_file() and (site / "services/orders/404.html").is_file()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Pages, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_broken_link_under_a_service_lands_on_its_own_404(
    browser: Browser,  # noqa: F811 (the fixture)
    served: str,
) -> None:
    page = browser.new_page(viewport=VIEWPORT)
    try:
        response = page.goto(served + "services/orders/dependencies/no-such-runbook.html")
        assert response is not None and response.status == 404
        page.wait_for_url(served + "services/orders/404.html")
        content = page.locator("article").inner_text()
        assert "This page is not in the orders runbooks" in content
        # It is a page of the service's folder: its styles and links resolve.
        assert page.evaluate(_STYLED), "the service's 404 page is not styled"
        page.locator("article a", has_text="home page").click()
        page.wait_for_url(served + "services/orders/index.html")
        assert "orders" in page.locator("article h1").inner_text()
    finally:
        page.close()


def test_a_broken_link_elsewhere_gets_the_organisations_404(
    browser: Browser,  # noqa: F811 (the fixture)
    served: str,
) -> None:
    page = browser.new_page(viewport=VIEWPORT)
    try:
        response = page.goto(served + "no-such-page.html")
        assert response is not None and response.status == 404
        content = page.locator("article").inner_text()
        assert "This page is not in the org runbooks" in content
        assert page.url == served + "no-such-page.html"
        page.locator("article a", has_text="billing").click()
        page.wait_for_url(served + "services/billing/index.html")
        # An unknown service's folder is not redirected to a 404 page that does not exist.
        page.goto(served + "services/nobody/x.html")
        page.wait_for_timeout(300)
        assert page.url == served + "services/nobody/x.html"
        # Why a service's address goes on: the root 404 served from a deeper folder has
        # relative assets that do not resolve there.
        assert not page.evaluate(_STYLED)
    finally:
        page.close()
