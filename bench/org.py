"""Organisation scale: a generated monorepo of 200 services, 60 shared dependencies and 2,000
failure modes. `fmcat lint` and `fmcat render` of the whole, their peak memory, how each grows
from 50 to 200 services, and the render against a bare `mkdocs build` of the same Markdown.

Every figure is a whole process (`python -m fmcat ...`, or a bare MkDocs build in its own
process), so both sides pay their imports alike; peak memory is the process's own maximum
resident set. Each figure is given as wall-clock seconds and as CPU seconds (user + system,
the process and its children): on a shared machine the wall clock measures the load as much
as the work, and the growth and the ratio to bare MkDocs are computed on CPU time.

A shared machine is noisy even in CPU time (caches, frequency), so each size is measured in
rounds: in every round lint, then the render and the bare build moments apart (which of the
two goes first alternates), and the round's own ratio render/bare is kept. The table gives the
medians over the rounds and the median of the rounds' ratios with their range, and the load
average before and after. `FMCAT_BENCH_ORG_ROUNDS` sets the rounds (default 3);
`FMCAT_BENCH_ORG_SIZES=50,200` the sizes. Alone: `.venv/bin/python -m bench.org`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

SHARED = 60
SIZES = (50, 100, 200)
#: At 200 services: 60 x 3 + 20 shared modes, 200 x 6 own, 200 x 3 per use = 2,000.
OWN_MODES = 6

_MODE = """\
  - id: {id}
    title: Failure {id}
    detection: {{signals: [{metric}_errors_total]}}
    impact: Requests fail
    likelihood: {l}
    severity: {s}
    detectability: 2
    response:
      automatic: [timeout]
      steps: [Check the dashboard.]
"""

_SHARED = """\
dependency: shared-{i:02d}
owner: team-platform-{team}
kind: {kind}
criticality: critical
match:
  - url: "https://shared-{i:02d}.internal.example.com/*"
policies:
  timeout: {{connect: 200ms, read: 800ms}}
  circuit_breaker: {{failure_rate: 50%, window: 30s, min_calls: 20, open_for: 30s}}
  bulkhead: {{max_concurrent: 20}}
failure_modes:
{modes}"""

_USE = """\
uses: shared-{shared:02d}
operations:
  - name: op-{n}
    idempotent: true
    latency_budget: 3s
    measures: {{latency: op_{n}_seconds, errors: op_{n}_errors_total}}
failure_modes:
{modes}"""

_OWN = """\
dependency: own-api
owner: team-{service:03d}
kind: http
criticality: degradable
match:
  - url: "https://own-{service:03d}.example.com/*"
policies:
  timeout: {{connect: 200ms, read: 800ms}}
  fallback: Serve the cached answer
operations:
  - name: own-op
    idempotent: true
    latency_budget: 3s
    measures: {{latency: own_seconds, errors: own_errors_total}}
failure_modes:
{modes}"""

_CODE = """\
import requests


def fetch(path: str) -> bytes:
    try:
        url = "https://own-{service:03d}.example.com/" + path
        return requests.get(url, timeout=(0.2, 0.8)).content
    except requests.RequestException:
        return b""
