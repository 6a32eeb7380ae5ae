"""Per-file scan results, so that a run with nothing changed reads no file's bytes.

Where: one JSON file per project in the user's cache folder (``$FMCAT_CACHE_DIR``, else
``$XDG_CACHE_HOME/fmcat``, else ``~/.cache/fmcat``), named by a hash of the project's real
path. Never inside the work tree: a repository could commit a cache that hides its findings,
or a `.fmcat_cache` symlink that makes fmcat write elsewhere. A cache folder that is inside
the project, is a symbolic link, or belongs to another user is not used (the run is cold).

What: for each file, its status (size, modification and change times in nanoseconds, inode,
device), the hash of its bytes, and its facts (or null: the prefilter showed it cannot
matter). A file whose status is unchanged is a hit without being read; a file whose status
changed but whose bytes hash the same is a hit after one read. A file modified less than
``RACY_SECONDS`` before the scan began is trusted only by hash next time, because a second
change within the file system's timestamp granularity would leave its status unchanged (git's
"racily clean" entries). The whole is keyed by fmcat's version, the knowledge base and the
catalog's call patterns.

Loading is safe (JSON, no pickle), bounded, and every entry is validated: anything malformed
means a cold run for that file, never an error. Writes are atomic.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from fmcat.scan.facts import FileFacts
from fmcat.scan.files import UnreadableError, read_source

#: Bump when the entry layout changes.
FORMAT = 4
#: A cache file past this is not read (a project of 10,000 files needs about 5 MB).
MAX_CACHE_BYTES = 256 * 1024 * 1024
RACY_SECONDS = 2

_FACTS: TypeAdapter[FileFacts] = TypeAdapter(FileFacts)

Status = list[int]


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def status_key(status: os.stat_result) -> Status:
    return [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev]


def cache_home() -> Path:
    configured = os.environ.get("FMCAT_CACHE_DIR")
    if configured:
        return Path(configured)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "fmcat"


class Miss:
    """Not in the cache (distinct from a hit whose facts are None)."""


MISS = Miss()


class ScanCache:
    def __init__(self, root: Path, key: str, enabled: bool, started_ns: int) -> None:
        self.key = key
        self.enabled = enabled
        self.started_ns = started_ns
        self.entries: dict[str, Any] = {}
        self.fresh: dict[str, dict[str, Any]] = {}
        #: Why the cache is off although it was asked for, for a note (None: it is on).
        self.unusable: str | None = None
        real = os.path.realpath(root)
        self.folder = cache_home()
        self.file = self.folder / f"scan-{content_hash(real.encode())}.json"
        if enabled:
            self.unusable = _unsafe(self.folder, Path(real))
            self.enabled = self.unusable is None
        if self.enabled:
            self._load()

    def _load(self) -> None:
        try:
            raw, _ = read_source(self.file, MAX_CACHE_BYTES, follow=False)
            data = json.loads(raw) if len(raw) <= MAX_CACHE_BYTES else None
        except (UnreadableError, ValueError, RecursionError):
            return
        if isinstance(data, dict) and data.get("key") == self.key:
            files = data.get("files")
            if isinstance(files, dict):
                self.entries = files

    def by_status(self, path: str, status: Status) -> FileFacts | Miss | None:
        entry = self._entry(path)
        if entry is None or entry.get("racy") is not False or entry.get("stat") != status:
            return MISS
        return self._hit(path, entry, status)

    def by_hash(self, path: str, digest: str, status: Status) -> FileFacts | Miss | None:
        entry = self._entry(path)
        if entry is None or entry.get("hash") != digest:
            return MISS
        return self._hit(path, entry, status, digest)

    def _entry(self, path: str) -> dict[str, Any] | None:
        entry = self.entries.get(path)
        return entry if isinstance(entry, dict) else None

    def _hit(
        self, path: str, entry: dict[str, Any], status: Status, digest: str | None = None
    ) -> FileFacts | Miss | None:
        raw = entry.get("facts", MISS)
        if raw is MISS or not isinstance(entry.get("hash"), str):
            return MISS
        try:
            facts = None if raw is None else _FACTS.validate_python(raw)
        except (ValidationError, ValueError, TypeError, RecursionError):
            return MISS
        if digest is None:
            self.fresh[path] = entry
        else:
            self.put(path, digest, status, facts)
        return facts

    def put(self, path: str, digest: str, status: Status, facts: FileFacts | None) -> None:
        if not self.enabled:
            return  # never saved: each file's facts as JSON would be a second copy of them
        # Modified just before the scan: its status alone cannot prove it unchanged next time.
        racy = status[1] >= self.started_ns - RACY_SECONDS * 1_000_000_000
        self.fresh[path] = {
            "stat": status,
            "racy": racy,
            "hash": digest,
            "facts": facts.to_json() if facts is not None else None,
        }

    def refresh(self, path: str, facts: FileFacts) -> None:
        """The keys of facts put or hit in this run, which a round found still to hold."""
        entry = self.fresh.get(path)
        if entry is not None and isinstance(entry.get("facts"), dict):
            entry["facts"]["derived_key"] = facts.derived_key
            entry["facts"]["lookup_key"] = facts.lookup_key

    def save(self) -> None:
        if not self.enabled:
            return
        document = json.dumps({"key": self.key, "files": self.fresh}, separators=(",", ":"))
        write_private(self.folder, self.file, document, ".scan-")


def write_private(folder: Path, file: Path, document: str, prefix: str) -> None:
    """Write a cache file atomically in the user's own folder; a folder that cannot be written,
    or that is not safely the user's, leaves the next run cold, and that is all."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if _unsafe(folder, None) is not None:
            return
        handle, name = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=".tmp")
        temporary = Path(name)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(document)
            temporary.replace(file)
        finally:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
    except OSError:
        pass


def _unsafe(folder: Path, project: Path | None) -> str | None:
    """Why ``folder`` must not hold the cache, or None."""
    if project is not None:
        real = Path(os.path.realpath(folder))
        if real == project or project in real.parents:
            return f"the cache folder {folder} is inside the project; the cache is off"
    try:
        status = os.lstat(folder)
    except FileNotFoundError:
        return None  # made by save(), with mode 700
    except OSError as error:
        return f"cannot use the cache folder {folder}: {error.strerror or error}"
    if stat.S_ISLNK(status.st_mode) or not stat.S_ISDIR(status.st_mode):
        return f"the cache folder {folder} is not a folder (a symbolic link?); the cache is off"
    if hasattr(os, "geteuid") and status.st_uid != os.geteuid():
        return f"the cache folder {folder} belongs to another user; the cache is off"
    if status.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"the cache folder {folder} is writable by others; the cache is off"
    return None
