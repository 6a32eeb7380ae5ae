"""Which catalog dependency each call site belongs to, through the catalog's `match` rules."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

from fmcat.catalog.load import Catalog, Entry
from fmcat.scan.facts import FileFacts, Site


def url_matches(url: str, is_prefix: bool, pattern: str) -> bool:
    """A full URL must match the glob; a known prefix (an f-string's head) must reach past the
    pattern's literal head, so ``f"{BASE}/charges"`` with BASE known still attributes."""
    if fnmatch.fnmatchcase(url, pattern):
        return True
    if is_prefix:
        head = pattern.split("*", 1)[0]
        return bool(head) and url.startswith(head)
    return False


@dataclass
class Attribution:
    #: (path, site index) -> dependency, for every site that matched.
    by_site: dict[tuple[str, int], Entry] = field(default_factory=dict)
    #: Dependencies with at least one call site or named call.
    used: set[str] = field(default_factory=set)

    def of(self, facts: FileFacts, index: int) -> Entry | None:
        return self.by_site.get((facts.path, index))


def _matches(entry: Entry, names: list[str], urls: list[tuple[str, bool]]) -> bool:
    for rule in entry.model.match:
        if rule.call is not None and any(fnmatch.fnmatchcase(n, rule.call) for n in names if n):
            return True
        if rule.url is not None and any(url_matches(u, p, rule.url) for u, p in urls):
            return True
    return False


def _evidence(facts: FileFacts, site: Site) -> tuple[list[str], list[tuple[str, bool]]]:
    """What a site can be matched on: its own names and URL, and those of its client's maker."""
    names = [site.qualname, site.enclosing]
    urls = [(site.url, site.url_is_prefix)] if site.url else []
    if site.client_site is not None:
        maker = facts.sites[site.client_site]
        names += [maker.qualname, maker.enclosing]
        if maker.url:
            urls.append((maker.url, maker.url_is_prefix))
    return names, urls


def attribute(files: list[FileFacts], catalog: Catalog) -> Attribution:
    result = Attribution()
    for facts in files:
        for index, site in enumerate(facts.sites):
            names, urls = _evidence(facts, site)
            for entry in catalog.entries:
                if _matches(entry, names, urls):
                    result.by_site[(facts.path, index)] = entry
                    result.used.add(entry.name)
                    break
        for _span, name, _enclosing in facts.named_calls:
            for entry in catalog.entries:
                if _matches(entry, [name], []):
                    result.used.add(entry.name)
                    break
    return result
