"""Baselines: record today's findings so that CI fails only on new ones.

A baseline file is JSON, written by ``fmcat lint --write-baseline FILE``::

    {"version": 1,
     "findings": [{"fingerprint": "3f1c…", "code": "FM101", "path": "shop/pay.py",
                   "message": "requests.get has no timeout and requests waits forever; …"}]}

The findings are sorted by path, code, message and fingerprint, and carry no line numbers, so
rewriting the baseline after unrelated edits gives no diff. Only ``fingerprint`` is read back;
the other fields are there for whoever reviews the file.

A fingerprint is ``sha256(code NUL path NUL key NUL occurrence)`` in hex, where

- ``path`` is relative to the project folder (where pyproject.toml is), so the baseline works
  whichever folder fmcat runs from;
- ``key`` is, for a finding on a call, the call's source text without whitespace or trailing
  commas (so moving the call, or reformatting it, keeps its identity), and otherwise the message,
  with whitespace collapsed and line numbers masked (a catalog finding's message names the
  dependency, the key and the value at fault);
- ``occurrence`` counts from 0 the findings with the same code, path and key, in file order.

A finding that moves keeps its fingerprint; a second identical call added to the same file gets
occurrence 1, which the baseline does not hold, so it is reported. This is not the SARIF
fingerprint (``report/fingerprints.py``), which uses the message: every ``requests.get`` without
a timeout has the same message, so fixing one call while adding another elsewhere in the file
would swap them silently.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fmcat.errors import FmcatError
from fmcat.findings import Finding
from fmcat.paths import display_path, project_relative
from fmcat.safe_io import FileRefusedError, existing_kind, read_bytes, read_head

BASELINE_VERSION = 1

#: A baseline of a large legacy service is a few MiB; this only stops a read of /dev/zero.
MAX_BASELINE_BYTES = 64 * 1024 * 1024

#: How every baseline fmcat writes begins; an existing file is replaced only if it begins so.
_HEADER = re.compile(rb'\A\s*\{\s*"version"\s*:')

_FINGERPRINT = re.compile(r"[0-9a-f]{64}")
# Parser messages cite lines ("... at line 12"); those move with the text above them.
_LINE_NUMBER = re.compile(r"\bline \d+")
# A formatter that splits a call over lines adds a trailing comma (black, ruff format).
_TRAILING_COMMA = re.compile(r",(?=[)\]}])")


class BaselineError(FmcatError):
    """A baseline file cannot be read or written, or is not a baseline."""


@dataclass(frozen=True, order=True)
class Entry:
    """One finding as a baseline holds it. Field order is the file's sort order."""

    path: str
    code: str
    message: str
    fingerprint: str


def _project_path(shown: str, root: Path) -> str:
    """The finding's path from the project folder; as shown when the file lies outside it."""
    return project_relative(shown, root) or shown


def _key(finding: Finding) -> str:
    if finding.fingerprint_text:
        return _TRAILING_COMMA.sub("", "".join(finding.fingerprint_text.split()))
    return _LINE_NUMBER.sub("line N", " ".join(finding.message.split()))


def _position(finding: Finding) -> tuple[int, int, int, int]:
    location = finding.location
    return (location.line, location.column, *location.end)


def entries(findings: Sequence[Finding], root: Path) -> list[Entry]:
    """One entry per finding, in the order given; ``root`` is the project folder."""
    identities = [
        (finding.code, _project_path(finding.location.path, root), _key(finding))
        for finding in findings
    ]
    same: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for index, identity in enumerate(identities):
        same[identity].append(index)
    result: list[Entry | None] = [None] * len(findings)
    for identity, indices in same.items():
        # Occurrences count in file order, whatever order the findings came in.
        indices.sort(key=lambda i: (_position(findings[i]), i))
        for occurrence, index in enumerate(indices):
            text = "\0".join((*identity, str(occurrence)))
            digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
            code, path, _ = identity
            message = " ".join(findings[index].message.split())
            result[index] = Entry(path, code, message, digest)
    return [entry for entry in result if entry is not None]


def partition(
    findings: Sequence[Finding], root: Path, baseline: frozenset[str]
) -> tuple[list[Finding], list[Finding]]:
    """``findings`` split into those not in the baseline (new) and those in it, order kept."""
    new: list[Finding] = []
    known: list[Finding] = []
    for finding, entry in zip(findings, entries(findings, root), strict=True):
        (known if entry.fingerprint in baseline else new).append(finding)
    return new, known


