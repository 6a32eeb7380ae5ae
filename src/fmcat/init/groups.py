"""Call sites grouped into dependencies, and the `match` rules that attribute them.

A site with a known host (a URL literal or constant, a host name) belongs to that host; the
others to their client library. A call through a client made in the same file goes with the
client. Rules are as broad as is safe (`call: "redis.*"`), and narrowed to the functions the
calls are in when a broad rule would claim another dependency's calls: `fmcat lint` gives a
call to the first catalog file, in file-name order, whose rules match it.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from typing import Literal

from fmcat.catalog.model import MatchRule
from fmcat.init.calls import CallSite, exact_pattern, url_pattern
from fmcat.scan.attribution import url_matches
from fmcat.scan.knowledge import KnowledgeBase


def slugify(name: str) -> str:
    """A catalog id from a host or library name: lowercase, `[a-z0-9_.-]`, at most 100."""
    slug = re.sub(r"[^a-z0-9_.-]+", "-", name.lower()).strip("-_.")[:100].rstrip("-_.")
    return slug or "dependency"


@dataclass
class Rule:
    kind: Literal["url", "call"]
    pattern: str
    #: The sites listed under the rule in the file: those it attributes, and the calls made
    #: through their clients.
    sites: list[CallSite] = field(default_factory=list)

    def model(self) -> MatchRule:
        return MatchRule(url=self.pattern) if self.kind == "url" else MatchRule(call=self.pattern)

    def matches(self, site: CallSite) -> bool:
        """Whether the rule attributes the site, as fmcat lint's attribution decides it."""
        if self.kind == "url":
            return site.url is not None and url_matches(site.url, site.url_is_prefix, self.pattern)
        return any(
            fnmatch.fnmatchcase(n, self.pattern) for n in (site.qualname, site.enclosing) if n
        )


@dataclass
class Group:
    """Call sites that one dependency (a new catalog file, or one being added to) stands for."""

    slug: str
    sites: list[CallSite] = field(default_factory=list)
    #: Attribute library calls by the functions they are in, not by the whole library.
    narrow: bool = False
    rules: list[Rule] = field(default_factory=list)

    @property
    def roots(self) -> list[CallSite]:
        return [s for s in self.sites if s.is_root]

    @property
    def narrowed_note(self) -> str | None:
        """Why the rules name functions, for a comment above them."""
        if not self.narrow or not any(r.kind == "call" for r in self.rules):
            return None
        return "By function: a rule for the whole library would take calls other files claim."

    @property
    def libraries(self) -> list[str]:
        return list(dict.fromkeys(s.library for s in self.sites))

    def build_rules(self, kb: KnowledgeBase) -> None:
        rules: dict[tuple[str, str], Rule] = {}
        rule_of: dict[tuple[str, int], Rule] = {}
        for site in self.roots:
            kind, pattern = _rule_for(site, self.narrow, kb)
            rule = rules.setdefault((kind, pattern), Rule(kind, pattern))
            rule_of[site.key] = rule
        for site in self.sites:
            rule_of.get(site.root_key, next(iter(rules.values()))).sites.append(site)
        self.rules = list(rules.values())


def _rule_for(
    site: CallSite, narrow: bool, kb: KnowledgeBase
) -> tuple[Literal["url", "call"], str]:
    if site.host is not None and site.url is not None:
        pattern = url_pattern(site.url)
        if not url_matches(site.url, site.url_is_prefix, pattern):
            pattern = exact_pattern(site.url)
        return "url", pattern
    if narrow and site.enclosing:
        return "call", site.enclosing
    return "call", library_pattern(site, kb)


def library_pattern(site: CallSite, kb: KnowledgeBase) -> str:
    """`module.*` for the library module the call is under (`redis.*`, `http.client.*`)."""
    top = site.qualname.split(".", 1)[0]
    for library in kb.library:
        if library.name != site.library:
            continue
        for module in library.modules:
            if any(c in module for c in "*?["):
                if fnmatch.fnmatchcase(top, module):
                    return f"{top}.*"  # the generated module itself, not every one
            elif site.qualname == module or site.qualname.startswith(f"{module}."):
                return f"{module}.*"
    return f"{top}.*"


def group_sites(
    sites: list[CallSite], claimed: dict[tuple[str, int], str]
) -> tuple[dict[str, Group], dict[str, list[CallSite]]]:
    """New groups for the sites the catalog does not claim, and the claimed sites by dependency.

    ``claimed`` maps the root sites the catalog attributes to their dependency. A new site to a
    host that a dependency already claims a call to joins that dependency.
    """
    by_key = {s.key: s for s in sites}
    host_owner: dict[str, str] = {}
    for key, name in claimed.items():
        host = by_key[key].host if key in by_key else None
        if host is not None:
            host_owner.setdefault(host, name)
    groups: dict[str, Group] = {}
    known: dict[str, list[CallSite]] = {}
    for site in sites:
        root = by_key.get(site.root_key, site)
        owner = claimed.get(root.key)
        if owner is not None:
            known.setdefault(owner, []).append(site)
            continue
        host = root.host
        if host is not None and host in host_owner:
            slug = host_owner[host]
        else:
            slug = slugify(host or root.library)
        groups.setdefault(slug, Group(slug)).sites.append(site)
    return dict(sorted(groups.items())), known
