"""From scanned files to findings: run the code rules, honour suppressions."""

from __future__ import annotations

from collections.abc import Callable

from fmcat.catalog.load import Catalog
from fmcat.findings import Finding
from fmcat.scan.attribution import attribute
from fmcat.scan.facts import FileFacts
from fmcat.scan.knowledge import KnowledgeBase
from fmcat.scan.rules import CODE_RULES
from fmcat.scan.rules.base import ScanContext
from fmcat.scan.rules.fm108_unused_suppression import UnusedSuppression


def check_code(
    files: list[FileFacts],
    kb: KnowledgeBase,
    catalog: Catalog | None,
    enabled: Callable[[str], bool],
    report_unused: bool = False,
    files_read: int = 1,
    whole_project: bool = True,
) -> list[Finding]:
    # Cross-checks need both sides: a catalog with entries, and some code that was read.
    cross_check = catalog is not None and bool(catalog.entries) and files_read > 0
    attribution = attribute(files, catalog) if cross_check and catalog is not None else None
    context = ScanContext(kb, catalog, attribution, files)
    rules = [
        rule()
        for rule in CODE_RULES
        if enabled(rule.code) and not (rule.needs_catalog and attribution is None)
    ]
    findings: list[Finding] = []
    for facts in files:
        raw = [f for rule in rules for f in rule.check(facts, context)]
        findings += _suppress(raw, facts, enabled, report_unused)
    if whole_project:
        for rule in rules:
            findings += rule.check_project(context)
    return findings


def _suppress(
    findings: list[Finding],
    facts: FileFacts,
    enabled: Callable[[str], bool],
    report_unused: bool,
) -> list[Finding]:
    if not facts.suppressions:
        return findings
    used: dict[int, set[str]] = {}
    kept = []
    for finding in findings:
        codes = facts.suppressions.get(finding.location.line)
        if codes is not None and (not codes or finding.code in codes):
            used.setdefault(finding.location.line, set()).add(finding.code)
            continue
        kept.append(finding)
    if report_unused and enabled(UnusedSuppression.code):
        kept += UnusedSuppression().unused(facts, used, enabled)
    return kept
