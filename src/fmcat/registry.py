"""Every rule fmcat knows, by code: what `explain`, `--select` and the rule reference read."""

from __future__ import annotations

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


def check_selectors(selectors: list[str], option: str) -> list[str]:
    """Upper-cased selectors, each a code or a code prefix (`FM01`) that matches some rule."""
    cleaned = []
    for selector in selectors:
        wanted = selector.strip().upper()
        if not wanted:
            continue
        if not any(code.startswith(wanted) for code in ALL_RULES):
            raise UsageError(
                f"{option} {selector!r} matches no rule; codes look like FM010, prefixes like FM01"
            )
        cleaned.append(wanted)
    return cleaned


def is_selected(code: str, select: list[str], ignore: list[str]) -> bool:
    """ruff's convention: the longest matching selector wins, so `--ignore FM01 --select FM017`
    keeps FM017 alone among the FM01x rules."""
    best_select = max((len(s) for s in select if code.startswith(s)), default=-1 if select else 0)
    best_ignore = max((len(s) for s in ignore if code.startswith(s)), default=-1)
    return best_select >= 0 and best_select > best_ignore
