"""`make bench`: every benchmark, printed as a table of medians and ratios.

Absolute times on shared 2-core machines are noisy; read the ratios against the peer measured
in the same run. `FMCAT_BENCH_RUNS` sets how many runs each median takes (default 5).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import accuracy, catalog, org, render, scan


def main() -> None:
    print("\n".join(accuracy.run()), flush=True)
    print(flush=True)
    print("\n".join(catalog.run()), flush=True)
    print(flush=True)
    print("\n".join(scan.run()), flush=True)
    print(flush=True)
    print("\n".join(render.run()), flush=True)
    print(flush=True)
    print("\n".join(org.run()), flush=True)


if __name__ == "__main__":
    main()
