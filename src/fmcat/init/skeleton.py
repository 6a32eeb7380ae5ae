"""The text of a new catalog file: what the code says, filled in; the rest marked TODO.

The file is written as text rather than dumped from a YAML tree, so that it reads like a
hand-written one: comments where they help, flow style for short mappings, quotes only where
YAML needs them. Every file it writes is checked against the catalog model before it is saved.
"""

from __future__ import annotations

import json
import re

from fmcat.catalog.units import Duration
from fmcat.init.calls import timeout_phases
from fmcat.init.groups import Group, Rule
from fmcat.init.kinds import CRITICALITY_BY_KIND, kind_of
from fmcat.scan.knowledge import KnowledgeBase

#: Beside the catalog files: `fmcat schema`'s output, which the modeline points at.
SCHEMA_FILE = ".schema.json"
MODELINE = f"# yaml-language-server: $schema={SCHEMA_FILE}"

_TODO_MODE = (
    "    # TODO: impact (what users see), detection (FM012), response (FM011),",
    "    # likelihood, severity and detectability (1-5).",
)


# Text that YAML reads back as the same string when written plain: no indicator first, no
# `: ` or ` #`, and not a word YAML 1.1 readers take for a boolean or null.
_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.,/()'-]*[A-Za-z0-9)]$")
_SPECIAL = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}


def quote(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def scalar(text: str) -> str:
    """Plain when that reads back as the same text, double-quoted otherwise."""
    if _PLAIN.match(text) and text.lower() not in _SPECIAL and not _number(text):
        return text
    return quote(text)


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def rule_lines(rule: Rule, indent: str) -> list[str]:
    """A match rule as a block sequence item, its call sites as comments above it."""
    lines = [f"{indent}# {site.comment}" for site in rule.sites]
    lines.append(f"{indent}- {rule.kind}: {quote(rule.pattern)}")
    return lines


def _timeout_line(group: Group) -> str:
    connect, read = timeout_phases(group.sites)
    phases = [
        f"{phase}: {Duration.of_seconds(seconds)}"
        for phase, seconds in (("connect", connect), ("read", read))
        if seconds is not None
    ]
    if not phases:
        return "policies: {}  # TODO: the timeout the code should use (it sets no literal one)"
    # Inferred from literals in the code, not declared by anyone: marked for a person to confirm
    # (the code may be what is wrong), in words `fmcat lint` users can search for.
    return (
        f"policies:\n  timeout: {{{', '.join(phases)}}}  # from the code: confirm (the longest"
        " literal timeouts of its calls)"
    )


def _root_errors(group: Group, kb: KnowledgeBase) -> list[str]:
    errors: list[str] = []
    for name in group.libraries:
        for library in kb.library:
            if library.name == name and library.exceptions:
                errors.append(library.exceptions[0])
    return list(dict.fromkeys(errors))


def render(group: Group, kb: KnowledgeBase) -> str:
    name = group.slug
    kind = kind_of(group.libraries)
    criticality = CRITICALITY_BY_KIND[kind]
    sites = len(group.listed)
    lines = [
        MODELINE,
        f"# Written by `fmcat init` from {sites} call site{'s' * (sites != 1)} in the code,"
        " listed under match:.",
        "# Fill in each TODO, then run `fmcat lint`: its findings say what is still missing.",
        f"dependency: {name}  # TODO: rename it for what it is to the service (the file too)",
        f"description: {quote(f'TODO: what the service uses {name} for')}",
        "owner: TODO  # TODO: the team that answers for it",
        f"kind: {kind}  # TODO: check (guessed from the client library)",
        f"criticality: {criticality}  # TODO: check (guessed from the kind):"
        " critical | degradable | optional",
        "match:",
    ]
    for note in (group.merged_note, group.narrowed_note):
        if note:
            lines.append(f"  # {note}")
    for rule in group.rules:
        lines += rule_lines(rule, "  ")
    lines += [
        _timeout_line(group),
        f"operations: []  # TODO: the user-visible operations that need {name} (FM019)",
        "failure_modes:",
        "  - id: timeout",
        f"    title: {scalar(f'{name} does not answer in time')}",
        *_TODO_MODE,
        "  - id: unavailable",
        f"    title: {scalar(f'{name} refuses connections or fails')}",
    ]
    errors = _root_errors(group, kb)
    if errors:
        lines.append(
            f"    exceptions: [{', '.join(errors)}]  # TODO: check (the client library's errors)"
        )
    lines += _TODO_MODE
    return "\n".join(lines) + "\n"
