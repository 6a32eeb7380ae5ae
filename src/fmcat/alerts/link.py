"""`fmcat alerts link`: write or correct the `runbook_url` of every alert a failure mode names.

The file goes through a ruamel round trip, so comments, key order, flow mappings, block
scalars and quoting stay as they are. A round trip is exact only for layouts ruamel can
reproduce, so fmcat first checks that the untouched file comes back byte for byte (trying the
indentations it can write) and refuses to edit a file that would not: then nothing but the
runbook links can change.
"""

from __future__ import annotations

import difflib
import io
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from fmcat.alerts.checks.base import alert_context
from fmcat.alerts.project import AlertsProject, write_output
from fmcat.alerts.rules import RulesFile, RulesFileError, alerts_of, load_rule_set, rules_yaml
from fmcat.errors import ConfigError, UsageError

# (mapping, sequence, offset) indentations to try, the common ones first.
_LAYOUTS = [
    (mapping, mapping + offset, offset) for mapping in (2, 4, 3) for offset in (2, 0, 1, 3, 4)
]


@dataclass
class Edit:
    alert: str
    old: str | None
    new: str


@dataclass
class FileEdit:
    rules: RulesFile
    edits: list[Edit] = field(default_factory=list)
    new_text: str = ""

    def diff(self) -> str:
        return "".join(
            difflib.unified_diff(
                self.rules.text.splitlines(keepends=True),
                self.new_text.splitlines(keepends=True),
                fromfile=f"a/{self.rules.display}",
                tofile=f"b/{self.rules.display}",
            )
        )


@dataclass
class LinkPlan:
    files: list[FileEdit]
    #: Alerts that failure modes name but no rules file defines (FM020 reports them).
    undefined: list[str]
    linked: int


def _yaml(layout: tuple[int, int, int]) -> Any:
    yaml = rules_yaml()
    yaml.preserve_quotes = True
    yaml.width = 1 << 16  # never fold a long line
    mapping, sequence, offset = layout
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _dump(yaml: Any, documents: list[Any], explicit_start: bool) -> str:
    yaml.explicit_start = explicit_start
    out = io.StringIO()
    yaml.dump_all(documents, out)
    return out.getvalue()


def _round_trip(rules: RulesFile) -> tuple[Any, list[Any], bool]:
    """A YAML instance that writes the file back unchanged, with the documents it read."""
    explicit = rules.text.lstrip().startswith("---")
    for layout in _LAYOUTS:
        yaml = _yaml(layout)
        documents = list(yaml.load_all(rules.text))
        if _dump(yaml, documents, explicit) == rules.text:
            return yaml, documents, explicit
    raise RulesFileError(
        f"{rules.display}: fmcat cannot rewrite this file without changing more than the "
        "runbook links (its layout does not survive a YAML round trip unchanged); "
        "`fmcat lint --select FM021` lists the links to fix by hand"
    )


def _set_url(rule: CommentedMap, url: str) -> None:
    annotations = rule.get("annotations")
    if not isinstance(annotations, CommentedMap):
        annotations = CommentedMap()
        if "annotations" in rule:
            rule["annotations"] = annotations
        else:
            rule.insert(len(rule), "annotations", annotations)
    old = annotations.get("runbook_url")
    value: str = url
    if isinstance(old, DoubleQuotedScalarString):
        value = DoubleQuotedScalarString(url)
    elif isinstance(old, SingleQuotedScalarString):
        value = SingleQuotedScalarString(url)
    if old is not None:
        _keep_comment_gap(annotations, str(old), value)
    annotations["runbook_url"] = value


def _keep_comment_gap(annotations: CommentedMap, old: str, new: str) -> None:
    """Move a comment after the value as far as the value grows, so its gap stays the same
    (ruamel keeps a comment's column, and puts one space when the value reaches it)."""
    comment = annotations.ca.items.get("runbook_url", [None, None, None, None])[2]
    position = annotations.lc.value("runbook_url") if "runbook_url" in annotations else None
    if comment is None or position is None or not comment.value.lstrip(" ").startswith("#"):
        return
    quotes = 2 if isinstance(new, DoubleQuotedScalarString | SingleQuotedScalarString) else 0
    end_of_old = position[1] + len(old) + quotes
    gap = comment.column - end_of_old
    if gap >= 1:
        comment.column = position[1] + len(new) + quotes + gap


def plan_links(project: AlertsProject) -> LinkPlan:
    if project.site_url is None:
        raise UsageError(
            "fmcat alerts link needs the runbook site's URL: set [tool.fmcat] site_url or "
            "pass --site-url"
        )
    settings = project.project.settings
    rules = load_rule_set(project.project.root, settings.alert_rules)
    if rules is None:
        raise ConfigError(
            "no alerting rules: set [tool.fmcat] alert_rules to the rules files' globs"
        )
    context = alert_context(project.catalog, rules, project.site_url)
    wanted: dict[str, str] = {}
    undefined = []
    for name, modes in sorted(context.named.items()):
        url = context.site.mode_url(modes[0])
        alert = rules.alerts.get(name)
        if alert is None:
            undefined.append(name)
        elif url is not None and alert.runbook_url != url:
            # An alert two failure modes name may lead to either of them.
            resolved = context.site.resolve(alert.runbook_url or "")
            if resolved.mode is None or resolved.mode not in modes:
                wanted[name] = url
    edits = []
    for rules_file in rules.files:
        names = [a.name for a in rules_file.alerts if a.name in wanted]
        if not names:
            continue
        yaml, documents, explicit = _round_trip(rules_file)
        edit = FileEdit(rules_file)
        shadow = RulesFile(rules_file.path, rules_file.display, rules_file.text, documents)
        for alert in alerts_of(shadow):
            if alert.name in wanted:
                edit.edits.append(Edit(alert.name, alert.runbook_url, wanted[alert.name]))
                _set_url(alert.node, wanted[alert.name])
        edit.new_text = _dump(yaml, documents, explicit)
        edits.append(edit)
    return LinkPlan(edits, undefined, sum(len(e.edits) for e in edits))


def write_links(plan: LinkPlan) -> None:
    """Each file replaced whole by a rename: a failure leaves it as it was."""
    for edit in plan.files:
        # A symlinked rules file stays a symlink: its target is rewritten. The file was read
        # as a regular file, so this never writes over a device or a FIFO.
        write_output(edit.rules.path, edit.new_text)
