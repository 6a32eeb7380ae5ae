"""The scan as a whole: files, prefilter, cache, parallel workers, bad input, configuration."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fmcat.lint import LintOptions, run_lint
from fmcat.paths import display_path
from fmcat.scan.cache import ScanCache
from fmcat.scan.engine import PARALLEL_THRESHOLD, ScanOptions, ScanResult, scan
from fmcat.scan.knowledge import builtin
from tests.conftest import run_fmcat, write
from tests.cputime import cpu_time
from tests.parse_log import log_parses, parsed

MISSING = "import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n"


def codes(root: Path, **options: object) -> list[tuple[str, int, str]]:
    result = run_lint(LintOptions(paths=(root,), use_cache=False, **options))  # type: ignore[arg-type]
    return [(Path(f.location.path).name, f.location.line, f.code) for f in result.findings]


def test_no_catalog_runs_code_rules_and_says_so(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": MISSING})
    result = run_fmcat("lint", cwd=tmp_path)
    assert result.code == 1
    assert result.stdout.startswith("app.py:5:12: FM101 requests.get has no timeout")
    assert "no catalog at failure-modes; running the code rules alone" in result.stderr


def test_excludes_defaults_and_configured(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app.py": MISSING,
            ".venv/lib/site.py": MISSING,
            "build/lib/app.py": MISSING,
            "generated/client.py": MISSING,
            "pyproject.toml": '[tool.fmcat]\nexclude = ["generated/"]\n',
        },
    )
    assert [name for name, _, _ in codes(tmp_path)] == ["app.py", "app.py"]  # FM101 + FM103


def test_symlink_loop_does_not_hang(tmp_path: Path) -> None:
    write(tmp_path, {"pkg/app.py": MISSING})
    (tmp_path / "pkg" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "pkg" / "dangling.py").symlink_to(tmp_path / "nowhere.py")
    with cpu_time() as spent:  # in this process and its parse worker
        found = codes(tmp_path)
    assert spent.seconds < 10, f"took {spent.seconds:.1f} s of CPU"
    assert ("app.py", 5, "FM101") in found


def test_prefilter_skips_files_without_client_imports(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app.py": MISSING,
            "util.py": "def get(d):\n    return d.get('x')\n",
            # Imports a client library but never calls into it: nothing there can matter.
            "futures.py": "from asyncio import Future\nimport urllib.parse\n",
            "conn.py": "import asyncio\nasync def f(h):\n    await asyncio.open_connection(h, 1)\n",
        },
    )
    result = run_lint(LintOptions(paths=(tmp_path,), use_cache=False))
    assert (result.python_files, result.parsed_files) == (4, 2)


#: Files that import a library and use what the import binds in no way that can reach one of
#: its calls or clients: not parsed (each was a libcst parse for nothing on real code).
NOT_PARSED = {
    "excepts.py": "import socket\ntry:\n    pass\nexcept socket.gaierror:\n    pass\n",
    "errors.py": "from requests import RequestException\nraise RequestException('x')\n",
    "typed.py": "from requests import Response\n\n\ndef f(r: Response) -> list[Response]:\n"
    "    return [r]\n",
    "unused.py": "import requests  # noqa: F401 (re-exported)\n__all__ = ['requests']\n",
}
#: And the uses that can, each one finding.
PARSED = {
    "annotated.py": "from botocore.client import BaseClient\n\n\n"
    "def put(s3: BaseClient):\n    s3.put_object(Bucket='b', Key='k')\n",
    "quoted.py": "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
    "    from botocore.client import BaseClient\n\n\n"
    "def put(s3: 'BaseClient'):\n    s3.put_object(Bucket='b', Key='k')\n",
    "aliased.py": "import requests\nhttp = requests\n\n\ndef f(u):\n    return http.get(u)\n",
    "chained.py": "import requests\n\n\ndef f(u):\n    return (requests\n        .get(u))\n",
    "imported.py": "from requests import get as fetch\n\n\ndef f(u):\n    return fetch(u)\n",
    "star.py": "from requests import *\n\n\ndef f(u):\n    return get(u)\n",
}


def test_prefilter_parses_only_files_whose_imports_are_used_to_call(tmp_path: Path) -> None:
    write(tmp_path, {**NOT_PARSED, **PARSED})
    result = run_lint(LintOptions(paths=(tmp_path,), use_cache=False))
    total = len(NOT_PARSED) + len(PARSED)
    assert (result.python_files, result.parsed_files) == (total, len(PARSED))
    found = {Path(f.location.path).name for f in result.findings if f.code == "FM103"}
    assert found == set(PARSED)


def test_build_folders_inside_packages_are_scanned(tmp_path: Path) -> None:
    write(tmp_path, {"build/gen.py": MISSING, "pkg/build/steps.py": MISSING})
    assert {name for name, _, _ in codes(tmp_path)} == {"steps.py"}


@pytest.mark.parametrize(
    ("source", "line", "column", "words"),
    [
        (b"import requests\nprint 'python 2'\n", 2, 1, "Missing parentheses"),
        (b"import requests\ndef f(:\n    pass\n", 2, 7, "invalid syntax"),
        (b"import requests\nx = 1\x00\n", 2, 6, "null byte"),
        (b"import requests\nx = '\xe9'\n", 2, 6, "not valid UTF-8"),
        (b"import requests\nx = " + b"1 + " * 3000 + b"1\n", 2, 2007, "over 500 levels deep"),
        (b"import requests\nx = " + b"(" * 5000 + b"1" + b")" * 5000 + b"\n", 2, 205, "nested"),
    ],
    ids=["python2", "syntax", "null", "latin1", "long-chain", "deep-parens"],
)
def test_unparsable_files_are_fm100_and_the_scan_goes_on(
    tmp_path: Path, source: bytes, line: int, column: int, words: str
) -> None:
    # The bad file calls into requests too, or the prefilter would rightly not parse it at all.
    write(tmp_path, {"bad.py": source + b"requests.get(url)\n", "good.py": MISSING})
    result = run_fmcat("lint", "--no-cache", "-f", "json", cwd=tmp_path, timeout=60)
    assert result.code == 1
    assert "Traceback" not in result.stderr
    findings = json.loads(result.stdout)["findings"]
    bad = [f for f in findings if f["path"] == "bad.py"]
    assert [(f["code"], f["line"], f["column"]) for f in bad] == [("FM100", line, column)]
    assert words in bad[0]["message"]
    assert any(f["path"] == "good.py" and f["code"] == "FM101" for f in findings)


def test_encoding_cookie_is_honoured(tmp_path: Path) -> None:
    source = b"# -*- coding: latin-1 -*-\nimport requests\nrequests.get('\xe9')\n"
    write(tmp_path, {"app.py": source})
    assert ("app.py", 3, "FM101") in codes(tmp_path)


def test_five_megabyte_module_is_reported_notparsed(tmp_path: Path) -> None:
    body = "import requests\nrequests.get(URL)\n" + "".join(
        f"VALUE_{i} = {'x' * 60!r}\n" for i in range(70_000)
    )
    write(tmp_path, {"generated.py": body})
    assert (tmp_path / "generated.py").stat().st_size > 5_000_000
    with cpu_time() as spent:
        result = run_fmcat("lint", "--no-cache", cwd=tmp_path, timeout=60)
    assert spent.seconds < 30, f"took {spent.seconds:.1f} s of CPU"
    assert "generated.py:1:1: FM100 not scanned: 5." in result.stdout


def test_suppressions_and_unused_ones(tmp_path: Path) -> None:
    source = (
        "import requests\n"
        "requests.get(u)  # fmcat: ignore[FM101]\n"
        "requests.get(u)  # fmcat: ignore\n"
        "requests.get(u, timeout=1)  # fmcat: ignore[FM101, FM103]\n"
    )
    write(tmp_path, {"app.py": source})
    assert codes(tmp_path) == [("app.py", 2, "FM103")]
    found = codes(tmp_path, report_unused_ignores=True)
    assert found == [("app.py", 2, "FM103"), ("app.py", 4, "FM108")]


def test_per_file_ignores(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app.py": MISSING,
            "tests/test_app.py": MISSING,
            "pyproject.toml": '[tool.fmcat]\nper_file_ignores = {"tests/*" = ["FM1"]}\n',
        },
    )
    assert {name for name, _, _ in codes(tmp_path)} == {"app.py"}


def test_users_extend_the_client_table(tmp_path: Path) -> None:
    pyproject = """\
