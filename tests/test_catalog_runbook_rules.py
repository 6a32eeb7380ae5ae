"""FM004, FM023 and FM024 beyond their own cases: messages, configuration, the date."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_fmcat

BASE = """\
dependency: payments
owner: team-payments
kind: http
criticality: optional
policies: {timeout: {read: 1s}, fallback: Pay later}
"""


def project(tmp_path: Path, catalog: str, tool: str = "") -> Path:
    (tmp_path / "pyproject.toml").write_text(f"[tool.fmcat]\n{tool}\n", encoding="utf-8")
    (tmp_path / "failure-modes").mkdir()
    (tmp_path / "failure-modes" / "payments.yaml").write_text(catalog, encoding="utf-8")
    return tmp_path


def lint(root: Path, *codes: str) -> list[str]:
    result = run_fmcat("lint", str(root), "--select", ",".join(codes), "--no-cache")
    assert result.code in (0, 1), result.stderr
    return [line.split(": ", 1)[1] for line in result.stdout.splitlines()]


def test_value_cut_by_comment_says_what_was_lost(tmp_path: Path) -> None:
    root = project(tmp_path, BASE + "escalation: page #payments-oncall\n")
    assert lint(root, "FM004") == [
        'FM004 "page" is all that loads: YAML reads the rest of the line, " #payments-oncall", '
        "as a comment; quote the value to keep it"
    ]


def test_stale_review_follows_the_configured_age(tmp_path: Path) -> None:
    # The runs are pinned to 2026-12-01 (SOURCE_DATE_EPOCH in conftest): 100 days after this.
    root = project(tmp_path, BASE + "last_reviewed: 2026-08-23\n", "review_max_age_days = 90")
    found = lint(root, "FM024")
    assert len(found) == 1 and "100 days ago (more than review_max_age_days = 90)" in found[0]
    (root / "pyproject.toml").write_text("[tool.fmcat]\nreview_max_age_days = 100\n")
    assert lint(root, "FM024") == []


def test_last_reviewed_must_be_a_date(tmp_path: Path) -> None:
    root = project(tmp_path, BASE + "last_reviewed: last spring\n")
    found = lint(root, "FM002")
    assert len(found) == 1 and "expected a date as YYYY-MM-DD" in found[0], found


def test_steps_is_an_alias_of_mitigate_not_a_second_list(tmp_path: Path) -> None:
    modes = (
        "failure_modes:\n  - id: down\n    title: Down\n    detection: {alert: Down}\n"
        "    response:\n      mitigate: [a]\n      steps: [b]\n"
    )
    found = lint(project(tmp_path, BASE + modes), "FM002")
    assert len(found) == 1 and "give `mitigate` or its older name `steps`" in found[0], found


def test_a_draft_is_reported_once_with_what_is_left(tmp_path: Path) -> None:
    root = project(tmp_path, BASE.replace("team-payments", "TODO") + 'notes: "TODO: why"\n')
    assert lint(root, "FM023") == [
        "FM023 runbook is a draft: 2 values still say TODO (owner, notes); write them, then the "
        "page is no longer marked as a draft"
    ]
