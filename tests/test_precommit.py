"""fmcat's pre-commit hooks, tried for real with pre-commit on a service's repository.

Offline (always): the service's `.pre-commit-config.yaml` is a `repo: local` made of the hooks
exactly as `.pre-commit-hooks.yaml` declares them (id, entry, types, files, pass_filenames...),
with `language: system` so that pre-commit runs the fmcat under test instead of installing
one: the file filters, the entry and the arguments pre-commit passes are all the real ones.

With the package index (FMCAT_NETWORK_TESTS=1): `pre-commit try-repo` installs the hooks'
repository (this project) into a virtualenv of its own, from PyPI, as users get it; about half a
minute a run. The project is copied into a fresh git repository first: try-repo needs one, and
the working tree may hold changes not yet committed.
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


def declared_hooks() -> list[dict[str, object]]:
    hooks: list[dict[str, object]] = YAML(typ="safe").load(
        (REPO / ".pre-commit-hooks.yaml").read_text()
    )
    return hooks


def run_local(service: Path, home: Path, *hook: str) -> subprocess.CompletedProcess[str]:
    """`pre-commit run` with the declared hooks as local ones, on this Python's fmcat."""
    local = [{**h, "language": "system"} for h in declared_hooks()]
    for h in local:
        h.pop("minimum_pre_commit_version", None)
    config = {"repos": [{"repo": "local", "hooks": local}]}
    with (service / ".pre-commit-config.yaml").open("w", encoding="utf-8") as handle:
        YAML(typ="safe").dump(config, handle)
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1", "FMCAT_NO_CACHE": "1"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("FMCAT_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", *hook, "--all-files"],
        cwd=service,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")
def test_pre_commit_runs_the_declared_hooks_offline(tmp_path: Path) -> None:
    service = service_repository(tmp_path / "service", timeout="")
    (service / "notes.yaml").write_text("not: [a catalog\n")  # outside failure-modes/: skipped
    home = tmp_path / "pre-commit-home"
    first = run_local(service, home)
    output = first.stdout + first.stderr
    assert first.returncode == 1, output
    catalog_line = next(line for line in output.splitlines() if "failure-mode catalog" in line)
    assert catalog_line.endswith("Passed"), output
    assert "- hook id: fmcat-code" in output
    assert "app.py:6:16: FM101 requests.get has no timeout" in output
    assert "notes.yaml" not in output
    (service / "app.py").write_text(CODE.replace("{timeout}", ", timeout=1"))
    second = run_local(service, home, "fmcat-code")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Passed" in second.stdout
    (service / "failure-modes" / "geo.yaml").write_text(CATALOG.replace("kind: http", "kind: htp"))
    third = run_local(service, home, "fmcat-catalog")
    assert third.returncode == 1, third.stdout + third.stderr
    assert "failure-modes/geo.yaml:3:7: FM002" in third.stdout


@pytest.mark.network
@pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")
@pytest.mark.skipif(
    os.environ.get("FMCAT_NETWORK_TESTS") != "1",
    reason="installs the hooks from the package index; set FMCAT_NETWORK_TESTS=1 to run it",
)
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
