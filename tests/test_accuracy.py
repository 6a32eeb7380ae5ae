"""Accuracy suite: labelled Python files under tests/accuracy/, linted one at a time.

Each line where fmcat must report carries a trailing `# expect: FM101` (several codes:
`# expect: FM101, FM103`); every other line must produce no finding. The labels follow the
rules as DESIGN.md and docs/rules.md state them, not what the engine happens to output, so a
failure here is either an engine bug or a wrong label: decide which, never weaken a label to
make the suite pass.

Every file is copied alone into a temporary project, inside a package (`service/`, with an empty
`__init__.py`) so that relative imports resolve as they would in a real service, and linted
in-process without a catalog (FM104, FM105 and FM201 need one and do not run). A folder is a
multi-file case (wrappers across modules, handling by callers): its contents become the package,
and its labels are those of all its files. Suppressions are
checked with `report_unused_ignores`, so FM108 is part of the suite. Run with `pytest -s` to see
the per-file table and the overall precision and recall.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from fmcat.lint import LintOptions, run_lint

SUITE = Path(__file__).resolve().parent / "accuracy"
FILES = sorted(
    [*SUITE.glob("*.py"), *(p for p in SUITE.iterdir() if p.is_dir() and p.name[0] not in "._")]
)
#: The code rules that run without a catalog.
CODES = frozenset(f"FM{number}" for number in range(100, 110))
PACKAGE = "service"
EXPECT_MARK = "# expect:"
_CODE = re.compile(r"FM\d{3}")

Label = tuple[str, int, str]  # (file in the case, 1-based line, code)


def case_files(path: Path) -> list[Path]:
    return sorted(path.rglob("*.py")) if path.is_dir() else [path]


def expected_labels(path: Path) -> frozenset[Label]:
    labels: set[Label] = set()
    for file in case_files(path):
        labels |= _file_labels(file, _name(path, file))
    return frozenset(labels)


def _name(case: Path, file: Path) -> str:
    return file.relative_to(case).as_posix() if case.is_dir() else file.name


def _file_labels(path: Path, name: str) -> set[Label]:
    """The `# expect:` marks of a file; anything after a mark must be codes and commas."""
    labels: set[Label] = set()
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if EXPECT_MARK not in line:
            continue
        words = line.split(EXPECT_MARK, 1)[1].replace(",", " ").split()
        if not words:
            raise ValueError(f"{path.name}:{number}: an expect mark without codes")
        for word in words:
            if not _CODE.fullmatch(word) or word not in CODES:
                raise ValueError(f"{path.name}:{number}: {word!r} is not a code in FM100-FM109")
            labels.add((name, number, word))
    return labels


def reported_labels(path: Path, workspace: Path) -> frozenset[Label]:
    """What `fmcat lint` reports for the case alone, in a package of a fresh project."""
    package = workspace / PACKAGE
    if path.is_dir():
        shutil.copytree(path, package)
    else:
        package.mkdir(parents=True)
        shutil.copyfile(path, package / path.name)
    if not (package / "__init__.py").exists():
        (package / "__init__.py").write_text("", encoding="utf-8")
    options = LintOptions(paths=(workspace,), use_cache=False, report_unused_ignores=True)
    findings = run_lint(options).findings
    labels = set()
    for finding in findings:
        shown = Path(finding.location.path).resolve().relative_to(package.resolve()).as_posix()
        if not path.is_dir():
            assert shown == path.name, f"finding outside {path.name}: {finding}"
        if finding.code in CODES:
            labels.add((shown, finding.location.line, finding.code))
    return frozenset(labels)


@dataclass(frozen=True)
class Score:
    name: str
    source: dict[str, tuple[str, ...]]
    expected: frozenset[Label]
    reported: frozenset[Label]

    @property
    def true_positives(self) -> frozenset[Label]:
        return self.expected & self.reported

    @property
    def false_positives(self) -> frozenset[Label]:
        return self.reported - self.expected

    @property
    def false_negatives(self) -> frozenset[Label]:
        return self.expected - self.reported

    def describe(self, labels: frozenset[Label]) -> list[str]:
        """`file:line CODE  | the line`, sorted by line."""
        return [
            f"{self.name}{'/' + file if file != self.name else ''}:{line} {code}  | "
            f"{self.source[file][line - 1].strip()[:110]}"
            for file, line, code in sorted(labels)
        ]


def ratio(hits: int, total: int) -> float:
    return hits / total if total else 1.0


def score_file(path: Path, workspace: Path) -> Score:
    lines = {
        _name(path, file): tuple(file.read_text(encoding="utf-8").splitlines())
        for file in case_files(path)
    }
    return Score(path.name, lines, expected_labels(path), reported_labels(path, workspace))


@pytest.fixture(scope="session")
def scores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Score]:
    """Every file linted once per session; both tests below read the same results."""
    return {path.name: score_file(path, tmp_path_factory.mktemp(path.stem)) for path in FILES}


def table(all_scores: list[Score]) -> tuple[str, float, float]:
    columns = ("labels", 6), ("TP", 4), ("FP", 4), ("FN", 4), ("precision", 9), ("recall", 7)
    header = f"{'file':<26} " + " ".join(f"{name:>{width}}" for name, width in columns)
    rows = [header, "-" * len(header)]
    tp = fp = fn = 0
    for s in all_scores:
        t, p, n = len(s.true_positives), len(s.false_positives), len(s.false_negatives)
        tp, fp, fn = tp + t, fp + p, fn + n
        rows.append(
            f"{s.name:<26} {len(s.expected):>6} {t:>4} {p:>4} {n:>4} "
            f"{ratio(t, t + p):>9.3f} {ratio(t, t + n):>7.3f}"
        )
    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    rows.append("-" * len(header))
    rows.append(
        f"{'overall':<26} {tp + fn:>6} {tp:>4} {fp:>4} {fn:>4} {precision:>9.3f} {recall:>7.3f}"
    )
    return "\n".join(rows), precision, recall


def test_suite_is_well_formed() -> None:
    assert len(FILES) >= 15, "the suite is the labelled files under tests/accuracy/"
    for path in FILES:
        for file in case_files(path):
            source = file.read_text(encoding="utf-8")
            compile(source, str(file), "exec", dont_inherit=True)  # valid Python 3.11
        expected_labels(path)  # raises on a malformed mark


def test_precision_and_recall(scores: dict[str, Score]) -> None:
    ordered = [scores[path.name] for path in FILES]
    report, precision, recall = table(ordered)
    print(f"\nfmcat accuracy suite ({len(ordered)} files)\n{report}")
    print(f"precision {precision:.3f}, recall {recall:.3f}")
    false_positives = [line for s in ordered for line in s.describe(s.false_positives)]
    false_negatives = [line for s in ordered for line in s.describe(s.false_negatives)]
    details = "\n".join(
        [
            f"precision {precision:.3f}, recall {recall:.3f}",
            f"false positives ({len(false_positives)}):",
            *(f"  {line}" for line in false_positives),
            f"false negatives ({len(false_negatives)}):",
            *(f"  {line}" for line in false_negatives),
        ]
    )
    assert precision == 1.0 and recall == 1.0, details


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_file(path: Path, scores: dict[str, Score]) -> None:
    score = scores[path.name]
    problems = [
        *(f"FP {line}" for line in score.describe(score.false_positives)),
        *(f"FN {line}" for line in score.describe(score.false_negatives)),
    ]
    assert not problems, "\n".join(problems)
