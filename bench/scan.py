"""Code scan speed and recall: `fmcat lint` on a pinned corpus of SDKs, against bandit and ruff.

The corpus is twelve client SDKs from PyPI, pinned by version and wheel hash, downloaded once into
bench/.corpus/ (only their .py files are extracted). In one run, round-robin so that machine noise
falls on every tool alike, it times:

- fmcat cold: `fmcat lint CORPUS --no-cache` (no catalog, so the code rules alone);
- fmcat warm: the same with its cache (in a scratch FMCAT_CACHE_DIR), after one priming run;
- bandit's B113 and ruff's S113, the peers' "request without timeout" checks;
- fmcat cold on half the corpus (every other file, in path order), to show how time grows.

Peak memory is each subprocess's ru_maxrss (from wait4: the largest single process of its tree)
and, because fmcat forks parse workers, the sampled peak of the whole process tree's PSS
(proportional set size: pages shared between the forked workers are counted once).

The differential: every (file, line) that bandit B113 or ruff S113 reports must carry an FM101 or
FM102 finding from fmcat at that line. Targets are printed with PASS or FAIL; they do not change
the exit status, a crash or a corpus problem does.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import pypi
from bench.pypi import BenchError, Pin, say, shout

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
CORPUS_HOME = BENCH / ".corpus"  # gitignored; kept between runs
WHEELS = CORPUS_HOME / "wheels"
CORPUS = CORPUS_HOME / "tree"
WORK = BENCH / ".work"  # gitignored; scratch

#: Without [tool.fmcat] here, fmcat would look for one in the folders above (this repository's
#: pyproject.toml, one day) and scan the corpus under that project's settings.
PROJECT_PIN = (
    "# Written by bench/scan.py: this folder is the fmcat project, whatever is above it.\n"
    "[tool.fmcat]\n"
    "# The peers scan every file, tests too: so does fmcat here, to time the same work.\n"
    "include_tests = true\n"
)


#: Name, version and the sha256 of its wheel on PyPI; changed only deliberately.
PINS = tuple(
    Pin(*row.split())
    for row in """
PyGithub        2.10.0  192ada2a76e4afc7d6b37e500c9bfeba1731e6506697445a5ba1c4af8bf0b924
python-gitlab   8.6.0   34fee7e5576cf01982c4bfa98f94d50e24733edb66beba3cb8ef286287723019
slack_sdk       3.48.0  1213726e5b8015eeded608fcb3665c4e9b48af7f7f383ecc1b90af886d6aaa03
stripe          16.1.0  3798e07a0603c8923710414cd1942ae847ed43cebbf34c3258417c189711ea70
hvac            2.4.0   008db5efd8c2f77bd37d2368ea5f713edceae1c65f11fd608393179478649e0f
python-jenkins  1.8.3   2e1766b253e3b2f28f52abfd0de45ffeaa1191f98520cc8d74d2c317786e59d0
docker          7.2.0   a3f45fdeb9165e2d25d9a1d02ddf3bc70fb572cf5ebbf9b58558c22caf29b71f
spotipy         2.26.0  2726854ddfa0e5624aada592e737832ec75bdc00ae12c102779f8bd995329d49
tweepy          4.17.0  1244d7f2959091542f8e4a2c0c4256294e3beb69c0aa26eaf634b126d81eee49
praw            8.0.3   875e666248b14286f16dd85893dc6b38e726baec9b0bfbbc48dcd1964e2e377c
yfinance        1.7.0   91281ecd1f71069a37155ff8653aff2d3085f3492bd8721f18b70955da62911a
twilio          9.13.0  a73eb7139f47ed0ad934e9cf0a26cd0add6b86e6ca4aec5964624a9ea588c11c
""".strip().splitlines()
)

# Targets from the issue; the measured values are compared against them, never assumed.
COLD_VS_BANDIT = 0.3
WARM_VS_RUFF = 5.0
PEAK_MEMORY_MB = 500.0

FMCAT_TIMEOUT_CODES = ("FM101", "FM102")


def _say(message: str) -> None:
    say("scan", message)


# --- The corpus ------------------------------------------------------------------------------


def download() -> dict[Pin, Path]:
    """Every pinned wheel, from the cache when its hash still matches, else from PyPI."""
    return pypi.download(PINS, WHEELS, WORK, where="bench/scan.py (PINS)")


def extract(wheels: dict[Pin, Path]) -> None:
    """The wheels' .py files under CORPUS/<name>-<version>/, redone only when the pins change."""
    stamp_text = "\n".join(f"{p.name}=={p.version} {p.sha256}" for p in PINS) + "\n"
    stamp = CORPUS / ".extracted"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == stamp_text:
        return
    _say(f"extracting the .py files of {len(wheels)} wheels into {_shown(CORPUS)}")
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    CORPUS.mkdir(parents=True)
    for pin, wheel in wheels.items():
        pypi.extract_python(wheel, CORPUS / pin.folder)
    (CORPUS / "pyproject.toml").write_text(PROJECT_PIN, encoding="utf-8")
    stamp.write_text(stamp_text, encoding="utf-8")


