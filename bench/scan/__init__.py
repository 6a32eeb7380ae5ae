"""Code scan speed and recall: `fmcat lint` on a pinned corpus of SDKs, against bandit and ruff.

The corpus is twelve client SDKs from PyPI, pinned by version and wheel hash, downloaded once into
bench/.corpus/ (only their .py files are extracted). In one run, round-robin so that machine noise
falls on every tool alike, it times:

- fmcat cold: `fmcat lint CORPUS --no-cache` (no catalog, so the code rules alone);
- fmcat warm: the same with its cache (in a scratch FMCAT_CACHE_DIR), after one priming run;
- bandit's B113 and ruff's S113, the peers' "request without timeout" checks;
- fmcat cold on half the corpus (every other file, in path order), to show how time grows.

Peak memory is sampled from /proc: each process's VmHWM (its peak resident set), the largest one
and their sum over the process tree (fmcat forks parse workers). Not ru_maxrss, which Linux
carries over exec from the benchmark's own Python.

Then the same on a real service of 4,000+ files (service.py: Home Assistant, pinned and fetched
like the SDK corpus), with the question whether a warm run with nothing changed reads files.

The differential: every (file, line) that bandit B113 or ruff S113 reports must carry an FM101 or
FM102 finding from fmcat at that line. Targets are printed with PASS or FAIL; they do not change
the exit status, a crash or a corpus problem does.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.pypi import BenchError
from bench.scan.corpus import (
    CORPUS,
    PROJECT_PIN,
    REPO,
    WORK,
    corpus_files,
    count_lines,
    download,
    extract,
    shown,
    tell,
)
from bench.scan.measure import Tool, fmcat, installed, snapshot
from bench.scan.peers import fmcat_counts, relative
from bench.scan.profile import profile
from bench.scan.report import report
from bench.scan.service import run_service

# --- The benchmark ---------------------------------------------------------------------------

#: The scan cache's own file: `scan-<project hash>.json`, not `scan-<hash>-derived-v1.json`.
_SCAN_CACHE = re.compile(r"scan-[0-9a-f]+\.json")


def _cache_key(cache_home: Path) -> str | None:
    """The configuration key of fmcat's cache file for the corpus, if there is one (the
    benchmark's own cache folder holds that one project's files: the scan cache, and beside it
    the derived table, the framework pass's cache and the run memo, which are not it)."""
    try:
        (cache_file,) = (p for p in cache_home.glob("scan-*.json") if _SCAN_CACHE.fullmatch(p.name))
        data = json.loads(cache_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    key = data.get("key") if isinstance(data, dict) else None
    return key if isinstance(key, str) else None


def _half(files: Sequence[str], target: Path) -> list[str]:
    """Every other file of the corpus, in path order, copied under ``target``."""
    chosen = list(files[::2])
    for name in chosen:
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / name, destination)
    (target / "pyproject.toml").write_text(PROJECT_PIN, encoding="utf-8")
    return chosen


def run(runs: int | None = None) -> list[str]:
    runs = runs or int(os.environ.get("FMCAT_BENCH_RUNS", "5"))
    #: Home Assistant takes minutes a round for bandit: fewer rounds there by default.
    service_runs = int(os.environ.get("FMCAT_BENCH_SERVICE_RUNS", "3"))
    load_start = os.getloadavg()[0]
    wheels = download()
    extract(wheels)
    (CORPUS / "pyproject.toml").write_text(PROJECT_PIN, encoding="utf-8")  # as this bench is
    files = corpus_files(CORPUS)
    lines = count_lines(CORPUS, files)
    tell(f"corpus: {len(files):,} files, {lines:,} lines in {shown(CORPUS)}")
    shutil.rmtree(CORPUS / ".fmcat_cache", ignore_errors=True)  # older fmcats kept it there
    WORK.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=WORK, prefix="run-") as scratch:
        env, version = snapshot(Path(scratch) / "src")
        cache_home = Path(scratch) / "cache"
        env["FMCAT_CACHE_DIR"] = str(cache_home)
        tell(f"fmcat: {version}")
        half_root = Path(scratch) / "half"
        half_files = _half(files, half_root)
        half_lines = count_lines(half_root, half_files)
        cold = fmcat(CORPUS, "fmcat cold (--no-cache)", cache=False, base=env)
        warm = fmcat(CORPUS, "fmcat warm (cache)", cache=True, base=env)
        half = fmcat(half_root, "fmcat cold, half corpus", cache=False, base=env)
        bandit = Tool("bandit -t B113", [installed("bandit"), "-r", shown(CORPUS)])
        bandit.command += ["-t", "B113", "-f", "json", "-q"]
        ruff = Tool(
            "ruff --select S113",
            [
                *(installed("ruff"), "check", "--isolated", "--no-cache", "--select", "S113"),
                *("--output-format", "json", shown(CORPUS)),
            ],
        )
        startup = Tool(
            "fmcat --version", [sys.executable, "-m", "fmcat", "--version"], (0,), env=env
        )
        tell("priming fmcat's cache (one warm-up run, not counted)")
        priming = warm.run()
        warm.runs.clear()
        key_before = _cache_key(cache_home)
        order = [cold, warm, bandit, ruff, half, startup]
        for round_number in range(1, runs + 1):
            for tool in order:
                result = tool.run()
                tell(f"round {round_number}/{runs}: {tool.label}: {result.seconds:.2f} s")
        tell("profiling fmcat's per-file analysis (one serial pass)")
        profiled, fmcat_read, profile_error = profile(CORPUS, env)
        ruff_read = subprocess.run(
            [installed("ruff"), "check", "--isolated", "--no-cache", "--show-files", shown(CORPUS)],
            capture_output=True,
            text=True,
            check=False,
            cwd=REPO,
        ).stdout.splitlines()
        half_read, half_parsed = fmcat_counts(half.last)
        cache_note = None
        if _cache_key(cache_home) != key_before:
            cache_note = (
                "fmcat's cache key changed during the run: its source or knowledge base changed "
                "under the benchmark, so some warm runs were cold"
            )
        service_lines: list[str] = []
        if service_runs > 0:
            service_lines, _ = run_service(env, Path(scratch), service_runs)
    sdk = report(
        files=files,
        lines=lines,
        half_files=len(half_files),
        half_lines=half_lines,
        half_counts=(half_read, half_parsed),
        tools=(cold, warm, bandit, ruff, half, startup),
        priming=priming,
        ruff_read=[relative(p, CORPUS) for p in ruff_read if p.endswith(".py")],
        profiled=profiled,
        fmcat_read=fmcat_read,
        profile_error=profile_error,
        runs=runs,
        load=(load_start, os.getloadavg()[0]),
        cache_note=cache_note,
        version=version,
    )
    return [*sdk, "", *service_lines] if service_lines else sdk


def main(argv: Sequence[str] = ()) -> None:
    runs = int(argv[0]) if argv else None
    try:
        print("\n".join(run(runs)))
    except BenchError as error:
        print(f"bench scan: {error.message}", file=sys.stderr)
        raise
