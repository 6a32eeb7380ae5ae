"""The service as it was at the base commit, scanned as the working tree is.

`git archive` writes the project's folder at the base commit into a temporary folder, and
`fmcat lint` runs there with the same code; comparing the two sets of findings by their
baseline fingerprints (the call's text, not its line, see `baseline.py`) tells which findings
the change introduced and which were already there. The base catalog is kept too, for the
policy diff.
"""

from __future__ import annotations

import io
import tarfile
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from fmcat.baseline import entries
from fmcat.catalog.load import Catalog, discover, load_catalog
from fmcat.checklist.git import GitError, _git
from fmcat.config import find_project
from fmcat.findings import Finding
from fmcat.lint import LintOptions, run_lint


@dataclass(frozen=True)
class BaseScan:
    """What the base commit had: its findings' fingerprints and its valid catalog entries."""

    fingerprints: frozenset[str]
    catalog: Catalog | None
    #: False when the project folder did not exist at the base commit.
    existed: bool = True

    def new(self, findings: Sequence[Finding], root: Path) -> frozenset[Finding]:
        """The findings (of the working tree, whose project folder is ``root``) the base lacked."""
        return frozenset(
            finding
            for finding, entry in zip(findings, entries(findings, root), strict=True)
            if entry.fingerprint not in self.fingerprints
        )


def _extract(archive: bytes, into: Path) -> None:
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        # git's own archive, but a tree can hold a symbolic link out of it: the data filter
        # refuses links and paths that leave the folder.
        tar.extractall(into, filter="data")


def scan_base(repo: Path, commit: str, project_root: Path, catalog_folder: str) -> BaseScan:
    """Lint the project folder as it was at ``commit`` (a resolved id)."""
    relative = project_root.relative_to(repo).as_posix()
    spec = f"{commit}:{relative}" if relative != "." else commit
    done = _git(["archive", "--format=tar", spec], repo)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace")
        if "not a valid object name" in message or "not a tree object" in message:
            return BaseScan(frozenset(), None, existed=False)
        raise GitError(f"git archive {spec} failed: {' '.join(message.split())}")
    with tempfile.TemporaryDirectory(prefix="fmcat-base-") as folder:
        root = Path(folder).resolve()
        _extract(done.stdout, root)
        project = find_project(root)
        lint = run_lint(LintOptions(paths=(root,), use_cache=False))
        catalog_path = root / PurePosixPath(catalog_folder)
        catalog = load_catalog(discover(catalog_path)) if catalog_path.is_dir() else None
        fingerprints = frozenset(e.fingerprint for e in entries(lint.findings, project.root))
    return BaseScan(fingerprints, catalog)
