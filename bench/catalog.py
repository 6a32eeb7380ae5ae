"""Catalog lint speed: `fmcat lint` on a generated catalog, against a bare YAML parse of it.

The peer is the floor any catalog linter pays: reading every file with ruamel.yaml's safe loader
(C-accelerated when available). The ratio says what positions, validation and checks cost on top.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ruamel.yaml import YAML

DEPENDENCY = """\
dependency: dep-{i:03d}
owner: team-{team}
kind: http
criticality: critical
policies:
  timeout: {{connect: 300ms, read: 700ms}}
  retry: {{attempts: 2, backoff: exponential, initial: 100ms, max: 1s, jitter: true}}
  circuit_breaker: {{failure_rate: 50%, window: 30s, min_calls: 20, open_for: 30s}}
  bulkhead: {{max_concurrent: 20}}
operations:
  - name: op-{i:03d}
    idempotency_key: request_id
    latency_budget: 3s
    measures: {{latency: op_{i:03d}_seconds, errors: op_{i:03d}_errors_total}}
failure_modes:
{modes}"""

MODE = """\
  - id: mode-{j}
    title: Failure mode {j} of dependency {i}
    detection: {{signals: [dep_{i:03d}_errors_total], alert: Dep{i:03d}Mode{j}}}
    impact: Users of op-{i:03d} see errors
    likelihood: 3
    severity: 4
    detectability: 2
    response:
      automatic: [retry, circuit_breaker]
      steps:
        - Check the provider's status page.
        - Page the owning team if the breaker stays open for 5 minutes.
      verify: op_{i:03d}_errors_total back under objective for 10 minutes
"""


def generate(folder: Path, dependencies: int, modes: int) -> None:
    catalog = folder / "failure-modes"
    catalog.mkdir(parents=True)
    for i in range(dependencies):
        text = DEPENDENCY.format(
            i=i, team=i % 7, modes="".join(MODE.format(i=i, j=j) for j in range(modes))
        )
        (catalog / f"dep-{i:03d}.yaml").write_text(text, encoding="utf-8")


def median_seconds(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(dependencies: int = 200, modes: int = 5, runs: int = 5) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root, dependencies, modes)
        files = sorted((root / "failure-modes").glob("*.yaml"))
        lines = sum(len(p.read_text().splitlines()) for p in files)

        def fmcat() -> None:
            done = subprocess.run(
                [sys.executable, "-m", "fmcat", "lint", str(root)], capture_output=True, check=False
            )
            if done.returncode != 0:
                raise SystemExit(f"fmcat lint failed on the generated catalog:\n{done.stdout!r}")

        def startup() -> None:
            subprocess.run([sys.executable, "-m", "fmcat", "--version"], capture_output=True)

        def bare_parse() -> None:
            yaml = YAML(typ="safe")
            for path in files:
                yaml.load(path.read_text(encoding="utf-8"))

        lint_time = median_seconds(fmcat, runs)
        start_time = median_seconds(startup, runs)
        parse_time = median_seconds(bare_parse, runs)
    work = lint_time - start_time
    return [
        f"catalog: {dependencies} dependencies x {modes} failure modes, {len(files)} files, "
        f"{lines:,} lines; median of {runs} runs",
        f"  fmcat lint (whole process)          {lint_time * 1000:8.0f} ms",
        f"  fmcat --version (process start-up)  {start_time * 1000:8.0f} ms",
        f"  fmcat lint minus start-up           {work * 1000:8.0f} ms  "
        f"({work / len(files) * 1000:.2f} ms per file)",
        f"  peer: ruamel safe load, in-process  {parse_time * 1000:8.0f} ms",
        f"  ratio (lint minus start-up / peer)  {work / parse_time:8.1f} x",
    ]


if __name__ == "__main__":
    print("\n".join(run()))
