from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from fmcat.catalog.checks.base import CatalogCheck
from fmcat.findings import Finding

if TYPE_CHECKING:
    from fmcat.catalog.load import Catalog, Entry
    from fmcat.catalog.yaml_guard import Key

#: Keys whose value is prose for people, where a `#channel` is likely and a cut goes unseen.
TEXT_KEYS = frozenset(
    {"description", "escalation", "notes", "impact", "title", "fallback", "verify"}
)
#: Keys whose items are prose (runbook steps).
TEXT_LIST_KEYS = frozenset({"diagnose", "mitigate", "steps"})
#: Characters that start a value that is not a plain scalar: quoted, or a block scalar.
_NOT_PLAIN = ('"', "'", "|", ">")


class ValueCutByComment(CatalogCheck):
    """
    In YAML, ` #` starts a comment, so in an unquoted value the rest of the line is silently
    dropped: `escalation: page #payments-oncall` loads as "page", and the runbook tells the
    engineer on call to page nobody. This rule reports a plain (unquoted) value of a text field
    (`description`, `escalation`, `notes`, `impact`, `title`, `fallback`, `verify` and the
    runbook steps) that is followed, after a single space, by `#` and a word on the same line:
    text that reads as part of the value. A comment written as comments usually are, with two
    spaces or a space after `#` (`impact: slow  # see INC-12`), is left alone.

    The fix: quote the value (`escalation: "page #payments-oncall"`), or use a block scalar
    (`|` or `>-`).
    """

    code = "FM004"
    name = "value-cut-by-comment"
    summary = "An unquoted text value is cut short by a ` #` that YAML reads as a comment"

    INVALID = (
        """\
dependency: payments
owner: team-payments
escalation: page #payments-oncall  # expect: FM004 "page is all that loads"
kind: http
criticality: critical
failure_modes:
  - id: down
    title: Payments API down
    response:
      steps:
        - Ask in #payments-vendors first  # expect: FM004
""",
    )
    VALID = (
        """\
dependency: payments
owner: team-payments
escalation: "page #payments-oncall"
kind: http
criticality: critical
failure_modes:
  - id: down
    title: Payments API down  # the usual kind of comment
    response:
      steps:
        - "Ask in #payments-vendors first"
        - >-
          Then page #payments-oncall
""",
    )

    def check(self, entry: Entry, catalog: Catalog) -> Iterator[Finding]:
        if " #" not in entry.source.text:
            # No value can be cut (`_reads_as_text` wants a space before the `#`), and the
            # comments live only in the round-trip tree, which a file read on the fast path
            # (yaml_fast.py) would otherwise be parsed again for.
            return
        lines = entry.source.text.splitlines()
        for loc, token in _text_comments(entry.source.tree, ()):
            line, column = token.start_mark.line, token.start_mark.column
            text = lines[line] if line < len(lines) else ""
            if not _reads_as_text(text, column):
                continue
            start = entry.source.locate(loc)
            written = lines[start.line - 1][start.column - 1 :] if start.line <= len(lines) else ""
            if written.startswith(_NOT_PLAIN):
                continue
            kept = " ".join(written.split(" #", 1)[0].split())
            cut = token.value.split("\n", 1)[0].rstrip()
            yield self.finding(
                entry,
                loc,
                f'"{kept}" is all that loads: YAML reads the rest of the line, " {cut}", as a '
                "comment; quote the value to keep it",
            )


def _reads_as_text(line: str, column: int) -> bool:
    """`value #word`: one space before the `#`, text right after it."""
    before = line[column - 2 : column] if column >= 2 else ""
    after = line[column + 1 : column + 2]
    return len(before) == 2 and before[0] != " " and before[1] == " " and after not in ("", " ")


def _text_comments(node: Any, path: tuple[Key, ...]) -> Iterator[tuple[tuple[Key, ...], Any]]:
    """(path, end-of-line comment token) for each text value that has one."""
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            here = (*path, str(key))
            if key in TEXT_KEYS and isinstance(value, str):
                token = _comment(node, key, 2)
                if token is not None:
                    yield here, token
            elif key in TEXT_LIST_KEYS and isinstance(value, CommentedSeq):
                for index, item in enumerate(value):
                    token = _comment(value, index, 0)
                    if isinstance(item, str) and token is not None:
                        yield (*here, index), token
            else:
                yield from _text_comments(value, here)
    elif isinstance(node, CommentedSeq):
        for index, item in enumerate(node):
            yield from _text_comments(item, (*path, index))


def _comment(node: CommentedMap | CommentedSeq, key: Any, slot: int) -> Any:
    """The comment ruamel keeps after ``node[key]``'s value, if it starts on that line."""
    entry = node.ca.items.get(key)
    if not entry or len(entry) <= slot or entry[slot] is None:
        return None
    token = entry[slot]
    value = getattr(token, "value", None)
    return token if isinstance(value, str) and value.startswith("#") else None
