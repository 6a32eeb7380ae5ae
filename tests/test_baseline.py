"""Baselines: `fmcat lint --write-baseline FILE`, then `--baseline FILE` reports only new findings.

Real CLI runs on projects in tmp_path; the atomic write is also tested as a library call, where a
failure can be injected at the last step.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from fmcat.baseline import BaselineError, write_baseline
from fmcat.findings import Finding, Location
from tests.conftest import run_fmcat, run_unprivileged

CODE = """\
import requests


def charge(order):
    return requests.post("https://api.pay.example.com/v1/charges", json=order)


def refund(order):
    requests.post("https://api.pay.example.com/v1/refunds", json=order)
"""

CATALOG = """\
dependency: payments
owner: team-payments
kind: http
criticality: critical
match:
  - url: "https://api.pay.example.com/*"
policies:
  timeout: {connect: 300ms, read: 2s}
  circuit_breaker: {failure_rate: 50%, window: 30s, min_calls: 20, open_for: 30s}
operations:
  - name: checkout
    idempotent: true
    latency_budget: 3s
    measures: {latency: checkout_seconds, errors: checkout_errors_total}
failure_modes:
  - id: timeout
    title: Provider does not answer
    detection: {signals: [payments_timeouts_total]}
    response: {automatic: [timeout]}