def corpus_files(root: Path) -> list[str]:
    """Every .py file under ``root``, relative, in path order."""
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*.py")
        if ".fmcat_cache" not in p.parts and p.is_file()
    )


def count_lines(root: Path, files: Iterable[str]) -> int:
    return sum(len((root / f).read_bytes().splitlines()) for f in files)


def _shown(path: Path) -> str:
    try:
        return path.relative_to(REPO).as_posix()
    except ValueError:
        return path.as_posix()


# --- Measuring one subprocess ----------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    returncode: int
    stdout: bytes
    stderr: bytes
    cpu_seconds: float  # user + system time of the child and its waited-for descendants
    max_rss_kb: int  # ru_maxrss of the child and its waited-for descendants: the largest one
    tree_peak_kb: int  # sampled peak of the summed PSS (or RSS) of the whole process tree


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


def _memory_kb(pid: int) -> int:
    """Proportional set size, so pages the forked workers share are counted once; else RSS."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:  # noqa: PTH123
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:  # noqa: PTH123
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except (OSError, ValueError, IndexError):
        return 0


def measure(command: Sequence[str], env: dict[str, str] | None = None) -> Run:
    """Wall time and peak memory of one subprocess run from the repository root."""
    sampling = Path("/proc/self/stat").exists()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=REPO, env=env)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.05):
                total = sum(_memory_kb(pid) for pid in _tree(process.pid))
                peak[0] = max(peak[0], total)

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
            max_rss_kb=usage.ru_maxrss,
            tree_peak_kb=peak[0],
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
    def max_rss_mb(self) -> float:
        return max(r.max_rss_kb for r in self.runs) / 1024

    @property
    def tree_peak_mb(self) -> float:
        return max(r.tree_peak_kb for r in self.runs) / 1024

    @property
    def peak_mb(self) -> float:
        return max(self.max_rss_mb, self.tree_peak_mb)

    @property
    def last(self) -> Run:
        return self.runs[-1]


def _bin(name: str) -> str:
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
        _say(
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
    command = [sys.executable, "-m", "fmcat", "lint", _shown(target), "--format", "json"]
    if not cache:
        command.append("--no-cache")
    return Tool(label, command, env=_environment(base, cache))


# --- Reading the tools' reports --------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    path: str  # relative to the corpus root
    line: int
    column: int  # 1-based
    code: str
    message: str
    end_line: int


def _relative(reported: str, root: Path) -> str:
    path = Path(reported)
    if not path.is_absolute():
        path = REPO / path
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return reported


def _json(run: Run, label: str) -> Any:
    try:
        return json.loads(run.stdout)
    except ValueError as error:
        raise BenchError(f"{label}: output is not JSON ({error}): {run.stdout[:300]!r}") from error


def fmcat_findings(run: Run, root: Path) -> list[Location]:
    data = _json(run, "fmcat")
    return [
        Location(
            _relative(f["path"], root),
            int(f["line"]),
            int(f["column"]),
            str(f["code"]),
            str(f["message"]),
            int(f.get("end_line") or f["line"]),
        )
        for f in data["findings"]
    ]


def fmcat_counts(run: Run) -> tuple[int | None, int | None]:
    """Files read and files parsed, from fmcat's closing note."""
    text = run.stderr.decode("utf-8", "replace")
    match = re.search(r"([\d,]+) Python files? \(([\d,]+) with external calls parsed\)", text)
    if match is None:
        return None, None
    return int(match[1].replace(",", "")), int(match[2].replace(",", ""))


