"""`fmcat lint` of a monorepo: each service with its own configuration, then the checks that
need every service at once (FM026: conflicting declarations of a shared dependency)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

from fmcat.catalog.checks.fm026_conflicting_declarations import ConflictingDeclarations
from fmcat.catalog.load import Catalog, Peer
from fmcat.findings import Finding
from fmcat.lint import LintOptions, LintResult, run_lint
from fmcat.org.discover import Org, Service
from fmcat.registry import check_selectors, is_selected


@dataclass
class OrgLintResult:
    findings: list[Finding]
    services: int = 0
    catalog_files: int = 0
    dependencies: int = 0
    python_files: int = 0
    parsed_files: int = 0
    notes: list[str] = field(default_factory=list)
    #: Each service's own result, by name, for commands that show more than findings.
    results: dict[str, LintResult] = field(default_factory=dict)


def lint_service(service: Service, options: LintOptions) -> LintResult:
    """One service as `fmcat lint <its folder>` checks it, its findings named after it."""
    result = run_lint(
        dataclasses.replace(
            options, paths=(service.root,), project=service.project, shared=service.shared_dir
        )
    )
    result.findings = [dataclasses.replace(f, service=service.name) for f in result.findings]
    result.notes = [f"{service.name}: {note}" for note in result.notes]
    return result


def run_org_lint(
    org: Org, options: LintOptions, on_service: Callable[[int, int, str], None] | None = None
) -> OrgLintResult:
    out = OrgLintResult([], services=len(org.services))
    seen: set[tuple[str, str, str, int, int]] = set()
    for index, service in enumerate(org.services):
        if on_service is not None:
            on_service(index + 1, len(org.services), service.name)
        result = lint_service(service, options)
        out.results[service.name] = result
        out.catalog_files += result.catalog_files
        out.dependencies += result.dependencies
        out.python_files += result.python_files
        out.parsed_files += result.parsed_files
        out.notes += result.notes
        for finding in result.findings:
            # A shared file's own error reaches every service that uses it; report it once.
            key = (finding.code, finding.message, *_where(finding))
            if key not in seen:
                seen.add(key)
                out.findings.append(finding)
    out.findings += conflicts(org, out.results, options)
    out.findings.sort(key=lambda f: (f.sort_key, f.service or ""))
    return out


def _where(finding: Finding) -> tuple[str, int, int]:
    loc = finding.location
    return (loc.path, loc.line, loc.column)


def peers_by_id(org: Org, results: dict[str, LintResult]) -> dict[str, list[Peer]]:
    """Every service's declaration of each shared dependency it uses."""
    peers: dict[str, list[Peer]] = {}
    for service in org.services:
        catalog = results[service.name].catalog
        for entry in catalog.entries if catalog else ():
            if entry.shared is not None:
                peer = Peer(service.name, entry.source.display, entry.model)
                peers.setdefault(entry.name, []).append(peer)
    return peers


def conflicts(org: Org, results: dict[str, LintResult], options: LintOptions) -> list[Finding]:
    """FM026 for each service that declares a shared dependency unlike another service."""
    check = ConflictingDeclarations()
    peers = peers_by_id(org, results)
    findings: list[Finding] = []
    for service in org.services:
        catalog = results[service.name].catalog
        settings = service.project.settings
        select = check_selectors(list(options.select or settings.select), "select")
        ignore = check_selectors(list(options.ignore or settings.ignore), "ignore")
        if catalog is None or not is_selected(check.code, select, ignore):
            continue
        others = Catalog(
            peers={
                ident: [p for p in found if p.service != service.name]
                for ident, found in peers.items()
            }
        )
        for entry in catalog.entries:
            if entry.shared is not None:
                findings += [
                    dataclasses.replace(f, service=service.name) for f in check.check(entry, others)
                ]
    return findings
