"""Mutation-test the code scan with cosmic-ray, within a time bound (`make mutation`).

cosmic-ray changes one operator at a time in a module of src/fmcat/scan/ (in place: run this on
a clean work tree, nothing else editing src/), runs a fast, in-process test selection, and
records whether a test failed ("killed") or none did ("survived"). A survivor is either a
missing test or an equivalent mutation; bench/mutation.md keeps the verdict on each.

The session (a sqlite file) lives in bench/.work/mutation/, so a second run resumes where the
time bound stopped the first; `--fresh` starts over. The report lists every survivor with its
source line, for reading, and the counts per module.

    python bench/mutation.py                       # the default modules, 40 minutes
    python bench/mutation.py --minutes 10 --modules src/fmcat/scan/handlers.py
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "bench" / ".work" / "mutation"
BIN = Path(sys.executable).parent

#: The code rules' own modules and the small modules they lean on (exception handlers, identifier
#: normalisation, the import prefilter): 150 mutants, about 40 minutes on two shared cores. The
#: whole of scan/ is 5,400 mutants (2,300 with the operators below): a day or more.
MODULES = (
    "src/fmcat/scan/handlers.py",
    "src/fmcat/scan/identifiers.py",
    "src/fmcat/scan/prefilter.py",
    *(
        f"src/fmcat/scan/rules/{name}.py"
        for name in (
            "fm101_missing_timeout",
            "fm102_timeout_disabled",
            "fm103_unhandled_failure",
            "fm104_unattributed_call",
            "fm106_retry_forever",
            "fm107_default_timeout",
            "fm109_timeout_from_configuration",
            "fm112_non_idempotent_retry",
        )
    ),
)

#: The mutation operators that change behaviour a test can see: comparisons against their
#: opposite or off-by-one twin, and/or, True/False, not, loops that run zero times, break and
#: continue, exception types, numbers. Left out: `X | None` and the other binary-operator swaps
#: (with `from __future__ import annotations` most `|` are annotations, equivalent by
#: construction), comparisons swapped for an unrelated one (`==` to `<`), decorator removal.
KEEP = (
    "ReplaceComparisonOperator_(Eq_NotEq|NotEq_Eq|Is_IsNot|IsNot_Is|Lt_LtE|LtE_Lt|Gt_GtE|GtE_Gt"
    "|In_NotIn|NotIn_In)",
    "ReplaceAndWithOr",
    "ReplaceOrWithAnd",
    "ReplaceTrueWithFalse",
    "ReplaceFalseWithTrue",
    "AddNot",
    "ReplaceUnaryOperator_Delete_Not",
    "ZeroIterationForLoop",
    "ReplaceContinueWithBreak",
    "ReplaceBreakWithContinue",
    "ExceptionReplacer",
    "NumberReplacer",
    "ReplaceBinaryOperator_(Add_Sub|Sub_Add)",
)

#: In-process tests only (no CLI subprocess, no browser): every code rule's VALID and INVALID
#: cases with their counts and messages, the knowledge tables, the scan regressions and the
#: mutation killers. -x: a killed mutant stops at its first failure.
TESTS = (
    "tests/test_rule_cases.py",
    "tests/test_knowledge_base.py",
    "tests/test_scan_regressions.py",
    "tests/test_scan_mutants.py",
)
SELECT = "not test_case or FM1 or FM2"


def test_command(extra: tuple[str, ...] = ()) -> str:
    tests = " ".join(t for t in (*TESTS, *extra) if (REPO / t).exists())
    return f"{BIN / 'python'} -m pytest -x -q -p no:cacheprovider {tests} -k '{SELECT}'"


def config(modules: list[str], per_mutant: float, extra: tuple[str, ...] = ()) -> str:
    keep = "|".join(KEEP)
    listed = ", ".join(f'"{m}"' for m in modules)
    return (
        "[cosmic-ray]\n"
        f"module-path = [{listed}]\n"
        f"timeout = {per_mutant}\n"
        "excluded-modules = []\n"
        f"test-command = {json.dumps(test_command(extra))}\n"
        "[cosmic-ray.distributor]\n"
        'name = "local"\n'
        "[cosmic-ray.filters.operators-filter]\n"
        f'exclude-operators = ["core/(?!({keep})$)"]\n'
    )


def source_is_clean() -> bool:
    done = subprocess.run(["git", "diff", "--quiet", "--", "src"], cwd=REPO, check=False)
    return done.returncode == 0


def run_bounded(args: list[str], seconds: float) -> None:
    """Runs cosmic-ray exec, and interrupts it (it restores the module) when time is up."""
    child = subprocess.Popen(args, cwd=REPO, start_new_session=True)
    try:
        child.wait(timeout=max(seconds, 1))
    except subprocess.TimeoutExpired:
        print(f"time bound of {seconds:.0f} s reached: interrupting", file=sys.stderr)
        os.killpg(child.pid, signal.SIGINT)
        child.wait(timeout=120)


def report(db: Path) -> str:
    rows = sqlite3.connect(db).execute(
        "SELECT s.module_path, s.start_pos_row, s.operator_name, s.occurrence,"
        " r.worker_outcome, r.test_outcome"
        " FROM mutation_specs s LEFT JOIN work_results r ON r.job_id = s.job_id"
        " ORDER BY s.module_path, s.start_pos_row, s.operator_name, s.occurrence"
    )
    counts: dict[str, Counter[str]] = {}
    survivors = []
    for module, line, operator, occurrence, worker, outcome in rows:
        worker, outcome = (worker or "").lower(), (outcome or "").lower()
        if worker == "skipped":
            continue
        state = outcome or ("timeout" if worker == "abnormal" else worker or "pending")
        counts.setdefault(module, Counter())[state] += 1
        if state == "survived":
            text = (REPO / module).read_text(encoding="utf-8").splitlines()[line - 1].strip()
            survivors.append(
                f"| {module}:{line} | {operator.removeprefix('core/')} #{occurrence} | `{text}` |"
            )
    lines = ["| module | killed | survived | incompetent | pending |", "|---|---|---|---|---|"]
    for module, count in counts.items():
        lines.append(
            f"| {module} | {count['killed']} | {count['survived']} | {count['incompetent']} "
            f"| {count['pending'] + count['timeout']} |"
        )
    lines += ["", "| survivor | mutation | line |", "|---|---|---|", *survivors]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=40.0, help="time bound of the run")
    parser.add_argument("--modules", nargs="+", default=list(MODULES))
    parser.add_argument("--fresh", action="store_true", help="start a new session")
    parser.add_argument("--report", action="store_true", help="only print the last report")
    parser.add_argument(
        "--recheck",
        action="store_true",
        help="run the survivors again (in a copy of the session), with today's tests",
    )
    parser.add_argument(
        "--also",
        nargs="+",
        default=[],
        help="more test files for the run (tests/test_scan_hostile_input.py: slower, and some "
        "of it in a CLI subprocess)",
    )
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    cfg, db = WORK / "config.toml", WORK / "session.sqlite"
    if args.recheck:
        db = WORK / "recheck.sqlite"
    if args.report:
        print(report(db))
        return 0
    if not source_is_clean():
        print("src/ has uncommitted changes: mutation testing edits it in place", file=sys.stderr)
        return 2
    # Never write bytecode: a restored module must not meet a cached mutant of itself.
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    started = time.monotonic()
    extra = tuple(args.also)
    baseline = subprocess.run(test_command(extra), shell=True, cwd=REPO, check=False)
    if baseline.returncode != 0:
        print("the test selection fails without a mutation", file=sys.stderr)
        return 2
    per_mutant = max(60.0, 4 * (time.monotonic() - started))
    if args.recheck:
        # A copy of the session that holds only its survivors, pending again.
        cfg = WORK / "recheck.toml"
        cfg.write_text(config(args.modules, per_mutant, extra), encoding="utf-8")
        db.write_bytes((WORK / "session.sqlite").read_bytes())
        with sqlite3.connect(db) as session:
            kept = "SELECT job_id FROM work_results WHERE test_outcome = 'SURVIVED'"
            for table in ("mutation_specs", "work_items"):
                session.execute(f"DELETE FROM {table} WHERE job_id NOT IN ({kept})")
            session.execute("DELETE FROM work_results")
    elif args.fresh or not db.exists():
        db.unlink(missing_ok=True)
        cfg.write_text(config(args.modules, per_mutant, extra), encoding="utf-8")
        subprocess.run([BIN / "cosmic-ray", "init", cfg, db], cwd=REPO, check=True)
        subprocess.run([BIN / "cr-filter-operators", db, cfg], cwd=REPO, check=True)
    remaining = args.minutes * 60 - (time.monotonic() - started)
    run_bounded([str(BIN / "cosmic-ray"), "exec", str(cfg), str(db)], remaining)
    if not source_is_clean():
        print("src/ was left mutated: `git diff src` shows it", file=sys.stderr)
        return 2
    text = report(db)
    (WORK / "report.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
