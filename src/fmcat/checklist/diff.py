"""What changed, file by file: `git diff -U0` output parsed into changed line ranges.

Only the hunk headers matter (`@@ -a,b +c,d @@`): they give the lines of the new file that
were added or replaced, and the places where lines were only removed. Hunk bodies are skipped
by count, never by their look, so a removed line that reads `--- a/x` is not taken for a
header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

_HUNK = re.compile(r"^@@ -\d+(?:,(?P<old>\d+))? \+(?P<start>\d+)(?:,(?P<new>\d+))? @@")
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


class Status(StrEnum):
    ADDED = "added"
    MODIFIED = "modified"
    RENAMED = "renamed"
    DELETED = "deleted"


@dataclass
class FileChange:
    """One file of the change. ``path`` is the new path (the old one for a deletion), from the
    repository's root, with forward slashes."""

    path: str
    status: Status = Status.MODIFIED
    old_path: str | None = None
    #: Inclusive ranges of new-file lines that were added or replaced.
    ranges: list[tuple[int, int]] = field(default_factory=list)
    #: New-file lines after which old lines were removed (0: at the top).
    removals: list[int] = field(default_factory=list)
    #: Every line is new (a file that is not tracked yet).
    whole: bool = False

    def touches(self, line: int, end_line: int) -> bool:
        """Whether a span of lines intersects the change: it holds a changed line, or lines
        were removed from inside it (a `timeout=` argument deleted from a call)."""
        if self.whole:
            return True
        if any(start <= end_line and line <= end for start, end in self.ranges):
            return True
        return any(line <= after < end_line for after in self.removals)


def unquote(path: str) -> str:
    """A path as git prints it: C-quoted (`"a\\tb"`, octal bytes) when it has odd characters."""
    if not (len(path) >= 2 and path.startswith('"') and path.endswith('"')):
        return path
    body, out, index = path[1:-1], bytearray(), 0
    while index < len(body):
        char = body[index]
        if char != "\\" or index + 1 == len(body):
            out += char.encode("utf-8", "surrogateescape")
            index += 1
            continue
        following = body[index + 1]
        if following in "01234567":
            digits = re.match(r"[0-7]{1,3}", body[index + 1 :])
            assert digits is not None
            out.append(int(digits.group(), 8) & 0xFF)
            index += 1 + len(digits.group())
        else:
            out.append(_ESCAPES.get(following, ord(following)))
            index += 2
    return out.decode("utf-8", "surrogateescape")


def _strip_prefix(path: str, prefix: str) -> str:
    path = unquote(path.rstrip("\t") if not path.startswith('"') else path)
    return path[len(prefix) :] if path.startswith(prefix) else path


def _header_paths(rest: str) -> tuple[str, str]:
    """`a/x b/x` from a `diff --git` line; only needed when no other line names the file."""
    if rest.startswith('"'):
        end = rest.index('"', 1)
        while rest[end - 1] == "\\":
            end = rest.index('"', end + 1)
        first, second = rest[: end + 1], rest[end + 2 :]
    else:
        half = (len(rest) - 1) // 2
        first, second = rest[:half], rest[half + 1 :]
    return _strip_prefix(first, "a/"), _strip_prefix(second, "b/")


def parse_patch(text: str) -> list[FileChange]:
    """Every file of a `git diff -U0 --src-prefix=a/ --dst-prefix=b/` patch."""
    changes: list[FileChange] = []
    current: FileChange | None = None
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if line.startswith("diff --git "):
            old, new = _header_paths(line[len("diff --git ") :])
            current = FileChange(new, old_path=old)
            changes.append(current)
        elif line.startswith(("diff --cc ", "diff --combined ")):
            current = None  # an unmerged path (a conflict in progress): nothing to attribute
        elif current is None:
            continue
        elif line.startswith("new file mode"):
            current.status = Status.ADDED
        elif line.startswith("deleted file mode"):
            current.status = Status.DELETED
            current.path = current.old_path or current.path
        elif line.startswith("rename from "):
            current.status = Status.RENAMED
            current.old_path = unquote(line[len("rename from ") :])
        elif line.startswith("rename to "):
            current.path = unquote(line[len("rename to ") :])
        elif line.startswith("--- ") and line[4:] != "/dev/null":
            current.old_path = _strip_prefix(line[4:], "a/")
        elif line.startswith("+++ ") and line[4:] != "/dev/null":
            current.path = _strip_prefix(line[4:], "b/")
        elif match := _HUNK.match(line):
            start = int(match["start"])
            added = int(match["new"]) if match["new"] is not None else 1
            removed = int(match["old"]) if match["old"] is not None else 1
            if added:
                current.ranges.append((start, start + added - 1))
            elif removed:
                current.removals.append(start)
            index += _body_length(lines, index, added + removed)
    for change in changes:
        if change.status is not Status.RENAMED:
            change.old_path = None
    return changes


def _body_length(lines: list[str], index: int, count: int) -> int:
    """Lines a hunk body takes: ``count`` lines of `+`/`-`, plus "\\ No newline" markers."""
    taken = 0
    while count and index + taken < len(lines):
        if not lines[index + taken].startswith("\\"):
            count -= 1
        taken += 1
    while index + taken < len(lines) and lines[index + taken].startswith("\\"):
        taken += 1
    return taken