"""


def make_project(root: Path, pyproject: str = "[tool.fmcat]\n") -> Path:
    (root / "shop").mkdir(parents=True)
    (root / "shop" / "pay.py").write_text(CODE, encoding="utf-8")
    (root / "failure-modes").mkdir()
    (root / "failure-modes" / "payments.yaml").write_text(CATALOG, encoding="utf-8")
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    return root


def findings(root: Path, *args: str, cwd: Path | None = None) -> list[tuple[str, str, int]]:
    result = run_fmcat("lint", "-f", "json", *args, cwd=cwd or root)
    assert result.code in (0, 1), result.stderr
    return [(f["code"], f["path"], f["line"]) for f in json.loads(result.stdout)["findings"]]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def baselined(tmp_path: Path) -> Path:
    """A project with findings in its code and its catalog, and a baseline of them."""
    root = make_project(tmp_path / "svc")
    assert {code for code, _, _ in findings(root)} >= {"FM014", "FM101", "FM103"}
    result = run_fmcat("lint", "--write-baseline", "baseline.json", cwd=root)
    assert (result.code, result.stdout) == (0, ""), result.stderr
    return root


def test_write_baseline_records_every_finding_sorted_and_exits_0(baselined: Path) -> None:
    document = json.loads((baselined / "baseline.json").read_text(encoding="utf-8"))
    assert document["version"] == 1
    entries = document["findings"]
    assert len(entries) == len(findings(baselined))
    assert all(list(e) == ["fingerprint", "code", "path", "message"] for e in entries)
    assert entries == sorted(entries, key=lambda e: (e["path"], e["code"], e["message"]))
    assert {e["path"] for e in entries} == {"failure-modes/payments.yaml", "shop/pay.py"}
    assert len({e["fingerprint"] for e in entries}) == len(entries)


def test_baseline_reports_nothing_and_says_how_many_it_held(baselined: Path) -> None:
    count = len(findings(baselined))
    result = run_fmcat("lint", "--baseline", "baseline.json", cwd=baselined)
    assert (result.code, result.stdout) == (0, "")
    assert "no new findings in 1 catalog file, 1 Python file" in result.stderr
    assert f"{count} baselined findings not shown" in result.stderr


def test_findings_that_move_stay_baselined(baselined: Path) -> None:
    code, catalog = baselined / "shop" / "pay.py", baselined / "failure-modes" / "payments.yaml"
    edit(code, "import requests\n", "# Payments.\n\nimport requests\n\n\n# The provider's API.\n")
    edit(code, "def refund", "# Refunds go through the same API.\n\n\ndef refund")
    # Reformatting inside the call keeps its identity too.
    edit(code, 'v1/refunds", json=order)', 'v1/refunds",\n        json=order,\n    )')
    edit(catalog, "owner:", "# Owned by payments.\n\nowner:")
    edit(catalog, "operations:", "# What users see.\noperations:")
    before = set(findings(baselined))
    assert before and all(line > 1 for _, _, line in before)
    assert findings(baselined, "--baseline", "baseline.json") == []


def test_only_new_findings_are_reported(baselined: Path) -> None:
    code, catalog = baselined / "shop" / "pay.py", baselined / "failure-modes" / "payments.yaml"
    edit(code, "import requests\n", "import requests\n\n# moved down\n")
    code.write_text(
        code.read_text(encoding="utf-8")
        + '\n\ndef status():\n    return requests.get("https://api.pay.example.com/status")\n',
        encoding="utf-8",
    )
    edit(catalog, "    detection: {signals: [payments_timeouts_total]}\n", "")
    new = findings(baselined, "--baseline", "baseline.json")
    assert new == [
        ("FM012", "failure-modes/payments.yaml", 16),
        ("FM101", "shop/pay.py", 15),
        ("FM103", "shop/pay.py", 15),
    ]
    result = run_fmcat("lint", "--baseline", "baseline.json", cwd=baselined)
    assert result.code == 1
    assert "found 3 new findings" in result.stderr


def test_an_identical_call_added_to_the_same_file_is_reported(baselined: Path) -> None:
    code = baselined / "shop" / "pay.py"
    twice = '    requests.post("https://api.pay.example.com/v1/refunds", json=order)\n'
    edit(code, twice, twice + "\n" + twice)
    new = findings(baselined, "--baseline", "baseline.json")
    # One call's findings are new: the file now holds one more than the baseline counted.
    assert sorted(code for code, _, _ in new) == ["FM101", "FM103"]
    assert {path for _, path, _ in new} == {"shop/pay.py"}
    # Removing the original leaves one, which the baseline holds.
    edit(code, twice + "\n", "")
    assert findings(baselined, "--baseline", "baseline.json") == []


def test_a_fixed_call_frees_no_slot_for_a_different_one(baselined: Path) -> None:
    # The message alone ("requests.post has no timeout...") would let the new call take the
    # removed call's place in the baseline; the call's text does not.
    edit(
        baselined / "shop" / "pay.py",
        '    requests.post("https://api.pay.example.com/v1/refunds", json=order)\n',
        '    requests.post("https://api.pay.example.com/v1/captures", json=order)\n',
    )
    new = findings(baselined, "--baseline", "baseline.json")
    assert new == [("FM101", "shop/pay.py", 9), ("FM103", "shop/pay.py", 9)]


def test_editing_a_call_makes_its_findings_new(baselined: Path) -> None:
    # Its identity is its text: fixing the timeout shows that nothing handles its failure.
    edit(baselined / "shop" / "pay.py", 'charges", json=order)', 'charges", json=order, timeout=2)')
    assert findings(baselined, "--baseline", "baseline.json") == [("FM103", "shop/pay.py", 5)]


def test_the_same_findings_give_the_same_file_after_lines_move(baselined: Path) -> None:
    first = (baselined / "baseline.json").read_text(encoding="utf-8")
    edit(baselined / "shop" / "pay.py", "import requests\n", "\n\nimport requests\n")
    assert run_fmcat("lint", "--write-baseline", "baseline.json", cwd=baselined).code == 0
    assert (baselined / "baseline.json").read_text(encoding="utf-8") == first


def test_paths_are_from_the_project_so_any_folder_can_run_it(baselined: Path) -> None:
    outside = baselined.parent
    assert findings(outside, "svc", "--baseline", "svc/baseline.json") == []
    inside = baselined / "shop"
    result = run_fmcat("lint", "--baseline", "../baseline.json", cwd=inside)
    assert result.code == 0, result.stdout + result.stderr


def test_configured_baseline_is_from_the_pyproject_and_the_flag_turns_it_off(
    baselined: Path,
) -> None:
    (baselined / "pyproject.toml").write_text(
        '[tool.fmcat]\nbaseline = "baseline.json"\n', encoding="utf-8"
    )
    result = run_fmcat("lint", cwd=baselined / "shop")
    assert (result.code, result.stdout) == (0, ""), result.stderr
    assert "baselined findings not shown" in result.stderr
    everything = run_fmcat("lint", "--no-baseline", cwd=baselined)
    assert everything.code == 1 and "FM101" in everything.stdout
    both = run_fmcat("lint", "--no-baseline", "--baseline", "baseline.json", cwd=baselined)
    assert both.code == 2 and "contradict" in both.stderr


def test_a_configured_baseline_that_is_missing_is_an_error(tmp_path: Path) -> None:
    root = make_project(tmp_path, '[tool.fmcat]\nbaseline = "ci/baseline.json"\n')
    result = run_fmcat("lint", cwd=root)
    assert result.code == 2
    assert "ci/baseline.json: no such baseline file" in result.stderr
    assert "--write-baseline ci/baseline.json" in result.stderr
    # Writing one is how to start, and does not need the old one.
    (root / "ci").mkdir()
    assert run_fmcat("lint", "--write-baseline", "ci/baseline.json", cwd=root).code == 0
    assert run_fmcat("lint", cwd=root).code == 0


CORRUPT = {
    "not JSON": ("{'version': 1}", "not a fmcat baseline: invalid JSON"),
    "truncated": ('{"version": 1, "findings": [', "invalid JSON"),
    "empty": ("", "invalid JSON"),
    "a list": ("[]", "expected a JSON object, got a list"),
    "no version": ('{"findings": []}', 'no "version"'),
    "newer version": ('{"version": 2, "findings": []}', "baseline version 2 is not supported"),
    "version as text": ('{"version": "1", "findings": []}', 'baseline version "1" is not'),
    "findings missing": ('{"version": 1}', '"findings": expected a list, got null'),
    "findings an object": ('{"version": 1, "findings": {}}', "expected a list, got an object"),
    "entry not an object": ('{"version": 1, "findings": [3]}', "findings[0]: expected an object"),
    "bad fingerprint": (
        '{"version": 1, "findings": [{"fingerprint": "abc"}]}',
        "findings[0].fingerprint: expected 64 lowercase hex digits",
    ),
    "deeply nested": ("[" * 100_000, "not a fmcat baseline"),
    "5,000-digit integer": (
        '{"version": ' + "9" * 5000 + ', "findings": []}',
        "not a fmcat baseline: a number with thousands of digits",
    ),
}


@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_a_corrupt_baseline_is_a_clear_error(tmp_path: Path, case: str) -> None:
    text, message = CORRUPT[case]
    root = make_project(tmp_path)
    (root / "baseline.json").write_text(text, encoding="utf-8")
    result = run_fmcat("lint", "--baseline", "baseline.json", cwd=root)
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("fmcat: error: baseline.json")
    assert message in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_baseline_that_is_a_folder_missing_or_not_utf8(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    (root / "folder").mkdir()
    (root / "latin1.json").write_bytes(b'{"version": 1, "findings": ["\xe9"]}')
    for name, message in [
        ("folder", "folder: is a folder, not a baseline file"),
        ("missing.json", "missing.json: no such baseline file"),
        ("latin1.json", "latin1.json: not a fmcat baseline: not UTF-8 text"),
    ]:
        result = run_fmcat("lint", "--baseline", name, cwd=root)
        assert (result.code, result.stdout) == (2, "")
        assert message in result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("folder", "folder: is a folder; give the baseline a file name"),
        ("nowhere/baseline.json", "cannot write the baseline: nowhere does not exist"),
        ("pyproject.toml/baseline.json", "cannot write the baseline: pyproject.toml is not a"),
    ],
)
def test_unwritable_write_baseline_location(tmp_path: Path, target: str, message: str) -> None:
    root = make_project(tmp_path)
    (root / "folder").mkdir()
    result = run_fmcat("lint", "--write-baseline", target, cwd=root)
    assert (result.code, result.stdout) == (2, "")
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in (root / "folder").iterdir()) == []


def test_read_only_folder(shared_tmp: Path) -> None:
    # As root, as nobody: root writes anyway, and CI runs as root.
    root = make_project(shared_tmp / "svc")
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    locked = root / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    result = run_unprivileged("lint", "--write-baseline", "locked/baseline.json", cwd=root)
    assert result.code == 2, result
    assert "locked/baseline.json: cannot write the baseline: Permission denied" in result.stderr
    assert list(locked.iterdir()) == []


def test_a_failed_write_leaves_the_old_baseline_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "baseline.json"
    old = '{"version": 1, "findings": []}  the old baseline\n'
    target.write_text(old, encoding="utf-8")
    finding = Finding("FM101", "requests.get has no timeout", Location("a.py", 3, 5))

    def fail(self: Path, other: Path) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "replace", fail)
    with pytest.raises(BaselineError, match="cannot write the baseline: No space left"):
        write_baseline(target, [finding], tmp_path)
    assert (
        target.read_text(encoding="utf-8") == '{"version": 1, "findings": []}  the old baseline\n'
    )
    assert [p.name for p in tmp_path.iterdir()] == ["baseline.json"]


def test_written_baseline_is_readable_by_others(tmp_path: Path) -> None:
    target = tmp_path / "baseline.json"
    write_baseline(target, [], tmp_path)
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    assert json.loads(target.read_text(encoding="utf-8")) == {"version": 1, "findings": []}


def test_configured_default_format_and_the_flag_over_it(tmp_path: Path) -> None:
    root = make_project(tmp_path, '[tool.fmcat]\nformat = "json"\n')
    result = run_fmcat("lint", cwd=root)
    assert result.code == 1
    assert "findings" in json.loads(result.stdout)
    text = run_fmcat("lint", "-f", "text", cwd=root)
    assert text.stdout.startswith("failure-modes/payments.yaml:")
    (root / "pyproject.toml").write_text('[tool.fmcat]\nformat = "xml"\n', encoding="utf-8")
    bad = run_fmcat("lint", cwd=root)
    assert bad.code == 2
    assert 'format: "xml" is not one of text, json, sarif' in bad.stderr


def test_a_parser_message_that_cites_a_line_stays_baselined(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    broken = root / "failure-modes" / "broken.yaml"
    broken.write_text("dependency: x\npolicies: {timeout: 1s\nkind: http\n", encoding="utf-8")
    before = run_fmcat("lint", "--select", "FM001", cwd=root).stdout
    assert "(while parsing a flow mapping at line 2)" in before
    assert run_fmcat("lint", "--write-baseline", "b.json", cwd=root).code == 0
    broken.write_text("# moved\n\n" + broken.read_text(encoding="utf-8"), encoding="utf-8")
    assert "at line 4" in run_fmcat("lint", "--select", "FM001", cwd=root).stdout
    assert findings(root, "--baseline", "b.json") == []


# --- what --write-baseline may replace ---------------------------------------------------------


def refused_write(root: Path, target: str) -> str:
    result = run_fmcat("lint", "--write-baseline", target, cwd=root)
    assert (result.code, result.stdout) == (2, ""), result
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert not [p.name for p in root.iterdir() if p.name.startswith(f".{Path(target).name}.")]
    return result.stderr


def test_write_baseline_refuses_a_file_it_did_not_write(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    (root / "notes.json").write_text('{"mine": true}\n', encoding="utf-8")
    stderr = refused_write(root, "notes.json")
    assert "notes.json: exists and is not a fmcat baseline" in stderr
    assert (root / "notes.json").read_text(encoding="utf-8") == '{"mine": true}\n'
    stderr = refused_write(root, "pyproject.toml")
    assert "pyproject.toml: exists and is not a fmcat baseline" in stderr
    assert (root / "pyproject.toml").read_text(encoding="utf-8") == "[tool.fmcat]\n"


def test_write_baseline_refuses_a_symlink_even_to_a_baseline(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    assert run_fmcat("lint", "--write-baseline", "real.json", cwd=root).code == 0
    (root / "link.json").symlink_to("real.json")
    stderr = refused_write(root, "link.json")
    assert "link.json: is a symbolic link; fmcat writes a baseline only to a new file" in stderr
    assert (root / "link.json").is_symlink()


def test_write_baseline_refuses_a_fifo(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    os.mkfifo(root / "pipe")
    stderr = refused_write(root, "pipe")
    assert "pipe: is a FIFO (named pipe); fmcat writes a baseline only" in stderr
    assert (root / "pipe").is_fifo()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="mknod needs root")
def test_write_baseline_refuses_a_character_device(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    # The numbers of /dev/null, made in tmp_path: a regression replaces this node, not /dev/null.
    os.mknod(root / "null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    stderr = refused_write(root, "null")
    assert "null: is a character device" in stderr
    assert (root / "null").is_char_device()


def test_write_baseline_replaces_its_own_baseline(baselined: Path) -> None:
    (baselined / "shop" / "pay.py").write_text("", encoding="utf-8")
    result = run_fmcat("lint", "--write-baseline", "baseline.json", cwd=baselined)
    assert result.code == 0, result.stderr
    entries = json.loads((baselined / "baseline.json").read_text(encoding="utf-8"))["findings"]
    assert {e["path"] for e in entries} == {"failure-modes/payments.yaml"}


def test_a_baseline_that_is_a_fifo_or_a_link_to_dev_zero_is_refused_fast(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    os.mkfifo(root / "pipe.json")
    (root / "zero.json").symlink_to("/dev/zero")
    for name, what in [("pipe.json", "a FIFO (named pipe)"), ("zero.json", "a character device")]:
        result = run_fmcat("lint", "--baseline", name, cwd=root, timeout=20)
        assert (result.code, result.stdout) == (2, ""), result
        assert f"{name}: cannot read the baseline: is {what}, not a regular file" in result.stderr