[tool.fmcat]
[[tool.fmcat.clients]]
name = "acme"
modules = ["acme"]
exceptions = ["acme.AcmeError"]
default_timeout = "none"
functions = [{ name = "acme.fetch", timeout = ["deadline@1"] }]
"""
    source = "import acme\n\nacme.fetch('x')\nacme.fetch('x', 5)\n"
    write(tmp_path, {"app.py": source, "pyproject.toml": pyproject})
    assert codes(tmp_path) == [
        ("app.py", 3, "FM101"),
        ("app.py", 3, "FM103"),
        ("app.py", 4, "FM103"),
    ]


def test_a_bad_client_table_is_a_config_error(tmp_path: Path) -> None:
    pyproject = '[tool.fmcat]\n[[tool.fmcat.clients]]\nname = "acme"\nmodules = ["acme"]\n'
    write(tmp_path, {"app.py": MISSING, "pyproject.toml": pyproject})
    result = run_fmcat("lint", cwd=tmp_path)
    assert result.code == 2
    assert "[tool.fmcat] clients[1].exceptions: required, but missing" in result.stderr


def _scan(root: Path) -> ScanResult:
    return scan(ScanOptions(paths=(root,), root=root.resolve()), builtin(), display_path)


def _age(*paths: Path) -> None:
    """Files last changed a minute ago: older than the cache's racy window."""
    past = time.time() - 60
    for path in paths:
        os.utime(path, (past, past))


