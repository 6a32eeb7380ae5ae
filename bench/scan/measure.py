"""Timing one subprocess, with its CPU time and the peak memory of its process tree; the
tools the benchmark runs, and the frozen copy of fmcat they run."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.pypi import BenchError, shout
from bench.scan.corpus import REPO, shown, tell

# --- Measuring one subprocess ----------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    returncode: int
    stdout: bytes
    stderr: bytes
    cpu_seconds: float  # user + system time of the child and its waited-for descendants
    #: The largest VmHWM (peak resident set) of one process of the tree. Not ru_maxrss: Linux
    #: carries that over exec from the forking parent (the benchmark's own Python).
    max_hwm_kb: int
    #: The largest sum, at one sample, of the VmHWM of the tree's live processes (the parse
    #: workers too): an upper bound of the tree's peak, since forked workers share pages and
    #: need not peak together. Processes that never lived at once are not added up.
    tree_hwm_kb: int
    #: The largest sum, at one sample, of the tree's Pss (proportional set size: a page shared
    #: by n processes counts 1/n in each): the memory the tree held at once. 0 where the kernel
    #: has no smaps_rollup.
    tree_pss_kb: int = 0


def _parents() -> dict[int, int]:
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:  # noqa: PTH123
                stat = handle.read()
        except OSError:
            continue
        # The command name may hold spaces and parentheses; the fields after the last ")" do not.
        fields = stat[stat.rfind(b")") + 2 :].split()
        if len(fields) > 1:
            parents[int(entry.name)] = int(fields[1])
    return parents


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = defaultdict(list)
    for pid, parent in _parents().items():
        children[parent].append(pid)
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, ()))
    return found


def _proc_kb(pid: int, file: str, field: bytes) -> int:
    """One KB field of a /proc/PID file (``VmHWM:`` of status, ``Pss:`` of smaps_rollup);
    0 once the process is gone."""
    try:
        with open(f"/proc/{pid}/{file}", "rb") as handle:  # noqa: PTH123
            for line in handle:
                if line.startswith(field):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _hwm_kb(pid: int) -> int:
    """The process's peak resident set so far (VmHWM), in KB."""
    return _proc_kb(pid, "status", b"VmHWM:")


def _pss_kb(pid: int) -> int:
    """The process's proportional set size now, in KB."""
    return _proc_kb(pid, "smaps_rollup", b"Pss:")


def measure(command: Sequence[str], env: dict[str, str] | None = None) -> Run:
    """Wall time and peak memory of one subprocess run from the repository root."""
    sampling = Path("/proc/self/stat").exists()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=REPO, env=env)
        # VmHWM only grows, so each process's last sample is its peak (to within one interval).
        peaks: dict[int, int] = {}
        together = [0]
        proportional = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.05):
                live = pss = 0
                for pid in _tree(process.pid):
                    hwm = _hwm_kb(pid)
                    peaks[pid] = max(peaks.get(pid, 0), hwm)
                    live += hwm
                    pss += _pss_kb(pid)
                together[0] = max(together[0], live)
                proportional[0] = max(proportional[0], pss)

        sampler = threading.Thread(target=sample, daemon=True)
        if sampling:
            sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        if sampling:
            sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(
            seconds=seconds,
            returncode=process.returncode,
            stdout=out.read(),
            stderr=err.read(),
            cpu_seconds=usage.ru_utime + usage.ru_stime,
            max_hwm_kb=max(peaks.values(), default=0),
            tree_hwm_kb=max(together[0], max(peaks.values(), default=0)),
            tree_pss_kb=proportional[0],
        )


@dataclass
class Tool:
    label: str
    command: list[str]
    ok_codes: tuple[int, ...] = (0, 1)
    env: dict[str, str] | None = None
    runs: list[Run] = field(default_factory=list)

    def run(self) -> Run:
        result = measure(self.command, self.env)
        if result.returncode not in self.ok_codes:
            shout([f"{self.label} exited {result.returncode}: {' '.join(self.command)}"])
            sys.stderr.write(result.stderr.decode("utf-8", "replace")[-4000:])
            raise BenchError(f"{self.label} failed")
        self.runs.append(result)
        return result

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu_seconds for r in self.runs)

    @property
    def max_hwm_mb(self) -> float:
        return max(r.max_hwm_kb for r in self.runs) / 1024

    @property
    def tree_hwm_mb(self) -> float:
        return max(r.tree_hwm_kb for r in self.runs) / 1024

    @property
    def tree_pss_mb(self) -> float:
        return max(r.tree_pss_kb for r in self.runs) / 1024

    @property
    def last(self) -> Run:
        return self.runs[-1]


def installed(name: str) -> str:
    """A tool from the environment running this script (the project's venv under make)."""
    path = Path(sys.executable).parent / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if found is None:
        raise BenchError(f"{name} is not installed: pip install -e '.[dev,bench]' (make bench)")
    return found


def snapshot(folder: Path) -> tuple[dict[str, str], str]:
    """An environment whose fmcat is a frozen copy of src/fmcat, and what that copy is.

    Other work goes on in src/ while the benchmark runs for minutes; every fmcat run of one
    benchmark must measure the same code (and fmcat's cache key changes with its knowledge base).
    """
    shutil.copytree(
        REPO / "src" / "fmcat", folder / "fmcat", ignore=shutil.ignore_patterns("__pycache__")
    )
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(folder)], check=False)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(folder), env.get("PYTHONPATH")]))
    probe = subprocess.run(
        [sys.executable, "-c", "import fmcat; print(fmcat.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if not probe.stdout.strip().startswith(str(folder)):
        tell(
            "could not run fmcat from a snapshot; using the live src/ (edits during the run count)"
        )
        return dict(os.environ), "live src/ (the snapshot could not be imported)"

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], capture_output=True, text=True, cwd=REPO, check=False)
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "?"
    dirty = " + uncommitted changes in src/" if git("status", "--porcelain", "--", "src") else ""
    return env, f"snapshot of src/fmcat taken at the start (commit {commit}{dirty})"


def _environment(base: dict[str, str], cache: bool) -> dict[str, str]:
    env = dict(base)
    env.pop("FMCAT_NO_CACHE", None)
    if not cache:
        env["FMCAT_NO_CACHE"] = "1"  # with --no-cache as well: belt and braces
    return env


def fmcat(target: Path, label: str, cache: bool, base: dict[str, str]) -> Tool:
    command = [sys.executable, "-m", "fmcat", "lint", shown(target), "--format", "json"]
    if not cache:
        command.append("--no-cache")
    return Tool(label, command, env=_environment(base, cache))
