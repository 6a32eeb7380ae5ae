"""`fmcat checklist` in repositories that are not to be trusted, and changes git sees as one entry.

A clone's `.git/config` and `.gitattributes` are written by whoever made it or pushed the branch;
fmcat must read the change without running any command they name. Each case sets a command that
would create a marker file, runs the real CLI, and checks that the marker is not there.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.conftest import run_fmcat
from tests.test_checklist import CODE, append, checklist, commit, git, service

REFUND = '\n\ndef refund(order):\n    return requests.post(f"{PAY}/refunds", json=order)\n'


def marker_command(tmp_path: Path, name: str) -> tuple[str, Path]:
    """A script that creates ``tmp_path/name`` and passes its input through, as a filter would."""
    marker = tmp_path / name
    script = tmp_path / f"{name}.sh"
    script.write_text(f"#!/bin/sh\ntouch '{marker}'\ncat\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script), marker


HOSTILE = {
    "fsmonitor": ("", "[core]\n\tfsmonitor = {command}\n"),
    "clean filter": (
        "*.py filter=evil\n",
        '[filter "evil"]\n\tclean = {command}\n\trequired = true\n',
    ),
    "process filter": ("*.py filter=evil\n", '[filter "evil"]\n\tprocess = {command}\n'),
    "filter named with =": ("*.py filter=a=b\n", '[filter "a=b"]\n\tclean = {command}\n'),
    "textconv": ("*.py diff=evil\n", '[diff "evil"]\n\ttextconv = {command}\n'),
    "external diff driver": ("*.py diff=evil\n", '[diff "evil"]\n\tcommand = {command}\n'),
    "external diff": ("", "[diff]\n\texternal = {command}\n"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_checklist_never_runs_the_repositorys_commands(tmp_path: Path, case: str) -> None:
    attributes, config = HOSTILE[case]
    repo = service(tmp_path)
    command, marker = marker_command(tmp_path, "ran")
    if attributes:
        (repo / ".gitattributes").write_text(attributes, encoding="utf-8")
        commit(repo, "attributes")
    with (repo / ".git" / "config").open("a", encoding="utf-8") as handle:
        handle.write(config.format(command=command))
    append(repo / "app/pay.py", REFUND)
    out = checklist(repo, "--base", "HEAD").stdout
    assert not marker.exists(), f"fmcat ran the repository's {case} command"
    assert "`requests.post` to `https://api.pay.example.com/v1/refunds` at `app/pay.py:14`" in out


def nested_repo(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "client.py").write_text(CODE.replace("charge", "capture"), encoding="utf-8")
    git(folder, "init", "-q")
    commit(folder, "client")


def test_calls_in_an_untracked_nested_repository_are_listed(tmp_path: Path) -> None:
    repo = service(tmp_path)
    nested_repo(repo / "app" / "vendor")
    assert git(repo, "ls-files", "--others", "--exclude-standard") == "app/vendor/\n"
    out = checklist(repo, "--base", "HEAD").stdout
    assert "at `app/vendor/client.py:8`" in out, out


def test_calls_in_a_newly_added_submodule_are_listed(tmp_path: Path) -> None:
    repo = service(tmp_path)
    nested_repo(repo / "app" / "vendor")
    git(repo, "add", "app/vendor")  # a gitlink: git lists the submodule, not its files
    assert "Subproject commit" in git(repo, "diff", "--cached")
    out = checklist(repo, "--base", "HEAD").stdout
    assert "at `app/vendor/client.py:8`" in out, out


def test_a_base_that_does_not_exist_names_the_branches(tmp_path: Path) -> None:
    repo = service(tmp_path)
    git(repo, "branch", "release-1")
    result = run_fmcat("checklist", "--base", "mian", cwd=repo)
    assert (result.code, result.stdout) == (2, "")
    assert "--base 'mian' is not a commit in the repository at" in result.stderr
    assert result.stderr.rstrip().endswith("; branches: main, release-1") or (
        result.stderr.rstrip().endswith("; branches: release-1, main")
    ), result.stderr