def bandit_findings(run: Run, root: Path) -> tuple[list[Location], list[str], list[str]]:
    """B113 results (bandit's col_offset is 0-based: made 1-based), files read, errors."""
    data = _json(run, "bandit")
    found = [
        Location(
            _relative(r["filename"], root),
            int(r["line_number"]),
            int(r.get("col_offset", 0)) + 1,
            str(r["test_id"]),
            str(r["issue_text"]),
            int(max(r.get("line_range") or [r["line_number"]])),
        )
        for r in data.get("results", [])
        if r.get("test_id") == "B113"
    ]
    read = [_relative(name, root) for name in data.get("metrics", {}) if name != "_totals"]
    errors = [f"{_relative(e['filename'], root)}: {e['reason']}" for e in data.get("errors", [])]
    return found, read, errors


def ruff_findings(run: Run, root: Path) -> list[Location]:
    return [
        Location(
            _relative(r["filename"], root),
            int(r["location"]["row"]),
            int(r["location"]["column"]),
            str(r["code"]),
            str(r["message"]),
            int(r["end_location"]["row"]),
        )
        for r in _json(run, "ruff")
        if r.get("code") == "S113"
    ]


def _key(findings: Iterable[Location]) -> list[tuple[str, int, int, str]]:
    return sorted((f.path, f.line, f.column, f.code) for f in findings)


# --- Where fmcat's parse time goes (one serial pass, in a subprocess) -------------------------

#: Times fmcat's own per-file analysis on every file its prefilter lets through. It uses fmcat's
#: internals, so it runs apart: if they change, this section says so and the rest goes on.
PROFILE_SCRIPT = r"""
import json, sys, time
from pathlib import Path
from fmcat.scan.analyze import analyze
from fmcat.scan.engine import prefilter_for
from fmcat.scan.files import exclusion, module_name, python_files
from fmcat.scan.knowledge import builtin
from fmcat.scan.tokens import scan_tokens

kb = builtin()
wanted = prefilter_for(kb, ())
root = Path(sys.argv[1]).resolve()
rows, read = [], []
for item in python_files([root], root, exclusion((), include_tests=True)).files:
    path = item.path
    read.append(path.relative_to(root).as_posix())
    source = path.read_bytes()
    if not (wanted.may_matter(source) and wanted.wants(scan_tokens(source))):
        continue
    start = time.process_time()
    facts = analyze(source, str(path), module_name(path)[0], kb)
    rows.append({
        "path": path.relative_to(root).as_posix(),
        "seconds": time.process_time() - start,
        "lines": len(source.splitlines()),
        "sites": len(facts.sites),
    })
print(json.dumps({"read": read, "rows": rows}))
"""


@dataclass
class Profiled:
    path: str
    seconds: float
    lines: int
    sites: int


def profile(root: Path, env: dict[str, str]) -> tuple[list[Profiled], list[str] | None, str | None]:
    """Per-file analysis times, and the files fmcat reads, or why they are unavailable."""
    done = subprocess.run(
        [sys.executable, "-c", PROFILE_SCRIPT, str(root)],
        capture_output=True,
        check=False,
        cwd=REPO,
        env=env,
    )
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        return [], None, "unavailable (fmcat's internals changed?): " + " ".join(tail)
    data = json.loads(done.stdout)
    rows = [Profiled(r["path"], r["seconds"], r["lines"], r["sites"]) for r in data["rows"]]
    return rows, list(data["read"]), None


# --- The benchmark ---------------------------------------------------------------------------


