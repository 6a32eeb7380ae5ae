"""What the framework post-pass learnt per file, so that a run with nothing changed reads few.

Beside the scan's cache (same folder, same safety checks: outside the work tree, not a link,
the user's own), one JSON file per project. For each file: its status and the hash of its bytes
(a hit by status without reading it; else by hash after one read, as in the scan's cache), the
passes whose markers its bytes contain, and, for a file that only the pure per-file passes read
(consumers, retries), what they found. A file marked for Celery's passes is read again: what
they find depends on the whole project's tasks and configuration. Every entry is validated; a
malformed one means that file is read again, never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from fmcat.build import identity
from fmcat.scan.cache import (
    MAX_CACHE_BYTES,
    RACY_SECONDS,
    Status,
    _unsafe,
    cache_home,
    content_hash,
    write_private,
)
from fmcat.scan.facts import Consumer, RetriedCall, RetryPolicy
from fmcat.scan.files import UnreadableError, read_source

#: Bump when the entry layout changes.
FORMAT = 1

Found = tuple[list[Consumer], list[RetryPolicy], list[RetriedCall]]
_FOUND: TypeAdapter[Found] = TypeAdapter(Found)
_MARKS: TypeAdapter[list[str]] = TypeAdapter(list[str])


def cache_key(markers: object) -> str:
    text = json.dumps([identity(), FORMAT, repr(markers)])
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


class FrameworkCache:
    def __init__(self, root: Path, key: str, enabled: bool, started_ns: int) -> None:
        self.key = key
        self.enabled = enabled
        self.started_ns = started_ns
        self.entries: dict[str, Any] = {}
        self.fresh: dict[str, dict[str, Any]] = {}
        real = os.path.realpath(root)
        self.folder = cache_home()
        self.file = self.folder / f"scan-{content_hash(real.encode())}-frameworks.json"
        if enabled and _unsafe(self.folder, Path(real)) is not None:
            self.enabled = False
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

    def by_status(self, path: str, status: Status) -> tuple[list[str], Found | None] | None:
        """The file's marks and pure findings when its status is unchanged (None: a miss)."""
        entry = self.entries.get(path)
        if not isinstance(entry, dict) or entry.get("racy") is not False:
            return None
        if entry.get("stat") != status:
            return None
        return self._hit(path, entry)

    def by_hash(
        self, path: str, digest: str, status: Status
    ) -> tuple[list[str], Found | None] | None:
        entry = self.entries.get(path)
        if not isinstance(entry, dict) or entry.get("hash") != digest:
            return None
        hit = self._hit(path, entry)
        if hit is not None:
            self.put(path, digest, status, *hit)
        return hit

    def _hit(self, path: str, entry: dict[str, Any]) -> tuple[list[str], Found | None] | None:
        try:
            marks = _MARKS.validate_python(entry.get("marks"))
            raw = entry.get("found")
            found = None if raw is None else _FOUND.validate_python(raw)
        except (ValidationError, ValueError, TypeError, RecursionError):
            return None
        if not isinstance(entry.get("hash"), str):
            return None
        self.fresh.setdefault(path, entry)
        return marks, found

    def put(
        self, path: str, digest: str, status: Status, marks: list[str], found: Found | None
    ) -> None:
        if not self.enabled:
            return  # never saved
        racy = status[1] >= self.started_ns - RACY_SECONDS * 1_000_000_000
        self.fresh[path] = {
            "stat": status,
            "racy": racy,
            "hash": digest,
            "marks": marks,
            "found": None if found is None else _FOUND.dump_python(found, mode="json"),
        }

    def save(self) -> None:
        if not self.enabled:
            return
        document = json.dumps({"key": self.key, "files": self.fresh}, separators=(",", ":"))
        write_private(self.folder, self.file, document, ".fw-")
