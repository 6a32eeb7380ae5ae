"""The scan on code it did not expect: hostile repositories, special files, races, parser
crashes, prefilter evasions and look-alike names (issue 9's table, the rows of the scan), and
its scope (issue 8). Each test failed before its fix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from fmcat.lint import LintOptions, run_lint
from fmcat.scan import engine, files, tokens
from fmcat.scan.cache import ScanCache, content_hash
from fmcat.scan.engine import PARALLEL_THRESHOLD, ScanOptions, _config_key
from fmcat.scan.facts import FileFacts
from fmcat.scan.knowledge import builtin
from tests.conftest import REPO, run_fmcat, write
from tests.cputime import cpu_time
from tests.test_scan_engine import MISSING, codes


def lint_json(
    root: Path, *args: str, timeout: float = 120
) -> tuple[int, list[dict[str, Any]], str]:
    result = run_fmcat("lint", "--no-cache", "-f", "json", *args, cwd=root, timeout=timeout)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    return result.code, json.loads(result.stdout)["findings"], result.stderr


# --- Row 4, and the poisoned cache of row 9: a cache the repository could commit -------------


def test_a_committed_cache_folder_symlink_makes_fmcat_write_nothing_outside(
    tmp_path: Path,
) -> None:
    project = write(tmp_path / "project", {"app.py": MISSING})
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim").write_text("keep me\n", encoding="utf-8")
    (project / ".fmcat_cache").symlink_to(outside, target_is_directory=True)
    (outside / ".gitignore").symlink_to(outside / "victim")
    for _ in range(2):
        assert [f.code for f in run_lint(LintOptions(paths=(project,))).findings] == [
            "FM101",
            "FM103",
        ]
    assert sorted(p.name for p in outside.iterdir()) == [".gitignore", "victim"]
    assert (outside / "victim").read_text(encoding="utf-8") == "keep me\n"
    assert ScanCache(project, "", True, 0).file.is_file()  # the cache went to the user's folder


def test_a_committed_cache_that_hides_the_findings_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`.fmcat_cache/scan-v1.json` as the old fmcat wrote it, with `"sites": []` for a file
    with two findings and the right key and hash: a repository can compute both."""
    project = write(tmp_path / "project", {"app.py": MISSING})
    monkeypatch.chdir(project)
    options = ScanOptions(paths=(project,), root=project)
    facts = FileFacts(path="app.py", module="app", parsed=True)
    entry = {"hash": content_hash(MISSING.encode()), "facts": facts.to_json()}
    poisoned = {"key": _config_key(builtin(), options), "files": {"app.py": entry}}
    (project / ".fmcat_cache").mkdir()
    (project / ".fmcat_cache" / "scan-v1.json").write_text(json.dumps(poisoned), "utf-8")
    found = run_lint(LintOptions(paths=(project,)))
    assert [(f.location.path, f.code) for f in found.findings] == [
        ("app.py", "FM101"),
        ("app.py", "FM103"),
    ]


def test_a_cache_folder_inside_the_project_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write(tmp_path / "project", {"app.py": MISSING})
    monkeypatch.setenv("FMCAT_CACHE_DIR", str(project / "cache"))
    result = run_lint(LintOptions(paths=(project,)))
    assert [f.code for f in result.findings] == ["FM101", "FM103"]
    assert any("inside the project; the cache is off" in note for note in result.notes)
    assert not (project / "cache").exists()