def _cache_key(cache_home: Path) -> str | None:
    """The configuration key of fmcat's cache file for the corpus, if there is one (the
    benchmark's own cache folder holds that one project's file alone)."""
    try:
        (cache_file,) = cache_home.glob("scan-*.json")
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


def _per_round(tool: Tool, peer: Tool) -> str:
    """The ratio in each round (the two ran moments apart, under the same load)."""
    ratios = [
        mine.seconds / theirs.seconds for mine, theirs in zip(tool.runs, peer.runs, strict=True)
    ]
    return " ".join(f"{r:.2f}" for r in ratios) + f", median {statistics.median(ratios):.2f}"


def _times(tool: Tool) -> str:
    return " ".join(f"{r.seconds:.2f}" for r in tool.runs)


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _source_line(path: str, line: int) -> str:
    try:
        lines = (CORPUS / path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "?"
    return lines[line - 1].strip() if 0 < line <= len(lines) else "?"


def _skipped(read: Iterable[str], files: Sequence[str]) -> str:
    missing = sorted(set(files) - set(read))
    if not missing:
        return "all"
    shown = ", ".join(missing[:3]) + (", ..." if len(missing) > 3 else "")
    return f"skips {len(missing)}: {shown}"


def run(runs: int | None = None) -> list[str]:
    runs = runs or int(os.environ.get("FMCAT_BENCH_RUNS", "5"))
    load_start = os.getloadavg()[0]
    wheels = download()
    extract(wheels)
    (CORPUS / "pyproject.toml").write_text(PROJECT_PIN, encoding="utf-8")  # as this bench is
    files = corpus_files(CORPUS)
    lines = count_lines(CORPUS, files)
    _say(f"corpus: {len(files):,} files, {lines:,} lines in {_shown(CORPUS)}")
    shutil.rmtree(CORPUS / ".fmcat_cache", ignore_errors=True)  # older fmcats kept it there
    WORK.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=WORK, prefix="run-") as scratch:
        env, version = snapshot(Path(scratch) / "src")
        cache_home = Path(scratch) / "cache"
        env["FMCAT_CACHE_DIR"] = str(cache_home)
        _say(f"fmcat: {version}")
        half_root = Path(scratch) / "half"
        half_files = _half(files, half_root)
        half_lines = count_lines(half_root, half_files)
        cold = fmcat(CORPUS, "fmcat cold (--no-cache)", cache=False, base=env)
        warm = fmcat(CORPUS, "fmcat warm (cache)", cache=True, base=env)
        half = fmcat(half_root, "fmcat cold, half corpus", cache=False, base=env)
        bandit = Tool("bandit -t B113", [_bin("bandit"), "-r", _shown(CORPUS)])
        bandit.command += ["-t", "B113", "-f", "json", "-q"]
        ruff = Tool(
            "ruff --select S113",
            [
                *(_bin("ruff"), "check", "--isolated", "--no-cache", "--select", "S113"),
                *("--output-format", "json", _shown(CORPUS)),
            ],
        )
        startup = Tool(
            "fmcat --version", [sys.executable, "-m", "fmcat", "--version"], (0,), env=env
        )
        _say("priming fmcat's cache (one warm-up run, not counted)")
        priming = warm.run()
        warm.runs.clear()
        key_before = _cache_key(cache_home)
        order = [cold, warm, bandit, ruff, half, startup]
        for round_number in range(1, runs + 1):
            for tool in order:
                result = tool.run()
                _say(f"round {round_number}/{runs}: {tool.label}: {result.seconds:.2f} s")
        _say("profiling fmcat's per-file analysis (one serial pass)")
        profiled, fmcat_read, profile_error = profile(CORPUS, env)
        ruff_read = subprocess.run(
            [_bin("ruff"), "check", "--isolated", "--no-cache", "--show-files", _shown(CORPUS)],
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
    return report(
        files=files,
        lines=lines,
        half_files=len(half_files),
        half_lines=half_lines,
        half_counts=(half_read, half_parsed),
        tools=(cold, warm, bandit, ruff, half, startup),
        priming=priming,
        ruff_read=[_relative(p, CORPUS) for p in ruff_read if p.endswith(".py")],
        profiled=profiled,
        fmcat_read=fmcat_read,
        profile_error=profile_error,
        runs=runs,
        load=(load_start, os.getloadavg()[0]),
        cache_note=cache_note,
        version=version,
    )


def report(
    *,
    files: Sequence[str],
    lines: int,
    half_files: int,
    half_lines: int,
    half_counts: tuple[int | None, int | None],
    tools: tuple[Tool, Tool, Tool, Tool, Tool, Tool],
    priming: Run,
    ruff_read: Sequence[str],
    profiled: Sequence[Profiled],
    fmcat_read: Sequence[str] | None,
    profile_error: str | None,
    runs: int,
    load: tuple[float, float],
    cache_note: str | None,
    version: str,
) -> list[str]:
    cold, warm, bandit, ruff, half, startup = tools
    found = fmcat_findings(cold.last, CORPUS)
    timeouts = [f for f in found if f.code in FMCAT_TIMEOUT_CODES]
    bandit_found, bandit_read, bandit_errors = bandit_findings(bandit.last, CORPUS)
    ruff_found = ruff_findings(ruff.last, CORPUS)
    read, parsed = fmcat_counts(cold.last)
    out: list[str] = []
    add = out.append

    pins = ", ".join(f"{p.name} {p.version}" for p in PINS)
    add(
        f"scan: {len(PINS)} SDKs from PyPI (wheels pinned by version and hash; their .py files): "
        f"{len(files):,} files, {lines:,} lines in {_shown(CORPUS)}"
    )
    add(f"  {pins}")
    add(f"  fmcat: {version}")
    add(
        f"  median of {runs} runs each, round-robin (run times in order, seconds); load average "
        f"{load[0]:.1f} at the start, {load[1]:.1f} at the end on {os.cpu_count()} CPUs"
    )
    add("")
    add(
        f"  {'':28}{'median':>9}  {'CPU':>7}  {'max RSS':>7}  {'tree PSS':>8}  {'findings':>16}"
        "  runs (s)"
    )

    def timeout_count(tool: Tool) -> str:
        root = Path(tool.command[4]) if tool is half else CORPUS
        found = fmcat_findings(tool.last, REPO / root)
        return f"{sum(f.code in FMCAT_TIMEOUT_CODES for f in found)} FM101+FM102"

    counts = {
        cold.label: timeout_count(cold),
        warm.label: timeout_count(warm),
        bandit.label: f"{len(bandit_found)} B113",
        ruff.label: f"{len(ruff_found)} S113",
        half.label: timeout_count(half),
        startup.label: "",
    }
    for tool in tools:
        add(
            f"  {tool.label:28}{tool.median:8.2f}s  {tool.cpu:6.2f}s  {tool.max_rss_mb:5.0f}MB  "
            f"{tool.tree_peak_mb:6.0f}MB  {counts[tool.label]:>16}  {_times(tool)}"
        )
    add(
        "  (CPU: user+system of the process tree; fmcat warm's priming run, not counted: "
        f"{priming.seconds:.2f} s)"
    )
    if cache_note is not None:
        add(f"  WARNING: {cache_note}")
    elif warm.median > cold.median / 2:
        add("  WARNING: warm runs are not much faster than cold ones: is the cache being used?")
    add("")

    cold_ratio = cold.median / bandit.median
    warm_ratio = warm.median / ruff.median
    cold_rounds = _per_round(cold, bandit)
    warm_rounds = _per_round(warm, ruff)
    peak = max(cold.peak_mb, warm.peak_mb, half.peak_mb)
    peer_locations = _peer_locations(bandit_found, ruff_found)
    fmcat_lines = {(f.path, f.line) for f in timeouts}
    missed = [loc for loc in sorted(peer_locations) if loc not in fmcat_lines]
    add("  targets")
    add(
        f"    fmcat cold / bandit      {cold_ratio:6.3f} x   <= {COLD_VS_BANDIT:.1f} x   "
        f"{_verdict(cold_ratio <= COLD_VS_BANDIT)}   (ratio of medians; per round: "
        f"{cold_rounds}; CPU time {cold.cpu / bandit.cpu:.2f} x)"
    )
    add(
        f"    fmcat warm / ruff        {warm_ratio:6.3f} x   <= {WARM_VS_RUFF:.1f} x   "
        f"{_verdict(warm_ratio <= WARM_VS_RUFF)}   (per round: {warm_rounds}; "
        f"CPU time {warm.cpu / ruff.cpu:.2f} x)"
    )
    add(
        f"    fmcat peak memory        {peak:6.0f} MB   <= {PEAK_MEMORY_MB:.0f} MB  "
        f"{_verdict(peak <= PEAK_MEMORY_MB)}   (larger of max RSS and tree PSS, any fmcat run)"
    )
    add(
        f"    peer findings missed     {len(missed):6d}      == 0       "
        f"{_verdict(not missed)}   (of {len(peer_locations)} peer locations)"
    )
    add("")

    add("  files read")
    add(f"    corpus          {len(files):,}")
    skipped = "?" if fmcat_read is None else _skipped(fmcat_read, files)
    add(f"    fmcat           {read if read is None else f'{read:,}'}: {skipped}")
    add(f"                    (of which it parsed {parsed}: the rest import no known client)")
    add(f"    bandit          {len(bandit_read):,}: {_skipped(bandit_read, files)}")
    add(f"    ruff            {len(ruff_read):,}: {_skipped(ruff_read, files)}")
    for error in bandit_errors:
        add(f"    bandit error: {error}")
    add("")

    out += _differential(peer_locations, missed, timeouts, found, bandit_found, ruff_found)
    out += _consistency(cold, warm)
    out += _growth(cold, half, startup, (len(files), lines), (half_files, half_lines), half_counts)
    out += _other_findings(found)
    out += _profile(profiled, profile_error, parsed)
    return out


def _peer_locations(
    bandit_found: Sequence[Location], ruff_found: Sequence[Location]
) -> dict[tuple[str, int], list[Location]]:
    peers: dict[tuple[str, int], list[Location]] = defaultdict(list)
    for finding in [*bandit_found, *ruff_found]:
        peers[(finding.path, finding.line)].append(finding)
    return peers


def _differential(
    peers: dict[tuple[str, int], list[Location]],
    missed: Sequence[tuple[str, int]],
    timeouts: Sequence[Location],
    found: Sequence[Location],
    bandit_found: Sequence[Location],
    ruff_found: Sequence[Location],
) -> list[str]:
    out = ["  differential (by file and line; fmcat FM101/FM102 against bandit B113 + ruff S113)"]
    bandit_lines = {(f.path, f.line) for f in bandit_found}
    ruff_lines = {(f.path, f.line) for f in ruff_found}
    out.append(
        f"    peer locations {len(peers)}: both peers {len(bandit_lines & ruff_lines)}, "
        f"bandit only {len(bandit_lines - ruff_lines)}, ruff only {len(ruff_lines - bandit_lines)}"
    )
    by_line = {(f.path, f.line): f for f in timeouts}
    agree = differ = 0
    for location, reports in peers.items():
        mine = by_line.get(location)
        if mine is None:
            continue
        for peer in reports:
            if peer.column == mine.column:
                agree += 1
            else:
                differ += 1
    out.append(
        f"    columns (bandit's 0-based col_offset made 1-based): {agree} agree with fmcat's, "
        f"{differ} differ"
    )
    out.append(f"    missed by fmcat: {len(missed)}")
    for location in missed:
        path, line = location
        who = "+".join(sorted({p.code for p in peers[location]}))
        out.append(f"      {path}:{line}  [{who}]  {_source_line(path, line)}")
        here = sorted({f.code for f in found if f.path == path and f.line == line})
        covering = [
            f
            for f in timeouts
            if f.path == path and f.line <= line <= f.end_line and f.line != line
        ]
        if here:
            out.append(f"        fmcat reports {', '.join(here)} on this line instead")
        for cover in covering:
            out.append(f"        fmcat's {cover.code} at line {cover.line} spans this line")
    peer_keys = set(peers)
    extra = sorted({(f.path, f.line) for f in timeouts} - peer_keys)
    out.append(f"    fmcat FM101/FM102 locations no peer reports: {len(extra)}")
    for path, line in extra[:20]:
        out.append(f"      {path}:{line}  {_source_line(path, line)}")
    if len(extra) > 20:
        out.append(f"      ... and {len(extra) - 20} more")
    out.append("")
    return out


def _consistency(cold: Tool, warm: Tool) -> list[str]:
    cold_sets = {tuple(_key(fmcat_findings(r, CORPUS))) for r in cold.runs}
    warm_sets = {tuple(_key(fmcat_findings(r, CORPUS))) for r in warm.runs}
    same = len(cold_sets) == 1 and cold_sets == warm_sets
    return [
        "  consistency: "
        + (
            "every cold and warm run reported the same findings"
            if same
            else f"FINDINGS DIFFER between runs ({len(cold_sets)} cold and "
            f"{len(warm_sets)} warm variants)"
        ),
        "",
    ]


def _growth(
    cold: Tool,
    half: Tool,
    startup: Tool,
    full: tuple[int, int],
    part: tuple[int, int],
    half_counts: tuple[int | None, int | None],
) -> list[str]:
    base = startup.median
    grow = cold.median / half.median
    net = (cold.median - base) / max(half.median - base, 1e-9)
    return [
        "  growth: fmcat cold on half the corpus (every other file, in path order) and on all",
        f"    half {part[0]:,} files, {part[1]:,} lines: {half.median:.2f} s;  "
        f"all {full[0]:,} files, {full[1]:,} lines: {cold.median:.2f} s",
        f"    x{full[1] / part[1]:.2f} lines -> x{grow:.2f} time (x{net:.2f} without the "
        f"{base:.2f} s start-up); on the half, fmcat read {half_counts[0]} files and parsed "
        f"{half_counts[1]}",
        f"    per round, all / half: {_per_round(cold, half)}; CPU time x{cold.cpu / half.cpu:.2f}",
    ]


def _other_findings(found: Sequence[Location]) -> list[str]:
    by_code = Counter(f.code for f in found)
    out = [
        "",
        "  fmcat findings on the corpus by code (cold run): "
        + (", ".join(f"{code} {n}" for code, n in sorted(by_code.items())) or "none"),
    ]
    for finding in found:
        if finding.code == "FM100":
            out.append(f"    FM100 {finding.path}:{finding.line}: {finding.message}")
    return out


def _profile(profiled: Sequence[Profiled], error: str | None, parsed: int | None) -> list[str]:
    out = ["", "  where fmcat's cold time goes (one serial in-process pass over the parsed files)"]
    if error is not None:
        return [*out, f"    {error}"]
    total = sum(p.seconds for p in profiled)
    lines = sum(p.lines for p in profiled)
    out.append(
        f"    {len(profiled)} files (fmcat parsed {parsed}), {lines:,} lines: {total:.2f} s CPU, "
        f"{lines / max(total, 1e-9) / 1000:.1f} kLOC/s"
    )
    idle = [p for p in profiled if p.sites == 0]
    out.append(
        f"    {len(idle)} of them have no call site ({sum(p.lines for p in idle):,} lines, "
        f"{sum(p.seconds for p in idle):.2f} s): the prefilter let them through; slowest:"
    )
    for item in sorted(profiled, key=lambda p: -p.seconds)[:10]:
        out.append(
            f"    {item.seconds * 1000:7.0f} ms {item.lines:6,} lines {item.sites:3} sites  "
            f"{item.path}"
        )
    return out


def main(argv: Sequence[str] = ()) -> None:
    runs = int(argv[0]) if argv else None
    try:
        print("\n".join(run(runs)))
    except BenchError as error:
        print(f"bench scan: {error.message}", file=sys.stderr)
        raise


if __name__ == "__main__":
    main(sys.argv[1:])
