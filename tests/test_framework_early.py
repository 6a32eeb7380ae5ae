"""The post-pass on what the scan saw (frameworks/early.py): the marks taken from the scan's
bytes equal the post-pass's own, a file that only the pure passes read is parsed in a worker
and not again in the main process, and the facts and findings are those of a post-pass that
finds and reads every file itself, cold and warm."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fmcat.config import find_project
from fmcat.frameworks import FrameworkOptions, marks, post_pass
from fmcat.frameworks import files as framework_files
from fmcat.frameworks.early import Early
from fmcat.frameworks.source import Source
from fmcat.lint import LintOptions, knowledge, run_lint
from fmcat.paths import display_path
from fmcat.scan.engine import ScanOptions, scan
from fmcat.scan.facts import FileFacts
from fmcat.scan.files import module_name
from tests.conftest import write

RETRIED = """\
import requests
from tenacity import retry, stop_after_attempt


@retry(stop=stop_after_attempt(7))
def pay(url):
    return requests.post(url, timeout=5)
"""
PUBLISHES = """\
from celery import shared_task


@shared_task(autoretry_for=(Exception,), max_retries=None)
def work():
    return 1


def later():
    work.delay()
"""
CONSUMES = """\
import pika


def listen(channel, handle):
    channel.basic_consume(queue="orders", on_message_callback=handle, auto_ack=True)
"""
FILES = {
    "pyproject.toml": "[tool.fmcat]\n",
    "app/__init__.py": "",
    "app/pay.py": RETRIED,
    "app/tasks.py": PUBLISHES,
    "app/listen.py": CONSUMES,
    "app/plain.py": "def add(a, b):\n    return a + b\n",
    # Only for the pure passes, and imports nothing the scan knows: no worker parses it.
    "app/local.py": "def listen(channel, handle):\n    channel.basic_consume('q', handle)\n",
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = write(tmp_path / "proj", FILES)
    for path in root.rglob("*.py"):  # a minute old: trusted by its status next time
        stamp = path.stat().st_mtime - 60
        os.utime(path, (stamp, stamp))
    monkeypatch.setenv("FMCAT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(root)
    return root


@pytest.mark.parametrize(
    ("text", "module"),
    [
        (b"from tenacity import retry\n", "app.jobs"),
        (b"from . import retry\n", "tenacity.wrap"),  # the package's own word in its name
        (b"from . import Retrying\n", "tenacity.loops"),
        (b"import tenacity\n", "app.retry"),  # a word in the name alone is not enough
        (b"from .canvas import chain\nchain(a, b)()\n", "celery.app.base"),
        (b"from itertools import chain\nchain(a, b)\n", "app.rows"),
        (b"requests.adapters.HTTPAdapter(max_retries=Retry(3))\n", "app.http"),
        (b"x = 1\n", "backoff.on_exception"),
        (b"channel.basic_consume(q)\napp.conf.update(x=1)\n", "app.main"),
        (b"", "tenacity"),
    ],
)
def test_marks_with_the_module_name_at_hand_equal_marks_that_look_it_up(
    text: bytes, module: str
) -> None:
    """The scan hands its module name (a group stops at a word in neither the bytes nor the
    name); the post-pass alone looks it up only when a group needs it."""
    asked: list[str] = []

    def look_up() -> str:
        asked.append(module)
        return module

    assert marks.file_marks(text, module) == marks.file_marks(text, look_up)


def _scanned(root: Path, early: Early | None) -> list[FileFacts]:
    options = ScanOptions(paths=(root,), root=root, use_cache=False)
    return scan(options, knowledge(find_project(root)), display_path, None, early).files


def _facts(files: list[FileFacts]) -> list[dict[str, object]]:
    return sorted((f.to_json() for f in files), key=lambda f: str(f["path"]))


def test_the_post_pass_on_the_scan_s_bytes_finds_what_it_finds_alone(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = FrameworkOptions(project, (project,), use_cache=False)
    alone = _scanned(project, None)
    alone_findings = post_pass(options, alone)

    main = os.getpid()
    parsed: list[str] = []
    read: list[str] = []
    original_parse = Source.parse

    def parse(data: bytes, path: str, module: str) -> Source | None:
        if os.getpid() == main:  # a forked worker's parses are its own
            parsed.append(Path(path).name)
        return original_parse(data, path, module)

    def counting(path: Path) -> bytes | None:
        read.append(path.name)
        return framework_files.read(path)

    monkeypatch.setattr(Source, "parse", parse)
    monkeypatch.setattr("fmcat.frameworks.read", counting)
    monkeypatch.setattr("fmcat.frameworks.python_files", None)  # the scan's list is used
    early = Early(keep=False)
    together = _scanned(project, early)
    assert early.files is not None and len(early.files) == 6, early.files
    # pay.py and listen.py import what the scan knows: their pure passes ran in the worker.
    assert sorted(Path(key).name for key in early.found) == ["listen.py", "pay.py"]
    findings = post_pass(options, together, early)
    # Celery's file is parsed (and so read) again; local.py went to no worker.
    assert sorted(parsed) == ["local.py", "tasks.py"], parsed
    # listen.py only for its `# fmcat: ignore` comments: the scan made no facts of it.
    assert sorted(read) == ["listen.py", "local.py", "tasks.py"], read
    assert [repr(f) for f in findings] == [repr(f) for f in alone_findings]
    assert _facts(together) == _facts(alone)
    pay = next(f for f in _facts(together) if str(f["path"]).endswith("pay.py"))
    policies = pay["retry_policies"]
    assert isinstance(policies, list) and [p["attempts"] for p in policies] == [7], pay


def test_the_scan_s_marks_equal_the_post_pass_s_own(project: Path) -> None:
    early = Early()
    _scanned(project, early)
    assert early.files is not None
    for index, (path, _) in enumerate(early.files):
        seen = early.at(index)
        assert seen is not None, path
        own = marks.file_marks(path.read_bytes(), marks.module_of(path))
        assert list(seen[0]) == own, path
        assert module_name(path)[0]  # each file is in the package


def test_a_warm_lint_reads_no_file_for_the_pure_passes(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cold run's cache entries come from the scan's bytes; the warm run hits them by
    status and finds the same."""
    cold = run_lint(LintOptions(paths=(project,)))
    read: list[str] = []

    def counting(path: Path) -> tuple[bytes | None, os.stat_result | None]:
        read.append(path.name)
        return framework_files.read_with_status(path)

    monkeypatch.setattr("fmcat.frameworks.read_with_status", counting)
    warm = run_lint(LintOptions(paths=(project,)))
    assert read == []
    assert [repr(f) for f in warm.findings] == [repr(f) for f in cold.findings]
    assert _facts(warm.files) == _facts(cold.files)
    # pay.py's retry policy (a pure pass, in the worker cold, from the cache warm): FM112.
    assert [f.location.path for f in warm.findings if f.code == "FM112"] == ["app/pay.py"]
