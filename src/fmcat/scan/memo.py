"""The whole run's findings, kept so that a run with nothing changed recomputes nothing.

A warm run that looks every file up in the per-file caches still loads thousands of entries,
joins the project's summaries, runs the framework post-pass and every code rule: tens of
seconds on a service of 6,000 files. When nothing it depends on has changed, its answer is the
last run's, and this memo gives it back from one file read, without parsing or importing the
parser.

What the last answer depends on, all in the memo and compared before it is used:

- the key: fmcat's version and the status of its own source and data files (an edited
  clients.toml or rule is another fmcat), the knowledge base, the settings, the catalog's
  entries, the paths asked for, the current folder (findings show paths from it) and the
  options that change what is reported;
- the list of Python files found, in order, with each one's status (size, modification and
  change times in nanoseconds, inode, device), taken before anything reads them: a file added,
  deleted, renamed or touched is a miss;
- the status of every other file the post-pass read (a settings module outside the scanned
  folders, an entry file), from the read itself, and the entry files that exist.

A miss means the ordinary warm run (the per-file caches of scan/cache.py and
frameworks/cache.py), which then leaves a new memo. A file modified less than ``RACY_SECONDS``
before the run began could change again without changing its status (git's "racily clean"
entries): a run that saw one leaves no memo, so the next run checks every file by the per-file
caches, by hash where their status cannot be trusted.

Where and how: beside the scan's cache, in the user's own cache folder, never inside the work
tree (a repository could commit a memo that hides its findings); read bounded, validated as a
whole (anything malformed is a miss, never an error), written atomically and privately.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fmcat.build import identity
from fmcat.findings import Finding, Location, Severity
from fmcat.scan.cache import (
    MAX_CACHE_BYTES,
    RACY_SECONDS,
    Status,
    _unsafe,
    cache_home,
    content_hash,
    status_key,
    write_private,
)
from fmcat.scan.files import Discovery, UnreadableError, read_source

#: Bump when the memo's layout changes.
FORMAT = 1


def digest(parts: object) -> str:
    """A key from JSON-able parts (the caller's: knowledge base, settings, options)."""
    text = json.dumps([FORMAT, identity(), parts], sort_keys=True, default=str)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


@dataclass
class Answer:
    """What a run of the code scan gives back: its findings and what it says about itself."""

    findings: list[Finding]
    read: int
    parsed: int
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Inputs:
    """The files a run depends on and their status, taken before the run reads them."""

    #: Each Python file found: its absolute path, whether it was named (a link to it is then
    #: followed), and its status.
    files: list[tuple[str, bool, Status]]
    #: Each folder listed to find them, with its status taken before it was listed.
    folders: list[tuple[str, Status]]
    entries: list[str]

    def racy(self, started_ns: int) -> bool:
        statuses = [status for _, _, status in self.files] + [s for _, s in self.folders]
        return any(_racy(status, started_ns) for status in statuses)


def _racy(status: Status, started_ns: int) -> bool:
    # Modified within the window before the run: a second change inside the file system's
    # timestamp granularity would leave its status unchanged. The modification time, as the
    # per-file caches judge it: a change that sets it back (touch -d) still moves the change
    # time, which is in the status.
    return status[1] >= started_ns - RACY_SECONDS * 1_000_000_000


def entry_files(root: Path) -> list[str]:
    """The entry files the framework post-pass reads whether or not they are scanned (the
    Django settings are found from them): one that appears is a change."""
    candidates = [root / "manage.py", *root.glob("*/wsgi.py"), *root.glob("*/asgi.py")]
    return sorted(os.path.abspath(p) for p in candidates if p.is_file())  # noqa: PTH100


def inputs(found: Discovery, entries: list[str]) -> Inputs | None:
    """The status of every file found, now (None when one vanished or cannot be looked at)."""
    folders = [(os.path.abspath(p), status_key(s)) for p, s in found.folders]  # noqa: PTH100
    listed = [(os.path.abspath(item.path), item.named) for item in found.files]  # noqa: PTH100
    return _stat(listed, folders, entries)


def _stat(
    listed: list[tuple[str, bool]], folders: list[tuple[str, Status]], entries: list[str]
) -> Inputs | None:
    files = []
    try:
        for path, named in listed:
            files.append((path, named, status_key(os.stat(path, follow_symlinks=named))))  # noqa: PTH116
    except OSError:
        return None
    return Inputs(files, folders, entries)


def _same_listing(data: dict[str, Any], entries: list[str]) -> Inputs | None:
    """The memo's files, with their status now, when no folder listed to find them has
    changed since (a file added, deleted or renamed changes its folder): then they are what
    a new search would find, without listing a folder or matching a pattern."""
    folders = []
    for path, *status in data["folders"]:
        try:
            now = status_key(os.stat(path))  # noqa: PTH116
        except OSError:
            return None
        if now != status:
            return None
        folders.append((path, now))
    listed = [(path, bool(named)) for path, named, *_ in data["files"]]
    if not all(isinstance(path, str) for path, _ in listed):
        return None
    return _stat(listed, folders, entries)


Discover = Callable[[], Inputs | None]


class RunMemo:
    def __init__(self, root: Path, key: str, enabled: bool, started_ns: int) -> None:
        self.key = key
        self.started_ns = started_ns
        real = os.path.realpath(root)
        self.folder = cache_home()
        self.file = self.folder / f"scan-{content_hash(real.encode())}-run.json"
        self.enabled = enabled and _unsafe(self.folder, Path(real)) is None

    def recall(self, discover: Discover, entries: list[str]) -> tuple[Answer | None, Inputs | None]:
        """The last run's answer if nothing it depends on has changed since, and the inputs
        of this run as they are now (None: a file vanished while they were looked at)."""
        data = self._load() if self.enabled else None
        now = None
        if data is not None:
            try:
                now = _same_listing(data, entries)
            except (ValueError, TypeError, LookupError, AttributeError):
                data = None
        if now is None:
            now = discover()
        if data is None or now is None:
            return None, now
        try:
            return _answer(data, now), now
        except (ValueError, TypeError, LookupError, AttributeError):
            return None, now

    def _load(self) -> dict[str, Any] | None:
        try:
            raw, _ = read_source(self.file, MAX_CACHE_BYTES, follow=False)
            data = json.loads(raw) if len(raw) <= MAX_CACHE_BYTES else None
        except (UnreadableError, ValueError):
            return None
        except RecursionError:  # a deeply nested document
            return None
        return data if isinstance(data, dict) and data.get("key") == self.key else None

    def store(self, now: Inputs, read: dict[str, Status | None], answer: Answer) -> None:
        """Keep ``answer`` for the next run, unless a file it read was changing under it."""
        if not self.enabled or now.racy(self.started_ns):
            self._forget()
            return
        known = {path: status for path, _, status in now.files}
        extra = {}
        for path, status in read.items():
            if status is None:  # read twice, and changed in between
                self._forget()
                return
            if path in known:
                if known[path] != status:  # changed between the look and the read
                    self._forget()
                    return
            elif _racy(status, self.started_ns):
                self._forget()
                return
            else:
                extra[path] = status
        document = {
            "key": self.key,
            "files": [[path, int(named), *status] for path, named, status in now.files],
            "folders": [[path, *status] for path, status in now.folders],
            "entries": now.entries,
            "extra": extra,
            "read": answer.read,
            "parsed": answer.parsed,
            "notes": answer.notes,
            "findings": [_finding_json(f) for f in answer.findings],
        }
        write_private(self.folder, self.file, json.dumps(document, separators=(",", ":")), ".run-")

    def _forget(self) -> None:
        """An older memo must not outlive a run that could not leave one."""
        with contextlib.suppress(OSError):
            self.file.unlink(missing_ok=True)


def _answer(data: dict[str, Any], now: Inputs) -> Answer | None:
    files = data["files"]
    if len(files) != len(now.files) or data["entries"] != now.entries:
        return None
    for stored, (path, named, status) in zip(files, now.files, strict=True):
        if stored[0] != path or stored[1] != int(named) or stored[2:] != status:
            return None
    for path, status in data["extra"].items():
        try:
            if status_key(Path(path).stat(follow_symlinks=False)) != status:
                return None
        except OSError:
            return None
    read, parsed, notes = data["read"], data["parsed"], data["notes"]
    if not (isinstance(read, int) and isinstance(parsed, int) and isinstance(notes, list)):
        return None
    if not all(isinstance(note, str) for note in notes):
        return None
    return Answer([_finding(f) for f in data["findings"]], read, parsed, notes)


def _finding_json(finding: Finding) -> list[object]:
    loc = finding.location
    return [
        finding.code,
        finding.message,
        loc.path,
        loc.line,
        loc.column,
        loc.end_line,
        loc.end_column,
        finding.severity.value,
        finding.dependency,
        finding.fingerprint_text,
        finding.service,
    ]


def _finding(raw: Any) -> Finding:
    code, message, path, line, column, end_line, end_column, severity, *rest = raw
    dependency, fingerprint, service = rest
    texts = (code, message, path)
    optional_texts = (dependency, fingerprint, service)
    if not all(isinstance(t, str) for t in texts) or not all(
        t is None or isinstance(t, str) for t in optional_texts
    ):
        raise TypeError("malformed finding")
    numbers = (line, column)
    optional_numbers = (end_line, end_column)
    if not all(type(n) is int for n in numbers) or not all(
        n is None or type(n) is int for n in optional_numbers
    ):
        raise TypeError("malformed finding")
    location = Location(path, line, column, end_line, end_column)
    return Finding(code, message, location, Severity(severity), dependency, fingerprint, service)
