"""fmcat's pre-commit hooks, tried for real: `pre-commit try-repo` on a service's repository.

pre-commit installs the hooks' repository (this project) into a virtualenv of its own, from
PyPI: each run takes about half a minute, as try-repo keeps no environment between runs. The
project is copied into a fresh git repository first: try-repo needs one, and the working tree
may hold changes not yet committed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.conftest import REPO

#: Never copied (without git to ask): environments, build output, and hidden folders (caches,
#: .git) but .ci.
SKIP = {"venv", "build", "dist", "site", "node_modules", "__pycache__"}


def _copied(relative: Path) -> bool:
    folders = relative.parts[:-1]
    return not any(p in SKIP or (p.startswith(".") and p != ".ci") for p in folders)


CATALOG = """\
dependency: geo
owner: team-geo
kind: http
criticality: optional
match:
  - url: "https://geo.example.com/*"
policies:
  timeout: {connect: 300ms, read: 1s}
  fallback: The page shows no location
operations:
  - name: show-location
    latency_budget: 2s
    measures: {latency: location_seconds, errors: location_errors_total}
failure_modes:
  - id: timeout
    title: The geo service does not answer in time
    detection: {signals: [geo_timeouts_total]}
    response: {automatic: [timeout, fallback]}
"""

CODE = """\
import requests


def locate(ip):
    try:
        return requests.get(f"https://geo.example.com/ip/{ip}"{timeout}).json()
    except requests.RequestException:
        return None
"""


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=fmcat tests", "-c", "user.email=tests@fmcat.invalid", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def project_files() -> list[Path]:
    """The project's files as a commit would hold them: tracked and new, not ignored."""
    try:
        listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=REPO)
    except (OSError, subprocess.CalledProcessError):
        found = (p.relative_to(REPO) for p in REPO.rglob("*") if p.is_file())
        return [relative for relative in found if _copied(relative)]
    return [Path(name) for name in listed.split("\0") if name and (REPO / name).is_file()]


def hooks_repository(target: Path) -> Path:
    for relative in project_files():
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / relative, target / relative)
    git("init", "-q", cwd=target)
    git("add", "-A", cwd=target)
    git("commit", "-q", "-m", "fmcat as it is being tested", cwd=target)
    return target


def service_repository(target: Path, timeout: str) -> Path:
    (target / "failure-modes").mkdir(parents=True)
    (target / "failure-modes" / "geo.yaml").write_text(CATALOG)
    (target / "app.py").write_text(CODE.replace("{timeout}", timeout))
    git("init", "-q", cwd=target)
    git("add", "-A", cwd=target)
    git("commit", "-q", "-m", "a service", cwd=target)
    return target


def try_repo(
    hooks: Path, service: Path, home: Path, *hook: str
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1", "FMCAT_NO_CACHE": "1"}
    env.pop("FMCAT_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hooks), *hook, "--all-files"],
        cwd=service,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_the_hooks_are_declared_as_documented() -> None:
    declared = YAML(typ="safe").load((REPO / ".pre-commit-hooks.yaml").read_text())
    hooks = {h["id"]: h for h in declared}
    assert set(hooks) == {"fmcat-catalog", "fmcat-code"}
    for hook in hooks.values():
        assert hook["entry"] == "fmcat lint"
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is True
    assert hooks["fmcat-catalog"]["types"] == ["yaml"]
    assert "failure-modes/" in hooks["fmcat-catalog"]["files"]
    assert hooks["fmcat-code"]["types"] == ["python"]


@pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")
def test_pre_commit_runs_the_hooks(tmp_path: Path) -> None:
    hooks = hooks_repository(tmp_path / "fmcat")
    service = service_repository(tmp_path / "service", timeout="")
    home = tmp_path / "pre-commit-home"
    # Both hooks: the catalog file is clean, the Python file has a call without a timeout.
    first = try_repo(hooks, service, home)
    output = first.stdout + first.stderr
    assert first.returncode == 1, output
    assert "fmcat (failure-mode catalog)" in output
    assert "- hook id: fmcat-code" in output
    catalog_line = next(line for line in output.splitlines() if "failure-mode catalog" in line)
    assert catalog_line.endswith("Passed"), output
    assert "app.py:6:16: FM101 requests.get has no timeout" in output
    # Fixed, the code hook passes.
    (service / "app.py").write_text(CODE.replace("{timeout}", ", timeout=1"))
    git("commit", "-q", "-am", "a timeout", cwd=service)
    second = try_repo(hooks, service, home, "fmcat-code")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Passed" in second.stdout
