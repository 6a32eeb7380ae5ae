"""Where fmcat's parse time goes: one serial pass over the files its prefilter lets through."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.scan.corpus import REPO

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
