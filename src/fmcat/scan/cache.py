"""Per-file scan results, keyed by content hash, fmcat version and configuration.

One JSON file per project in ``.fmcat_cache/``: small, safe to load (no pickle), written
atomically so an interrupted run never leaves a corrupt cache behind. Any problem reading it
just means a cold run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from fmcat.scan.facts import FileFacts

CACHE_DIR = ".fmcat_cache"
_FILE = "scan-v1.json"


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class ScanCache:
    def __init__(self, root: Path, key: str, enabled: bool) -> None:
        self.folder = root / CACHE_DIR
        self.key = key
        self.enabled = enabled
        self.entries: dict[str, dict[str, Any]] = {}
        self.fresh: dict[str, dict[str, Any]] = {}
        if enabled:
            self._load()

    def _load(self) -> None:
        try:
            data = json.loads((self.folder / _FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(data, dict) and data.get("key") == self.key:
            files = data.get("files")
            if isinstance(files, dict):
                self.entries = files

    def get(self, path: str, digest: str) -> FileFacts | None:
        entry = self.entries.get(path)
        if not entry or entry.get("hash") != digest:
            return None
        try:
            facts = FileFacts.from_json(entry["facts"])
        except (KeyError, TypeError, ValueError):
            return None
        self.fresh[path] = entry
        return facts

    def put(self, path: str, digest: str, facts: FileFacts) -> None:
        self.fresh[path] = {"hash": digest, "facts": facts.to_json()}

    def save(self) -> None:
        if not self.enabled:
            return
        try:
            self.folder.mkdir(exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Created by fmcat.\n*\n", encoding="utf-8")
            document = json.dumps({"key": self.key, "files": self.fresh}, separators=(",", ":"))
            handle, name = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            temporary = Path(name)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    out.write(document)
                temporary.replace(self.folder / _FILE)
            finally:
                with contextlib.suppress(OSError):
                    temporary.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only checkout still lints; it just lints cold next time
