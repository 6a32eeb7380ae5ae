"""Bad input to `fmcat lint`: every case gets a located, helpful message and no traceback.

Each test writes real files into ``tmp_path`` and runs the real CLI in a subprocess. For every
run: the exit code is 1 (a finding) or 2 (usage or configuration), neither stream holds a
traceback, every stdout line is ``path:line:col: CODE message``, and nothing in the folder was
created, changed or removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from fmcat.catalog.load import load_catalog
from fmcat.catalog.yaml_guard import MAX_DEPTH
from fmcat.lint import check_catalog
from tests.conftest import Run, run_fmcat
from tests.cputime import children_cpu_seconds

# A catalog file that passes every check; the cases below break one thing in it at a time, so
# line numbers are known. Line numbers in comments are 1-based.
VALID = """\
dependency: payment-gateway
description: Card payments through the provider's REST API
owner: team-payments
kind: http
criticality: critical
policies:
  timeout: {connect: 300ms, read: 700ms}
  retry: {attempts: 2, backoff: exponential, initial: 100ms, max: 1s, jitter: true}
  circuit_breaker: {failure_rate: 50%, window: 30s, min_calls: 20, open_for: 30s}
  bulkhead: {max_concurrent: 20}
operations:
  - name: checkout
    idempotency_key: order_id
    latency_budget: 3s
    measures: {latency: checkout_e2e_seconds, errors: checkout_errors_total}
failure_modes:
  - id: timeout
    title: Provider does not answer within the read timeout
    detection: {signals: [payment_gateway_timeouts_total], alert: PaymentGatewayTimeouts}
    likelihood: 3
    response:
      automatic: [retry, circuit_breaker]
      steps:
        - Check the provider's status page.
