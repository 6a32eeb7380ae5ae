"""The same measurement on a real service of 4,000+ files, with the whole-project analysis on.

The service is Home Assistant's core package from PyPI (6,725 .py files, about 970,000 lines),
pinned by version and wheel hash like the SDK corpus, and fetched at bench time into the
real-service suite's cache outside the repository (bench/realworld/fetch.py). 2024.3.3 is the
last release that the benchmark's Python 3.11 can run its peers on (bandit parses with the
running interpreter's `ast`; later releases need Python 3.12). fmcat scans it as a user would,
with its default scope and every analysis on; the peers scan every file.

Per round, round-robin: fmcat cold (`--no-cache`), fmcat warm (its cache primed by one run),
bandit B113 and ruff S113 (`--no-cache`). Then one warm run is repeated in a probe that counts
the .py files whose bytes fmcat opens: with nothing changed, the cache must answer from each
file's path, size and modification time, without reading it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bench.realworld import fetch as services
from bench.scan.corpus import REPO, corpus_files, count_lines, tell
from bench.scan.measure import Tool, fmcat, installed
from bench.scan.peers import bandit_findings, finding_keys, fmcat_findings, ruff_findings
from bench.scan.report import table_rows, targets

SERVICE = services.Service(
    name="homeassistant",
    version="2024.3.3",
    file="homeassistant-2024.3.3-py3-none-any.whl",
    sha256="6e1ec2c07441d63fdcfb8acd2c4bbb6f68bc97330855784d3623d10c38fe3577",
    package="homeassistant",
    source="https://pypi.org/project/homeassistant/2024.3.3/",
    labels="",
)
#: The issue's: the service is held to the same targets as the SDK corpus.
MIN_FILES = 4000
#: A warm run with nothing changed may open this share of the files, no more.
MAX_WARM_READS = 0.01

#: Runs `fmcat lint` in this process with every open of a .py file counted (the scan and the
#: framework pass read through os.open; pathlib and the rest through io.open).
READS_SCRIPT = r"""
import io, json, os, sys
out, root = sys.argv[1], os.path.realpath(sys.argv[2])
opened = set()
def note(path):
    if isinstance(path, (str, bytes, os.PathLike)):
        name = os.fsdecode(path)
        if name.endswith(".py"):
            opened.add(os.path.abspath(name))
real_os_open, real_io_open = os.open, io.open
def os_open(path, *args, **kwargs):
    note(path)
    return real_os_open(path, *args, **kwargs)
def io_open(file, *args, **kwargs):
    note(file)
    return real_io_open(file, *args, **kwargs)
os.open, io.open = os_open, io_open
import builtins
builtins.open = io_open
from fmcat.cli import main
sys.argv = ["fmcat", "lint", root, "--format", "json"]
try:
    main()
except SystemExit:
    pass
finally:
    with real_io_open(out, "w") as handle:
        json.dump(sorted(opened), handle)
