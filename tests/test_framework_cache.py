"""The framework post-pass's cache: a run with nothing changed reads no file that only the
per-file passes look at, and finds what a cold run finds; a changed or corrupted entry is
read again."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

import fmcat.frameworks as frameworks
from fmcat.frameworks import FrameworkOptions, marks, post_pass
from fmcat.frameworks import files as framework_files
from fmcat.frameworks.source import Source
from fmcat.scan.facts import FileFacts

RETRIED = """\
import requests
from tenacity import retry, stop_after_attempt


@retry(stop=stop_after_attempt(7))
def pay(url):
    return requests.post(url, timeout=5)
"""
PUBLISHES = """\
from celery import shared_task


@shared_task
def work():
    return 1


def later():
    work.delay()
"""
PLAIN = "def add(a, b):\n    return a + b\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.fmcat]\n", encoding="utf-8")
    (root / "app" / "pay.py").write_text(RETRIED, encoding="utf-8")
    (root / "app" / "tasks.py").write_text(PUBLISHES, encoding="utf-8")
    (root / "app" / "plain.py").write_text(PLAIN, encoding="utf-8")
    _age(root)
    monkeypatch.setenv("FMCAT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(root)
    return root


def _age(root: Path, pattern: str = "*.py") -> None:
    """Files written a minute ago: a file modified just before a run is trusted only by its
    hash next time (the cache's racy-clean rule), which needs a read."""
    for path in root.rglob(pattern):
        stamp = path.stat().st_mtime - 60
        os.utime(path, (stamp, stamp))


def _run(
    root: Path, monkeypatch: pytest.MonkeyPatch, use_cache: bool = True
) -> tuple[list[str], list[dict[str, object]]]:
    """The files the pass read, and the facts it made (as JSON), for one run."""
    read: list[str] = []
    original = framework_files.read_with_status

    def counting(path: Path):  # type: ignore[no-untyped-def]
        read.append(path.name)
        return original(path)

    monkeypatch.setattr(frameworks, "read_with_status", counting)
    files: list[FileFacts] = []
    post_pass(FrameworkOptions(root, (root,), use_cache=use_cache), files)
    facts = sorted((f.to_json() for f in files), key=lambda f: str(f["path"]))
    return sorted(read), facts


def test_nothing_changed_reads_only_celery_files(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold_read, cold = _run(project, monkeypatch, use_cache=False)
    assert cold_read == ["pay.py", "plain.py", "tasks.py"]
    first_read, first = _run(project, monkeypatch)
    assert first_read == ["pay.py", "plain.py", "tasks.py"]
    warm_read, warm = _run(project, monkeypatch)
    # tasks.py is parsed again (Celery's passes need every task of the project), by read():
    # it is not read for its marks, and the others are not read at all.
    assert warm_read == []
    assert cold == first == warm
    pay = next(f for f in warm if str(f["path"]).endswith("pay.py"))
    policies = pay["retry_policies"]
    assert isinstance(policies, list) and [p["attempts"] for p in policies] == [7]
    tasks = next(f for f in warm if str(f["path"]).endswith("tasks.py"))
    assert tasks["consumers"] and tasks["sites"], tasks


def test_a_changed_file_is_read_again(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _run(project, monkeypatch)
    (project / "app" / "pay.py").write_text(
        RETRIED.replace("stop_after_attempt(7)", "stop_after_attempt(3)"), encoding="utf-8"
    )
    _age(project, "pay.py")
    read, facts = _run(project, monkeypatch)
    assert read == ["pay.py"]
    pay = next(f for f in facts if str(f["path"]).endswith("pay.py"))
    policies = pay["retry_policies"]
    assert isinstance(policies, list) and [p["attempts"] for p in policies] == [3]


def test_malformed_entries_are_read_again(
    project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _, cold = _run(project, monkeypatch)
    (cache_file,) = (tmp_path / "cache").glob("*-frameworks.json")
    data = json.loads(cache_file.read_text(encoding="utf-8"))
    for entry in data["files"].values():
        entry["marks"] = "not a list"
        entry["found"] = [[{"bogus": 1}], 5, None]
    cache_file.write_text(json.dumps(data), encoding="utf-8")
    read, again = _run(project, monkeypatch)
    assert read == ["pay.py", "plain.py", "tasks.py"]
    assert again == cold


@pytest.mark.parametrize(
    ("line", "marked"),
    [
        (b"@app.task(bind=True)\n", True),
        (b"@celery.task\n", True),
        (b"@shared_task\n", True),
        (b"from celery import task\n@task()\n", True),
        (b"asyncio.create_task(self.refresh())\n", False),
        (b"hass.async_create_task(entry.setup())\n", False),
        (b"self._task = loop.create_task(run())\n", False),
    ],
)
def test_only_celery_tasks_send_a_file_to_the_task_pass(line: bytes, marked: bool) -> None:
    """Home Assistant's 445 `async_create_task(` files were parsed again on every run because
    the marker was `task(`: the task pass looks for Celery's decorators, not any `...task(`."""
    assert ("tasks" in marks.file_marks(line)) is marked


@pytest.mark.parametrize(
    ("text", "module", "marked"),
    [
        (b"from itertools import chain\nrows = list(chain(a, b))\n", "app.rows", False),
        (b"import itertools\nitertools.chain(a, b)\nchord(x)\n", "app.rows", False),
        (b"from celery import chain\nchain(bill.s(1), remind.si(1))()\n", "app.flow", True),
        (b"import celery\ncelery.chord([a.s()], b.s())()\n", "app.flow", True),
        # Inside celery's own package, `chain` is celery's without the word in the file.
        (b"from .canvas import chain\nchain(a, b)()\n", "celery.app.base", True),
        (b"from app.tasks import ship\nship.delay(1)\n", "app.views", True),
        (b"app.send_task('ship', args=[1])\n", "app.views", True),
    ],
)
def test_only_celery_s_canvas_sends_a_file_to_the_publish_pass(
    text: bytes, module: str, marked: bool
) -> None:
    """`chain(` and `chord(` publish only as celery's canvas: Home Assistant's 23 files of
    `itertools.chain(` were parsed on every run, and each call judged, for nothing."""
    assert ("publish" in marks.file_marks(text, lambda: module)) is marked


@pytest.mark.parametrize(
    "text",
    [
        b"@app.task\n",
        b"@task()\n",
        b"x.task",
        b"task\n",
        b"a.tasks\n",
        b"a.task_id\n",
        b"a._task\n",
        b"@shared_tasks\n",
        b"shared_task",
        b".task.x",
        b"@task\xe9",
        b"\n.task-",
    ],
)
def test_the_task_marker_finds_what_its_regular_expression_found(text: bytes) -> None:
    expected = re.search(rb"[.@]task\b|shared_task", text) is not None
    assert marks.TASKS.search(text) is expected


WORKER = 'from celery import Celery\n\napp = Celery("worker")\n'
CONFIGURES = "from app.worker import app\n\napp.conf.broker_connection_timeout = 2\n"
PUBLISH_FROM_APP = """\
from app.worker import app


@app.task
def ship(order_id):
    return order_id


def later():
    ship.delay(1)
"""


def _publish_timeouts(
    root: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str]
) -> tuple[list[str], list[object]]:
    """The files the configuration pass parsed, and the publish sites' timeouts."""
    for name, text in files.items():
        (root / "app" / name).write_text(text, encoding="utf-8")
    parsed: list[str] = []
    original = Source.parse

    def counting(data: bytes, path: str, module: str) -> Source | None:
        parsed.append(Path(path).name)
        return original(data, path, module)

    monkeypatch.setattr(Source, "parse", counting)
    _, facts = _run(root, monkeypatch, use_cache=False)
    timeouts = [
        site["timeout_values"]
        for f in facts
        for site in f["sites"]  # type: ignore[attr-defined]
        if site["library"] == "celery"
    ]
    return sorted(parsed), timeouts


def test_a_conf_file_is_parsed_only_when_the_project_makes_a_celery_app(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`.conf.` (Home Assistant's `entry.conf.`, 6 files) is read for a Celery app's
    configuration: with no `Celery` anywhere, such a file is not parsed."""
    (project / "app" / "tasks.py").unlink()
    parsed, _ = _publish_timeouts(project, monkeypatch, {"settings.py": CONFIGURES})
    assert "settings.py" not in parsed


@pytest.mark.parametrize(
    ("conf_name", "timeouts"),
    # In path order: an app's configuration after the app counts; before it, as before, not.
    [("zz_conf.py", [(2.0,)]), ("aa_conf.py", [(4.0,)])],
)
def test_a_conf_file_keeps_its_place_when_there_is_an_app(
    conf_name: str, timeouts: list[object], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "app" / "tasks.py").unlink()
    files = {"worker.py": WORKER, conf_name: CONFIGURES, "shipping.py": PUBLISH_FROM_APP}
    parsed, found = _publish_timeouts(project, monkeypatch, files)
    assert conf_name in parsed
    assert found == timeouts
