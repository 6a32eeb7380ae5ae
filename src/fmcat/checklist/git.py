"""The change under review, from git: the repository's root, the base commit, the changed lines.

Every call runs `git` with configuration that would change its output pinned back to the
defaults (prefixes, quoting, relative paths, colour, external diff tools), so the parser in
`diff.py` reads the same format on every machine.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fmcat.checklist.diff import FileChange, Status, parse_patch
from fmcat.errors import FmcatError, UsageError

#: A diff of a large monorepo takes seconds; this only stops a git that hangs (a lock, a prompt).
GIT_TIMEOUT = 300.0

_PINNED = (
    "core.quotePath=false",
    "diff.noprefix=false",
    "diff.mnemonicPrefix=false",
    "diff.relative=false",
    "diff.external=",
    "color.ui=false",
)


class GitError(FmcatError):
    """git is missing, or refused what fmcat asked of it."""


@dataclass(frozen=True)
class ChangeSet:
    """The files that differ between the base commit and the working tree."""

    base: str
    files: dict[str, FileChange]

    def of(self, path: str) -> FileChange | None:
        return self.files.get(path)

    @property
    def gone(self) -> list[FileChange]:
        """Deleted files and the old side of renamed ones, by path."""
        return sorted(
            (c for c in self.files.values() if c.status in (Status.DELETED, Status.RENAMED)),
            key=lambda c: c.old_path or c.path,
        )


def _git(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    command = ["git", "--no-optional-locks"]
    for setting in _PINNED:
        command += ["-c", setting]
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        return subprocess.run(
            [*command, *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except FileNotFoundError as error:
        raise GitError(
            "git is not installed (or not on PATH): fmcat checklist reads the change from git; "
            "install git and run it again"
        ) from error
    except subprocess.TimeoutExpired as error:
        raise GitError(f"git {args[0]} did not finish in {GIT_TIMEOUT:g}s") from error


def _message(done: subprocess.CompletedProcess[bytes]) -> str:
    text = done.stderr.decode("utf-8", "replace").strip()
    return " ".join(text.split()) or f"exit status {done.returncode}"


def repository_root(folder: Path) -> Path:
    """The root of the work tree that holds ``folder``."""
    done = _git(["rev-parse", "--show-toplevel"], folder)
    if done.returncode != 0 or not done.stdout.strip():
        detail = _message(done)
        if "not a git repository" in detail.lower():
            raise UsageError(
                f"{folder.resolve()} is not in a git repository: fmcat checklist reads the "
                "change from git, and shows paths from the repository's root (run it in a clone)"
            )
        raise GitError(f"git cannot read the repository at {folder}: {detail}")
    return Path(os.fsdecode(done.stdout.rstrip(b"\n"))).resolve()


def resolve_commit(root: Path, rev: str) -> str:
    """The commit id ``rev`` names (a branch, a tag, `HEAD~2`, an id), or a clear error."""
    done = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], root)
    commit = done.stdout.decode("ascii", "replace").strip()
    if done.returncode == 0 and commit:
        return commit
    hint = ""
    shallow = _git(["rev-parse", "--is-shallow-repository"], root)
    if shallow.stdout.strip() == b"true":
        hint = (
            "; this clone is shallow, so fetch the base first (actions/checkout with "
            "fetch-depth: 0, or git fetch origin <branch>)"
        )
    raise UsageError(f"--base {rev!r} is not a commit in the repository at {root}{hint}")


def changes(root: Path, base: str) -> ChangeSet:
    """Every file that differs between ``base`` and the working tree (staged or not), plus
    files git does not track yet and does not ignore, which count as added whole."""
    diff = _git(
        ["diff", "-U0", "-M", "--no-color", "--no-ext-diff", "--no-textconv",
         "--src-prefix=a/", "--dst-prefix=b/", base, "--"],
        root,
    )  # fmt: skip
    if diff.returncode != 0:
        raise GitError(f"git diff {base} failed: {_message(diff)}")
    files = {c.path: c for c in parse_patch(diff.stdout.decode("utf-8", "surrogateescape"))}
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], root)
    if untracked.returncode != 0:
        raise GitError(f"git ls-files failed: {_message(untracked)}")
    for raw in untracked.stdout.split(b"\0"):
        if raw:
            path = os.fsdecode(raw)
            files[path] = FileChange(path, Status.ADDED, whole=True)
    return ChangeSet(base, files)
