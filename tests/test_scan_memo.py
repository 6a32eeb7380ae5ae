"""The run memo (scan/memo.py): a lint run with nothing changed gives back the last run's
findings without scanning, and anything its findings depend on (a file's bytes or status, a
file added or deleted, the settings, the catalog, a settings module outside the scanned folders)
makes it scan again, with the per-file caches, and find what a cold run finds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import fmcat.lint as lint
from fmcat.lint import LintOptions, run_lint
from fmcat.scan import files
from fmcat.scan.cache import status_key
from fmcat.scan.memo import Answer, Inputs, RunMemo
from tests.conftest import REPO
from tests.parse_log import log_parses, parsed

MISSING = "import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n"
TIMED = "import requests\n\n\ndef fetch(url):\n    return requests.get(url, timeout=5)\n"
PLAIN = "def add(a, b):\n    return a + b\n"
CATALOG = """\
dependency: geo
description: Geocoding
owner: team-maps
kind: http
criticality: optional
match:
  - url: "https://geo.example.com/*"
policies:
  timeout: {connect: 1s, read: 2s}
operations:
  - name: search
    latency_budget: 3s
    measures: {latency: search_seconds, errors: search_errors_total}
failure_modes:
  - id: down
    title: Geo is down
    detection: {signals: [geo_errors_total]}
    impact: No suggestions
    response:
      automatic: [fallback]
      steps: [Wait.]
