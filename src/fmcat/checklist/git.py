"""The change under review, from git: the repository's root, the base commit, the changed lines.

Every call runs `git` with configuration that would change its output pinned back to the
defaults (prefixes, quoting, relative paths, colour, external diff tools), so the parser in
`diff.py` reads the same format on every machine.

The repository is not trusted: its `.git/config` and `.gitattributes` come from whoever made the
clone or pushed the branch, and `fmcat checklist` runs in CI and in review. Every setting through
which git would run a command while diffing is switched off: the file-system monitor
(`core.fsmonitor`), hooks, external diff and textconv drivers, and each clean/smudge/process
filter that the configuration defines. The settings go through `GIT_CONFIG_KEY_n`, not `-c`, so
a filter name with `=` in it cannot split the setting.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fmcat.checklist.diff import FileChange, Status, parse_patch
from fmcat.errors import FmcatError, UsageError

#: A diff of a large monorepo takes seconds; this only stops a git that hangs (a lock, a prompt).
GIT_TIMEOUT = 300.0

_PINNED = (
    ("core.quotePath", "false"),
    ("diff.noprefix", "false"),
    ("diff.mnemonicPrefix", "false"),
    ("diff.relative", "false"),
    ("color.ui", "false"),
    # What would run a command of the repository's choosing:
    ("core.fsmonitor", "false"),
    ("core.hooksPath", os.devnull),
    ("diff.external", ""),
    ("core.pager", "cat"),
)

#: Filter settings that name a command (`filter.<driver>.clean` ...), as `git config --list`
#: prints them: section and variable lower-cased, the driver name as written.
_FILTER_COMMAND = re.compile(r"filter\.(?P<driver>.+)\.(?:clean|smudge|process)", re.DOTALL)

#: Environment variables through which a caller's git could run a command during a diff.
_UNSET = ("GIT_EXTERNAL_DIFF", "GIT_PAGER")


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


def _environment(settings: Sequence[tuple[str, str]]) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in _UNSET and not k.startswith("GIT_CONFIG_")
    }
    env |= {"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "GIT_CONFIG_COUNT": str(len(settings))}
    for index, (key, value) in enumerate(settings):
        env[f"GIT_CONFIG_KEY_{index}"] = key
        env[f"GIT_CONFIG_VALUE_{index}"] = value
    return env


def _run(
    command: Sequence[str], cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, timeout=GIT_TIMEOUT, check=False
        )
    except FileNotFoundError as error:
        raise GitError(
            "git is not installed (or not on PATH): fmcat checklist reads the change from git; "
            "install git and run it again"
        ) from error
    except subprocess.TimeoutExpired as error:
        raise GitError(f"git {command[2]} did not finish in {GIT_TIMEOUT:g}s") from error


def _filters_off(cwd: Path) -> list[tuple[str, str]]:
    """Settings that empty every filter driver the configuration defines (an empty command is
    no filter to git), and make none of them required (a required filter that does not run is
    an error)."""
    listed = _run(["git", "--no-optional-locks", "config", "--list", "-z"], cwd, _environment([]))
    drivers = set()
    for entry in listed.stdout.split(b"\0"):
        key = os.fsdecode(entry.split(b"\n", 1)[0])
        match = _FILTER_COMMAND.fullmatch(key)
        if match:
            drivers.add(match["driver"])
    settings = []
    for driver in sorted(drivers):
        for variable, value in (
            ("clean", ""),
            ("smudge", ""),
            ("process", ""),
            ("required", "false"),
        ):
            settings.append((f"filter.{driver}.{variable}", value))
    return settings


def _git(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = _environment([*_PINNED, *_filters_off(cwd)])
    return _run(["git", "--no-optional-locks", *args], cwd, env)


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
    if not hint and not rev.startswith("-"):
        hint = _branches_hint(root)
    raise UsageError(f"--base {rev!r} is not a commit in the repository at {root}{hint}")


def _branches_hint(root: Path, most: int = 10) -> str:
    listed = _git(
        ["for-each-ref", "--format=%(refname:short)", "--sort=-committerdate",
         "refs/heads", "refs/remotes"],
        root,
    )  # fmt: skip
    names = [
        name
        for name in listed.stdout.decode("utf-8", "replace").splitlines()
        if name and not name.endswith("/HEAD")
    ]
    if not names:
        return "; the repository has no branches yet"
    shown = ", ".join(names[:most]) + (
        f" and {len(names) - most} more" if len(names) > most else ""
    )
    return f"; branches: {shown}"


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
    # A new submodule is one entry to git (a gitlink, or `sub/` when it is not added yet): every
    # file in it is new to the reviewer.
    for path in [p for p, c in files.items() if c.status == Status.ADDED]:
        folder = root / path.rstrip("/")
        if folder.is_dir() and not folder.is_symlink():
            del files[path]
            for inner in _files_under(folder, root):
                files[inner] = FileChange(inner, Status.ADDED, whole=True)
    return ChangeSet(base, files)


def _files_under(folder: Path, root: Path) -> list[str]:
    """Every file under ``folder`` from ``root``, git's own folders aside; links not followed."""
    found = []
    for directory, subfolders, names in os.walk(folder):
        subfolders[:] = [name for name in subfolders if name != ".git"]
        here = Path(directory)
        found += [(here / name).relative_to(root).as_posix() for name in names if name != ".git"]
    return sorted(found)