"""
VALID_LINES = VALID.count("\n")

REPORT_LINE = re.compile(
    r"^(?P<path>[^\n]+?):(?P<line>\d+):(?P<column>\d+): (?P<code>FM\d{3}) (?P<message>.+)$"
)
# The CPU time of a subprocess run of the CLI, startup included (1 to 1.5 s): generous, and far
# below what the unguarded loader took (6 s for 10,000 brackets, 18 s for a dense 700 KB list,
# pure-Python parsing, so CPU). CPU time, not wall time: on the shared two-core machine, loaded
# 13 deep, the same runs took 5.5 s of wall time while their work did not change; the work is
# what a missing bound or a quadratic loader inflates.
FEW_SECONDS = 5.0


@dataclass(frozen=True)
class Reported:
    path: str
    line: int
    column: int
    code: str
    message: str


@dataclass(frozen=True)
class Linted:
    run: Run
    findings: list[Reported]
    #: CPU seconds the fmcat process spent (the wall time is bounded by the run's timeout).
    seconds: float

    def only(self, code: str) -> Reported:
        """The single finding, which must have ``code``."""
        assert len(self.findings) == 1, self.run.stdout
        assert self.findings[0].code == code, self.run.stdout
        return self.findings[0]

    def at(self, code: str, line: int, column: int | None = None) -> Reported:
        """The finding with ``code`` at ``line`` (and ``column``)."""
        for finding in self.findings:
            if (finding.code, finding.line) == (code, line) and column in (None, finding.column):
                return finding
        raise AssertionError(f"no {code} at {line}:{column} in:\n{self.run.stdout}")


def snapshot(folder: Path) -> dict[str, tuple[object, ...]]:
    """Every entry under ``folder``: kind, size, modification time and content hash."""
    entries: dict[str, tuple[object, ...]] = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        digest = ""
        if path.is_file() and not path.is_symlink():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        entries[path.relative_to(folder).as_posix()] = (
            info.st_mode,
            info.st_size,
            info.st_mtime_ns,
            digest,
            str(path.readlink()) if path.is_symlink() else "",
        )
    return entries


def lint(folder: Path, *args: str, timeout: float = 60) -> Linted:
    """`fmcat lint ARGS` run in ``folder``, checked for the contract every bad input must keep."""
    before = snapshot(folder)
    start = children_cpu_seconds()
    # Catalog rules only: these cases are about reading files, and a catalog with no Python
    # code beside it would also get FM201 (no call site) from the cross-check.
    run = run_fmcat("lint", "--select", "FM0", *args, cwd=folder, timeout=timeout)
    seconds = children_cpu_seconds() - start
    for stream in (run.stdout, run.stderr):
        assert "Traceback" not in stream, stream
        assert "internal error" not in stream, stream
    assert run.code in (0, 1, 2), run
    assert snapshot(folder) == before, "fmcat lint must not write anything"
    findings = []
    for line in run.stdout.splitlines():
        match = REPORT_LINE.match(line)
        assert match, f"not `path:line:col: CODE message`: {line!r}"
        findings.append(
            Reported(
                match["path"],
                int(match["line"]),
                int(match["column"]),
                match["code"],
                match["message"],
            )
        )
    if run.code == 1:
        assert findings, "exit 1 means findings, so stdout must list them"
    return Linted(run, findings, seconds)


def lint_file(folder: Path, content: str | bytes, name: str = "dependency.yaml") -> Linted:
    """Write one catalog file (bytes exactly as given) and lint it; it must have findings."""
    path = folder / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    linted = lint(folder, name)
    assert linted.run.code == 1, linted.run
    assert all(f.path == name for f in linted.findings), linted.run.stdout
    return linted


def has_words(message: str, *words: str) -> bool:
    return all(word.lower() in message.lower() for word in words)


def column_of(line: str, needle: str, occurrence: int = 1) -> int:
    """1-based column of the ``occurrence``-th ``needle`` in ``line``."""
    index = -1
    for _ in range(occurrence):
        index = line.index(needle, index + 1)
    return index + 1


def replace_line(text: str, number: int, new: str) -> str:
    lines = text.splitlines(keepends=True)
    assert lines[number - 1].strip(), "replace a real line"
    lines[number - 1] = new + "\n"
    return "".join(lines)


def test_the_valid_catalog_is_clean(tmp_path: Path) -> None:
    """The base every case starts from has no findings, so each case shows one problem."""
    (tmp_path / "dependency.yaml").write_text(VALID, encoding="utf-8")
    linted = lint(tmp_path, "dependency.yaml")
    assert linted.run.code == 0, linted.run
    assert linted.run.stdout == ""


# --- empty, blank and comment-only files ------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "words"),
    [
        pytest.param("", ("empty", "dependency:"), id="empty"),
        pytest.param("  \n\n\t\n   ", ("empty", "dependency:"), id="whitespace"),
        pytest.param("# owned by payments\n\n# TODO\n", ("only comments",), id="comments"),
        pytest.param("---\n# nothing yet\n...\n", ("only comments",), id="markers-comments"),
        pytest.param("\ufeff", ("empty",), id="bom-only"),
    ],
)
def test_empty_files(tmp_path: Path, content: str, words: tuple[str, ...]) -> None:
    finding = lint_file(tmp_path, content).only("FM002")
    assert (finding.line, finding.column) == (1, 1)
    assert has_words(finding.message, *words), finding.message


def test_an_explicit_null_document_says_what_it_got(tmp_path: Path) -> None:
    finding = lint_file(tmp_path, "null\n").only("FM002")
    assert has_words(finding.message, "expected a mapping", "dependency:", "null")


# --- encodings ---------------------------------------------------------------------------------


def test_non_utf8_byte_is_located_in_characters(tmp_path: Path) -> None:
    # Line 3 holds a two-byte é before the bad byte: the column counts characters, as editors do.
    content = VALID.encode("utf-8").replace(b"owner: team-payments", b'owner: "\xc3\xa9quipe-\xff"')
    finding = lint_file(tmp_path, content).only("FM001")
    assert (finding.line, finding.column) == (3, column_of('owner: "équipe-?', "?"))
    assert has_words(finding.message, "not utf-8", "0xff", "save the file as utf-8")


def test_latin1_file_is_located(tmp_path: Path) -> None:
    content = VALID.replace("REST API", "REST API (Café)").encode("latin-1")
    finding = lint_file(tmp_path, content).only("FM001")
    line = "description: Card payments through the provider's REST API (Café)"
    assert (finding.line, finding.column) == (2, column_of(line, "é"))
    assert has_words(finding.message, "not utf-8", "0xe9")


def test_non_utf8_after_a_bom_does_not_count_the_bom(tmp_path: Path) -> None:
    finding = lint_file(tmp_path, b"\xef\xbb\xbfdependency: \xfe\n").only("FM001")
    assert (finding.line, finding.column) == (1, 13)
    assert has_words(finding.message, "0xfe")


def test_non_utf8_with_crlf_line_endings(tmp_path: Path) -> None:
    content = VALID.replace("\n", "\r\n").encode("utf-8").replace(b"kind: http", b"kind: \x80")
    finding = lint_file(tmp_path, content).only("FM001")
    assert (finding.line, finding.column) == (4, 7)


def test_bom_is_accepted_and_positions_do_not_shift(tmp_path: Path) -> None:
    (tmp_path / "dependency.yaml").write_bytes(b"\xef\xbb\xbf" + VALID.encode("utf-8"))
    assert lint(tmp_path, "dependency.yaml").run.code == 0
    broken = VALID.replace("dependency: payment-gateway", "dependency: Payment_Gateway")
    finding = lint_file(tmp_path, "\ufeff" + broken).only("FM002")
    assert (finding.line, finding.column) == (1, 13)
    assert has_words(finding.message, "dependency", '"Payment_Gateway" is not an id')


def test_crlf_line_endings_keep_positions(tmp_path: Path) -> None:
    (tmp_path / "dependency.yaml").write_bytes(VALID.replace("\n", "\r\n").encode("utf-8"))
    assert lint(tmp_path, "dependency.yaml").run.code == 0
    broken = VALID.replace("  timeout: {", "  timout: {").replace("max: 1s", "max: 1 second")
    linted = lint_file(tmp_path, broken.replace("\n", "\r\n"))
    unknown = linted.at("FM002", 7, 3)
    assert has_words(
        unknown.message, 'policies.timout: unknown key "timout"', 'did you mean "timeout"'
    )
    line8 = broken.splitlines()[7]
    duration = linted.at("FM002", 8, column_of(line8, "1 second"))
    assert has_words(duration.message, "policies.retry.max", '"1 second" is not a duration')


def test_control_character_is_located(tmp_path: Path) -> None:
    finding = lint_file(tmp_path, VALID.replace("team-payments", "team\x1b-payments")).only("FM001")
    assert (finding.line, finding.column) == (3, column_of("owner: team\x1b", "\x1b"))
    assert has_words(finding.message, "control character", "U+001B")


# --- YAML syntax -------------------------------------------------------------------------------


def test_tab_indentation(tmp_path: Path) -> None:
    finding = lint_file(tmp_path, VALID.replace("  timeout: {", "\ttimeout: {")).only("FM001")
    assert (finding.line, finding.column) == (7, 1)
    assert has_words(finding.message, "tab", "indentation", "spaces")


def test_tab_indentation_with_crlf(tmp_path: Path) -> None:
    content = VALID.replace("      steps:", "\t  steps:").replace("\n", "\r\n")
    finding = lint_file(tmp_path, content).only("FM001")
    assert (finding.line, finding.column) == (23, 1)
    assert has_words(finding.message, "tab", "spaces")


@pytest.mark.parametrize(
    ("old", "new", "line", "needle", "occurrence", "key"),
    [
        pytest.param(
            "kind: http", "kind: http\nowner: someone-else", 5, "owner", 1, "owner", id="top-level"
        ),
        pytest.param(
            "  bulkhead:",
            "  timeout: {total: 1s}\n  bulkhead:",
            10,
            "timeout",
            1,
            "timeout",
            id="nested-block",
        ),
        pytest.param(
            "read: 700ms}", "read: 700ms, connect: 1s}", 7, "connect", 2, "connect", id="flow"
        ),
        pytest.param(
            "    likelihood: 3",
            "    likelihood: 3\n    likelihood: 4",
            21,
            "likelihood",
            1,
            "likelihood",
            id="in-a-list-item",
        ),
    ],
)
def test_duplicate_keys_are_fm003_at_the_duplicate(
    tmp_path: Path, old: str, new: str, line: int, needle: str, occurrence: int, key: str
) -> None:
    content = VALID.replace(old, new)
    finding = lint_file(tmp_path, content).only("FM003")
    text = content.splitlines()[line - 1]
    assert (finding.line, finding.column) == (line, column_of(text, needle, occurrence))
    assert has_words(finding.message, f'duplicate key "{key}"', "replace")


def test_unclosed_bracket_says_where_it_opened(tmp_path: Path) -> None:
    # The flow mapping runs on into the next line, so the parser stops there; the message
    # names the line where the bracket opened.
    content = VALID.replace("read: 700ms}", "read: 700ms")
    finding = lint_file(tmp_path, content).only("FM001")
    assert (finding.line, finding.column) == (8, column_of(content.splitlines()[7], ":"))
    assert has_words(
        finding.message, "invalid yaml", "expected ',' or '}'", "flow mapping at line 7"
    )


@pytest.mark.parametrize(
    ("tail", "needle"),
    [
        pytest.param("links: [{title: Status, url: x}\n", "[", id="bracket"),
        pytest.param('notes: "Call the provider\n', '"', id="quote"),
    ],
)
def test_unclosed_at_the_end_of_the_file_points_where_it_opened(
    tmp_path: Path, tail: str, needle: str
) -> None:
    finding = lint_file(tmp_path, VALID + tail).only("FM001")
    assert (finding.line, finding.column) == (VALID_LINES + 1, column_of(tail, needle))
    assert has_words(finding.message, "invalid yaml")


def test_multiple_documents(tmp_path: Path) -> None:
    content = VALID + "---\n" + VALID.replace("payment-gateway", "fraud-check")
    finding = lint_file(tmp_path, content).only("FM001")
    assert (finding.line, finding.column) == (VALID_LINES + 1, 1)
    assert has_words(finding.message, "second yaml document", "one dependency", "own file")


def test_one_document_with_explicit_markers_is_fine(tmp_path: Path) -> None:
    (tmp_path / "dependency.yaml").write_text("---\n" + VALID + "...\n", encoding="utf-8")
    assert lint(tmp_path, "dependency.yaml").run.code == 0


@pytest.mark.parametrize(
    ("key", "column"),
    [
        pytest.param("? [a, b]\n: c\n", 3, id="explicit"),
        pytest.param("[a, b]: c\n", 1, id="flow-sequence"),
        pytest.param("? {a: 1}\n: c\n", 3, id="mapping"),
    ],
)
def test_complex_mapping_key(tmp_path: Path, key: str, column: int) -> None:
    finding = lint_file(tmp_path, VALID + key).only("FM002")
    assert (finding.line, finding.column) == (VALID_LINES + 1, column)
    assert has_words(finding.message, "complex mapping key", "plain names")


def test_non_text_keys_are_reported_as_unknown_keys(tmp_path: Path) -> None:
    linted = lint_file(tmp_path, VALID + "404: not found\ntrue: yes\n")
    assert has_words(linted.at("FM002", VALID_LINES + 1, 1).message, 'unknown key "404"')
    assert has_words(linted.at("FM002", VALID_LINES + 2, 1).message, 'unknown key "true"')


# --- the document's shape and types -------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "got"),
    [
        pytest.param("42\n", "got a number", id="number"),
        pytest.param("payment-gateway\n", "got text", id="text"),
        pytest.param("true\n", "got a boolean", id="boolean"),
        pytest.param("- dependency: a\n- dependency: b\n", "got a list", id="block-list"),
        pytest.param("[dependency, owner]\n", "got a list", id="flow-list"),
        pytest.param(".inf\n", "got .inf", id="infinity"),
    ],
)
def test_document_that_is_not_a_mapping(tmp_path: Path, content: str, got: str) -> None:
    finding = lint_file(tmp_path, content).only("FM002")
    assert (finding.line, finding.column) == (1, 1)
    assert has_words(finding.message, "expected a mapping", "dependency:", got)


WRONG_TYPES = """\
dependency: payment-gateway
owner: true
kind: http
criticality: critical
policies:
  timeout: [300ms, 700ms]
  retry: {attempts: "2", backoff: exponential, jitter: 1}
