"""The service's alerting rules, as users have them, with the position of everything fmcat names.

Read: plain Prometheus rule files (`groups:`), Thanos and Mimir rule files of the same shape
(Mimir's `namespace:` beside `groups:`), and prometheus-operator `PrometheusRule` manifests
(`spec.groups`), several YAML documents to a file. A rules file is input like a catalog file:
it goes through the same bounded YAML reader (nesting, tokens, aliases, tags), is read only if
it is a regular file, and never past a size bound. Anything wrong is a located error.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError

from fmcat.alerts.read import ReadError, read_bounded
from fmcat.catalog.yaml_guard import (
    LINE_BREAK,
    MAX_DEPTH,
    MAX_LINE,
    MAX_NODES,
    MAX_TEXT,
    BoundedScanner,
    CatalogConstructor,
    RefusedError,
    TooLargeError,
    UnreadableError,
    bounded_yaml,
    to_plain,
)
from fmcat.errors import ConfigError
from fmcat.findings import Location
from fmcat.paths import display_path

# The largest rules files seen in the wild (kube-prometheus' bundle) are about 300 KB and
# 40,000 YAML tokens; these bounds are ten times that and still stop in seconds.
MAX_RULES_BYTES = 4 * 1024 * 1024
MAX_RULES_TOKENS = 400_000

OPERATOR_KIND = "PrometheusRule"


class _RulesScanner(BoundedScanner):
    max_tokens: ClassVar[int] = MAX_RULES_TOKENS
    too_many_tokens: ClassVar[str] = "far more than any alerting rules file needs"


class _RulesConstructor(CatalogConstructor):
    what: ClassVar[str] = "an alerting rules file"


class RulesFileError(ConfigError):
    """A rules file that cannot be read as alerting rules; the message is located."""


@dataclass
class AlertRule:
    """One `alert:` rule, where it is written, and what fmcat reads of it."""

    name: str
    file: RulesFile
    #: The rule's mapping in the round-trip tree (``fmcat alerts link`` edits it).
    node: CommentedMap
    #: The `alert:` key.
    at: Location
    severity: str | None
    runbook_url: str | None
    #: The runbook_url value, else the `annotations:` key, else the `alert:` key.
    runbook_at: Location


@dataclass
class RulesFile:
    path: Path
    display: str
    text: str
    #: The round-trip tree of each YAML document, in order (None for an empty one).
    documents: list[Any]
    alerts: list[AlertRule] = field(default_factory=list)

    def location(self, line: int, column: int) -> Location:
        """A 1-based location from ruamel's 0-based position, spanning the token there."""
        lines = LINE_BREAK.split(self.text)
        end = column + 1
        if line < len(lines):
            token = lines[line][column:].split(" #", 1)[0].rstrip()
            end = column + 1 + len(token) if token else column + 1
        return Location(self.display, line + 1, column + 1, line + 1, end)

    def error(self, message: str, line: int = 0, column: int = 0) -> RulesFileError:
        return RulesFileError(f"{self.display}:{line + 1}:{column + 1}: {message}")


@dataclass
class RuleSet:
    files: list[RulesFile]
    #: Every alert by name; names are unique across the files (a duplicate is an error).
    alerts: dict[str, AlertRule]


def check_patterns(patterns: list[str]) -> None:
    for pattern in patterns:
        if not pattern.strip():
            raise ConfigError(
                "[tool.fmcat] alert_rules: an empty pattern; give globs relative to the "
                'project folder, e.g. "monitoring/*.rules.yaml"'
            )
        if Path(pattern).is_absolute() or pattern.startswith(("/", "\\")):
            raise ConfigError(
                f"[tool.fmcat] alert_rules: {pattern!r} is absolute; patterns are relative to "
                'the project folder, e.g. "monitoring/*.rules.yaml"'
            )


