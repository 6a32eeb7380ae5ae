"""Which files a whole-project round analyses again: those for which the table answers one of
the names their analysis asked differently (lookups.py, reach.lookup_key), not every file that
reaches a module whose entries changed.

A generated SDK's event classes subclass one class of a module whose other entries change
from round to round: each was analysed again in every such round, for the same facts.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from fmcat.config import find_project
from fmcat.lint import knowledge
from fmcat.paths import display_path
from fmcat.scan.engine import ScanOptions, scan
from fmcat.scan.facts import FileFacts
from fmcat.scan.knowledge import KnowledgeBase
from fmcat.scan.lookups import noting
from fmcat.scan.reach import Derived, lookup_key
from tests.conftest import write
from tests.parse_log import log_parses, parsed

#: app.lib.first is a client from the first round on; app.lib.second only from the second
#: (it wraps app.deep.fetch, a client once the first round has joined deep.py).
FILES = {
    "app/__init__.py": "",
    "app/deep.py": "import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n",
    "app/lib.py": (
        "import requests\n\nfrom app.deep import fetch\n\n\n"
        "def first(url, timeout=None):\n    return requests.get(url, timeout=timeout)\n\n\n"
        "def second(url):\n    return fetch(url)\n"
    ),
    # Asks for app.lib.first alone: the second round's new entry beside it changes nothing.
    "app/only_first.py": "from app.lib import first\n\nfirst('https://x')\n",
    # Asks for app.lib.second too, which the first round's table did not have.
    "app/both.py": (
        "from app.lib import first, second\n\nfirst('https://x')\nsecond('https://x')\n"
    ),
}


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    return knowledge(find_project(tmp_path))


def test_a_file_is_analysed_again_only_for_a_name_it_asked(
    tmp_path: Path, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    parses = log_parses(tmp_path, monkeypatch)
    root = write(tmp_path / "project", FILES).resolve()
    result = scan(ScanOptions(paths=(root,), root=root, use_cache=False), kb, display_path)
    log = parsed(parses)
    # lib.py twice (in the per-file phase, then with deep.fetch); both.py twice (first with
    # app.lib.first, then with app.lib.second as well); only_first.py once.
    assert log.count("only_first.py") == 1, log
    assert log.count("both.py") == 2, log
    sites = {
        Path(f.path).name: sorted((s.qualname, s.timeout.value) for s in f.sites)
        for f in result.files
    }
    assert sites["only_first.py"] == [("app.lib.first", "missing")]
    assert sites["both.py"] == [("app.lib.first", "missing"), ("app.lib.second", "elsewhere")]


def test_a_warm_run_after_the_rounds_opens_nothing(
    tmp_path: Path, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The facts a round kept as they were are cached with the keys of the last table."""
    monkeypatch.setenv("FMCAT_CACHE_DIR", str(tmp_path / "cache"))
    root = write(tmp_path / "project", FILES).resolve()
    past = time.time_ns() - 60 * 10**9  # older than the racy window: the status proves it
    for path in root.rglob("*.py"):
        os.utime(path, ns=(past, past))
    options = ScanOptions(paths=(root,), root=root, use_cache=True)
    cold = scan(options, kb, display_path)
    warm = scan(options, kb, display_path)
    assert cold.parsed > 0
    assert (warm.opened, warm.parsed) == (0, 0)
    assert [f.sites for f in warm.files] == [f.sites for f in cold.files]


def test_the_table_notes_each_name_asked_found_or_not(kb: KnowledgeBase) -> None:
    derived = Derived(instances={"app.ext.cache": "redis.Redis"})
    table = derived.extend(kb)
    with noting() as names:
        assert table.function("requests.get") is not None
        assert table.function("app.lib.missing") is None
        assert "app.lib.Client" not in table.clients
        assert table.instance_types.get("app.ext.cache") == "redis.Redis"
    assert {"requests.get", "app.lib.missing", "app.lib.Client", "app.ext.cache"} <= names
    # Outside an analysis nothing is noted.
    with noting() as later:
        pass
    table.function("requests.post")
    assert "requests.post" not in later


def test_the_key_changes_with_the_answer_to_a_name_asked_and_only_then() -> None:
    facts = FileFacts(path="use.py", module="app.use")
    facts.summary.looked_up = ["app.ext.cache", "app.lib.get"]
    before = Derived(instances={"app.ext.cache": "redis.Redis"})
    other = Derived(instances={"app.ext.cache": "redis.Redis", "app.ext.queue": "redis.Redis"})
    changed = Derived(instances={"app.ext.cache": "redis.StrictRedis"})
    assert lookup_key(before, facts) == lookup_key(other, facts) != ""
    assert lookup_key(changed, facts) != lookup_key(before, facts)
    assert lookup_key(Derived(), facts) == ""