operations: {name: checkout}
failure_modes:
  - id: timeout
    title: Provider does not answer
    detection: {signals: [payment_gateway_timeouts_total, 42]}
    response:
      automatic: {retry: true}
      steps:
        - {do: check the status}
"""


@pytest.mark.parametrize(
    ("line", "needle", "message"),
    [
        (2, "true", "owner: expected text, got a boolean"),
        (6, "[", "policies.timeout: expected a mapping, got a list"),
        (7, '"2"', "policies.retry.attempts: expected a whole number, got text"),
        (7, "1}", "policies.retry.jitter: expected true or false, got a number"),
        (8, "{", "operations: expected a list, got a mapping"),
        (12, "42", "failure_modes[1].detection.signals[2]: expected text, got a number"),
        (14, "{", "failure_modes[1].response.automatic: expected a list, got a mapping"),
        (16, "{", "failure_modes[1].response.steps[1]: expected text, got a mapping"),
    ],
)
def test_wrong_types_at_every_level(tmp_path: Path, line: int, needle: str, message: str) -> None:
    linted = lint_file(tmp_path, WRONG_TYPES)
    assert len(linted.findings) == 8, linted.run.stdout
    column = column_of(WRONG_TYPES.splitlines()[line - 1], needle)
    finding = linted.at("FM002", line, column)
    assert finding.message == message


@pytest.mark.parametrize(
    ("old", "new", "line", "needle", "words"),
    [
        pytest.param(
            "likelihood: 3",
            "likelihood: .inf",
            20,
            ".inf",
            ("failure_modes[1].likelihood: expected a whole number, got .inf (infinity)",),
            id="inf-for-int",
        ),
        pytest.param(
            "min_calls: 20",
            "min_calls: .nan",
            9,
            ".nan",
            ("policies.circuit_breaker.min_calls", "got .nan (not a number)"),
            id="nan-for-int",
        ),
        pytest.param(
            "read: 700ms",
            "read: -.inf",
            7,
            "-.inf",
            ("policies.timeout.read: expected a duration", "got -.inf (infinity)"),
            id="inf-for-duration",
        ),
        pytest.param(
            "failure_rate: 50%",
            "failure_rate: .NaN",
            9,
            ".NaN",
            ("policies.circuit_breaker.failure_rate: expected a percentage", "got .nan"),
            id="nan-for-ratio",
        ),
        pytest.param(
            "attempts: 2",
            "attempts: 2.5",
            8,
            "2.5",
            ("policies.retry.attempts: expected a whole number, got 2.5",),
            id="decimal-for-int",
        ),
        pytest.param(
            "read: 700ms",
            "read: 700",
            7,
            "700",
            ("policies.timeout.read", "no unit", "700ms"),
            id="number-for-duration",
        ),
        pytest.param(
            "read: 700ms",
            "read: [700ms]",
            7,
            "[",
            ("policies.timeout.read: expected a duration", "got a list"),
            id="list-for-duration",
        ),
    ],
)
def test_special_numbers_where_a_value_is_expected(
    tmp_path: Path, old: str, new: str, line: int, needle: str, words: tuple[str, ...]
) -> None:
    content = VALID.replace(old, new)
    finding = lint_file(tmp_path, content).only("FM002")
    assert (finding.line, finding.column) == (
        line,
        column_of(content.splitlines()[line - 1], needle),
    )
    assert has_words(finding.message, *words), finding.message


# --- unknown keys ------------------------------------------------------------------------------


def test_unknown_keys_at_several_levels_with_did_you_mean(tmp_path: Path) -> None:
    content = VALID.replace("owner: team-payments", "owners: team-payments")
    content = content.replace("  timeout: {", "  timout: {")
    content = content.replace("{attempts: 2,", "{atempts: 2,")
    content = content.replace("    latency_budget: 3s", "    latency_budgett: 3s")
    content = content.replace("      steps:", "      stpes:")
    content = content.replace("criticality: critical", "criticality: critical\nzzz_unrelated: 1")
    lines = content.splitlines()
    linted = lint_file(tmp_path, content)
    cases = [
        (3, "owners", 'owners: unknown key "owners"', 'did you mean "owner"?'),
        (8, "timout", 'policies.timout: unknown key "timout"', 'did you mean "timeout"?'),
        (9, "atempts", 'policies.retry.atempts: unknown key "atempts"', 'did you mean "attempts"?'),
        (15, "latency_budgett", "operations[1].latency_budgett", 'did you mean "latency_budget"?'),
        (24, "stpes", "failure_modes[1].response.stpes", 'did you mean "steps"?'),
    ]
    for line, key, *words in cases:
        finding = linted.at("FM002", line, column_of(lines[line - 1], key))
        assert has_words(finding.message, *words), finding.message
    far = linted.at("FM002", 6, 1)
    assert has_words(far.message, 'zzz_unrelated: unknown key "zzz_unrelated"')
    assert "did you mean" not in far.message
    # The owner key is misspelt, so `owner` is also missing: said at the document, not nowhere.
    missing = linted.at("FM002", 1, 1)
    assert has_words(missing.message, "owner: required")


def test_unknown_key_with_odd_characters_is_quoted_on_one_line(tmp_path: Path) -> None:
    finding = lint_file(tmp_path, VALID + '"time\\nout": 1s\n').only("FM002")
    assert (finding.line, finding.column) == (VALID_LINES + 1, 1)
    assert finding.message.startswith('"time\\nout": unknown key "time\\nout"'), finding.message


# --- tags, timestamps and numbers --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        pytest.param(
            '!!python/object/apply:os.system ["touch pwned"]',
            "!!python/object/apply:os.system",
            id="apply",
        ),
        pytest.param(
            "!!python/object/new:subprocess.Popen [[touch, pwned]]",
            "!!python/object/new:subprocess.Popen",
            id="new",
        ),
        pytest.param("!!python/name:os.system ''", "!!python/name:os.system", id="name"),
        pytest.param("!!python/object:builtins.dict {a: 1}", "!!python/object:builtins", id="obj"),
        pytest.param("!Ref payments-team", "!Ref", id="custom"),
        pytest.param("!!binary dGVhbQ==", "!!binary", id="binary"),
        pytest.param("!!set {team, payments}", "!!set", id="set"),
    ],
)
def test_yaml_tags_are_refused_and_never_run(tmp_path: Path, value: str, tag: str) -> None:
    content = VALID.replace("owner: team-payments", f"owner: {value}")
    finding = lint_file(tmp_path, content).only("FM001")
    assert (finding.line, finding.column) == (3, 8)
    assert has_words(finding.message, f"tag {tag}", "not allowed")
    assert not (tmp_path / "pwned").exists()


def test_roundtrip_yaml_does_not_construct_python_objects(tmp_path: Path) -> None:
    """The premise of the case above: ruamel's round-trip loader never calls what a tag names."""
    marker = tmp_path / "constructed"
    text = (
        f'a: !!python/object/apply:os.system ["touch {marker}"]\n'
        f"b: !!python/object/new:pathlib.Path [{marker}]\n"
        "c: !!python/name:os.system ''\n"
    )
    data = YAML(typ="rt", pure=True).load(text)
    assert not marker.exists()
    assert list(data["a"]) == [f"touch {marker}"]  # the arguments, as plain data
    assert not isinstance(data["b"], Path)


