"""Call sites grouped into dependencies, and the `match` rules that attribute them.

A site whose URL comes from a setting or an environment variable the code names
(`settings.PAYMENT_URL`, `$CACHE_URL`) belongs to that setting (`payment`, `cache`); one with
a known host (a URL literal or constant, a host name) to the host's vendor (`api.github.com`
and `github.com`: `github`, vendors.py); the others to their client library. A call through a
client made in the same file goes with the client. Rules are as broad as is safe
(`call: "redis.*"`), and narrowed to the functions the calls are in when a broad rule would
claim another dependency's calls: `fmcat lint` gives a call to the first catalog file, in
file-name order, whose rules match it. A setting's calls are always attributed by function:
the URL that would say where they go is not in the code.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from typing import Literal

from fmcat.catalog.model import MatchRule
from fmcat.init.calls import CallSite, exact_pattern, url_pattern
from fmcat.init.kinds import kind_of
from fmcat.init.vendors import vendor_of
from fmcat.scan.attribution import url_matches
from fmcat.scan.knowledge import KnowledgeBase


def slugify(name: str) -> str:
    """A catalog id from a host or library name: lowercase, `[a-z0-9_.-]`, at most 100."""
    slug = re.sub(r"[^a-z0-9_.-]+", "-", name.lower()).strip("-_.")[:100].rstrip("-_.")
    return slug or "dependency"


#: Endings of a setting's name that say it holds an address, not what it is the address of.
_ADDRESS_WORDS = re.compile(
    r"(?:[_.-]+(?:url|uri|urls|dsn|host|hosts|endpoint|server|servers|addr|address|location|"
    r"base|api|root|service|conn|connection|string|broker|backend))+$",
    re.I,
)


def source_slug(source: str) -> str:
    """A catalog id from a setting's or variable's name: `settings.PAYMENT_API_URL` -> `payment`,
    `$CACHE_URL` -> `cache`, `settings.redis.url` -> `redis`."""
    key = source[1:] if source.startswith("$") else source.split(".", 1)[-1]
    stem = _ADDRESS_WORDS.sub("", key) or key
    return slugify(stem.replace("_", "-").replace(".", "-"))


def config_source(site: CallSite) -> str:
    """The setting a site is grouped by: none when its URL names its host (a literal says more
    than a name), nor when the name says only that it is an address (`config["base_url"]`,
    `settings.HOST`: unrelated services could share it)."""
    if not site.url_source or site.host is not None:
        return ""
    key = site.url_source.lstrip("$").split(".", 1)[-1]
    return site.url_source if _ADDRESS_WORDS.sub("", f"_{key}") else ""


def group_key(site: CallSite, mixed: frozenset[str] = frozenset()) -> str:
    """The dependency a root site goes to: its URL's setting, its host's vendor, its library.

    A vendor in ``mixed`` is reached through clients of several kinds (`smtp.acme.com` and
    `api.acme.com`): a mail relay and an API fail apart, so the other kinds get their own
    file (`acme-email`) beside the HTTP one (`acme`).
    """
    if config_source(site):
        return source_slug(site.url_source)
    if site.host is not None:
        vendor = vendor_of(site.host)
        kind = kind_of([site.library])
        if vendor in mixed and kind != "http":
            return slugify(f"{vendor}-{kind}")
        return slugify(vendor)
    return slugify(site.library)


def _mixed_vendors(sites: list[CallSite]) -> frozenset[str]:
    kinds: dict[str, set[str]] = {}
    for site in sites:
        if site.is_root and site.host is not None:
            kinds.setdefault(vendor_of(site.host), set()).add(kind_of([site.library]))
    return frozenset(vendor for vendor, found in kinds.items() if len(found) > 1)


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
    #: Libraries no other group has a call to: a setting's calls through one of them can be
    #: attributed by the library (`redis.*`), the others by function.
    exclusive: set[str] = field(default_factory=set)

    @property
    def roots(self) -> list[CallSite]:
        return [s for s in self.sites if s.is_root]

    @property
    def listed(self) -> list[CallSite]:
        """The sites the file lists and counts: its calls, not the clients they go through
        (the clients, when no call through them is seen)."""
        return [s for s in self.sites if s.is_call] or self.sites

    @property
    def sources(self) -> list[str]:
        """The settings and environment variables the group's URLs come from."""
        return sorted({config_source(s) for s in self.roots} - {""})

    @property
    def merged_note(self) -> str | None:
        """The hosts a vendor's file took together, for a comment: they may be split by hand."""
        hosts = sorted({s.host for s in self.roots if s.host is not None})
        if len(hosts) < 2:
            return None
        return f"Hosts of one vendor: {', '.join(hosts)} (split the file if they fail apart)."

    @property
    def narrowed_note(self) -> str | None:
        """Why the rules name functions, for a comment above them."""
        if not any(r.kind == "call" for r in self.rules):
            return None
        by_function = self.narrow or any(
            config_source(s) and s.library not in self.exclusive for s in self.roots
        )
        if self.sources:
            where = f"Address from {', '.join(self.sources)}, not in the code"
            return f"{where}: by function." if by_function else f"{where}."
        if not self.narrow:
            return None
        return "By function: a rule for the whole library would take calls other files claim."

    @property
    def libraries(self) -> list[str]:
        return list(dict.fromkeys(s.library for s in self.sites))

    def build_rules(self, kb: KnowledgeBase) -> None:
        rules: dict[tuple[str, str], Rule] = {}
        rule_of: dict[tuple[str, int], Rule] = {}
        for site in self.roots:
            by_function = bool(config_source(site)) and site.library not in self.exclusive
            kind, pattern = _rule_for(site, self.narrow or by_function, kb)
            rule = rules.setdefault((kind, pattern), Rule(kind, pattern))
            rule_of[site.key] = rule
        for site in self.listed:
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
    vendor, or from a setting, that a dependency already claims a call to joins that dependency.
    """
    by_key = {s.key: s for s in sites}
    mixed = _mixed_vendors(sites)
    owner_of: dict[str, str] = {}
    for key, name in claimed.items():
        if key in by_key and (by_key[key].host is not None or config_source(by_key[key])):
            owner_of.setdefault(group_key(by_key[key], mixed), name)
    groups: dict[str, Group] = {}
    known: dict[str, list[CallSite]] = {}
    for site in sites:
        root = by_key.get(site.root_key, site)
        owner = claimed.get(root.key)
        if owner is not None:
            known.setdefault(owner, []).append(site)
            continue
        slug = group_key(root, mixed)
        slug = owner_of.get(slug, slug) if root.host is not None or config_source(root) else slug
        groups.setdefault(slug, Group(slug)).sites.append(site)
    holders: dict[str, set[str]] = {}
    for slug, group in groups.items():
        for library in group.libraries:
            holders.setdefault(library, set()).add(slug)
    for name in known:
        for site in known[name]:
            holders.setdefault(site.library, set()).add(name)  # the same id: the same file
    for slug, group in groups.items():
        group.exclusive = {lib for lib in group.libraries if holders[lib] == {slug}}
    return dict(sorted(groups.items())), known