@pytest.fixture
def parses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return log_parses(tmp_path, monkeypatch)


def test_cache_hits_read_nothing_and_misses_parse_only_what_changed(
    tmp_path: Path, parses: Path
) -> None:
    project = write(
        tmp_path / "project",
        {"app.py": MISSING, "other.py": MISSING.replace("get", "post"), "util.py": "x = 1\n"},
    )
    _age(*project.iterdir())
    cold = _scan(project)
    assert parsed(parses) == ["app.py", "other.py"]
    # app.py and other.py define derived clients (their functions let requests' failures out);
    # the whole-project round holds util.py against them by what it imports, noted when the
    # per-file phase read it, and does not read it again.
    assert (cold.read, cold.opened, cold.parsed, cold.from_cache) == (3, 3, 2, 0)

    warm = _scan(project)
    assert parsed(parses) == []
    assert (warm.read, warm.opened, warm.parsed, warm.from_cache) == (3, 0, 0, 2)
    assert [f.to_json() for f in warm.files] == [f.to_json() for f in cold.files]

    # Changed bytes: read and parsed again, that file alone.
    (project / "app.py").write_text(MISSING.replace("url)", "url, timeout=2)"), "utf-8")
    _age(project / "app.py")
    changed = _scan(project)
    assert parsed(parses) == ["app.py"]
    assert (changed.opened, changed.parsed, changed.from_cache) == (1, 1, 1)
    app = next(f for f in changed.files if f.path.endswith("app.py"))
    assert [s.timeout.value for s in app.sites] == ["set"]

    # Touched, same bytes: read once to hash, not parsed.
    os.utime(project / "other.py")
    _age(project / "other.py")
    touched = _scan(project)
    assert parsed(parses) == []
    assert (touched.opened, touched.parsed, touched.from_cache) == (1, 0, 2)


def test_a_file_changed_just_before_the_scan_is_checked_by_hash_next_time(
    tmp_path: Path, parses: Path
) -> None:
    """Its status may not change again within the timestamp granularity: a racy entry."""
    project = write(tmp_path / "project", {"app.py": MISSING})
    _scan(project)
    assert parsed(parses) == ["app.py"]
    again = _scan(project)
    assert (again.opened, again.parsed, again.from_cache) == (1, 0, 1)
    assert parsed(parses) == []


