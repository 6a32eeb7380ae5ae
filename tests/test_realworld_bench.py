"""The real-service suite's fetcher and scorer on a tiny local corpus (no network).

A fake service is packed as a real wheel into a cache folder, pinned by its sha256 in a manifest
of its own, and labelled with one true positive pair, one clean call, one label that fmcat cannot
meet (a false negative) and one unlabelled finding (a false positive). The scorer then runs the
real `fmcat lint` on it, and the counts it prints must be exactly those.
"""

from __future__ import annotations

import hashlib
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pypi import BenchError
from bench.realworld import fetch, score

CALLS = """\
import requests


def untimed(url):
    return requests.get(url)


def timed(url):
    try:
        return requests.get(url, timeout=5)
    except requests.RequestException:
        return None


def configured(url, settings):
    return requests.post(url, timeout=settings.timeout_for("payments"))


def unlabelled(url):
    try:
        return requests.head(url)
    except OSError:
        return None
"""

LABELS = """\
service = "fakesvc"
version = "1.0"

[[site]]
path = "fakesvc/calls.py"
line = 5
call = "requests.get"
expect = ["FM101", "FM103"]
reason = "no timeout, no handler"

[[site]]
path = "fakesvc/calls.py"
line = 10
call = "requests.get"
expect = []
reason = "timeout=5, RequestException caught"

[[site]]
path = "fakesvc/calls.py"
line = 16
call = "requests.post"
expect = ["FM109", "FM103"]
reason = "timeout computed from settings (fmcat reports only a setting read directly); unhandled"
"""


def _corpus(tmp_path: Path) -> tuple[Path, Path]:
    """A manifest beside its labels, and a cache holding the pinned wheel."""
    cache = tmp_path / "cache"
    (cache / "wheels").mkdir(parents=True)
    wheel = cache / "wheels" / "fakesvc-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("fakesvc/__init__.py", "")
        archive.writestr("fakesvc/calls.py", CALLS)
        archive.writestr("fakesvc/tests/test_calls.py", "import requests\nrequests.get('u')\n")
        archive.writestr("fakesvc-1.0.dist-info/METADATA", "Name: fakesvc\nVersion: 1.0\n")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    suite = tmp_path / "suite"
    (suite / "labels").mkdir(parents=True)
    (suite / "labels" / "fakesvc.toml").write_text(LABELS, encoding="utf-8")
    manifest = suite / "services.toml"
    manifest.write_text(
        "[[service]]\n"
        'name = "fakesvc"\nversion = "1.0"\nfile = "fakesvc-1.0-py3-none-any.whl"\n'
        f'sha256 = "{digest}"\npackage = "fakesvc"\nsource = "local"\n'
        'labels = "labels/fakesvc.toml"\n',
        encoding="utf-8",
    )
    return manifest, cache


def test_fetch_unpacks_the_pinned_wheel_from_the_cache(tmp_path: Path) -> None:
    manifest, cache = _corpus(tmp_path)
    folders = fetch.fetch(cache=cache, manifest=manifest)
    root = folders["fakesvc"]
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py")) == [
        "fakesvc/__init__.py",
        "fakesvc/calls.py",
        "fakesvc/tests/test_calls.py",
    ]
    assert "[tool.fmcat]" in (root / "pyproject.toml").read_text(encoding="utf-8")


def test_fetch_refuses_a_wheel_whose_hash_changed(tmp_path: Path) -> None:
    manifest, cache = _corpus(tmp_path)
    text = manifest.read_text(encoding="utf-8")
    digest = text.split('sha256 = "')[1].split('"')[0]
    manifest.write_text(text.replace(digest, "0" * 64), encoding="utf-8")
    # The cached wheel no longer matches, so fetch asks pip; pointed at no index, pip fails and
    # the benchmark stops instead of using the file.
    monkey = pytest.MonkeyPatch()
    monkey.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    monkey.setenv("PIP_NO_INDEX", "1")
    try:
        with pytest.raises(BenchError, match="fakesvc"):
            fetch.fetch(cache=cache, manifest=manifest)
    finally:
        monkey.undo()
    assert not (cache / "services").exists(), "a wheel that fails its hash must not be unpacked"