# --- Row 5: special files where source or the cache should be -------------------------------


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_special_files_are_refused_without_hanging(tmp_path: Path, kind: str) -> None:
    project = write(tmp_path / "project", {"app.py": MISSING})
    special = project / "special.py"
    if kind == "fifo":
        os.mkfifo(special)
    else:
        special.symlink_to("/dev/zero")
    # In a folder: not a file, not read. Named: reported, not read.
    code, findings, _ = lint_json(project, timeout=60)
    assert [(f["path"], f["code"]) for f in findings] == [("app.py", "FM101"), ("app.py", "FM103")]
    code, findings, _ = lint_json(project, "special.py", "app.py", timeout=60)
    assert code == 1
    named = [(f["path"], f["code"], f["message"]) for f in findings if f["path"] == "special.py"]
    expected = "a FIFO" if kind == "fifo" else "a character device"
    assert named == [("special.py", "FM100", f"cannot read: {expected}, not a regular file")]


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_special_file_in_place_of_the_cache_is_a_cold_run(
    tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write(tmp_path / "project", {"app.py": MISSING})
    cache = ScanCache(project, "", True, 0).file
    cache.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(cache)
    else:
        cache.symlink_to("/dev/zero")
    env = {k: v for k, v in os.environ.items() if k != "FMCAT_NO_CACHE"}
    done = subprocess.run(
        [sys.executable, "-m", "fmcat", "lint"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout.count("FM10") == 2


# --- Row 7: the real crash input, and a crash that gets past the guard ------------------------

CHAIN = "import requests\n\nok = " + " and ".join(["a"] * 8000) + "\nrequests.get(url)\n"


def test_an_8000_term_and_chain_is_fm100_not_a_segfault(tmp_path: Path) -> None:
    write(tmp_path, {"chain.py": CHAIN, "app.py": MISSING})
    code, findings, _ = lint_json(tmp_path)
    assert code == 1
    shown = [(f["path"], f["line"], f["code"]) for f in findings]
    assert shown == [("app.py", 5, "FM101"), ("app.py", 5, "FM103"), ("chain.py", 3, "FM100")]
    assert "over 500 levels deep" in findings[2]["message"]


def _crash_past_the_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    # The parse workers are forked: they see the guard switched off.
    monkeypatch.setattr(tokens, "MAX_DEPTH", 10**9)


@pytest.mark.parametrize("others", [2, PARALLEL_THRESHOLD * 3])
def test_a_parser_crash_costs_one_file_not_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, others: int
) -> None:
    files: dict[str, str | bytes] = {f"pkg/m{i:03}.py": MISSING for i in range(others)}
    files["pkg/m001_chain.py"] = CHAIN
    write(tmp_path, files)
    _crash_past_the_guard(monkeypatch)
    result = run_lint(LintOptions(paths=(tmp_path,), use_cache=False))
    crashed = [f for f in result.findings if f.location.path.endswith("m001_chain.py")]
    assert [(f.code, f.message.split(";")[0]) for f in crashed] == [
        ("FM100", "cannot parse: the parser (libcst) crashed on this file")
    ]
    others_found = [f for f in result.findings if f not in crashed]
    assert len(others_found) == 2 * others
    assert len({f.location.path for f in others_found}) == others


# --- Row 8: a symlink loop on a file; a file deleted during the scan --------------------------


def test_a_symlink_loop_on_a_file(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": MISSING})
    (tmp_path / "a.py").symlink_to(tmp_path / "b.py")
    (tmp_path / "b.py").symlink_to(tmp_path / "a.py")
    code, findings, _ = lint_json(tmp_path)
    assert (code, [f["path"] for f in findings]) == (1, ["app.py", "app.py"])
    code, findings, _ = lint_json(tmp_path, "a.py")
    assert [(f["path"], f["code"]) for f in findings] == [("a.py", "FM100")]
    assert "symbolic links" in findings[0]["message"]


@pytest.mark.parametrize("when", ["before-read", "after-read"])
def test_a_file_deleted_during_the_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    write(tmp_path, {"app.py": MISSING, "gone.py": MISSING})
    real = files.read_source

    def deleting(path: Path, limit: int, follow: bool) -> Any:
        if path.name == "gone.py" and when == "before-read":
            path.unlink()
        read = real(path, limit, follow)
        if path.name == "gone.py":
            path.unlink(missing_ok=True)
        return read

    monkeypatch.setattr(engine, "read_source", deleting)
    result = run_lint(LintOptions(paths=(tmp_path,), use_cache=False))
    shown = sorted({Path(f.location.path).name for f in result.findings})
    if when == "before-read":
        assert shown == ["app.py"]
        gone = [n for n in result.notes if "gone.py" in n]
        assert len(gone) == 1 and gone[0].endswith("gone.py: vanished during the scan; not checked")
    else:
        assert shown == ["app.py", "gone.py"]  # judged on the bytes read


# --- Row 9: a file that changes between reads; malformed cache entries ------------------------


def test_each_file_is_read_once_and_judged_on_those_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"app.py": MISSING})
    fixed = MISSING.replace("url)", "url, timeout=2)")
    real = files.read_source
    reads: list[str] = []

    def changing(path: Path, limit: int, follow: bool) -> Any:
        read = real(path, limit, follow)
        reads.append(path.name)
        if len(reads) == 1:
            path.write_text(fixed, encoding="utf-8")  # changed right after fmcat read it
        return read

    monkeypatch.setattr(engine, "read_source", changing)
    first = run_lint(LintOptions(paths=(tmp_path,)))
    assert [f.code for f in first.findings] == ["FM101", "FM103"]
    assert reads == ["app.py"]
    # The cache holds the facts of the bytes read, under their hash: the new bytes are a miss.
    second = run_lint(LintOptions(paths=(tmp_path,)))
    assert [f.code for f in second.findings] == ["FM103"]
    assert reads == ["app.py", "app.py"]


MALFORMED: dict[str, Any] = {
    "facts-not-a-mapping": lambda e: {**e, "facts": "x"},
    "site-with-unknown-keys": lambda e: {**e, "facts": {**e["facts"], "sites": [{"bogus": 1}]}},
    "wrong-type-in-a-site": lambda e: {
        **e,
        "facts": {**e["facts"], "sites": [{**e["facts"]["sites"][0], "span": "1:1"}]},
    },
    "line-not-a-number": lambda e: {
        **e,
        "facts": {
            **e["facts"],
            "sites": [{**s, "span": {**s["span"], "line": "five"}} for s in e["facts"]["sites"]],
        },
    },
    "facts-missing": lambda e: {k: v for k, v in e.items() if k != "facts"},
    "hash-not-text": lambda e: {**e, "hash": 5},
    "status-not-a-list": lambda e: {**e, "stat": "big"},
    "entry-a-list": lambda e: [e],
    "suppressions-bad-key": lambda e: {**e, "facts": {**e["facts"], "suppressions": {"x": []}}},
}


@pytest.mark.parametrize("mutation", sorted(MALFORMED))
def test_a_malformed_cache_entry_is_a_cold_run_for_that_file(tmp_path: Path, mutation: str) -> None:
    write(tmp_path, {"app.py": MISSING})
    past = time.time() - 60
    os.utime(tmp_path / "app.py", (past, past))
    cold = run_lint(LintOptions(paths=(tmp_path,)))
    cache = ScanCache(tmp_path, "", True, 0).file
    document = json.loads(cache.read_text(encoding="utf-8"))
    (key,) = document["files"]
    document["files"][key] = MALFORMED[mutation](document["files"][key])
    cache.write_text(json.dumps(document), encoding="utf-8")
    warm = run_lint(LintOptions(paths=(tmp_path,)))
    assert warm.findings == cold.findings
    assert [f.code for f in warm.findings] == ["FM101", "FM103"]


# --- Row 10: imports the byte prefilter missed -------------------------------------------------

CALL = "def fetch(url):\n    return requests.get(url)\n"
HIDDEN_IMPORTS: dict[str, bytes] = {
    "bom": b"\xef\xbb\xbfimport requests\n" + CALL.encode(),
    "try": b"try: import requests\nexcept ImportError: pass\n" + CALL.encode(),
    "if": b"if True: import requests\n" + CALL.encode(),
    "def": b"def fetch(url): import requests; return requests.get(url)\n",
    "class": b"class Client: import requests; page = requests.get(URL)\n",
    "semicolon": b"x = 1; import requests\n" + CALL.encode(),
    "continuation": b"import os, \\\n    requests\n" + CALL.encode(),
    "from-continuation": b"from \\\n  requests import get\nget(URL)\n",
    "cr-only": ("x = 1\nimport requests\n" + CALL).replace("\n", "\r").encode(),
    "indented-block": b"try:\n    import requests\nexcept ImportError:\n    pass\n" + CALL.encode(),
}


@pytest.mark.parametrize("case", sorted(HIDDEN_IMPORTS))
def test_the_prefilter_sees_every_import_the_analysis_sees(tmp_path: Path, case: str) -> None:
    write(tmp_path, {"app.py": HIDDEN_IMPORTS[case]})
    found = codes(tmp_path)
    assert [code for _, _, code in found].count("FM101") == 1, found


# --- Row 11: NFKC look-alikes -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "column"),
    [
        ("import requests\nrequests.\uff47et(url)\n", 1),
        ("import r\uff45quests\nrequests.get(url)\n", 1),
        ("import requests\nx = 1; requests.\ufb01le = 2; r\uff45quests.get(url)\n", 26),
        ("import requests\nrequests.get(url, \uff54imeout=None)\n", 1),
    ],
    ids=["attribute", "import", "ligature-before-on-the-line", "keyword"],
)
def test_nfkc_look_alike_identifiers_are_the_names_python_reads(
    tmp_path: Path, source: str, column: int
) -> None:
    write(tmp_path, {"app.py": source})
    result = run_lint(LintOptions(paths=(tmp_path,), use_cache=False))
    timeouts = [f for f in result.findings if f.code in ("FM101", "FM102")]
    assert [(f.location.line, f.location.column) for f in timeouts] == [(2, column)]
    expected = "FM102" if "imeout=None" in source else "FM101"
    assert timeouts[0].code == expected


