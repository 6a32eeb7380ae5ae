"""Sites that are not external after all: a sqlite URL, a local cache or mail backend.

Removing a site renumbers the others, so every ``client_site`` index is mapped to the new
position (and cleared when its client was removed with it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from fmcat.scan.facts import FileFacts, Site


def keep_sites(facts: FileFacts, judge: Callable[[Site], Site | None]) -> None:
    """Replace each site by ``judge(site)``; None drops it, and the calls through it."""
    kept: list[Site] = []
    index: dict[int, int] = {}
    for i, site in enumerate(facts.sites):
        if site.client_site is not None and site.client_site not in index:
            continue  # its client was dropped: not external either
        judged = judge(site)
        if judged is None:
            continue
        index[i] = len(kept)
        kept.append(judged)
    facts.sites = [
        replace(s, client_site=index.get(s.client_site)) if s.client_site is not None else s
        for s in kept
    ]


def is_local_engine(site: Site) -> bool:
    """``create_engine("sqlite:///x.db")``: a file, not a dependency that can hang."""
    return site.qualname == "sqlalchemy.create_engine" and (site.url or "").startswith("sqlite")


def drop_local_engines(files: list[FileFacts]) -> None:
    for facts in files:
        if any(is_local_engine(s) for s in facts.sites):
            keep_sites(facts, lambda s: None if is_local_engine(s) else s)