def test_standard_tags_are_fine(tmp_path: Path) -> None:
    content = VALID.replace("owner: team-payments", "owner: !!str team-payments")
    content = content.replace("likelihood: 3", "likelihood: !!int 3")
    (tmp_path / "dependency.yaml").write_text(content, encoding="utf-8")
    assert lint(tmp_path, "dependency.yaml").run.code == 0


def test_timestamp_where_text_is_expected_is_the_text_written(tmp_path: Path) -> None:
    # A date is text to whoever wrote `owner: 2024-01-01`; it is accepted as just that.
    (tmp_path / "dependency.yaml").write_text(
        VALID.replace("owner: team-payments", "owner: 2024-01-01"), encoding="utf-8"
    )
    assert lint(tmp_path, "dependency.yaml").run.code == 0
    # Where it cannot be right, the message quotes it as written, not as Python prints a datetime.
    stamp = "2001-12-14t21:59:43.10-05:00"
    content = VALID.replace("dependency: payment-gateway", f"dependency: {stamp}")
    finding = lint_file(tmp_path, content).only("FM002")
    assert (finding.line, finding.column) == (1, 13)
    assert has_words(finding.message, f'dependency: "{stamp}" is not an id')


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        pytest.param("read: 700ms", "read: 2024-01-01", 7, ('"2024-01-01" is not a duration',)),
        pytest.param("likelihood: 3", "likelihood: 2024-01-01", 20, ("expected a whole number",)),
    ],
)
def test_timestamp_where_something_else_is_expected(
    tmp_path: Path, old: str, new: str, line: int, words: tuple[str, ...]
) -> None:
    content = VALID.replace(old, new)
    finding = lint_file(tmp_path, content).only("FM002")
    assert (finding.line, finding.column) == (
        line,
        column_of(content.splitlines()[line - 1], "2024"),
    )
    assert has_words(finding.message, *words), finding.message