def test_scorer_counts_true_and_false_positives_and_negatives(tmp_path: Path) -> None:
    manifest, cache = _corpus(tmp_path)
    report = "\n".join(score.run(manifest=manifest, cache=cache, shown=50))
    total = next(line for line in report.splitlines() if line.strip().startswith("total"))
    # Per code: precision, recall and the number of labelled expectations.
    # FM101: line 5 found, line 21 (requests.head, unlabelled) a false positive -> 0.50 1.00 (1)
    # FM102 and FM107: nothing expected or reported; FM103: lines 5 and 16 -> 1.00 1.00 (2)
    # FM109: line 16 expected, not reported -> - 0.00 (1); FM110 and FM112: no delivery labels;
    # all: 3 of 4 reported right, 3 of 4 found
    cells = " ".join(total.split()[1:])
    assert cells == (
        "0.50 1.00 ( 1) - - ( 0) 1.00 1.00 ( 2) - - ( 0) - 0.00 ( 1) - - ( 0) - - ( 0) "
        "0.75 0.75 ( 4)"
    ), report
    assert "fakesvc/calls.py:21 FM101" in report, report
    assert "false positives (1)" in report, report
    assert "false negatives (1)" in report, report
    assert "fakesvc/calls.py:16 FM109" in report, report
    assert "3 labelled call sites" in report, report
    # The service's test file is left out of the scan (production code only, as by default).
    assert "not scored: 0 findings in unlabelled files (0 of them in test code)" in report, report


def test_score_arithmetic() -> None:
    labels = score.Labels(
        "s",
        "1",
        (
            score.Site("a.py", 3, "requests.get", ("FM101",), "r"),
            score.Site("a.py", 7, "requests.get", (), "r"),
            score.Site("a.py", 9, "cache.get", (), "framework", ignore=True),
        ),
    )
    found = [
        score.Finding("a.py", 3, "FM101", "m"),  # true positive
        score.Finding("a.py", 7, "FM103", "m"),  # false positive on a clean line
        score.Finding("a.py", 9, "FM101", "m"),  # ignored line
        score.Finding("b.py", 1, "FM101", "m"),  # unlabelled file: not scored
        score.Finding("a.py", 3, "FM104", "m"),  # code outside the suite
    ]
    result = score.score(labels, found)
    assert (result.tp["FM101"], result.fp["FM103"], sum(result.fn.values())) == (1, 1, 0)
    assert result.unscored["FM101"] == 1
    assert result.other_codes["FM104"] == 1
    table = "\n".join(score.table([result], result))
    assert "1.00 1.00 (  1)" in table and "0.00" in table, table


def test_delivery_labels_judge_their_codes_in_their_files_only() -> None:
    """[[delivery]] entries score FM110/FM112 in their own files; a call-site file is not
    judged for them, nor a delivery file for the call-site codes."""
    labels = score.Labels(
        "s",
        "1",
        (score.Site("a.py", 3, "requests.get", ("FM101",), "r"),),
        (
            score.Site("t.py", 5, "app.task", ("FM110",), "acks early"),
            score.Site("t.py", 9, "requests.post", (), "never retried"),
            score.Site("t.py", 12, "app.task", (), "acks_late"),
            score.Site("t.py", 20, "requests.post", ("FM112",), "autoretry_for"),
        ),
    )
    found = [
        score.Finding("a.py", 3, "FM101", "m"),  # true positive (call sites)
        score.Finding("a.py", 4, "FM110", "m"),  # FM110 in a file without delivery labels
        score.Finding("t.py", 5, "FM110", "m"),  # true positive (delivery)
        score.Finding("t.py", 9, "FM112", "m"),  # false positive on a labelled clean line
        score.Finding("t.py", 9, "FM101", "m"),  # call-site code in a delivery-only file
    ]
    result = score.score(labels, found)
    assert (result.tp["FM101"], result.tp["FM110"], result.fp["FM112"]) == (1, 1, 1)
    assert result.fn["FM112"] == 1
    assert [key for key, _ in result.false_negatives] == [("t.py", 20, "FM112")]
    assert result.false_negatives[0][1] == "autoretry_for"
    assert result.fp["FM110"] == 0 and result.fp["FM101"] == 0
    assert result.other_codes == {"FM110": 1, "FM101": 1}