def test_findings_from_the_cache_are_the_cold_ones(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": MISSING, "other.py": MISSING.replace("get", "post")})
    first = run_lint(LintOptions(paths=(tmp_path,)))
    assert [ScanCache(tmp_path, "", True, 0).file.exists()] == [True]
    second = run_lint(LintOptions(paths=(tmp_path,)))
    assert second.findings == first.findings
    assert len(first.findings) == 4


def test_corrupt_cache_is_a_cold_run(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": MISSING})
    cache = ScanCache(tmp_path, "", True, 0).file
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text("{not json", encoding="utf-8")
    assert [f.code for f in run_lint(LintOptions(paths=(tmp_path,))).findings] == [
        "FM101",
        "FM103",
    ]


def test_no_cache_flag_and_environment_write_nothing(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": MISSING})
    cache_home = Path(os.environ["FMCAT_CACHE_DIR"])
    run_fmcat("lint", "--no-cache", cwd=tmp_path)
    assert list(cache_home.iterdir()) == []
    env_run = run_fmcat("lint", cwd=tmp_path)  # run_fmcat sets FMCAT_NO_CACHE=1
    assert env_run.code == 1
    assert list(cache_home.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.py"]


def test_parallel_workers_give_the_same_findings(tmp_path: Path) -> None:
    count = PARALLEL_THRESHOLD + 6
    write(tmp_path, {f"pkg/mod{i}.py": MISSING for i in range(count)})
    result = run_fmcat("lint", "--no-cache", "-f", "json", cwd=tmp_path, timeout=120)
    findings = json.loads(result.stdout)["findings"]
    assert len(findings) == 2 * count
    assert sorted({f["path"] for f in findings}) == sorted(f"pkg/mod{i}.py" for i in range(count))


def test_progress_stays_off_stderr_when_not_a_terminal(tmp_path: Path) -> None:
    write(tmp_path, {f"m{i}.py": MISSING for i in range(3)})
    result = run_fmcat("lint", cwd=tmp_path)
    assert "\r" not in result.stderr
    assert "scanning [" not in result.stderr


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    """With stderr on a terminal, long scans draw a bar there; stdout stays the report."""
    write(tmp_path, {f"pkg/m{i}.py": MISSING for i in range(210)})
    main, secondary = pty.openpty()
    env = {**os.environ, "FMCAT_NO_CACHE": "1", "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "fmcat", "lint", "-f", "json"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=secondary,
        env=env,
        timeout=120,
        check=False,
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    terminal = b"".join(chunks).decode()
    assert "scanning [" in terminal and "210/210 files" in terminal
    assert len(json.loads(done.stdout)["findings"]) == 420


def test_files_named_one_by_one_report_only_on_themselves(tmp_path: Path) -> None:
    """As pre-commit runs it: the catalog attributes the calls, but its own findings (and
    FM201, which needs the whole code) are left to runs over the whole project."""
    catalog = (
        "dependency: geo\nowner: team-geo\nkind: http\ncriticality: optional\n"
        'match:\n  - url: "https://geo.example.com/*"\n'
    )
    write(
        tmp_path,
        {
            "failure-modes/geo.yaml": catalog,
            "failure-modes/unused.yaml": catalog.replace("geo", "unused"),
            "app.py": "import requests\n\ndef f():\n    requests.get('https://geo.example.com/x')\n",
        },
    )
    whole = {code for _, _, code in codes(tmp_path)}
    assert {"FM010", "FM201", "FM101"} <= whole
    named = run_lint(LintOptions(paths=(tmp_path / "app.py",), use_cache=False))
    assert {f.code for f in named.findings} == {"FM101", "FM103"}
    both = run_lint(
        LintOptions(
            paths=(tmp_path / "app.py", tmp_path / "failure-modes/geo.yaml"), use_cache=False
        )
    )
    assert {Path(f.location.path).name for f in both.findings} == {"app.py", "geo.yaml"}


def test_fmcat_is_known_by_its_files_and_its_interpreter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The caches' key names this fmcat: its version alone stays 0.1.0 across upgrades from a
    branch and edits of an editable install. And the interpreter: from Python 3.12 the tokenizer
    gives up on brackets 200 deep, so a file that is FM100 "nested" under 3.11 was a parser
    crash under 3.13, and a cache written by one answered for the other."""
    from fmcat import build

    package = tmp_path / "fmcat"
    (package / "scan").mkdir(parents=True)
    (package / "scan" / "clients.toml").write_text("[[library]]\n", encoding="utf-8")
    (package / "notes.txt").write_text("not code\n", encoding="utf-8")
    first = build.identity_of(package)
    (package / "notes.txt").write_text("still not code\n", encoding="utf-8")
    assert build.identity_of(package) == first
    (package / "scan" / "clients.toml").write_text("[[library]]\nname = 'x'\n", encoding="utf-8")
    edited = build.identity_of(package)
    assert edited != first
    monkeypatch.setattr(sys, "version_info", (3, 99, 0, "final", 0))
    assert build.identity_of(package) != edited


def test_the_cache_the_memo_and_the_framework_cache_are_keyed_by_fmcats_identity(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fmcat.frameworks import cache as framework_cache
    from fmcat.scan import engine, memo

    options = ScanOptions(paths=(tmp_path,), root=tmp_path)
    kb = builtin()
    keys = [engine._config_key(kb, options), memo.digest(["same"]), framework_cache.cache_key(1)]
    for module in (engine, memo, framework_cache):
        monkeypatch.setattr(module, "identity", lambda: "another fmcat")
    other = [engine._config_key(kb, options), memo.digest(["same"]), framework_cache.cache_key(1)]
    assert [a != b for a, b in zip(keys, other, strict=True)] == [True, True, True]