"""


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    _age(*(root / name for name in files), *_folders(root))
    return root


def _folders(root: Path) -> list[Path]:
    return [root, *(p for p in root.rglob("*") if p.is_dir())]


def _age(*paths: Path) -> None:
    """Changed a minute ago: older than the racy window, so a status can be trusted."""
    past = time.time() - 60
    for path in paths:
        os.utime(path, (past, past))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = _write(
        tmp_path / "proj",
        {
            "pyproject.toml": "[tool.fmcat]\n",
            "app/__init__.py": "",
            "app/fetch.py": MISSING,
            "app/other.py": MISSING.replace("get", "post"),
            "app/plain.py": PLAIN,
        },
    )
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many runs computed their findings (the memo answered the others)."""
    count = [0]
    real = lint._code_findings

    def counting(*args: Any, **kwargs: Any) -> Any:
        count[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(lint, "_code_findings", counting)
    return count


@pytest.fixture
def parses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return log_parses(tmp_path, monkeypatch)


def _lint(root: Path, memo: bool = True) -> lint.LintResult:
    return run_lint(LintOptions(paths=(root,), memo=memo))


def _found(result: lint.LintResult) -> list[tuple[str, int, str, str]]:
    return [
        (Path(f.location.path).name, f.location.line, f.code, f.message) for f in result.findings
    ]


def _cold(root: Path) -> list[tuple[str, int, str, str]]:
    return _found(run_lint(LintOptions(paths=(root,), use_cache=False)))


def test_nothing_changed_is_answered_by_the_memo(
    project: Path, computed: list[int], parses: Path
) -> None:
    first = _lint(project)
    assert computed == [1]
    assert parsed(parses) == ["fetch.py", "other.py"]
    second = _lint(project)
    assert computed == [1], "the second run scanned again"
    assert parsed(parses) == []
    assert _found(second) == _found(first) == _cold(project)
    assert [f.code for f in second.findings] == ["FM101", "FM103", "FM101", "FM103"]
    assert (second.python_files, second.parsed_files) == (first.python_files, first.parsed_files)
    assert (second.python_files, second.parsed_files) == (4, 2)
    assert second.files == [], "a memo's answer carries no facts"


def test_a_touched_file_is_checked_by_hash_and_notparsed(
    project: Path, computed: list[int], parses: Path
) -> None:
    first = _lint(project)
    parsed(parses)
    os.utime(project / "app" / "fetch.py")  # same bytes, another status
    _age(project / "app" / "fetch.py")
    touched = _lint(project)
    assert computed == [2], "a changed status must not be answered by the memo"
    assert parsed(parses) == [], "same bytes: the per-file cache answers by hash"
    assert _found(touched) == _found(first)
    _lint(project)
    assert computed == [2], "the run after leaves a memo again"


def test_an_edited_file_changes_its_findings_alone(
    project: Path, computed: list[int], parses: Path
) -> None:
    _lint(project)
    parsed(parses)
    _write(project, {"app/fetch.py": TIMED})
    edited = _lint(project)
    assert computed == [2]
    assert parsed(parses) == ["fetch.py"], "the other files come from the per-file cache"
    assert [(name, code) for name, _, code, _ in _found(edited)] == [
        ("fetch.py", "FM103"),
        ("other.py", "FM101"),
        ("other.py", "FM103"),
    ]
    assert _found(edited) == _cold(project)


def test_a_file_added_or_deleted_is_a_miss(project: Path, computed: list[int]) -> None:
    _lint(project)
    _write(project, {"app/more.py": MISSING.replace("fetch", "more")})
    added = _lint(project)
    assert computed == [2]
    assert "more.py" in {name for name, _, _, _ in _found(added)}
    (project / "app" / "more.py").unlink()
    (project / "app" / "other.py").unlink()
    deleted = _lint(project)
    assert computed == [3]
    assert {name for name, _, _, _ in _found(deleted)} == {"fetch.py"}
    assert _found(deleted) == _cold(project)


def test_settings_and_options_are_part_of_the_key(project: Path, computed: list[int]) -> None:
    _lint(project)
    _write(project, {"pyproject.toml": '[tool.fmcat]\nignore = ["FM103"]\n'})
    configured = _lint(project)
    assert computed == [2], "changed settings must not be answered by the memo"
    assert {code for _, _, code, _ in _found(configured)} == {"FM101"}
    selected = run_lint(LintOptions(paths=(project,), memo=True, ignore=("FM101",)))
    assert computed == [3]
    assert {f.code for f in selected.findings} == {"FM103"}


def test_an_edited_catalog_is_a_miss(project: Path, computed: list[int]) -> None:
    _write(project, {"failure-modes/geo.yaml": CATALOG})
    first = _lint(project)
    assert "FM201" in {f.code for f in first.findings}  # no call site for geo yet
    _lint(project)
    assert computed == [1]
    _write(project, {"failure-modes/geo.yaml": CATALOG.replace("team-maps", "team-geo")})
    _lint(project)
    assert computed == [2], "a changed catalog must not be answered by the memo"


def test_a_settings_module_outside_the_scanned_folders_is_an_input(
    tmp_path: Path, computed: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    manage = 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n'
    view = (
        "from django.core.mail import send_mail\n\n"
        "def f():\n    send_mail('s', 'm', 'a@b', ['c@d'])\n"
    )
    root = _write(
        tmp_path / "site",
        {
            "pyproject.toml": '[tool.fmcat]\nsrc = ["app"]\n',
            "manage.py": manage,
            "proj/__init__.py": "",
            "proj/settings.py": "EMAIL_TIMEOUT = 10\n",
            "app/views.py": view,
        },
    )
    monkeypatch.chdir(root)
    assert {f.code for f in _lint(root).findings} == {"FM103"}
    assert {f.code for f in _lint(root).findings} == {"FM103"}
    assert computed == [1]
    _write(root, {"proj/settings.py": "EMAIL_HOST = 'mail'\n"})
    untimed = _lint(root)
    assert computed == [2], "the settings module changed: the memo must not answer"
    assert "FM101" in {f.code for f in untimed.findings}


def test_a_file_changed_just_before_the_run_leaves_no_memo(
    project: Path, computed: list[int]
) -> None:
    _lint(project)
    memo = RunMemo(project, "", True, 0).file
    assert memo.is_file()
    # Written now: within the racy window, its status may not change on a second write.
    (project / "app" / "plain.py").write_text(PLAIN + "\n", encoding="utf-8")
    _lint(project)
    assert not memo.exists(), "a racy file must leave no memo (and the old one is gone)"
    _lint(project)
    assert computed == [3], "without a memo, the next run scans (by the per-file caches)"


def test_store_refuses_racy_or_changing_inputs(project: Path) -> None:
    path = str(project / "app" / "fetch.py")
    status = status_key((project / "app" / "fetch.py").stat())
    answer = Answer([], 1, 0)

    def now(files: list[tuple[str, bool, list[int]]], entries: list[str] | None = None) -> Any:
        return lambda: Inputs(files, [], entries or [])

    same = now([(path, False, status)])
    memo = RunMemo(project, "k", True, started_ns=status[1] + 10**9)  # one second after
    memo.store(same(), {}, answer)
    assert not memo.file.exists()
    memo = RunMemo(project, "k", True, started_ns=status[1] + 60 * 10**9)
    memo.store(same(), {path: [*status[:-1], status[-1] + 1]}, answer)
    assert not memo.file.exists(), "read with another status than looked at: changing"
    memo.store(same(), {path: None}, answer)
    assert not memo.file.exists(), "read twice with two statuses"
    memo.store(same(), {path: status}, answer)
    assert memo.recall(same, [])[0] == answer
    assert memo.recall(same, ["/somewhere/manage.py"])[0] is None
    assert RunMemo(project, "other key", True, 0).recall(same, [])[0] is None
    # The memo lists no folder: its files are looked at again, as they are now.
    os.utime(path, ns=(status[1] + 1000, status[1] + 1000))
    assert memo.recall(same, [])[0] is None, "the file's status changed"


def test_a_racy_folder_leaves_no_memo(project: Path) -> None:
    folder = str(project / "app")
    status = status_key((project / "app").stat())
    memo = RunMemo(project, "k", True, started_ns=status[1] + 10**9)
    memo.store(Inputs([], [(folder, status)], []), {}, Answer([], 0, 0))
    assert not memo.file.exists(), "a file added in the same tick would leave it unchanged"


def test_unchanged_folders_spare_the_search_and_a_new_file_is_still_seen(
    project: Path, computed: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    _lint(project)
    searched = []
    real = files.python_files

    def counting(*args: Any, **kwargs: Any) -> Any:
        searched.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(lint, "python_files", counting)
    _lint(project)
    assert (computed, searched) == ([1], []), "nothing changed: no folder is listed"
    # A file where there was none: its folder's status changes, and the search runs.
    _write(project, {"app/sub/new.py": MISSING.replace("fetch", "new")})
    found = _lint(project)
    assert (computed, searched) == ([2], [1])
    assert "new.py" in {name for name, _, _, _ in _found(found)}
    # A file that is not Python: its folder changes, the search finds the same files.
    _write(project, {"app/README.txt": "hello\n"})
    _lint(project)
    assert computed == [2], "the same files, each with its status: the memo answers"


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        "[]",
        '{"key": "k"}',
        '{"key": "k", "files": 3, "folders": [], "entries": [], "extra": {}}',
        '{"key": "k", "files": [[1, 0]], "folders": [], "entries": [], "extra": {}}',
        '{"key": "k", "files": [], "folders": [7], "entries": [], "extra": {}}',
        '{"key": "k", "files": [], "folders": [], "entries": [], "extra": [], "read": 0,'
        ' "parsed": 0}',
        '{"key": "k", "files": [], "folders": [], "entries": [], "extra": {}, "read": 0,'
        ' "parsed": 0, "notes": [], "findings": [["FM101"]]}',
        '{"key": "k", "files": [], "folders": [], "entries": [], "extra": {}, "read": 0,'
        ' "parsed": 0, "notes": [], "findings": [["FM101", "m", "a.py", "1", 1, null, null,'
        ' "error", null, null, null]]}',
        '{"key": "k", "files": [], "folders": [], "entries": [], "extra": {}, "read": 0,'
        ' "parsed": 0, "notes": [], "findings": [["FM101", "m", "a.py", 1, 1, null, null,'
        ' "loud", null, null, null]]}',
        "[" * 100_000,
    ],
)
def test_a_malformed_memo_is_a_miss(project: Path, text: str) -> None:
    memo = RunMemo(project, "k", True, 0)
    memo.file.parent.mkdir(parents=True, exist_ok=True)
    memo.file.write_text(text, encoding="utf-8")
    assert memo.recall(lambda: Inputs([], [], []), []) == (None, Inputs([], [], []))


def test_a_well_formed_memo_is_a_hit(project: Path) -> None:
    """The counterpart of the malformed ones: the same layout, valid, answers."""
    memo = RunMemo(project, "k", True, 0)
    memo.file.parent.mkdir(parents=True, exist_ok=True)
    memo.file.write_text(
        '{"key": "k", "files": [], "folders": [], "entries": [], "extra": {}, "read": 0,'
        ' "parsed": 0, "notes": ["n"], "findings": [["FM101", "m", "a.py", 1, 1, null, null,'
        ' "error", null, null, null]]}',
        encoding="utf-8",
    )
    answer, _ = memo.recall(lambda: Inputs([], [], []), [])
    assert answer is not None
    assert (answer.notes, [(f.code, f.location.path) for f in answer.findings]) == (
        ["n"],
        [("FM101", "a.py")],
    )


def test_a_malformed_memo_means_a_scan(project: Path, computed: list[int]) -> None:
    first = _lint(project)
    memo = RunMemo(project, "", True, 0).file
    data = json.loads(memo.read_text(encoding="utf-8"))
    data["findings"][0][3] = "one"
    memo.write_text(json.dumps(data), encoding="utf-8")
    again = _lint(project)
    assert computed == [2]
    assert _found(again) == _found(first)


def test_a_cache_folder_inside_the_project_is_not_used(
    project: Path, computed: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FMCAT_CACHE_DIR", str(project / ".cache"))
    _lint(project)
    _lint(project)
    assert computed == [2]
    assert not (project / ".cache").exists()


def test_without_the_cache_there_is_no_memo(project: Path, computed: list[int]) -> None:
    run_lint(LintOptions(paths=(project,), memo=True, use_cache=False))
    run_lint(LintOptions(paths=(project,), memo=True, use_cache=False))
    assert computed == [2]
    assert not RunMemo(project, "", True, 0).file.exists()


#: `fmcat lint` as users run it, reporting the .py files it opened and whether it imported
#: the parser or the templates.
_PROBE = r"""
import io, json, os, sys
opened = []
real_open = os.open
def counting(path, *args, **kwargs):
    if os.fsdecode(path).endswith(".py"):
        opened.append(os.path.basename(os.fsdecode(path)))
    return real_open(path, *args, **kwargs)
os.open = counting
from fmcat.cli import main
sys.argv = ["fmcat", "lint", "--format", "json"]
try:
    main()
except SystemExit:
    pass
print(json.dumps({"opened": opened, "heavy": [m for m in ("libcst", "jinja2", "mkdocs")
                                              if m in sys.modules]}), file=sys.stderr)
"""


def test_the_cli_with_nothing_changed_opens_no_file_and_imports_no_parser(
    project: Path, tmp_path: Path
) -> None:
    env = {**os.environ, "NO_COLOR": "1", "FMCAT_CACHE_DIR": str(tmp_path / "cli-cache")}
    env.pop("FMCAT_NO_CACHE", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")]))

    def probe() -> tuple[str, dict[str, list[str]]]:
        done = subprocess.run(
            [sys.executable, "-c", _PROBE],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout, json.loads(done.stderr.strip().splitlines()[-1])

    cold_out, cold = probe()
    assert set(cold["opened"]) == {"__init__.py", "fetch.py", "other.py", "plain.py"}
    assert "libcst" in cold["heavy"]
    warm_out, warm = probe()
    assert warm == {"opened": [], "heavy": []}
    assert warm_out == cold_out
    assert [f["code"] for f in json.loads(warm_out)["findings"]] == ["FM101", "FM103"] * 2