@pytest.mark.parametrize(
    "digits",
    [
        pytest.param("99999999999999999999999", id="23-digits"),
        pytest.param("1" + "0" * 5000, id="5001-digits-past-pythons-int-parsing-limit"),
        pytest.param("-" + "9" * 40, id="negative"),
        pytest.param("0x" + "f" * 40, id="hex"),
    ],
)
def test_huge_integers_are_refused_where_written(tmp_path: Path, digits: str) -> None:
    content = VALID.replace("likelihood: 3", f"likelihood: {digits}")
    finding = lint_file(tmp_path, content).only("FM001")
    assert (finding.line, finding.column) == (20, 17)
    assert has_words(finding.message, "too large", "digits", "quote it if it is text")


def test_large_but_sane_integers_are_validated_by_the_schema(tmp_path: Path) -> None:
    content = VALID.replace("likelihood: 3", "likelihood: 123456789012345678")
    finding = lint_file(tmp_path, content).only("FM002")
    assert (finding.line, finding.column) == (20, 17)
    assert has_words(
        finding.message,
        "failure_modes[1].likelihood: must be less than or equal to 5, got 123456789012345678",
    )


@pytest.mark.parametrize("attempts", ["1000", "2000", "999999999"])
def test_huge_retry_attempts_are_reported_not_crashed(tmp_path: Path, attempts: str) -> None:
    # Each attempt adds a backoff wait to the worst case (FM017): once an OverflowError past
    # 1,025 attempts. Now the schema bounds attempts, and the arithmetic caps its exponent.
    content = VALID.replace("attempts: 2,", f"attempts: {attempts},")
    linted = lint_file(tmp_path, content)
    assert {f.code for f in linted.findings} <= {"FM002", "FM016", "FM017"}, linted.run.stdout
    assert linted.seconds < FEW_SECONDS, f"took {linted.seconds:.2f} s of CPU"
    bounded = [f for f in linted.findings if f.code == "FM002"]
    for finding in bounded:
        assert (finding.line, finding.column) == (8, column_of(content.splitlines()[7], attempts))
        assert has_words(finding.message, "policies.retry.attempts: must be less than", attempts)