def write_baseline(path: Path, findings: Sequence[Finding], root: Path) -> int:
    """Write the baseline of ``findings`` to ``path`` atomically; the number of entries."""
    listed = [
        {"fingerprint": e.fingerprint, "code": e.code, "path": e.path, "message": e.message}
        for e in sorted(entries(findings, root))
    ]
    document = {"version": BASELINE_VERSION, "findings": listed}
    _write_atomically(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return len(listed)


def check_writable(path: Path) -> None:
    """Fail before a long scan when ``path`` cannot take a baseline: it must not exist yet, or
    be a regular file that fmcat wrote (recognised by its header). A device, a FIFO, a symbolic
    link or any other file is refused, since the write replaces whatever is there."""
    shown = display_path(path)
    kind = existing_kind(path)
    if kind == "a folder":
        raise BaselineError(f"{shown}: is a folder; give the baseline a file name")
    if kind is not None and kind != "file":
        raise BaselineError(
            f"{shown}: is {kind}; fmcat writes a baseline only to a new file or over a "
            "baseline it wrote"
        )
    if kind == "file" and not _is_baseline(path):
        raise BaselineError(
            f"{shown}: exists and is not a fmcat baseline; fmcat replaces only its own "
            "baselines (remove the file or choose another name)"
        )
    folder = Path(os.path.abspath(path)).parent  # noqa: PTH100
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise BaselineError(f"{shown}: cannot write the baseline: {display_path(folder)} {what}")


def _is_baseline(path: Path) -> bool:
    try:
        head = read_head(path, 4096, follow_symlinks=False)
    except (FileRefusedError, OSError):
        return False
    return _HEADER.match(head) is not None


def _write_atomically(path: Path, text: str) -> None:
    """A temporary file beside ``path``, renamed over it: readers see the old file or the new
    one, never half of one, and a failed write leaves the old baseline as it was."""
    check_writable(path)
    shown = display_path(path)
    folder = Path(os.path.abspath(path)).parent  # noqa: PTH100
    try:
        descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    except OSError as error:
        raise BaselineError(f"{shown}: cannot write the baseline: {error.strerror}") from error
    temporary = Path(name)
    try:
        # backslashreplace: a path that is not valid UTF-8 becomes a JSON escape, not an error.
        with os.fdopen(
            descriptor, "w", encoding="utf-8", errors="backslashreplace", newline="\n"
        ) as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600); a baseline is shared like any source file.
        temporary.chmod(_mode_for(path))
        temporary.replace(path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        if isinstance(error, OSError):
            reason = error.strerror or str(error)
            raise BaselineError(f"{shown}: cannot write the baseline: {reason}") from error
        raise


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def read_baseline(path: Path) -> frozenset[str]:
    """The fingerprints in the baseline file at ``path``."""
    shown = display_path(path)
    if path.is_dir():
        raise BaselineError(f"{shown}: is a folder, not a baseline file")
    try:
        text = read_bytes(path, limit=MAX_BASELINE_BYTES).decode("utf-8")
    except FileRefusedError as error:
        raise BaselineError(f"{shown}: cannot read the baseline: {error.reason}") from error
    except FileNotFoundError as error:
        raise BaselineError(
            f"{shown}: no such baseline file; write one with `fmcat lint --write-baseline {shown}`"
        ) from error
    except UnicodeDecodeError as error:
        raise BaselineError(f"{shown}: not a fmcat baseline: not UTF-8 text") from error
    except OSError as error:
        reason = error.strerror or str(error)
        raise BaselineError(f"{shown}: cannot read the baseline: {reason}") from error
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise BaselineError(
            f"{shown}:{error.lineno}:{error.colno}: not a fmcat baseline: "
            f"invalid JSON ({error.msg})"
        ) from error
    except RecursionError as error:
        raise BaselineError(f"{shown}: not a fmcat baseline: JSON nested too deeply") from error
    except ValueError as error:
        # Python refuses to convert integers of more than 4,300 digits (a guard against slow
        # conversions); its message suggests a setting the user cannot reach.
        raise BaselineError(
            f"{shown}: not a fmcat baseline: a number with thousands of digits"
        ) from error
    return _fingerprints(document, shown)


def _fingerprints(document: Any, shown: str) -> frozenset[str]:
    def fail(problem: str) -> BaselineError:
        hint = "; rewrite it with `fmcat lint --write-baseline`"
        return BaselineError(f"{shown}: not a fmcat baseline: {problem}{hint}")

    if not isinstance(document, dict):
        raise fail(f"expected a JSON object, got {_kind(document)}")
    if "version" not in document:
        raise fail('no "version"')
    version = document["version"]
    if type(version) is not int or version != BASELINE_VERSION:
        raise BaselineError(
            f"{shown}: baseline version {json.dumps(version)} is not supported (this fmcat reads "
            f"version {BASELINE_VERSION}); rewrite it with `fmcat lint --write-baseline`"
        )
    findings = document.get("findings")
    if not isinstance(findings, list):
        raise fail(f'"findings": expected a list, got {_kind(findings)}')
    result = set()
    for index, item in enumerate(findings):
        if not isinstance(item, dict):
            raise fail(f"findings[{index}]: expected an object, got {_kind(item)}")
        fingerprint = item.get("fingerprint")
        if not isinstance(fingerprint, str) or not _FINGERPRINT.fullmatch(fingerprint):
            raise fail(f"findings[{index}].fingerprint: expected 64 lowercase hex digits")
        result.add(fingerprint)
    return frozenset(result)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}
    names |= {list: "a list", dict: "an object"}
    return names.get(type(value), type(value).__name__)
