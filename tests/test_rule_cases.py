"""Every rule's own cases, collected automatically: adding a rule adds its tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from fmcat.catalog.checks import CATALOG_CHECKS
from fmcat.catalog.load import Peer, load_catalog
from fmcat.lint import LintOptions, check_catalog, run_lint
from fmcat.rule import Rule, expected_lines
from fmcat.scan.rules import CODE_RULES
from fmcat.scan.rules.base import CodeRule

ALL = (*CATALOG_CHECKS, *CODE_RULES)
CASES = [
    pytest.param(rule, kind, index, case, id=f"{rule.code}-{kind}-{index}")
    for rule in ALL
    for kind, cases in (("valid", rule.VALID), ("invalid", rule.INVALID))
    for index, case in enumerate(cases)
]


def catalog_lines(rule: type[Rule], case: str, tmp_path: Path) -> list[int]:
    path = tmp_path / "dependency.yaml"
    path.write_text(case, encoding="utf-8")
    catalog = load_catalog([path])
    # A check across services (FM026) gets the other services' declarations from its class.
    for index, (service, text) in enumerate(getattr(rule, "PEERS", ())):
        peer = tmp_path / f"peer-{index}.yaml"
        peer.write_text(text, encoding="utf-8")
        for entry in load_catalog([peer]).entries:
            catalog.peers.setdefault(entry.name, []).append(Peer(service, peer.name, entry.model))
    findings = check_catalog(catalog)
    return sorted(f.location.line for f in findings if f.code == rule.code)


def code_lines(rule: type[CodeRule], case: str, tmp_path: Path) -> list[int]:
    """The case as a one-file project, linted as `fmcat lint` would (without the cache)."""
    (tmp_path / "app.py").write_text(case, encoding="utf-8")
    if rule.CATALOG:
        (tmp_path / "failure-modes").mkdir()
        (tmp_path / "failure-modes" / "dependency.yaml").write_text(rule.CATALOG, "utf-8")
    options = LintOptions(paths=(tmp_path,), use_cache=False, report_unused_ignores=True)
    wanted = "dependency.yaml" if rule.reports_on_catalog else "app.py"
    return sorted(
        f.location.line
        for f in run_lint(options).findings
        if f.code == rule.code and f.location.path.endswith(wanted)
    )


@pytest.mark.parametrize(("rule", "kind", "index", "case"), CASES)
def test_case(rule: type[Rule], kind: str, index: int, case: str, tmp_path: Path) -> None:
    if issubclass(rule, CodeRule):
        lines = code_lines(rule, case, tmp_path)
        if rule.reports_on_catalog:
            assert bool(lines) == (kind == "invalid")
            return
    else:
        lines = catalog_lines(rule, case, tmp_path)
    expected = expected_lines(case, rule.code)
    if kind == "valid":
        assert not expected, "a VALID case must not carry expect marks"
        assert lines == [], f"{rule.code} reported on a valid case at lines {lines}"
    else:
        assert expected, "an INVALID case must mark the lines where the rule reports"
        assert sorted(set(lines)) == expected


@pytest.mark.parametrize("rule", ALL, ids=lambda r: r.code)
def test_rule_is_documented(rule: type[Rule]) -> None:
    assert rule.code.startswith("FM") and len(rule.code) == 5
    assert rule.name and rule.name == rule.name.lower() and " " not in rule.name
    assert rule.summary and not rule.summary.endswith(".")
    assert len(rule.explanation()) > 80, "the docstring is the rule's documentation"
    assert rule.VALID and rule.INVALID, "each rule needs a Good and a Bad example"


def test_valid_catalog_cases_are_valid_catalog_files(tmp_path: Path) -> None:
    """Good examples must be good as a whole, not only for their own rule: no load errors."""
    for rule in CATALOG_CHECKS:
        for case in rule.VALID:
            path = tmp_path / "dependency.yaml"
            path.write_text(case, encoding="utf-8")
            catalog = load_catalog([path])
            assert catalog.findings == [], (rule.code, catalog.findings)
            assert len(catalog.entries) == 1


def test_code_rule_cases_are_valid_python() -> None:
    for rule in CODE_RULES:
        for case in (*rule.VALID, *rule.INVALID):
            if rule.code != "FM100":
                compile(case, rule.code, "exec")


def test_rule_codes_are_unique_and_in_order() -> None:
    for rules in (CATALOG_CHECKS, CODE_RULES):
        codes = [rule.code for rule in rules]
        assert codes == sorted(set(codes))


@pytest.mark.parametrize(
    ("package", "registered"),
    [("fmcat.catalog.checks", CATALOG_CHECKS), ("fmcat.scan.rules", CODE_RULES)],
)
def test_every_rule_module_is_registered(package: str, registered: tuple[type[Rule], ...]) -> None:
    import importlib

    module = importlib.import_module(package)
    assert module.__file__ is not None
    modules = {p.stem for p in Path(module.__file__).parent.glob("fm*.py")}
    assert modules == {rule.__module__.rsplit(".", 1)[1] for rule in registered}
