"""Every rule's own cases, collected automatically: adding a rule adds its tests.

An INVALID case marks each finding: `# expect: FM106` is exactly one on that line, `# expect:
FM106 FM106` two, and `# expect: FM106 "no stop condition"` one whose message contains the
text (as Fixit's expected_message). Every rule has its message checked by at least one mark.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from fmcat.alerts.checks import RULES_CHECKS
from fmcat.alerts.checks.base import SITE_URL, RulesCheck
from fmcat.catalog.checks import CATALOG_CHECKS
from fmcat.catalog.load import Peer, load_catalog
from fmcat.lint import LintOptions, check_catalog, run_lint
from fmcat.rule import Rule, expected_findings
from fmcat.scan.rules import CODE_RULES
from fmcat.scan.rules.base import CodeRule

ALL = (*CATALOG_CHECKS, *RULES_CHECKS, *CODE_RULES)
CASES = [
    pytest.param(rule, kind, index, case, id=f"{rule.code}-{kind}-{index}")
    for rule in ALL
    for kind, cases in (("valid", rule.VALID), ("invalid", rule.INVALID))
    for index, case in enumerate(cases)
]


Reported = list[tuple[int, str]]


def catalog_findings(rule: type[Rule], case: str, tmp_path: Path) -> Reported:
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
    return sorted((f.location.line, f.message) for f in findings if f.code == rule.code)


def code_findings(rule: type[CodeRule], case: str, tmp_path: Path) -> Reported:
    """The case as a one-file project, linted as `fmcat lint` would (without the cache)."""
    (tmp_path / "app.py").write_text(case, encoding="utf-8")
    if rule.CATALOG:
        (tmp_path / "failure-modes").mkdir()
        (tmp_path / "failure-modes" / "dependency.yaml").write_text(rule.CATALOG, "utf-8")
    options = LintOptions(paths=(tmp_path,), use_cache=False, report_unused_ignores=True)
    wanted = "dependency.yaml" if rule.reports_on_catalog else "app.py"
    return sorted(
        (f.location.line, f.message)
        for f in run_lint(options).findings
        if f.code == rule.code and f.location.path.endswith(wanted)
    )


def rules_findings(rule: type[RulesCheck], case: str, tmp_path: Path) -> Reported:
    """The case as the alerting rules of a project with the rule's catalog and site."""
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.fmcat]\nalert_rules = ["alerts.rules.yaml"]\nsite_url = "{SITE_URL}"\n',
        encoding="utf-8",
    )
    (tmp_path / "alerts.rules.yaml").write_text(case, encoding="utf-8")
    (tmp_path / "failure-modes").mkdir()
    (tmp_path / "failure-modes" / "dependency.yaml").write_text(rule.CATALOG, "utf-8")
    options = LintOptions(paths=(tmp_path,), use_cache=False)
    return sorted(
        (f.location.line, f.message)
        for f in run_lint(options).findings
        if f.code == rule.code and f.location.path.endswith("alerts.rules.yaml")
    )


def reported(rule: type[Rule], case: str, tmp_path: Path) -> Reported:
    if issubclass(rule, RulesCheck):
        return rules_findings(rule, case, tmp_path)
    if issubclass(rule, CodeRule):
        return code_findings(rule, case, tmp_path)
    return catalog_findings(rule, case, tmp_path)


@pytest.mark.parametrize(("rule", "kind", "index", "case"), CASES)
def test_case(rule: type[Rule], kind: str, index: int, case: str, tmp_path: Path) -> None:
    findings = reported(rule, case, tmp_path)
    for _, message in findings:
        assert message.strip() and message != "None", f"{rule.code} reported {message!r}"
    expected = expected_findings(case, rule.code)
    if issubclass(rule, CodeRule) and rule.reports_on_catalog:
        # On the catalog file, which the case does not hold: marks count and quote, not place.
        assert bool(findings) == (kind == "invalid")
        if expected:
            assert len(findings) == len(expected), findings
            pairs = zip(expected, findings, strict=True)
            findings = [(e.line, message) for e, (_, message) in pairs]
    if kind == "valid":
        assert not expected, "a VALID case must not carry expect marks"
        assert findings == [], f"{rule.code} reported on a valid case: {findings}"
        return
    assert expected, "an INVALID case must mark the lines where the rule reports"
    counts = Counter(line for line, _ in findings)
    assert counts == Counter(e.line for e in expected), (
        f"{rule.code}: findings per line {dict(sorted(counts.items()))}, marked "
        f"{dict(sorted(Counter(e.line for e in expected).items()))}: {findings}"
    )
    for line in counts:
        messages = [message for at, message in findings if at == line]
        for wanted in (e.message for e in expected if e.line == line and e.message):
            match = next((m for m in messages if wanted in m), None)
            assert match is not None, f"{rule.code} line {line}: no message has {wanted!r}"
            messages.remove(match)


@pytest.mark.parametrize("rule", ALL, ids=lambda r: r.code)
def test_every_rule_has_its_message_checked(rule: type[Rule]) -> None:
    """A mutation of a rule's message must fail a test: some INVALID case quotes part of it."""
    marked = [e for case in rule.INVALID for e in expected_findings(case, rule.code) if e.message]
    assert marked, (
        f'{rule.code}: mark a finding with its message, e.g. `# expect: {rule.code} "text of it"`'
    )


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
    for rules in (CATALOG_CHECKS, RULES_CHECKS, CODE_RULES):
        codes = [rule.code for rule in rules]
        assert codes == sorted(set(codes))


@pytest.mark.parametrize(
    ("package", "registered"),
    [
        ("fmcat.catalog.checks", CATALOG_CHECKS),
        ("fmcat.alerts.checks", RULES_CHECKS),
        ("fmcat.scan.rules", CODE_RULES),
    ],
)
def test_every_rule_module_is_registered(package: str, registered: tuple[type[Rule], ...]) -> None:
    import importlib

    module = importlib.import_module(package)
    assert module.__file__ is not None
    modules = {p.stem for p in Path(module.__file__).parent.glob("fm*.py")}
    assert modules == {rule.__module__.rsplit(".", 1)[1] for rule in registered}
