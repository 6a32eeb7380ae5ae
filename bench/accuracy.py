"""`make bench`: the textbook accuracy suite and the real-service suite, per code, side by side.

The textbook suite is tests/accuracy/ (labelled files written to exercise the rules), scored the
way tests/test_accuracy.py scores it; the real-service suite is bench/realworld/ (hand labels on
pinned open-source services). Both count a finding right when file, line and code agree.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

from bench.realworld import score as realworld


def textbook() -> tuple[Counter[str], Counter[str], Counter[str], int]:
    """True positives, false positives and false negatives per code, and the number of files."""
    from tests import test_accuracy  # the suite's own loader and linting, not a copy of them

    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    with tempfile.TemporaryDirectory(prefix="fmcat-accuracy-") as scratch:
        for number, path in enumerate(test_accuracy.FILES):
            result = test_accuracy.score_file(path, Path(scratch) / str(number))
            tp.update(code for *_, code in result.true_positives)
            fp.update(code for *_, code in result.false_positives)
            fn.update(code for *_, code in result.false_negatives)
    return tp, fp, fn, len(test_accuracy.FILES)


def _cell(tp: int, fp: int, fn: int) -> str:
    return f"{realworld.ratio(tp, tp + fp):>6} {realworld.ratio(tp, tp + fn):>5} ({tp + fn:>3})"


def run() -> list[str]:
    book_tp, book_fp, book_fn, files = textbook()
    details, real = realworld.measure()
    codes = sorted(set(book_tp) | set(book_fn) | set(book_fp) | set(realworld.SCORED))
    out = [
        f"accuracy: the textbook suite (tests/accuracy/, {files} files) beside the real-service "
        "suite (bench/realworld/)",
        f"  {'code':<8}{'textbook  P     R   (n)':>26}{'real services  P     R   (n)':>32}",
    ]
    for code in [*codes, "all"]:
        if code == "all":
            book = (sum(book_tp.values()), sum(book_fp.values()), sum(book_fn.values()))
            mine = (sum(real.tp.values()), sum(real.fp.values()), sum(real.fn.values()))
        else:
            book = (book_tp[code], book_fp[code], book_fn[code])
            mine = (real.tp[code], real.fp[code], real.fn[code])
        out.append(f"  {code:<8}{_cell(*book):>26}{_cell(*mine):>32}")
    out.append("  (n) labelled expectations; '-' where nothing was reported or expected")
    out.append("")
    return [*out, *details]