# --- Row 14: a huge sparse file ------------------------------------------------------------------


def test_a_huge_sparse_file_is_fm100_in_bounded_time_and_memory(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": MISSING, "huge.py": MISSING})
    os.truncate(tmp_path / "huge.py", 10 * 1024**3)
    with cpu_time() as spent:
        done = subprocess.run(
            [sys.executable, "-c", _MEASURED, str(tmp_path)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert spent.seconds < 60, f"took {spent.seconds:.1f} s of CPU"
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["findings"] == [
        [
            "app.py",
            5,
            "FM101",
            "requests.get has no timeout and requests waits forever; set timeout=",
        ],
        ["app.py", 5, "FM103", report["findings"][1][3]],
        [
            "huge.py",
            1,
            "FM100",
            "not scanned: 10240.0 MiB is over the 2 MiB limit (generated code?)",
        ],
    ]
    assert report["peak_mib"] < 300


_MEASURED = """
import json, os, sys
from pathlib import Path
from fmcat.lint import LintOptions, run_lint
root = Path(sys.argv[1])
os.chdir(root)
found = run_lint(LintOptions(paths=(root,), use_cache=False)).findings
# VmHWM is this process's own peak. ru_maxrss is not: Linux keeps it across exec, so a child of
# a large pytest process would report the parent's size.
status = Path("/proc/self/status").read_text()
peak = int(status.split("VmHWM:", 1)[1].split()[0]) / 1024
print(json.dumps({
    "findings": [[f.location.path, f.location.line, f.code, f.message] for f in found],
    "peak_mib": peak,
}))
"""


# --- Issue 8: scope and syntax --------------------------------------------------------------------

SCOPED: dict[str, str | bytes] = {
    "app.py": MISSING,
    "pkg/service.py": MISSING,
    "tests/test_app.py": MISSING,
    "pkg/tests/helpers.py": MISSING,
    "pkg/test_service.py": MISSING,
    "pkg/service_test.py": MISSING,
    "conftest.py": MISSING,
    ".github/scripts/release.py": MISSING,
    "pkg/.fixtures/bad.py": MISSING,
    ".venv/lib/site.py": MISSING,
    "node_modules/x/y.py": MISSING,
    "build/lib/app.py": MISSING,
    "pkg/build/steps.py": MISSING,
}


def _paths(root: Path) -> list[str]:
    found = run_lint(LintOptions(paths=(root,), use_cache=False)).findings
    return sorted({Path(f.location.path).resolve().relative_to(root).as_posix() for f in found})


def test_the_scan_covers_production_code_by_default(tmp_path: Path) -> None:
    write(tmp_path, SCOPED)
    assert _paths(tmp_path) == ["app.py", "pkg/build/steps.py", "pkg/service.py"]


def test_include_tests_and_exclude_with_negation(tmp_path: Path) -> None:
    write(tmp_path, SCOPED)
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool.fmcat]\ninclude_tests = true\n", encoding="utf-8")
    assert _paths(tmp_path) == [
        "app.py",
        "conftest.py",
        "pkg/build/steps.py",
        "pkg/service.py",
        "pkg/service_test.py",
        "pkg/test_service.py",
        "pkg/tests/helpers.py",
        "tests/test_app.py",
    ]
    pyproject.write_text(
        '[tool.fmcat]\nexclude = ["!.github/", "pkg/build/", "!tests/"]\n', encoding="utf-8"
    )
    assert _paths(tmp_path) == [
        ".github/scripts/release.py",
        "app.py",
        "pkg/service.py",
        "pkg/tests/helpers.py",
    ]


def test_src_roots_are_scanned_and_nothing_else(tmp_path: Path) -> None:
    write(tmp_path, {**SCOPED, "tools/gen.py": MISSING})
    (tmp_path / "pyproject.toml").write_text(
        '[tool.fmcat]\nsrc = ["pkg", "tools"]\n', encoding="utf-8"
    )
    assert _paths(tmp_path) == ["pkg/build/steps.py", "pkg/service.py", "tools/gen.py"]


def test_a_named_test_file_is_left_out_and_fmcat_says_so(tmp_path: Path) -> None:
    write(tmp_path, SCOPED)
    result = run_fmcat("lint", "--no-cache", "tests/test_app.py", "app.py", cwd=tmp_path)
    assert result.code == 1
    assert {line.split(":")[0] for line in result.stdout.splitlines()} == {"app.py"}
    assert "tests/test_app.py: left out by the scan's exclusions" in result.stderr


def test_python_3_14_syntax_parses_on_an_older_python(tmp_path: Path) -> None:
    source = (
        "import requests\n\ndef fetch(url):\n    try:\n        return requests.get(url)\n"
        "    except requests.Timeout, requests.ConnectionError:\n        return None\n"
    )
    write(tmp_path, {"app.py": source})
    assert sys.version_info < (3, 14)
    found = codes(tmp_path)
    assert ("app.py", 5, "FM101") in found
    assert all(code != "FM100" for _, _, code in found)


def test_the_byte_stage_lets_every_hidden_import_through_and_stops_the_rest() -> None:
    prefilter = engine.prefilter_for(builtin(), ())
    assert [
        case for case, source in HIDDEN_IMPORTS.items() if not prefilter.may_matter(source)
    ] == []
    assert prefilter.may_matter("import r\uff45quests\n".encode())
    assert not prefilter.may_matter(
        b'URL = "http://example.com"\nrequests = []\nrequests.append(1)\n'
    )
    assert not prefilter.may_matter(b"import os, sys\nfrom collections import deque\n")


def test_a_named_link_is_excluded_by_its_own_name_not_its_targets(tmp_path: Path) -> None:
    # As baselines and the checklist name it (fmcat.paths.project_relative): the link's name.
    write(tmp_path, SCOPED)
    (tmp_path / "app_link.py").symlink_to(tmp_path / "tests" / "test_app.py")
    (tmp_path / "tests" / "link_test.py").symlink_to(tmp_path / "app.py")
    result = run_fmcat("lint", "--no-cache", "app_link.py", "tests/link_test.py", cwd=tmp_path)
    assert {line.split(":")[0] for line in result.stdout.splitlines()} == {"app_link.py"}
    assert "tests/link_test.py: left out by the scan's exclusions" in result.stderr