# --- limits: aliases, nesting, size -------------------------------------------------------------


def billion_laughs(levels: int = 10) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        aliases = ", ".join([f"*l{level - 1}"] * 10)
        lines.append(f"l{level}: &l{level} [{aliases}]")
    return "dependency: laughs\n" + "\n".join(lines) + "\n"


def long_string_bomb() -> str:
    # Few nodes, few tokens, short lines, but 50 x 50 copies of a 60,000-character string:
    # 150 MB of text if expanded (ruamel's quoted strings are copied by str()).
    text = "x" * 60_000
    level1 = ", ".join(["*s"] * 50)
    level2 = ", ".join(["*l1"] * 50)
    return f'dependency: s\nnotes: &s "{text}"\nl1: &l1 [{level1}]\nl2: &l2 [{level2}]\n'


WRAPPER = """
import resource, subprocess, sys
subprocess.run([sys.executable, "-m", "fmcat", *sys.argv[1:]], capture_output=True, check=False)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def peak_rss_mib(folder: Path, *args: str) -> float:
    """Peak resident memory of one `fmcat` process, measured by a parent of its own.

    RUSAGE_CHILDREN in the pytest process would be the largest child of the whole session.
    """
    env = {**os.environ, "NO_COLOR": "1", "FMCAT_NO_CACHE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    kib = int(done.stdout.strip())  # Linux reports ru_maxrss in KiB
    return kib / 1024


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(billion_laughs(), id="billion-laughs"),
        pytest.param(long_string_bomb(), id="long-string"),
    ],
)
def test_alias_bomb_is_refused_fast_in_bounded_memory(tmp_path: Path, content: str) -> None:
    linted = lint_file(tmp_path, content)
    finding = linted.only("FM001")
    assert (finding.line, finding.column) == (1, 1)
    assert has_words(finding.message, "alias bomb", "anchors and aliases")
    assert linted.seconds < FEW_SECONDS, f"took {linted.seconds:.2f} s of CPU"

    (tmp_path / "small.yaml").write_text(VALID, encoding="utf-8")
    baseline = peak_rss_mib(tmp_path, "lint", "--select", "FM0", "small.yaml")
    peak = peak_rss_mib(tmp_path, "lint", "--select", "FM0", "dependency.yaml")
    assert peak - baseline < 200, f"peak {peak:.0f} MiB vs {baseline:.0f} MiB for a small file"

    # In process, without interpreter start-up: the loader itself, in this thread's CPU time
    # (see FEW_SECONDS). Timed without tracemalloc, which slows every allocation down.
    start = time.thread_time()
    findings = check_catalog(load_catalog([tmp_path / "dependency.yaml"]))
    seconds = time.thread_time() - start
    assert [f.code for f in findings] == ["FM001"]
    assert seconds < 1.0, f"loading the bomb took {seconds:.2f} s of CPU"
    tracemalloc.start()
    try:
        check_catalog(load_catalog([tmp_path / "dependency.yaml"]))
        _, peak_bytes = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak_bytes < 200 * 1024 * 1024, f"{peak_bytes / 2**20:.0f} MiB allocated"


def test_recursive_alias(tmp_path: Path) -> None:
    content = VALID.replace("criticality: critical", "criticality: critical\ntags: &t [a, *t]")
    finding = lint_file(tmp_path, content).only("FM001")
    assert (finding.line, finding.column) == (6, 7)
    assert has_words(finding.message, "alias", "itself", "recursive")


def test_anchors_and_merge_keys_used_sensibly_are_fine(tmp_path: Path) -> None:
    content = ("x-defaults: &defaults {owner: team-payments, kind: http}\n" + VALID).replace(
        "owner: team-payments\nkind: http\n", "<<: *defaults\n"
    )
    (tmp_path / "dependency.yaml").write_text(content, encoding="utf-8")
    linted = lint(tmp_path, "dependency.yaml")
    # The extra top-level key is unknown; the merged owner and kind are taken.
    assert [(f.code, f.line) for f in linted.findings] == [("FM002", 1)], linted.run.stdout
    assert has_words(linted.findings[0].message, 'unknown key "x-defaults"')


N = 10_000


@pytest.mark.parametrize(
    ("content", "line", "column"),
    [
        pytest.param(
            "dependency: deep\nowner: " + "[" * N + "]" * N + "\n",
            2,
            len("owner: ") + MAX_DEPTH,  # the top mapping is level 1, so bracket 64 is level 65
            id="flow-sequences",
        ),
        pytest.param("[" * N + "]" * N + "\n", 1, MAX_DEPTH + 1, id="flow-sequences-top"),
        pytest.param(
            "dependency: deep\nowner: " + "{a: " * N + "1" + "}" * N + "\n",
            2,
            len("owner: ") + 4 * (MAX_DEPTH - 1) + 1,
            id="flow-mappings",
        ),
        pytest.param("- " * N + "x\n", 1, 2 * MAX_DEPTH + 1, id="block-sequences"),
        pytest.param(
            "".join(" " * i + "a:\n" for i in range(1_000)),
            MAX_DEPTH + 1,
            MAX_DEPTH + 1,
            id="block-mappings-1000",
        ),
        pytest.param(
            "dependency: deep\nowner:\n" + "".join(" " * (i + 1) + "-\n" for i in range(1_000)),
            MAX_DEPTH + 2,  # the sequence on line 3 is level 2
            MAX_DEPTH + 1,
            id="block-sequences-indented-1000",
        ),
        pytest.param(
            # Level 1 is the document; l2 and l1 add 20 levels each, so level 65 is l0's 24th [.
            "dependency: deep\n"
            f"l0: &l0 {'[' * 40}{']' * 40}\n"
            f"l1: &l1 {'[' * 20}*l0{']' * 20}\n"
            f"l2: {'[' * 20}*l1{']' * 20}\n",
            2,
            len("l0: &l0 ") + MAX_DEPTH - 40,
            id="through-aliases",
        ),
        pytest.param(
            # `- k:` under `k:` at the same indentation: each map is a level and so is each
            # sequence, but only the maps are indented. Refused, though where the maps alone
            # pass the limit (line 66), not where the levels first do.
            "dependency: deep\nowner:\n" + "".join("  " * i + "- k:\n" for i in range(100)),
            None,
            None,
            id="indentless-sequences",
        ),
    ],
)
def test_deep_nesting_is_refused_fast(
    tmp_path: Path, content: str, line: int | None, column: int | None
) -> None:
    linted = lint_file(tmp_path, content)
    finding = linted.only("FM001")
    assert has_words(finding.message, f"nesting deeper than {MAX_DEPTH} levels")
    if line is not None:
        assert (finding.line, finding.column) == (line, column)
    assert linted.seconds < FEW_SECONDS, f"took {linted.seconds:.2f} s of CPU"


def test_nesting_up_to_the_limit_is_read(tmp_path: Path) -> None:
    # The document is level 1, so 63 brackets make 64 levels: read, and then wrong for `owner`.
    depth = MAX_DEPTH - 1
    content = VALID.replace("owner: team-payments", f"owner: {'[' * depth}{']' * depth}")
    finding = lint_file(tmp_path, content).only("FM002")
    assert (finding.line, finding.column) == (3, 8)
    assert has_words(finding.message, "owner: expected text, got a list")


def test_block_mappings_10000_deep_are_refused_by_size(tmp_path: Path) -> None:
    # 10,000 levels of block mappings need 50 MB of indentation even at one space a level.
    content = "".join(" " * i + "a:\n" for i in range(N))
    linted = lint_file(tmp_path, content)
    finding = linted.only("FM001")
    assert (finding.line, finding.column) == (1, 1)
    assert has_words(finding.message, "MiB", "limited to 1 MiB")
    assert linted.seconds < FEW_SECONDS, f"took {linted.seconds:.2f} s of CPU"


def test_ten_megabyte_file(tmp_path: Path) -> None:
    notes = "".join(f"  line {i:08d} of notes that nobody will read\n" for i in range(230_000))
    content = VALID + "notes: |\n" + notes
    assert len(content) > 10 * 1024 * 1024
    linted = lint_file(tmp_path, content)
    finding = linted.only("FM001")
    assert (finding.line, finding.column) == (1, 1)
    size = (tmp_path / "dependency.yaml").stat().st_size / 1024 / 1024
    assert has_words(
        finding.message, f"file is {size:.1f} MiB", "limited to 1 MiB", "one dependency"
    )
    assert linted.seconds < FEW_SECONDS, f"took {linted.seconds:.2f} s of CPU"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        pytest.param(
            "dependency: dense\ntags: [" + ",".join(["a"] * 330_000) + "]\n",
            ("line is", "characters long"),
            id="700KB-one-line",
        ),
        pytest.param(
            "dependency: dense\ntags:\n" + "- a\n" * 200_000,
            ("more than 50,000 yaml tokens",),
            id="800KB-of-list-items",
        ),
        pytest.param(
            "dependency: dense\n# " + "x" * 1_000_000 + "\n",
            ("line is", "characters long"),
            id="1MB-comment",
        ),
    ],
)
def test_dense_files_under_the_size_limit_finish_fast(
    tmp_path: Path, content: str, words: tuple[str, ...]
) -> None:
    linted = lint_file(tmp_path, content)
    finding = linted.only("FM001")
    assert has_words(finding.message, *words), finding.message
    assert linted.seconds < FEW_SECONDS, f"took {linted.seconds:.2f} s of CPU"


# --- paths that are not files ------------------------------------------------------------------


def test_missing_catalog_folder_is_a_usage_error(tmp_path: Path) -> None:
    linted = lint(tmp_path, "--catalog", "missing/")
    assert linted.run.code == 2
    assert linted.run.stdout == ""
    assert has_words(linted.run.stderr, "catalog folder", "missing", "does not exist")


def test_missing_file_argument_is_a_usage_error(tmp_path: Path) -> None:
    linted = lint(tmp_path, "nowhere.yaml")
    assert linted.run.code == 2
    assert linted.run.stdout == ""
    assert has_words(linted.run.stderr, "nowhere.yaml", "no such file")


def test_catalog_path_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "catalog.txt").write_text("not a folder\n", encoding="utf-8")
    linted = lint(tmp_path, "--catalog", "catalog.txt")
    assert linted.run.code == 2
    assert has_words(linted.run.stderr, "catalog.txt", "not a folder")


def make_odd_catalog(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "good.yaml").write_text(VALID, encoding="utf-8")
    (folder / "dir.yaml").mkdir()
    (folder / "dir.yaml" / "inner.txt").write_text("not a catalog\n", encoding="utf-8")
    (folder / "x.yaml").symlink_to("nowhere.yaml")


def expect_odd_findings(linted: Linted, prefix: str) -> None:
    assert linted.run.code == 1, linted.run
    by_path = {f.path: f for f in linted.findings}
    assert set(by_path) == {f"{prefix}dir.yaml", f"{prefix}x.yaml"}, linted.run.stdout
    directory = by_path[f"{prefix}dir.yaml"]
    assert (directory.code, directory.line, directory.column) == ("FM001", 1, 1)
    assert has_words(directory.message, "is a directory")
    link = by_path[f"{prefix}x.yaml"]
    assert (link.code, link.line, link.column) == ("FM001", 1, 1)
    assert has_words(link.message, "broken symbolic link", "missing")


def test_directory_and_broken_symlink_in_a_catalog_folder(tmp_path: Path) -> None:
    make_odd_catalog(tmp_path / "catalog")
    expect_odd_findings(lint(tmp_path, "--catalog", "catalog"), "catalog/")


def test_directory_and_broken_symlink_in_a_project_folder(tmp_path: Path) -> None:
    make_odd_catalog(tmp_path / "project" / "failure-modes")
    expect_odd_findings(lint(tmp_path, "project"), "project/failure-modes/")


def test_directory_and_broken_symlink_given_as_files(tmp_path: Path) -> None:
    make_odd_catalog(tmp_path / "catalog")
    expect_odd_findings(lint(tmp_path, "catalog/dir.yaml", "catalog/x.yaml"), "catalog/")


def test_bad_input_in_json_is_located_too(tmp_path: Path) -> None:
    content = VALID.encode("utf-8").replace(b"kind: http", b"kind: htt\xff")
    (tmp_path / "dependency.yaml").write_bytes(content)
    before = snapshot(tmp_path)
    run = run_fmcat("lint", "--select", "FM0", "--format", "json", "dependency.yaml", cwd=tmp_path)
    assert run.code == 1 and "Traceback" not in run.stderr
    assert snapshot(tmp_path) == before
    (finding,) = json.loads(run.stdout)["findings"]
    assert (finding["code"], finding["path"]) == ("FM001", "dependency.yaml")
    assert (finding["line"], finding["column"]) == (4, 10)


def test_special_files_in_a_catalog_are_refused_fast(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "good.yaml").write_text(VALID, encoding="utf-8")
    (catalog / "zero.yaml").symlink_to("/dev/zero")
    os.mkfifo(catalog / "pipe.yaml")
    linted = lint(tmp_path, "--catalog", "catalog", timeout=20)
    assert linted.run.code == 1, linted.run
    by_path = {f.path: f for f in linted.findings}
    assert set(by_path) == {"catalog/zero.yaml", "catalog/pipe.yaml"}, linted.run.stdout
    assert by_path["catalog/zero.yaml"].message == (
        "cannot read file: is a character device, not a regular file"
    )
    assert by_path["catalog/pipe.yaml"].message == (
        "cannot read file: is a FIFO (named pipe), not a regular file"
    )
    assert all((f.code, f.line, f.column) == ("FM001", 1, 1) for f in linted.findings)
    assert linted.seconds < FEW_SECONDS, f"took {linted.seconds:.2f} s of CPU"
