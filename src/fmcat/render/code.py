"""What the code scan adds to the site: call sites per dependency and the open findings.

Paths are shown relative to the project root, not to the current directory as `fmcat lint`
does, so that the site is the same wherever it is rendered from (and `repo_url` links work).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from fmcat.catalog.load import Catalog
from fmcat.errors import ConfigError
from fmcat.findings import Finding
from fmcat.paths import project_relative
from fmcat.render.markdown import safe_url
from fmcat.scan.attribution import attribute
from fmcat.scan.facts import Consumer, FileFacts, Role, Site, TimeoutState

_TIMEOUT_TEXT = {
    TimeoutState.SET: "set",
    TimeoutState.MISSING: "missing: waits forever",
    TimeoutState.DISABLED: "disabled",
    TimeoutState.UNKNOWN: "unknown (through **kwargs or a client made elsewhere)",
    TimeoutState.CONTEXT: "bounded by an asyncio timeout",
    TimeoutState.ELSEWHERE: "set where the client is made",
}


@dataclass(frozen=True)
class RepoLinks:
    """Turns `path:line` into a link to the code host.

    ``https://github.com/org/shop/blob/main`` gives ``.../shop/blob/main/shop/db.py#L12``; a URL
    with ``{path}`` and ``{line}`` placeholders is filled in instead, for hosts that spell line
    anchors differently (Bitbucket's ``#lines-12``).
    """

    base: str

    @classmethod
    def parse(cls, url: str | None) -> RepoLinks | None:
        if not url:
            return None
        example = url.replace("{path}", "p").replace("{line}", "1")
        if not example.lower().startswith(("http://", "https://")) or safe_url(example) is None:
            raise ConfigError(f"--repo-url {url!r}: give an http(s) URL of the repository")
        return cls(url)

    def url(self, path: str, line: int) -> str:
        quoted = quote(path)
        if "{path}" in self.base:
            return self.base.replace("{path}", quoted).replace("{line}", str(line))
        return f"{self.base.rstrip('/')}/{quoted}#L{line}"

    def edit_url(self, path: str) -> str:
        """Where to edit a file: GitHub's and GitLab's `/blob/` view has an `/edit/` twin."""
        quoted = quote(path)
        if "{path}" in self.base:
            return self.base.replace("{path}", quoted).replace("{line}", "1")
        base = self.base.rstrip("/")
        for view in ("/-/blob/", "/blob/"):
            if view in base:
                base = base.replace(view, view.replace("blob", "edit"), 1)
                break
        return f"{base}/{quoted}"


@dataclass(frozen=True)
class CallSite:
    path: str
    line: int
    column: int
    qualname: str
    role: str
    timeout: str
    #: "handled", "not handled", or None when the call cannot fail (a client constructor).
    handling: str | None
    url: str | None
    dependency: str | None


@dataclass(frozen=True)
class OpenFinding:
    code: str
    path: str
    line: int
    column: int
    message: str
    severity: str
    dependency: str | None
    url: str | None


@dataclass(frozen=True)
class ConsumerView:
    """What a consumer of a messaging dependency does in the code (fmcat/frameworks)."""

    path: str
    line: int
    #: The task function or callback, module-qualified.
    name: str
    #: celery.Task, pika.channel.Channel.basic_consume, kafka.KafkaConsumer ...
    library: str
    #: "after processing (acks_late=True)"; "before processing (...)"; "not known (...)".
    acks: str
    #: "autoretry_for, at most 4 deliveries (max_retries=3)"; "no".
    redelivery: str
    url: str | None
    #: "orders.dlq"; "none declared"; "" when the code does not show it.
    dead_letter: str = ""


_WHEN = {"before": "before processing", "after": "after processing", "unknown": "not known"}


def consumer_view(consumer: Consumer, path: str, links: RepoLinks | None) -> ConsumerView:
    acks = f"{_WHEN.get(consumer.acks, consumer.acks)} ({consumer.acks_reason})"
    if not consumer.retries:
        redelivery = "no"
    elif consumer.max_deliveries is not None:
        redelivery = (
            f"{consumer.retries}, at most {consumer.max_deliveries} deliveries "
            f"({consumer.max_reason})"
        )
    else:
        redelivery = f"{consumer.retries}, {consumer.max_reason or 'bound not known'}"
    return ConsumerView(
        path=path,
        line=consumer.span.line,
        name=consumer.name,
        library=consumer.qualname,
        acks=acks,
        redelivery=redelivery,
        url=links.url(path, consumer.span.line) if links else None,
        dead_letter=(
            ""
            if consumer.dead_letter is None
            else (", ".join(consumer.dead_letter) or "none declared")
        ),
    )


@dataclass(frozen=True)
class CodeScan:
    python_files: int
    sites: tuple[CallSite, ...]
    findings: tuple[OpenFinding, ...]
    #: Dependency id -> its sites; filled in by `collect`.
    by_dependency: dict[str, tuple[CallSite, ...]] = field(default_factory=dict)
    #: Dependency id -> its consumers in the code (tasks, basic_consume, Kafka consumers).
    consumers: dict[str, tuple[ConsumerView, ...]] = field(default_factory=dict)

    def sites_of(self, dependency: str) -> tuple[CallSite, ...]:
        return self.by_dependency.get(dependency, ())

    def consumers_of(self, dependency: str) -> tuple[ConsumerView, ...]:
        return self.consumers.get(dependency, ())

    def findings_of(self, dependency: str) -> tuple[OpenFinding, ...]:
        return tuple(f for f in self.findings if f.dependency == dependency)

    @property
    def unattributed(self) -> tuple[CallSite, ...]:
        return tuple(s for s in self.sites if s.dependency is None)


def project_path(shown: str, root: Path) -> str:
    """A path as `fmcat lint` shows it (relative to the current directory) -> from the root."""
    return project_relative(shown, root) or shown


def _maker(facts: FileFacts, site: Site) -> Site | None:
    """The site that made the client ``site`` goes through, when this file shows it."""
    index = site.client_site
    if index is None or not 0 <= index < len(facts.sites) or facts.sites[index] is site:
        return None
    return facts.sites[index]


def _timeout_text(site: Site, facts: FileFacts | None = None, depth: int = 0) -> str:
    maker = _maker(facts, site) if facts is not None and depth < 5 else None
    if site.timeout is TimeoutState.ELSEWHERE and maker is not None:
        # Say what the client has, not only where to look: "set where the client is made"
        # next to that client's "missing: waits forever" contradicted itself.
        made = _timeout_text(maker, facts, depth + 1)
        return f"{made} (where the client is made, line {maker.span.line})"
    if site.timeout is TimeoutState.DEFAULT:
        default = f" ({site.default_seconds:g}s)" if site.default_seconds is not None else ""
        return f"library default{default}"
    if site.timeout is TimeoutState.SET and site.timeout_values:
        return "set: " + ", ".join(f"{value:g}s" for value in site.timeout_values)
    return _TIMEOUT_TEXT.get(site.timeout, site.timeout.value)


def _handling(site: Site) -> str | None:
    if site.role is not Role.CALL or not site.can_fail:
        return None
    return "handled" if site.handled else "not handled"


def collect(
    files: Sequence[FileFacts],
    findings: Sequence[Finding],
    catalog: Catalog,
    root: Path,
    links: RepoLinks | None,
    python_files: int,
) -> CodeScan:
    attribution = attribute(list(files), catalog)
    sites = []
    for facts in files:
        path = project_path(facts.path, root)
        for index, site in enumerate(facts.sites):
            entry = attribution.by_site.get((facts.path, index))
            sites.append(
                CallSite(
                    path=path,
                    line=site.span.line,
                    column=site.span.column,
                    qualname=site.qualname,
                    role=site.role.value,
                    timeout=_timeout_text(site, facts),
                    handling=_handling(site),
                    url=links.url(path, site.span.line) if links else None,
                    dependency=entry.name if entry else None,
                )
            )
    sites.sort(key=lambda s: (s.path, s.line, s.column, s.qualname))
    # A code finding sits on its call site (or the client's): it is that dependency's finding.
    owner = {(s.path, s.line, s.column): s.dependency for s in sites if s.dependency}
    opened = []
    for finding in findings:
        path = project_path(finding.location.path, root)
        line = finding.location.line
        column = finding.location.column
        opened.append(
            OpenFinding(
                code=finding.code,
                path=path,
                line=line,
                column=column,
                message=finding.message,
                severity=finding.severity.value,
                dependency=finding.dependency or owner.get((path, line, column)),
                url=links.url(path, line) if links else None,
            )
        )
    opened.sort(key=lambda f: (f.path, f.line, f.column, f.code, f.message))
    by_dependency: dict[str, list[CallSite]] = {}
    for site_view in sites:
        if site_view.dependency is not None:
            by_dependency.setdefault(site_view.dependency, []).append(site_view)
    # Imported here: the frameworks package loads the scan (libcst), which a site without the
    # code does not need; a scan has loaded it already.
    from fmcat.frameworks.attribution import consumer_entry

    consumers: dict[str, list[ConsumerView]] = {}
    for facts in files:
        path = project_path(facts.path, root)
        for consumer in facts.consumers:
            owner_entry = consumer_entry(consumer, catalog)
            if owner_entry is not None:
                views = consumers.setdefault(owner_entry.name, [])
                views.append(consumer_view(consumer, path, links))
    return CodeScan(
        python_files,
        tuple(sites),
        tuple(opened),
        {name: tuple(found) for name, found in by_dependency.items()},
        {
            name: tuple(sorted(found, key=lambda c: (c.path, c.line)))
            for name, found in consumers.items()
        },
    )
