"""Every rule fmcat knows, by code: what `explain`, `--select` and the rule reference read."""

from __future__ import annotations

import difflib

from fmcat.alerts.checks import RULES_CHECKS
from fmcat.catalog.checks import CATALOG_CHECKS
from fmcat.errors import UsageError
from fmcat.rule import Rule
from fmcat.scan.rules import CODE_RULES

ALL_RULES: dict[str, type[Rule]] = {
    rule.code: rule for rule in (*CATALOG_CHECKS, *RULES_CHECKS, *CODE_RULES)
}


def rule_for(code: str) -> type[Rule]:
    wanted = code.strip().upper()
    if wanted in ALL_RULES:
        return ALL_RULES[wanted]
    by_name = {rule.name: rule for rule in ALL_RULES.values()}
    if code.strip().lower() in by_name:
        return by_name[code.strip().lower()]
    raise UsageError(f"unknown rule {code!r}; `fmcat rules` lists them all")


def selector_code(selector: str) -> str:
    """A selector as a code or prefix: a rule name (`missing-timeout`) becomes its code, and
    anything else is upper-cased (`fm01` is the prefix FM01)."""
    wanted = selector.strip()
    by_name = {rule.name: code for code, rule in ALL_RULES.items()}
    return by_name.get(wanted.lower(), wanted.upper())


def check_selectors(selectors: list[str], option: str) -> list[str]:
    """Each selector as a code or code prefix (`FM01`) that matches some rule; rule names are
    accepted wherever codes are."""
    cleaned = []
    for selector in selectors:
        wanted = selector_code(selector)
        if not wanted:
            continue
        if not any(code.startswith(wanted) for code in ALL_RULES):
            close = difflib.get_close_matches(
                selector.strip().lower(), [rule.name for rule in ALL_RULES.values()], n=1
            )
            hint = f'; did you mean "{close[0]}"?' if close else ""
            raise UsageError(
                f"{option} {selector!r} matches no rule; give a code (FM010), a prefix (FM01) "
                f"or a rule name{hint or ' (missing-timeout)'}"
            )
        cleaned.append(wanted)
    return cleaned


def is_selected(code: str, select: list[str], ignore: list[str]) -> bool:
    """ruff's convention: the longest matching selector wins, so `--ignore FM01 --select FM017`
    keeps FM017 alone among the FM01x rules."""
    best_select = max((len(s) for s in select if code.startswith(s)), default=-1 if select else 0)
    best_ignore = max((len(s) for s in ignore if code.startswith(s)), default=-1)
    return best_select >= 0 and best_select > best_ignore
