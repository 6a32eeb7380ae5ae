"""Alert names from Prometheus-style rule files, so FM020 can check `detection.alert`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from fmcat.errors import ConfigError
from fmcat.paths import display_path


def load_alert_names(root: Path, patterns: list[str]) -> frozenset[str] | None:
    """Names of every ``alert:`` rule in the files the globs match; None when none configured."""
    if not patterns:
        return None
    names: set[str] = set()
    for pattern in patterns:
        files = sorted(root.glob(pattern))
        if not files:
            raise ConfigError(f"[tool.fmcat] alert_rules: {pattern!r} matches no file in {root}")
        for path in files:
            names.update(_alerts_in(path))
    return frozenset(names)


def _alerts_in(path: Path) -> set[str]:
    try:
        data: Any = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YAMLError) as error:
        raise ConfigError(f"{display_path(path)}: cannot read alerting rules: {error}") from error
    names = set()
    groups = data.get("groups", []) if isinstance(data, dict) else []
    for group in groups if isinstance(groups, list) else []:
        rules = group.get("rules", []) if isinstance(group, dict) else []
        for rule in rules if isinstance(rules, list) else []:
            if isinstance(rule, dict) and isinstance(rule.get("alert"), str):
                names.add(rule["alert"])
    return names