"""


def opened_by_warm_run(root: Path, env: dict[str, str], scratch: Path) -> list[str]:
    """The .py files a warm `fmcat lint` opens (the cache in ``env`` already primed)."""
    out = scratch / "opened.json"
    done = subprocess.run(
        [sys.executable, "-c", READS_SCRIPT, str(out), str(root)],
        capture_output=True,
        check=False,
        cwd=REPO,
        env=env,
    )
    if done.returncode not in (0, 1) or not out.is_file():
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        raise RuntimeError("the read-counting probe failed: " + " ".join(tail))
    return list(json.loads(out.read_text(encoding="utf-8")))


def run_service(env: dict[str, str], scratch: Path, runs: int) -> tuple[list[str], dict[str, Tool]]:
    """Measure fmcat, bandit and ruff on the service; the report lines and the tools."""
    root = services.fetch([SERVICE])[SERVICE.name]
    files = corpus_files(root)
    lines = count_lines(root, files)
    tell(f"service: {SERVICE.name} {SERVICE.version}: {len(files):,} files, {lines:,} lines")
    env = dict(env, FMCAT_CACHE_DIR=str(scratch / "service-cache"))
    cold = fmcat(root, "fmcat cold (--no-cache)", cache=False, base=env)
    warm = fmcat(root, "fmcat warm (cache)", cache=True, base=env)
    bandit = Tool(
        "bandit -t B113",
        [installed("bandit"), "-r", str(root), "-t", "B113", "-f", "json", "-q"],
    )
    ruff = Tool(
        "ruff --select S113",
        [
            *(installed("ruff"), "check", "--isolated", "--no-cache", "--select", "S113"),
            *("--output-format", "json", str(root)),
        ],
    )
    tell("service: priming fmcat's cache (one warm-up run, not counted)")
    priming = warm.run()
    warm.runs.clear()
    tools = [cold, warm, bandit, ruff]
    for number in range(1, runs + 1):
        for tool in tools:
            result = tool.run()
            tell(f"service round {number}/{runs}: {tool.label}: {result.seconds:.2f} s")
    try:
        opened: list[str] | None = opened_by_warm_run(root, env, scratch)
        problem = None
    except RuntimeError as error:
        opened, problem = None, str(error)
    report = _report(root, files, lines, (cold, warm, bandit, ruff), priming.seconds, runs)
    report += _reads(root, files, opened, problem)
    return report, {"cold": cold, "warm": warm, "bandit": bandit, "ruff": ruff}


def _report(
    root: Path,
    files: list[str],
    lines: int,
    tools: tuple[Tool, Tool, Tool, Tool],
    priming: float,
    runs: int,
) -> list[str]:
    cold, warm, bandit, ruff = tools
    found = fmcat_findings(cold.last, root)
    bandit_found, bandit_read, bandit_errors = bandit_findings(bandit.last, root)
    ruff_found = ruff_findings(ruff.last, root)
    counts = {
        cold.label: f"{sum(f.code in ('FM101', 'FM102') for f in found)} FM101+FM102",
        warm.label: f"{sum(f.code in ('FM101', 'FM102') for f in fmcat_findings(warm.last, root))}"
        " FM101+FM102",
        bandit.label: f"{len(bandit_found)} B113",
        ruff.label: f"{len(ruff_found)} S113",
    }
    out = [
        f"scan on a real service: {SERVICE.name} {SERVICE.version} from PyPI (wheel pinned by "
        f"version and hash): {len(files):,} files, {lines:,} lines in {root}",
        f"  fmcat with its default scope and the whole-project analysis and framework pass on; "
        f"median of {runs} runs each, round-robin",
        "",
    ]
    out += table_rows(list(tools), counts)
    out.append(f"  (fmcat warm's priming run, not counted: {priming:.2f} s)")
    out.append("")
    out += targets(cold, bandit, warm, ruff, [cold, warm])
    if len(files) < MIN_FILES:
        out.append(
            f"    WARNING: {len(files):,} files, fewer than the {MIN_FILES:,} the issue asks"
        )
    cold_sets = {tuple(finding_keys(fmcat_findings(r, root))) for r in cold.runs}
    warm_sets = {tuple(finding_keys(fmcat_findings(r, root))) for r in warm.runs}
    same = len(cold_sets) == 1 and cold_sets == warm_sets
    out.append("")
    out.append(
        "  consistency: "
        + (
            "every cold and warm run reported the same findings"
            if same
            else f"FINDINGS DIFFER ({len(cold_sets)} cold and {len(warm_sets)} warm variants)"
        )
    )
    by_code = Counter(f.code for f in found)
    out.append(
        "  fmcat findings by code (cold run): "
        + (", ".join(f"{code} {n}" for code, n in sorted(by_code.items())) or "none")
    )
    out.append(f"  bandit read {len(bandit_read):,} files; {len(bandit_errors)} it could not parse")
    return out


def _reads(
    root: Path, files: list[str], opened: list[str] | None, problem: str | None
) -> list[str]:
    if opened is None:
        return [f"  warm run's file reads: {problem}"]
    inside = [p for p in opened if Path(p).is_relative_to(root)]
    # A few files may be read on purpose (the Django settings, entry files); not every one.
    ok = len(inside) <= len(files) * MAX_WARM_READS
    return [
        f"  warm run with nothing changed: opened {len(inside):,} of {len(files):,} .py files "
        f"(<= {MAX_WARM_READS:.0%})  {'PASS' if ok else 'FAIL'}  (the cache must answer by path, "
        "size and mtime, without reading)",
        *(f"    {Path(p).relative_to(root)}" for p in inside[:5]),
    ]
