"""What the scan tells another pass over the same files while it reads them (engine.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from fmcat.scan.cache import Status
from fmcat.scan.workers import Extra


class Observer(Protocol):
    """Another pass over the files the scan reads (the framework post-pass: frameworks/early.py),
    told what the scan has in hand so that it need not find and read them again."""

    def listed(self, files: list[tuple[Path, str]]) -> None:
        """Every file found, with its shown path, in order."""

    def saw(
        self, index: int, module: str, source: bytes | None, digest: str, status: Status
    ) -> Extra | None:
        """The bytes of the file at ``index`` in that list, which the scan read (None: over
        MAX_PARSE_BYTES); what to run on them in the worker that parses the file, if any
        (workers.Job.extra)."""

    def answered(self, key: str, found: object) -> None:
        """What that ran to in the worker, for the file whose cache key is ``key``."""
