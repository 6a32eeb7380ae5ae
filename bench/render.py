"""Render speed: `fmcat render` of a generated catalog, against a bare MkDocs build of its Markdown.

The peer is what any MkDocs-based runbook generator pays at least: `mkdocs build --strict` of the
same mkdocs.yml and the same pages, already written. The ratio says what fmcat adds on top
(loading and checking the catalog, computing the view, the templates, the atomic publish).
Both run in this process, after a warm-up, so neither pays for imports. Alone:
`.venv/bin/python -m bench.render`.
"""

from __future__ import annotations

import os
import statistics
import tempfile
from pathlib import Path

from bench.catalog import generate, median_seconds
from fmcat.catalog.load import discover, load_catalog
from fmcat.render.build import build_site
from fmcat.render.site import RenderOptions, render_pages, render_site
from fmcat.render.view import build_view


def run(dependencies: int = 200, modes: int = 5, runs: int | None = None) -> list[str]:
    runs = runs or int(os.environ.get("FMCAT_BENCH_RUNS", "5"))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root / "service", dependencies, modes)
        site = root / "site"
        options = RenderOptions(path=root / "service", output=site, scan_code=False)
        project = root / "project"
        result = render_site(
            RenderOptions(path=root / "service", output=project, scan_code=False, build=False)
        )
        render_site(options)  # warm-up: imports, Material's templates

        def bare_build() -> None:
            build_site(project / "mkdocs.yml", root / "bare")

        bare_build()
        files = discover(root / "service" / "failure-modes")
        catalog = load_catalog(files)

        def pages_only() -> None:
            render_pages(build_view("bench", catalog.entries, {}, None), None)

        # Interleaved, so that a burst of load on a shared machine hits both sides alike.
        times: dict[str, list[float]] = {"render": [], "bare": [], "load": [], "pages": []}
        for _ in range(runs):
            times["render"].append(median_seconds(lambda: render_site(options), 1))
            times["bare"].append(median_seconds(bare_build, 1))
            times["load"].append(median_seconds(lambda: load_catalog(files), 1))
            times["pages"].append(median_seconds(pages_only, 1))
        render_time, bare_time, load_time, pages_time = (
            statistics.median(times[key]) for key in ("render", "bare", "load", "pages")
        )
    pages = result.pages
    return [
        f"render: {dependencies} dependencies x {modes} failure modes, {pages} pages; "
        f"median of {runs} runs, in-process",
        f"  fmcat render (catalog to site)         {render_time * 1000:8.0f} ms  "
        f"({render_time / pages * 1000:.1f} ms per page)",
        f"  peer: bare mkdocs build --strict       {bare_time * 1000:8.0f} ms  "
        f"({bare_time / pages * 1000:.1f} ms per page)",
        f"  in the render: loading the catalog     {load_time * 1000:8.0f} ms  (as lint does)",
        f"  in the render: view and templates      {pages_time * 1000:8.0f} ms  (the Markdown)",
        f"  ratio (render / peer)                  {render_time / bare_time:8.2f} x",
    ]


if __name__ == "__main__":
    print("\n".join(run()))
