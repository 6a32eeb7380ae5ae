"""The whole-project analysis (scan/project.py, rounds.py, escapes.py) on real files.

Derived clients across modules, the path FM103 names, the warm run that parses nothing, the
`handled_by` setting, and the bad input of issue 8: recursive wrappers, import cycles, a chain
deeper than the bound, class hierarchies with cycles, 10,000 functions in one file. Each bad
input runs the real CLI: exit 1 with findings, no traceback, and what fmcat could not follow
said on stderr with its location.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from fmcat.lint import LintOptions, knowledge, run_lint
from fmcat.paths import display_path
from fmcat.scan.engine import ScanOptions, scan
from fmcat.scan.project import MAX_ROUNDS
from tests.conftest import run_fmcat, write
from tests.cputime import cpu_time

REPORT_LINE = re.compile(r"^[^:\n]+:\d+:\d+: FM\d{3} .+$")


def findings(root: Path) -> list[tuple[str, int, str, str]]:
    """In-process lint from inside ``root``, so paths (also in messages) are relative to it."""
    here = Path.cwd()
    os.chdir(root)
    try:
        result = run_lint(LintOptions(paths=(Path(),), use_cache=False))
    finally:
        os.chdir(here)
    return [
        (Path(f.location.path).as_posix(), f.location.line, f.code, f.message)
        for f in result.findings
    ]


def clean_run(root: Path) -> tuple[list[str], str]:
    """The CLI on ``root``: findings (exit 1), report lines only on stdout, no traceback."""
    run = run_fmcat("lint", cwd=root, timeout=300)
    assert run.code == 1, run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert lines and all(REPORT_LINE.match(line) for line in lines), run.stdout
    return lines, run.stderr


TAGS = """\
import requests


def add_tag(item):
    requests.post(f"https://tags.example.com/{item}", timeout=2)