def test_delivery_labels_refuse_call_site_codes(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    site = '[[site]]\npath = "a.py"\nline = 1\ncall = "x"\nexpect = []\nreason = "r"\n'
    entry = '[[delivery]]\npath = "a.py"\nline = 1\ncall = "x"\nexpect = ["FM101"]\nreason = "r"\n'
    path.write_text(f'service = "s"\nversion = "1"\n{site}{entry}', encoding="utf-8")
    with pytest.raises(BenchError, match=r"bad\.toml: delivery 1: expect must list codes of FM110"):
        score.load_labels(path)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('path = "a.py"\nline = 1\ncall = "x"\nexpect = ["FM999"]\nreason = "r"', "FM999"),
        ('path = "a.py"\nline = 1\ncall = "x"\nexpect = []\nreason = " "', "needs a reason"),
        ('path = "a.py"\nline = 0\ncall = "x"\nexpect = []\nreason = "r"', "positive integer"),
        ('path = "a.py"\nline = 1\ncall = "x"\nexpect = []', "fields must be"),
        (
            'path = "a.py"\nline = 1\ncall = "x"\nexpect = ["FM101"]\nreason = "r"\nignore = true',
            "an ignored line expects nothing",
        ),
    ],
)
def test_bad_labels_are_refused_with_the_entry(tmp_path: Path, entry: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(f'service = "s"\nversion = "1"\n[[site]]\n{entry}\n', encoding="utf-8")
    with pytest.raises(BenchError, match=message) as caught:
        score.load_labels(path)
    assert "bad.toml: site 1" in caught.value.message


def test_a_label_twice_and_a_moved_line_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "twice.toml"
    site = '[[site]]\npath = "a.py"\nline = 2\ncall = "requests.get"\nexpect = []\nreason = "r"\n'
    path.write_text(f'service = "s"\nversion = "1"\n{site}{site}', encoding="utf-8")
    with pytest.raises(BenchError, match="labelled twice"):
        score.load_labels(path)
    path.write_text(f'service = "s"\nversion = "1"\n{site}', encoding="utf-8")
    (tmp_path / "a.py").write_text("import requests\nx = 1\n", encoding="utf-8")
    drift = score.check_against_source(score.load_labels(path), tmp_path)
    assert drift == ["a.py:2: expected 'requests.get', line is 'x = 1'"]


def test_the_committed_labels_are_well_formed() -> None:
    """Every committed label file loads, matches its pin, and the suite has 150+ sites."""
    services = fetch.load_manifest()
    labelled = 0
    for service in services:
        if not service.labels:
            continue
        labels = score.load_labels(fetch.HERE / service.labels)
        assert (labels.service, labels.version) == (service.name, service.version)
        labelled += sum(not s.ignore for s in labels.sites)
    assert labelled >= 150, labelled


CENSUS_SOURCE = """\
import requests as r
from django.core.cache import caches
from django_redis import get_redis_connection
from requests.exceptions import HTTPError


def f(u, task):
    s = r.Session()
    s.get(u)
    r.get(u).json()
    caches["default"].get("k")
    rc = get_redis_connection("redis")
    p = rc.pipeline()
    rc.incr("k")
    task.delay(1)
    {}.get("x")
    raise HTTPError()
"""


def test_census_resolves_imports_bindings_and_chains() -> None:
    import ast

    from bench import census

    tree = ast.parse(CENSUS_SOURCE)
    sites = list(census._FileCensus(tree, "m").sites(tree, "m.py", celery=True))
    found = sorted((s.line, s.library, s.name) for s in sites)
    assert found == [
        (8, "requests", "requests.Session"),
        (9, "requests", "requests.Session().get"),
        (10, "requests", "requests.get"),
        (11, "django cache", "django.core.cache.caches.get"),
        (12, "redis", "django_redis.get_redis_connection"),
        (14, "redis", "django_redis.get_redis_connection().incr"),
        (15, "celery publish", "<task>.delay"),
    ], found  # not: .json() on a response, rc.pipeline(), dict.get, the exception class


def test_a_label_file_of_delivery_entries_only(tmp_path: Path) -> None:
    """A service added for its consumers and retries has delivery labels and no call sites;
    a file with neither is refused."""
    path = tmp_path / "only.toml"
    entry = (
        '[[delivery]]\npath = "a.py"\nline = 3\ncall = "Retry"\nexpect = ["FM112"]\nreason = "r"\n'
    )
    path.write_text(f'service = "s"\nversion = "1"\n{entry}', encoding="utf-8")
    labels = score.load_labels(path)
    assert (labels.sites, labels.delivery_files) == ((), frozenset({"a.py"}))
    assert labels.expected == frozenset({("a.py", 3, "FM112")})
    path.write_text('service = "s"\nversion = "1"\n', encoding="utf-8")
    with pytest.raises(BenchError, match=r"no \[\[site\]\] or \[\[delivery\]\] entries"):
        score.load_labels(path)
