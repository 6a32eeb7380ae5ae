"""What `fmcat init` will do: which groups become new files, which files get added to.

The plan is checked by running fmcat lint's own attribution over the catalog as it will be:
each call must land in the dependency it was meant for. A broad library rule that would claim
another dependency's calls is narrowed to the functions its calls are in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fmcat.catalog.load import CATALOG_SUFFIXES, Catalog, Entry
from fmcat.catalog.model import Dependency
from fmcat.catalog.source import Source
from fmcat.init.calls import SITE_COMMENT, CallSite
from fmcat.init.edit import Edit, NewRule
from fmcat.init.groups import Group, Rule, group_sites
from fmcat.init.kinds import CRITICALITY_BY_KIND, kind_of
from fmcat.paths import display_path
from fmcat.scan.attribution import attribute
from fmcat.scan.facts import FileFacts
from fmcat.scan.knowledge import KnowledgeBase


@dataclass
class NewFile:
    path: Path
    group: Group


@dataclass
class Update:
    entry: Entry
    #: Groups whose sites this dependency takes on, each with new match rules.
    groups: list[Group] = field(default_factory=list)
    #: Sites its rules already attribute and its call-site comments do not list yet, each
    #: with the site its rules attribute it through (itself, or the client's maker).
    listed: list[tuple[CallSite, CallSite]] = field(default_factory=list)

    def edit(self) -> Edit:
        rules: list[NewRule] = []
        for group in self.groups:
            for index, rule in enumerate(group.rules):
                notes = (group.merged_note, group.narrowed_note)
                note = [n for n in notes if n] if index == 0 else []
                rules.append(
                    NewRule(rule.kind, rule.pattern, note + [s.comment for s in rule.sites])
                )
        comments: dict[int, list[str]] = {}
        for site, root in self.listed:
            comments.setdefault(_rule_index(self.entry, root), []).append(site.comment)
        return Edit(rules, comments)


@dataclass
class Plan:
    new: list[NewFile] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    #: Sites the catalog already attributes (left alone).
    claimed: int = 0
    #: Sites left out because the file they would go to exists (each with a note).
    skipped: int = 0
    notes: list[str] = field(default_factory=list)


def _sites_left_out(count: int) -> str:
    return "1 call site is left out" if count == 1 else f"{count} call sites are left out"


def _rule_index(entry: Entry, site: CallSite) -> int:
    for index, model in enumerate(entry.model.match):
        rule = Rule("url", model.url) if model.url is not None else Rule("call", model.call or "")
        if rule.matches(site):
            return index
    return 0


def listed_sites(text: str) -> set[tuple[str, str]]:
    """The (path, call) pairs a file's call-site comments list."""
    found = set()
    for line in text.splitlines():
        match = SITE_COMMENT.match(line)
        if match:
            found.add((match["path"], match["text"]))
    return found


def plan(
    files: list[FileFacts],
    sites: list[CallSite],
    catalog: Catalog,
    folder: Path,
    kb: KnowledgeBase,
    update: bool,
) -> Plan:
    result = Plan()
    claimed: dict[tuple[str, int], str] = {}
    if catalog.entries:
        attribution = attribute(files, catalog)
        for site in sites:
            entry = attribution.by_site.get(site.key)
            if site.is_root and entry is not None:
                claimed[site.key] = entry.name
    groups, known = group_sites(sites, claimed)
    result.claimed = sum(len(s) for s in known.values())
    entries = {entry.name: entry for entry in catalog.entries}
    updates: dict[str, Update] = {}
    for group in groups.values():
        group.build_rules(kb)
        existing = entries.get(group.slug)
        if existing is not None:
            if update:
                updates.setdefault(group.slug, Update(existing)).groups.append(group)
            else:
                result.skipped += len(group.listed)
                result.notes.append(
                    f"skipped {len(group.listed)} call site{'s' * (len(group.listed) != 1)} for "
                    f"{group.slug}: {display_path(existing.source.path)} has that dependency "
                    "(fmcat init --update adds them to it)"
                )
            continue
        path = folder / f"{group.slug}.yaml"
        clash = next(
            (p for p in (folder / f"{group.slug}{s}" for s in CATALOG_SUFFIXES) if p.exists()),
            None,
        )
        if clash is not None:
            result.skipped += len(group.listed)
            result.notes.append(
                f"skipped {display_path(clash)}: the file exists and is not dependency "
                f"{group.slug}; {_sites_left_out(len(group.listed))} (rename one of them and "
                "run fmcat init again)"
            )
            continue
        result.new.append(NewFile(path, group))
    if update:
        by_key = {s.key: s for s in sites}
        for name, entry in entries.items():
            listed = listed_sites(entry.source.text)
            if not listed:
                continue  # the user keeps no list of call sites in this file
            fresh = [
                (s, by_key.get(s.root_key, s))
                for s in known.get(name, [])
                if s.is_call and (s.path, s.text) not in listed
            ]
            if fresh:
                updates.setdefault(name, Update(entry)).listed = fresh
    result.updates = [updates[name] for name in sorted(updates)]
    _check_attribution(files, sites, claimed, catalog, result, kb)
    return result


