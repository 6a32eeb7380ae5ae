"""The code scan benchmark (bench/scan/) on a tiny local corpus: one real round of every tool.

No download: the corpus is three files written here. fmcat, bandit and ruff really run, through
the benchmark's own measurement, and the report must count what they found.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scan import corpus, measure, peers
from bench.scan.profile import profile

# The package exports its report() function under the module's name.
report = importlib.import_module("bench.scan.report")

UNTIMED = "import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n"
TIMED = "import requests\n\n\ndef fetch(url):\n    return requests.get(url, timeout=5)\n"
PLAIN = "def add(a, b):\n    return a + b\n"


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "untimed.py").write_text(UNTIMED, encoding="utf-8")
    (root / "pkg" / "timed.py").write_text(TIMED, encoding="utf-8")
    (root / "pkg" / "plain.py").write_text(PLAIN, encoding="utf-8")
    (root / "pyproject.toml").write_text(corpus.PROJECT_PIN, encoding="utf-8")
    return root


def test_the_corpus_and_the_repository_are_where_they_were() -> None:
    repo = Path(__file__).resolve().parent.parent
    assert repo == corpus.REPO
    assert (corpus.REPO / "src" / "fmcat" / "__init__.py").is_file()  # what snapshot() copies
    assert repo / "bench" / ".corpus" / "tree" == corpus.CORPUS  # gitignored
    assert repo / "bench" / ".work" == corpus.WORK


def test_measure_reports_the_child_s_exit_output_and_memory() -> None:
    script = "import sys, time; b = bytearray(80 * 1024 * 1024); time.sleep(0.3); print('hi')"
    run = measure.measure([sys.executable, "-c", script])
    assert run.returncode == 0
    assert run.stdout.strip() == b"hi"
    assert run.seconds >= 0.3
    # The 80 MB buffer is touched (zero-filled): the tree's sampled peak must see it.
    assert run.max_hwm_kb >= 75 * 1024, run.max_hwm_kb
    assert run.tree_hwm_kb >= run.max_hwm_kb


def test_measure_counts_pages_a_forked_child_shares_once_in_pss() -> None:
    """A parent touches 80 MB and forks: each VmHWM holds the 80 MB, so the summed tree does
    twice, while the summed Pss holds it once (each process counts half of a shared page)."""
    script = (
        "import os, time; b = bytearray(80 * 1024 * 1024); pid = os.fork(); time.sleep(0.6)\n"
        "if pid: os.waitpid(pid, 0)\nelse: os._exit(0)"
    )
    run = measure.measure([sys.executable, "-c", script])
    assert run.returncode == 0
    if not Path("/proc/self/smaps_rollup").exists():
        pytest.skip("the kernel has no smaps_rollup")
    assert run.tree_hwm_kb >= 2 * 75 * 1024, run.tree_hwm_kb
    assert 75 * 1024 <= run.tree_pss_kb <= 120 * 1024, run.tree_pss_kb


def test_one_round_of_every_tool_and_the_report(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = dict(os.environ, FMCAT_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("FMCAT_NO_CACHE", None)
    files = corpus.corpus_files(tiny)
    assert files == ["pkg/plain.py", "pkg/timed.py", "pkg/untimed.py"]
    cold = measure.fmcat(tiny, "fmcat cold (--no-cache)", cache=False, base=env)
    warm = measure.fmcat(tiny, "fmcat warm (cache)", cache=True, base=env)
    half = measure.fmcat(tiny, "fmcat cold, half corpus", cache=False, base=env)
    bandit = measure.Tool(
        "bandit -t B113",
        [measure.installed("bandit"), "-r", str(tiny), "-t", "B113", "-f", "json", "-q"],
    )
    ruff = measure.Tool(
        "ruff --select S113",
        [
            *(measure.installed("ruff"), "check", "--isolated", "--no-cache"),
            *("--select", "S113", "--output-format", "json", str(tiny)),
        ],
    )
    startup = measure.Tool(
        "fmcat --version", [sys.executable, "-m", "fmcat", "--version"], (0,), env=env
    )
    priming = warm.run()
    warm.runs.clear()
    for tool in (cold, warm, bandit, ruff, half, startup):
        tool.run()

    found = peers.fmcat_findings(cold.last, tiny)
    assert [(f.path, f.line, f.code) for f in found if f.code == "FM101"] == [
        ("pkg/untimed.py", 5, "FM101")
    ]
    bandit_found, bandit_read, errors = peers.bandit_findings(bandit.last, tiny)
    assert [(f.path, f.line, f.column) for f in bandit_found] == [("pkg/untimed.py", 5, 12)]
    assert sorted(bandit_read) == files
    assert errors == []
    ruff_found = peers.ruff_findings(ruff.last, tiny)
    assert [(f.path, f.line, f.column) for f in ruff_found] == [("pkg/untimed.py", 5, 12)]
    assert peers.fmcat_counts(cold.last) == (3, 2)  # plain.py imports no client

    profiled, fmcat_read, problem = profile(tiny, env)
    assert problem is None
    assert sorted(fmcat_read or []) == files
    assert [(p.path, p.sites) for p in profiled] == [("pkg/timed.py", 1), ("pkg/untimed.py", 1)]

    monkeypatch.setattr(report, "CORPUS", tiny)
    lines = report.report(
        files=files,
        lines=corpus.count_lines(tiny, files),
        half_files=len(files),
        half_lines=corpus.count_lines(tiny, files),
        half_counts=(3, 2),
        tools=(cold, warm, bandit, ruff, half, startup),
        priming=priming,
        ruff_read=files,
        profiled=profiled,
        fmcat_read=fmcat_read,
        profile_error=None,
        runs=1,
        load=(0.0, 0.0),
        cache_note=None,
        version="the working tree",
    )
    text = "\n".join(lines)
    assert "1 FM101+FM102" in text
    assert "1 B113" in text
    assert "1 S113" in text
    missed = next(line for line in lines if "peer findings missed" in line)
    assert missed.split()[3:5] == ["0", "=="] and "PASS" in missed, missed
    assert "every cold and warm run reported the same findings" in text
    for target in ("fmcat cold / bandit", "fmcat warm / ruff", "fmcat peak memory"):
        assert any(line.strip().startswith(target) for line in lines), target


def test_the_cache_key_is_read_from_the_scan_cache_beside_its_companions(tmp_path: Path) -> None:
    """The folder holds the scan cache and three companion files; the key is the scan cache's
    (it was None whenever the companions existed, so a changed key was never noticed)."""
    from bench.scan import _cache_key

    name = "scan-6e5d2cc6a53079172113fb7db4bd8699"
    (tmp_path / f"{name}.json").write_text('{"key": "abc", "files": {}}', encoding="utf-8")
    for companion in ("-derived-v1", "-frameworks", "-run"):
        (tmp_path / f"{name}{companion}.json").write_text('{"key": "other"}', encoding="utf-8")
    assert _cache_key(tmp_path) == "abc"