def rule_files(root: Path, patterns: list[str]) -> list[Path]:
    """The files the globs match, each once, in a stable order."""
    check_patterns(patterns)
    found: dict[Path, None] = {}
    for pattern in patterns:
        try:
            files = sorted(root.glob(pattern))
        except (ValueError, NotImplementedError) as error:
            raise ConfigError(f"[tool.fmcat] alert_rules: {pattern!r}: {error}") from error
        if not files:
            raise ConfigError(f"[tool.fmcat] alert_rules: {pattern!r} matches no file in {root}")
        found.update(dict.fromkeys(files))
    return list(found)


def load_rule_set(root: Path, patterns: list[str]) -> RuleSet | None:
    """Every alert in the configured rules files; None when `alert_rules` is not configured."""
    if not patterns:
        return None
    files = [read_rules_file(path) for path in rule_files(root, patterns)]
    alerts: dict[str, AlertRule] = {}
    for rules in files:
        for alert in rules.alerts:
            first = alerts.get(alert.name)
            if first is not None:
                raise RulesFileError(
                    f"{alert.at.path}:{alert.at.line}:{alert.at.column}: duplicate alert name "
                    f'"{alert.name}" (first at {first.at.path}:{first.at.line}:{first.at.column}): '
                    "a failure mode names one alert, so each name must be unique"
                )
            alerts[alert.name] = alert
    return RuleSet(files, alerts)


def rules_yaml() -> Any:
    return bounded_yaml(_RulesScanner, _RulesConstructor)


def read_rules_file(path: Path) -> RulesFile:
    shown = display_path(path)
    try:
        raw = read_bounded(path, MAX_RULES_BYTES)
    except ReadError as error:
        raise RulesFileError(f"{shown}: {error}") from error
    body = raw.removeprefix(codecs.BOM_UTF8)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        before = LINE_BREAK.split(body[: error.start].decode("utf-8"))
        raise RulesFileError(
            f"{shown}:{len(before)}:{len(before[-1]) + 1}: not UTF-8: byte "
            f"0x{body[error.start]:02x} cannot be decoded; save the file as UTF-8"
        ) from error
    for number, line in enumerate(LINE_BREAK.split(text), start=1):
        if len(line) > MAX_LINE:
            raise RulesFileError(
                f"{shown}:{number}:1: line is {len(line):,} characters long; "
                f"lines are limited to {MAX_LINE:,}"
            )
    rules = RulesFile(path, shown, text, _parse(text, shown))
    for document in rules.documents:
        _check_size(rules, document)
    rules.alerts = alerts_of(rules)
    return rules


def alerts_of(rules: RulesFile) -> list[AlertRule]:
    """Every alert in the file's documents, in order."""
    return [alert for document in rules.documents for alert in _alerts_of(rules, document)]


def _parse(text: str, shown: str) -> list[Any]:
    def located(mark: Any, message: str) -> RulesFileError:
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        return RulesFileError(f"{shown}:{line}:{column}: {' '.join(message.split())}")

    try:
        return list(rules_yaml().load_all(text))
    except DuplicateKeyError as error:
        problem = str(error.problem or "").split(" with value", 1)[0]
        raise located(error.problem_mark, f"invalid YAML: {problem}") from error
    except RefusedError as error:
        raise located(error.problem_mark, str(error.problem)) from error
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "cannot parse"
        if error.context_mark is not None and "stream end" in problem:
            # An unclosed bracket or quote is found at the end; the fix goes where it opened.
            mark = error.context_mark
        raise located(mark, f"invalid YAML: {problem}") from error
    except ReaderError as error:
        before = LINE_BREAK.split(text[: error.position])
        raise RulesFileError(
            f"{shown}:{len(before)}:{len(before[-1]) + 1}: invalid YAML: control character "
            f"U+{error.character:04X} is not allowed"
        ) from error
    except YAMLError as error:
        raise RulesFileError(f"{shown}: invalid YAML: {' '.join(str(error).split())}") from error
    except RecursionError as error:
        raise RulesFileError(f"{shown}: nesting deeper than {MAX_DEPTH} levels") from error