"""


def test_the_path_names_each_unhandled_caller_and_where_it_calls(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/tags.py": TAGS,
            "app/views/__init__.py": "",
            "app/views/malware.py": (
                "import requests\n"
                "from ..tags import add_tag\n\n\n"
                "def flag(item):\n"
                "    try:\n"
                "        add_tag(item)\n"
                "    except requests.RequestException:\n"
                "        pass\n\n\n"
                "def remove_malware(item):\n"
                "    add_tag(item)\n"
            ),
        },
    )
    found = findings(tmp_path)
    assert [(Path(p).name, line, code) for p, line, code, _ in found] == [("tags.py", 5, "FM103")]
    assert found[0][3] == (
        "requests.post can fail (requests.RequestException) and no caller handles it on the "
        "way out: add_tag ← remove_malware (app/views/malware.py:13)"
    )


def test_every_caller_handling_it_means_no_finding(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/tags.py": TAGS,
            "app/tasks.py": (
                "import requests\n"
                "from celery import shared_task\n"
                "from .tags import add_tag\n\n\n"
                "@shared_task(autoretry_for=(requests.RequestException,))\n"
                "def tag_later(item):\n"
                "    add_tag(item)\n"
            ),
        },
    )
    assert findings(tmp_path) == []


def test_a_subclass_caught_by_the_caller_is_named(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/tags.py": TAGS,
            "app/views.py": (
                "import requests\n"
                "from .tags import add_tag\n\n\n"
                "def refresh(item):\n"
                "    try:\n"
                "        add_tag(item)\n"
                "    except requests.HTTPError:\n"
                "        pass\n"
            ),
        },
    )
    (message,) = [m for _, _, code, m in findings(tmp_path) if code == "FM103"]
    assert "catching only requests.HTTPError lets the rest of requests.RequestException" in message
    assert message.endswith("add_tag ← refresh (app/views.py:7)")


def test_declared_handled_by_decorators_handle_what_they_wrap(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": '[tool.fmcat]\nhandled_by = ["app.utils.safe"]\n',
            "app/__init__.py": "",
            "app/utils.py": "def safe(func):\n    return func\n",
            "app/views.py": (
                "import requests\n"
                "from .utils import safe\n\n\n"
                "@safe\n"
                "def status():\n"
                "    return requests.get('https://status.example.com', timeout=2)\n\n\n"
                "def other():\n"
                "    return requests.get('https://status.example.com', timeout=2)\n"
            ),
        },
    )
    assert [(line, code) for _, line, code, _ in findings(tmp_path)] == [(11, "FM103")]


def test_a_warm_run_parses_nothing_and_finds_the_same(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/lib.py": (
                "import requests\n\n\n"
                "def get(url, timeout=None):\n"
                "    return requests.get(url, timeout=timeout)\n"
            ),
            "app/views.py": "from . import lib\n\n\ndef page():\n    return lib.get('https://x')\n",
        },
    )
    kb = knowledge_for(tmp_path)
    options = ScanOptions(paths=(tmp_path,), root=tmp_path.resolve())
    cold = scan(options, kb, display_path)
    warm = scan(options, kb, display_path)
    assert (cold.parsed, cold.from_cache) == (2, 0)
    assert (warm.parsed, warm.from_cache) == (0, 2)
    assert [f.sites for f in warm.files] == [f.sites for f in cold.files]
    views = next(f for f in warm.files if f.path.endswith("views.py"))
    assert [(s.qualname, s.timeout.value, s.derived) for s in views.sites] == [
        ("app.lib.get", "missing", True)
    ]


def knowledge_for(root: Path):  # type: ignore[no-untyped-def]
    from fmcat.config import find_project

    return knowledge(find_project(root))


# -- bad input -----------------------------------------------------------------------------


def test_recursive_wrappers_are_followed_without_looping(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/walk.py": (
                "import requests\n\n\n"
                "def crawl(url, depth=3):\n"
                "    requests.get(url, timeout=2)\n"
                "    if depth:\n"
                "        crawl(url, depth - 1)\n\n\n"
                "def ping(url):\n"
                "    requests.head(url, timeout=2)\n"
                "    pong(url)\n\n\n"
                "def pong(url):\n"
                "    ping(url)\n"
            ),
        },
    )
    lines, _ = clean_run(tmp_path)
    assert [line.split(": ")[0].rsplit(":", 2)[1] for line in lines] == ["5", "11"]
    assert all(" FM103 " in line for line in lines)


def test_an_import_cycle_between_modules(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/a.py": (
                "import requests\n"
                "from . import b\n\n\n"
                "def fetch(url, timeout=None):\n"
                "    return requests.get(url, timeout=timeout)\n\n\n"
                "def use():\n"
                "    return b.relay('https://x')\n"
            ),
            "app/b.py": ("from . import a\n\n\ndef relay(url):\n    return a.fetch(url)\n"),
        },
    )
    lines, _ = clean_run(tmp_path)
    assert any(line.startswith("app/b.py:5:") and " FM101 " in line for line in lines), lines
    (fm103,) = [line for line in lines if " FM103 " in line]
    assert fm103.endswith("fetch ← relay (app/b.py:5) ← use (app/a.py:10)")


def test_a_wrapper_chain_deeper_than_the_bound_is_said_where_it_stops(tmp_path: Path) -> None:
    depth = MAX_ROUNDS + 3
    files = {"app/__init__.py": ""}
    files["app/m0.py"] = (
        "import requests\n\n\ndef f0(url, timeout=None):\n"
        "    return requests.get(url, timeout=timeout)\n"
    )
    for level in range(1, depth):
        files[f"app/m{level}.py"] = (
            f"from .m{level - 1} import f{level - 1}\n\n\n"
            f"def f{level}(url, timeout=None):\n"
            f"    return f{level - 1}(url, timeout=timeout)\n"
        )
    files["app/top.py"] = f"from .m{depth - 1} import f{depth - 1}\n\nf{depth - 1}('https://x')\n"
    write(tmp_path, files)
    lines, stderr = clean_run(tmp_path)
    assert lines and all(" FM103 " in line for line in lines)
    note = [line for line in stderr.splitlines() if "wrapper chain deeper than" in line]
    assert len(note) == 1, stderr
    assert re.search(rf"app/m{MAX_ROUNDS}\.py:4: wrapper chain deeper than {MAX_ROUNDS}", note[0])


def test_class_hierarchies_with_cycles(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/clients.py": (
                "import requests\n\n\n"
                "class A(requests.Session):\n"
                "    pass\n\n\n"
                "class B(A):\n"
                "    pass\n\n\n"
                "A.__bases__ = (B,)\n\n\n"
                "class C(D):  # noqa: F821, a NameError at import time\n"
                "    def get(self, url):\n"
                "        return self.http.get(url)\n\n\n"
                "class D(C):\n"
                "    pass\n\n\n"
                "def use():\n"
                "    B().get('https://x')\n"
                "    D().get('https://x')\n"
            ),
        },
    )
    lines, _ = clean_run(tmp_path)
    assert [line.split(" ")[1] for line in lines if ":25:" in line] == ["FM101", "FM103"]


def test_ten_thousand_functions_in_one_file(tmp_path: Path) -> None:
    body = ["import requests\n"]
    for number in range(10_000):
        body.append(f"\ndef f{number}(url):\n    return requests.get(url, timeout=2)\n")
    body.append("\ndef main():\n    try:\n        f0('https://x')\n")
    body.append("    except requests.RequestException:\n        pass\n")
    write(tmp_path, {"app/__init__.py": "", "app/many.py": "".join(body)})
    with cpu_time() as spent:
        lines, _ = clean_run(tmp_path)
    # f0's only caller handles its failure; the 9,999 others have no caller.
    assert len(lines) == 9_999 and all(" FM103 " in line for line in lines)
    assert not any(line.startswith("app/many.py:5:") for line in lines)
    assert spent.seconds < 120, f"{spent.seconds:.0f} s of CPU"


def test_a_wrapper_whose_timeout_comes_from_settings_gives_its_callers_one(tmp_path: Path) -> None:
    """`timeout=settings.HTTP_TIMEOUT` is a bound (FM109 says configuration decides its value,
    at the call that takes it): the wrapper's callers are not told they wait forever."""
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/settings.py": "HTTP_TIMEOUT = 3\n",
            "app/http.py": (
                "import requests\n"
                "from django.conf import settings\n\n\n"
                "def get(url):\n"
                "    try:\n"
                "        return requests.get(url, timeout=settings.HTTP_TIMEOUT)\n"
                "    except requests.RequestException:\n"
                "        return None\n"
            ),
            "app/views.py": "from .http import get\n\n\ndef page():\n    return get('https://a.example.com/')\n",
        },
    )
    assert findings(tmp_path) == [
        (
            "app/http.py",
            7,
            "FM109",
            "requests.get takes its timeout from configuration fmcat cannot read "
            "(timeout=settings.HTTP_TIMEOUT); check the value it is set to",
        )
    ]