"""


def generate_org(root: Path, services: int) -> int:
    """The monorepo; returns the number of failure modes declared."""
    (root / "shared").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.fmcat]\nshared = "shared"\n', encoding="utf-8")
    kinds = ("database", "cache", "queue", "http", "object-store", "rpc")
    count = 0
    for i in range(SHARED):
        n = 4 if i < 20 else 3
        modes = "".join(
            _MODE.format(id=f"m{j}", metric=f"shared_{i}", l=1 + j % 5, s=1 + (i + j) % 5)
            for j in range(n)
        )
        count += n
        kind = kinds[i % len(kinds)]
        text = _SHARED.format(i=i, team=i % 9, kind=kind, modes=modes)
        if kind == "queue":
            text += "delivery:\n  semantics: at-most-once\n"
        (root / "shared" / f"shared-{i:02d}.yaml").write_text(text, encoding="utf-8")
    for s in range(services):
        folder = root / "services" / f"svc-{s:03d}"
        catalog = folder / "failure-modes"
        catalog.mkdir(parents=True)
        (folder / "pyproject.toml").write_text(
            f'[tool.fmcat]\nowner = "team-{s:03d}"\nsrc = ["app"]\n', encoding="utf-8"
        )
        (folder / "app").mkdir()
        (folder / "app" / "client.py").write_text(_CODE.format(service=s), encoding="utf-8")
        for k, shared in enumerate(
            sorted({s % SHARED, (s * 7 + 1) % SHARED, (s * 13 + 2) % SHARED})
        ):
            mode = _MODE.format(id=f"local-{k}", metric=f"svc_{s}", l=2, s=3)
            text = _USE.format(shared=shared, n=k, modes=mode)
            (catalog / f"shared-{shared:02d}.yaml").write_text(text, encoding="utf-8")
            count += 1
        modes = "".join(
            _MODE.format(id=f"own-{j}", metric=f"own_{s}", l=1 + j % 5, s=2)
            for j in range(OWN_MODES)
        )
        (catalog / "own-api.yaml").write_text(_OWN.format(service=s, modes=modes), encoding="utf-8")
        count += OWN_MODES
    return count


_MEASURED = (
    "import resource, sys\n"
    "from {module} import {function}\n"
    "code = {call}\n"
    "usage = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]\n"
    "cpu = sum(u.ru_utime + u.ru_stime for u in usage)\n"
    "print('maxrss', usage[0].ru_maxrss, cpu, file=sys.stderr)\n"
    "sys.exit(code if isinstance(code, int) else 0)\n"
)


Sample = tuple[float, float, float]


def _process(module: str, function: str, call: str, ok: tuple[int, ...]) -> Sample:
    """Wall seconds, CPU seconds and peak resident MiB of one process."""
    script = _MEASURED.format(module=module, function=function, call=call)
    env = {**os.environ, "FMCAT_NO_CACHE": "1", "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )
    seconds = time.perf_counter() - start
    if done.returncode not in ok:
        raise SystemExit(f"{call} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    line = next(x for x in done.stderr.splitlines() if x.startswith("maxrss "))
    _, maxrss, cpu = line.split()
    return seconds, float(cpu), int(maxrss) / 1024


def _fmcat(*args: str, ok: tuple[int, ...] = (0,)) -> Sample:
    return _process("fmcat.cli", "main", f"main({list(args)!r})", ok)


def _bare(project: Path, site: Path) -> Sample:
    path = "__import__('pathlib').Path"
    call = f"build_site({path}({str(project / 'mkdocs.yml')!r}), {path}({str(site)!r}))"
    return _process("fmcat.render.build", "build_site", call, (0,))


def _median(samples: list[Sample]) -> Sample:
    return (
        statistics.median(s for s, _, _ in samples),
        statistics.median(c for _, c, _ in samples),
        max(m for _, _, m in samples),
    )


@dataclass
class Row:
    services: int
    modes: int
    pages: int
    lint: list[Sample] = field(default_factory=list)
    render: list[Sample] = field(default_factory=list)
    bare: list[Sample] = field(default_factory=list)

    @property
    def ratios(self) -> list[float]:
        """Each round's render/bare CPU time: the two were measured moments apart."""
        return [r[1] / b[1] for r, b in zip(self.render, self.bare, strict=True)]


def measure(services: int, rounds: int) -> Row:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "org"
        modes = generate_org(root, services)
        project = Path(tmp) / "project"
        _fmcat("render", str(root), "--no-scan", "--no-build", "-o", str(project))
        row = Row(services, modes, sum(1 for _ in (project / "docs").rglob("*.md")))
        for index in range(rounds):
            row.lint.append(_fmcat("lint", str(root), ok=(0, 1)))
            site, bare = Path(tmp) / f"s{index}", Path(tmp) / f"b{index}"
            # Moments apart, and alternated, so that a drift in the load favours neither side.
            if index % 2:
                row.bare.append(_bare(project, bare))
            row.render.append(_fmcat("render", str(root), "--no-scan", "-o", str(site)))
            if not index % 2:
                row.bare.append(_bare(project, bare))
    return row


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def run(rounds: int | None = None) -> list[str]:
    rounds = rounds or int(os.environ.get("FMCAT_BENCH_ORG_ROUNDS", "3"))
    sizes = tuple(int(n) for n in os.environ.get("FMCAT_BENCH_ORG_SIZES", "").split(",") if n)
    before = _load()
    rows = [measure(size, rounds) for size in sizes or SIZES]
    lines = [
        f"org: {SHARED} shared dependencies; {rounds} round(s) per size, whole processes; "
        f"load average {before} before, {_load()} after (1, 5, 15 min; {os.cpu_count()} cores)",
        "  (s: median wall-clock seconds / median CPU seconds; MiB: peak resident set;",
        "   render/bare: the median of each round's CPU ratio, [lowest-highest])",
        "  services  failure modes  pages      lint s  lint MiB    render s  render MiB"
        "  bare mkdocs s  render/bare",
    ]

    def pair(sample: Sample) -> str:
        return f"{sample[0]:.1f}/{sample[1]:.1f}"

    for row in rows:
        lint, render, bare = _median(row.lint), _median(row.render), _median(row.bare)
        ratios = row.ratios
        lines.append(
            f"  {row.services:>8}  {row.modes:>13,}  {row.pages:>5}  {pair(lint):>10}"
            f"  {lint[2]:>8.0f}  {pair(render):>10}  {render[2]:>10.0f}  {pair(bare):>13}"
            f"  {statistics.median(ratios):>10.2f}x [{min(ratios):.2f}-{max(ratios):.2f}]"
        )
    first, last = rows[0], rows[-1]
    scale = last.services / first.services
    for key in ("lint", "render", "bare"):
        a, b = _median(getattr(first, key)), _median(getattr(last, key))
        lines.append(
            f"  growth {first.services} -> {last.services} services ({scale:.0f}x): "
            f"{key} {b[1] / a[1]:.2f}x CPU time ({b[0] / a[0]:.2f}x wall), "
            f"{b[2] / a[2]:.2f}x peak memory"
        )
    return lines


if __name__ == "__main__":
    print("\n".join(run()))
