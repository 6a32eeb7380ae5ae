"""Every rule's own cases, collected automatically: adding a rule adds its tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from fmcat.catalog.checks import CATALOG_CHECKS
from fmcat.catalog.load import load_catalog
from fmcat.lint import check_catalog
from fmcat.rule import Rule, expected_lines

CASES = [
    pytest.param(rule, kind, index, case, id=f"{rule.code}-{kind}-{index}")
    for rule in CATALOG_CHECKS
    for kind, cases in (("valid", rule.VALID), ("invalid", rule.INVALID))
    for index, case in enumerate(cases)
]


def reported_lines(rule: type[Rule], case: str, tmp_path: Path) -> list[int]:
    path = tmp_path / "dependency.yaml"
    path.write_text(case, encoding="utf-8")
    findings = check_catalog(load_catalog([path]))
    return sorted(f.location.line for f in findings if f.code == rule.code)


@pytest.mark.parametrize(("rule", "kind", "index", "case"), CASES)
def test_case(rule: type[Rule], kind: str, index: int, case: str, tmp_path: Path) -> None:
    lines = reported_lines(rule, case, tmp_path)
    expected = expected_lines(case, rule.code)
    if kind == "valid":
        assert not expected, "a VALID case must not carry expect marks"
        assert lines == [], f"{rule.code} reported on a valid case at lines {lines}"
    else:
        assert expected, "an INVALID case must mark the lines where the rule reports"
        assert sorted(set(lines)) == expected


@pytest.mark.parametrize("rule", CATALOG_CHECKS, ids=lambda r: r.code)
def test_rule_is_documented(rule: type[Rule]) -> None:
    assert rule.code.startswith("FM") and len(rule.code) == 5
    assert rule.name and rule.name == rule.name.lower() and " " not in rule.name
    assert rule.summary and not rule.summary.endswith(".")
    assert len(rule.explanation()) > 80, "the docstring is the rule's documentation"
    assert rule.VALID and rule.INVALID, "each rule needs a Good and a Bad example"


def test_valid_cases_are_valid_catalog_files(tmp_path: Path) -> None:
    """Good examples must be good as a whole, not only for their own rule: no load errors."""
    for rule in CATALOG_CHECKS:
        for case in rule.VALID:
            path = tmp_path / "dependency.yaml"
            path.write_text(case, encoding="utf-8")
            catalog = load_catalog([path])
            assert catalog.findings == [], (rule.code, catalog.findings)
            assert len(catalog.entries) == 1


def test_rule_codes_are_unique_and_in_order() -> None:
    codes = [rule.code for rule in CATALOG_CHECKS]
    assert codes == sorted(set(codes))


def test_every_check_module_is_registered() -> None:
    import fmcat.catalog.checks as package

    modules = {p.stem for p in Path(package.__file__).parent.glob("fm*.py")}
    registered = {rule.__module__.rsplit(".", 1)[1] for rule in CATALOG_CHECKS}
    assert modules == registered