def _check_size(rules: RulesFile, document: Any) -> None:
    """Aliases may share data but not multiply it (the catalog's limits, as to_plain counts)."""
    try:
        to_plain(document)
    except TooLargeError as error:
        raise rules.error(
            f"document expands to more than {MAX_NODES:,} values or {MAX_TEXT:,} characters "
            "(an alias bomb?)"
        ) from error
    except UnreadableError as error:
        raise rules.error(error.message, error.line, error.column) from error


def _key_at(rules: RulesFile, mapping: CommentedMap, key: str) -> tuple[int, int]:
    position = mapping.lc.key(key)
    return (int(position[0]), int(position[1]))


def _value_at(rules: RulesFile, mapping: CommentedMap, key: str) -> tuple[int, int]:
    position = mapping.lc.value(key)
    return (int(position[0]), int(position[1]))


def _groups_of(rules: RulesFile, document: Any) -> Any:
    """The `groups` list of a document, whichever shape it has."""
    if not isinstance(document, CommentedMap):
        line, column = (
            (document.lc.line, document.lc.col) if isinstance(document, CommentedSeq) else (0, 0)
        )
        raise rules.error(
            "expected a mapping with `groups:` (a Prometheus, Thanos or Mimir rules file) or a "
            "PrometheusRule manifest",
            line,
            column,
        )
    if "kind" in document:
        kind = document["kind"]
        if kind != OPERATOR_KIND:
            raise rules.error(
                f"unknown document kind {str(kind)!r}: fmcat reads Prometheus rule files and "
                f"{OPERATOR_KIND} manifests (monitoring.coreos.com/v1)",
                *_value_at(rules, document, "kind"),
            )
        spec = document.get("spec")
        if not isinstance(spec, CommentedMap):
            where = (
                _value_at(rules, document, "spec")
                if "spec" in document
                else _key_at(rules, document, "kind")
            )
            raise rules.error(
                f"a {OPERATOR_KIND} with no `spec:` mapping: its rules are under spec.groups",
                *where,
            )
        document = spec
    if "groups" not in document:
        raise rules.error(
            "no `groups:`: a rules file (or a PrometheusRule's spec) lists its rules under groups",
            document.lc.line,
            document.lc.col,
        )
    return document["groups"], document


def _alerts_of(rules: RulesFile, document: Any) -> list[AlertRule]:
    if document is None:
        return []
    groups, parent = _groups_of(rules, document)
    if groups is None:
        return []
    if not isinstance(groups, CommentedSeq):
        raise rules.error("`groups` must be a list of groups", *_value_at(rules, parent, "groups"))
    found = []
    for number, group in enumerate(groups):
        if not isinstance(group, CommentedMap):
            raise rules.error(
                "a group must be a mapping with `name` and `rules`", *groups.lc.item(number)
            )
        rules_list = group.get("rules")
        if rules_list is None:
            continue
        if not isinstance(rules_list, CommentedSeq):
            raise rules.error("`rules` must be a list", *_value_at(rules, group, "rules"))
        for position, rule in enumerate(rules_list):
            if not isinstance(rule, CommentedMap):
                raise rules.error("a rule must be a mapping", *rules_list.lc.item(position))
            if "alert" in rule:
                found.append(_alert(rules, rule))
    return found


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, str) else None


def _alert(rules: RulesFile, rule: CommentedMap) -> AlertRule:
    name = rule["alert"]
    if not isinstance(name, str) or not name.strip():
        raise rules.error("`alert` must be the alert's name", *_value_at(rules, rule, "alert"))
    at = rules.location(*_key_at(rules, rule, "alert"))
    labels = rule.get("labels")
    severity = _text(labels.get("severity")) if isinstance(labels, CommentedMap) else None
    annotations = rule.get("annotations")
    url: str | None = None
    runbook_at = at
    if isinstance(annotations, CommentedMap):
        runbook_at = rules.location(*_key_at(rules, rule, "annotations"))
        if "runbook_url" in annotations:
            value = annotations["runbook_url"]
            url = "" if value is None else str(value)
            runbook_at = rules.location(*_value_at(rules, annotations, "runbook_url"))
    return AlertRule(str(name), rules, rule, at, severity, url, runbook_at)