def _draft(group: Group) -> Dependency:
    kind = kind_of(group.libraries)
    return Dependency.model_validate(
        {
            "dependency": group.slug,
            "owner": "TODO",
            "kind": kind,
            "criticality": CRITICALITY_BY_KIND[kind],
            "match": [{rule.kind: rule.pattern} for rule in group.rules],
        }
    )


def _simulated(catalog: Catalog, result: Plan) -> Catalog:
    """The catalog as it will be once the plan is written, in the order fmcat lint loads it."""
    grown = {u.entry.name: u for u in result.updates}
    entries: list[Entry] = []
    for entry in catalog.entries:
        update = grown.get(entry.name)
        if update is not None:
            added = [rule.model() for group in update.groups for rule in group.rules]
            model = entry.model.model_copy(update={"match": [*entry.model.match, *added]})
            entry = Entry(entry.source, model)
        entries.append(entry)
    for new in result.new:
        source = Source(new.path, display_path(new.path), "", None, None)
        entries.append(Entry(source, _draft(new.group)))
    entries.sort(key=lambda e: e.source.path)
    return Catalog(entries=entries)


def _mismatches(
    files: list[FileFacts],
    intended: dict[tuple[str, int], str],
    catalog: Catalog,
) -> dict[tuple[str, int], str | None]:
    attribution = attribute(files, catalog)
    found: dict[tuple[str, int], str | None] = {}
    for key, name in intended.items():
        entry = attribution.by_site.get(key)
        got = entry.name if entry is not None else None
        if got != name:
            found[key] = got
    return found


def _check_attribution(
    files: list[FileFacts],
    sites: list[CallSite],
    claimed: dict[tuple[str, int], str],
    catalog: Catalog,
    result: Plan,
    kb: KnowledgeBase,
) -> None:
    targets: dict[str, list[Group]] = {}
    for new in result.new:
        targets.setdefault(new.group.slug, []).append(new.group)
    for update in result.updates:
        targets.setdefault(update.entry.name, []).extend(update.groups)
    intended = dict(claimed)
    for name, groups in targets.items():
        for group in groups:
            intended.update({s.key: name for s in group.roots})
    wrong = _mismatches(files, intended, _simulated(catalog, result))
    for _ in range(2):
        narrowed = False
        for name in {got for got in wrong.values() if got is not None}:
            for group in targets.get(name, []):
                if not group.narrow:
                    group.narrow = narrowed = True
                    group.build_rules(kb)
        if not narrowed:
            break
        wrong = _mismatches(files, intended, _simulated(catalog, result))
    by_key = {s.key: s for s in sites}
    for key, got in sorted(wrong.items()):
        site = by_key[key]
        result.notes.append(
            f"{site.path}:{site.line}: {site.qualname} will be attributed to "
            f"{got or 'no dependency'}, not {intended[key]}: adjust their match rules"
        )
