"""The real-service suite's scorer: fmcat on each pinned service, against the hand labels.

    python bench/realworld/score.py              # fetch, lint, print the table and the misses
    python bench/realworld/score.py pretix       # only the services named

For each service with labels, `fmcat lint . --format json --no-cache` runs in the unpacked folder
(the whole service, so that cross-module analysis sees every caller), and only the findings in
the labelled files are scored. A finding matches a label when path, line and code agree; a call
that spans lines is labelled, and must be reported, on its first line (the line where the call
expression starts, which is where fmcat puts a finding). A finding of a scored code at any other
line of a labelled file is a false positive; a labelled code nobody reported is a false negative.
Lines marked `ignore = true` (framework layers not judged yet) score neither way. Findings in
files without labels, and codes outside SCORED, are counted but not scored.

Delivery semantics (FM110, FM112) are labelled apart, as `[[delivery]]` entries: a file with one
has every consumer and every creating call inside a retry labelled, and only those files are
scored for these codes. FM110 compares the code with a catalog: a service's declared semantics are
`catalogs/<service>/` beside this file (what the service itself documents, each declaration
citing where). Such a service is linted twice: without the catalog for the call-site codes (a
catalog changes them: FM104, FM105), and with it, `--catalog`, for FM110 and FM112.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.census import is_production
from bench.pypi import BenchError
from bench.realworld.fetch import MANIFEST, Service, fetch, load_manifest

#: The codes the call-site labels judge: timeouts (missing, disabled, library default, from
#: configuration) and handling.
SITE_CODES = ("FM101", "FM102", "FM103", "FM107", "FM109")
#: The codes the delivery labels judge: semantics against the catalog, non-idempotent retries.
DELIVERY_CODES = ("FM110", "FM112")
SCORED = SITE_CODES + DELIVERY_CODES
CATALOGS = Path(__file__).resolve().parent / "catalogs"
SITE_FIELDS = {"path", "line", "call", "expect", "reason"}
OPTIONAL_FIELDS = {"ignore"}

Key = tuple[str, int, str]  # (path, line, code)


@dataclass(frozen=True)
class Site:
    path: str
    line: int
    call: str
    expect: tuple[str, ...]
    reason: str
    ignore: bool = False


@dataclass(frozen=True)
class Labels:
    service: str
    version: str
    sites: tuple[Site, ...]
    #: The `[[delivery]]` entries: consumers and creating calls in retries (FM110, FM112).
    delivery: tuple[Site, ...] = ()

    @property
    def files(self) -> frozenset[str]:
        return frozenset(s.path for s in self.sites)

    @property
    def delivery_files(self) -> frozenset[str]:
        return frozenset(s.path for s in self.delivery)

    @property
    def expected(self) -> frozenset[Key]:
        return frozenset(
            (s.path, s.line, c)
            for s in (*self.sites, *self.delivery)
            if not s.ignore
            for c in s.expect
        )

    def scored(self, path: str, code: str) -> bool:
        """Whether a finding of ``code`` in ``path`` is judged by these labels."""
        files = self.delivery_files if code in DELIVERY_CODES else self.files
        return code in SCORED and path in files

    @property
    def ignored(self) -> frozenset[tuple[str, int]]:
        return frozenset((s.path, s.line) for s in self.sites if s.ignore)


def load_labels(path: Path) -> Labels:
    """A label file, checked; a BenchError names the file and the entry that is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise BenchError(f"{path}: {error}") from error
    service, version = data.get("service"), data.get("version")
    if not isinstance(service, str) or not isinstance(version, str):
        raise BenchError(f'{path}: needs top-level service = "..." and version = "..."')
    sites = _entries(path, data.get("site", []), "site", SITE_CODES)
    delivery = _entries(path, data.get("delivery", []), "delivery", DELIVERY_CODES)
    if not sites and not delivery:
        raise BenchError(f"{path}: no [[site]] or [[delivery]] entries")
    return Labels(service, version, tuple(sites), tuple(delivery))


def _entries(path: Path, entries: object, table: str, codes: tuple[str, ...]) -> list[Site]:
    sites: list[Site] = []
    seen: dict[tuple[str, int], int] = {}
    for number, entry in enumerate(entries if isinstance(entries, list) else [], start=1):
        where = f"{path.name}: {table} {number}"
        keys = set(entry) if isinstance(entry, dict) else set()
        if not SITE_FIELDS <= keys <= SITE_FIELDS | OPTIONAL_FIELDS:
            raise BenchError(
                f"{where}: fields must be {sorted(SITE_FIELDS)} (+ ignore); has {sorted(keys)}"
            )
        expect = entry["expect"]
        if not isinstance(expect, list) or not all(c in codes for c in expect):
            raise BenchError(
                f"{where}: expect must list codes of {', '.join(codes)}; got {expect!r}"
            )
        if not isinstance(entry["line"], int) or entry["line"] < 1:
            raise BenchError(f"{where}: line must be a positive integer")
        if not str(entry["reason"]).strip():
            raise BenchError(f"{where}: every label needs a reason")
        ignore = entry.get("ignore", False)
        if ignore is not False and ignore is not True:
            raise BenchError(f"{where}: ignore must be true or false")
        if ignore and expect:
            raise BenchError(f"{where}: an ignored line expects nothing")
        site = Site(
            str(entry["path"]), entry["line"], str(entry["call"]), tuple(expect),
            str(entry["reason"]), ignore,
        )  # fmt: skip
        if (site.path, site.line) in seen:
            other = seen[(site.path, site.line)]
            raise BenchError(
                f"{where}: {site.path}:{site.line} is labelled twice (see {table} {other})"
            )
        seen[(site.path, site.line)] = number
        sites.append(site)
    return sites


def check_against_source(labels: Labels, root: Path) -> list[str]:
    """Labels whose line no longer says their call: the source moved under the labels."""
    problems: list[str] = []
    cache: dict[str, list[str]] = {}
    for site in (*labels.sites, *labels.delivery):
        if site.path not in cache:
            try:
                cache[site.path] = (root / site.path).read_text(encoding="utf-8").splitlines()
            except OSError as error:
                problems.append(f"{site.path}: {error.strerror or error}")
                cache[site.path] = []
        lines = cache[site.path]
        text = lines[site.line - 1] if site.line <= len(lines) else ""
        name = site.call.rsplit(".", 1)[-1]
        if name not in text:
            problems.append(
                f"{site.path}:{site.line}: expected {site.call!r}, line is {text.strip()!r}"
            )
    return problems


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    code: str
    message: str


def lint(
    root: Path, env: Mapping[str, str] | None = None, catalog: Path | None = None
) -> list[Finding]:
    """`fmcat lint` on the whole service, as a user runs it from the service's folder; with the
    service's declared semantics when ``catalog`` is given."""
    command = [sys.executable, "-m", "fmcat", "lint", ".", "--format", "json", "--no-cache"]
    if catalog is not None:
        command += ["--catalog", str(catalog)]
    run_env = dict(os.environ if env is None else env)
    run_env["FMCAT_NO_CACHE"] = "1"
    done = subprocess.run(
        command, cwd=root, capture_output=True, text=True, env=run_env, check=False
    )
    if done.returncode not in (0, 1):
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        raise BenchError(f"fmcat lint exited {done.returncode} on {root}:\n{tail}")
    try:
        data = json.loads(done.stdout)
    except ValueError as error:
        raise BenchError(f"fmcat lint on {root}: output is not JSON ({error})") from error
    return [
        Finding(
            str(f["path"]).removeprefix("./"), int(f["line"]), str(f["code"]), str(f["message"])
        )
        for f in data["findings"]
    ]


@dataclass
class Score:
    """One service's (or the total's) counts, per scored code."""

    name: str
    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    false_positives: list[tuple[Key, str]] = field(default_factory=list)  # with fmcat's message
    false_negatives: list[tuple[Key, str]] = field(default_factory=list)  # with the label's reason
    unscored: Counter[str] = field(default_factory=Counter)  # findings outside labelled files
    unscored_in_tests: int = 0  # of those, in test code
    other_codes: Counter[str] = field(default_factory=Counter)  # in labelled files, not SCORED

    def add(self, other: Score) -> None:
        for mine, theirs in [
            (self.tp, other.tp), (self.fp, other.fp), (self.fn, other.fn),
            (self.unscored, other.unscored), (self.other_codes, other.other_codes),
        ]:  # fmt: skip
            mine.update(theirs)
        self.unscored_in_tests += other.unscored_in_tests
        self.false_positives += other.false_positives
        self.false_negatives += other.false_negatives


def score(labels: Labels, findings: Iterable[Finding]) -> Score:
    result = Score(labels.service)
    expected = labels.expected
    reasons = {(s.path, s.line): s.reason for s in labels.sites}
    delivery_reasons = {(s.path, s.line): s.reason for s in labels.delivery}
    reported: dict[Key, str] = {}
    for finding in findings:
        if finding.path not in labels.files | labels.delivery_files:
            result.unscored[finding.code] += 1
            result.unscored_in_tests += not is_production(finding.path)
        elif not labels.scored(finding.path, finding.code):
            result.other_codes[finding.code] += 1
        elif (finding.path, finding.line) not in labels.ignored:
            reported.setdefault((finding.path, finding.line, finding.code), finding.message)
    for key, message in sorted(reported.items()):
        if key in expected:
            result.tp[key[2]] += 1
        else:
            result.fp[key[2]] += 1
            result.false_positives.append((key, message))
    for key in sorted(expected - set(reported)):
        result.fn[key[2]] += 1
        table = delivery_reasons if key[2] in DELIVERY_CODES else reasons
        result.false_negatives.append((key, table[(key[0], key[1])]))
    return result


def ratio(hits: int, total: int) -> str:
    return f"{hits / total:.2f}" if total else "  - "


def table(scores: Sequence[Score], total: Score) -> list[str]:
    codes = [*SCORED, "all"]
    width = max(10, *(len(item.name) + 1 for item in scores))
    head = f"  {'service':<{width}}" + "".join(f"{code:>16}" for code in codes)
    out = [head, f"  {'':<{width}}" + "".join(f"{'P    R  (n)':>16}" for _ in codes)]
    for item in [*scores, total]:
        cells = []
        for code in codes:
            tp, fp, fn = (
                (sum(c.values()) for c in (item.tp, item.fp, item.fn))
                if code == "all"
                else (item.tp[code], item.fp[code], item.fn[code])
            )
            cells.append(f"{ratio(tp, tp + fp):>6} {ratio(tp, tp + fn):>4} ({tp + fn:>3})")
        if item is total:
            out.append("  " + "-" * (len(head) - 2))
        out.append(f"  {item.name:<{width}}" + "".join(f"{cell:>16}" for cell in cells))
    out.append(
        "  P precision, R recall, (n) labelled expectations; "
        "'-' where nothing was reported or expected"
    )
    return out


def run(
    names: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    shown: int = 12,
    manifest: Path = MANIFEST,
    cache: Path | None = None,
) -> list[str]:
    """The suite's report; ``manifest`` and ``cache`` are for tests (a local corpus)."""
    return measure(names, env, shown, manifest, cache)[0]


def measure(
    names: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    shown: int = 12,
    manifest: Path = MANIFEST,
    cache: Path | None = None,
) -> tuple[list[str], Score]:
    """The report's lines and the total score."""
    services = [s for s in load_manifest(manifest) if s.labels and (not names or s.name in names)]
    if not services:
        raise BenchError(
            f"{manifest}: no service with labels" + (f" among {names}" if names else "")
        )
    folders = fetch(services, cache, manifest)
    scores: list[Score] = []
    total = Score("total")
    site_count: Counter[str] = Counter()
    code_count: dict[str, Counter[str]] = defaultdict(Counter)
    drift: list[str] = []
    for service in services:
        labels = load_labels(manifest.parent / service.labels)
        _check_version(service, labels)
        root = folders[service.name]
        drift += [f"{service.name}: {p}" for p in check_against_source(labels, root)]
        catalog = CATALOGS / service.name
        if not labels.sites:
            # Delivery labels only: one run, with the service's catalog where it has one.
            findings = lint(root, env, catalog if catalog.is_dir() else None)
        elif catalog.is_dir():
            # A catalog changes what the call-site rules report (FM104 for what it does not
            # match, FM105 where it declares a timeout): those are judged without one, as the
            # labels were made; the delivery codes by a second run with the service's catalog.
            with_catalog = lint(root, env, catalog)
            findings = [f for f in lint(root, env) if f.code not in DELIVERY_CODES] + [
                f for f in with_catalog if f.code in DELIVERY_CODES
            ]
        else:
            findings = lint(root, env)
        result = score(labels, findings)
        scores.append(result)
        total.add(result)
        site_count[service.name] = sum(not s.ignore for s in labels.sites)
        site_count[f"{service.name} delivery"] = len(labels.delivery)
        for site in labels.sites:
            if not site.ignore:
                code_count[service.name].update(site.expect or ["none"])
        for site in labels.delivery:
            code_count[f"{service.name} delivery"].update(site.expect or ["none"])
        site_count[f"{service.name} ignored"] = sum(s.ignore for s in labels.sites)
    out = [
        "real-service suite: fmcat lint on pinned open-source services (bench/realworld/), "
        "scored on hand-labelled files",
    ]
    for service in services:
        counts = ", ".join(f"{c} {n}" for c, n in sorted(code_count[service.name].items()))
        out.append(
            f"  {service.name} {service.version}: {site_count[service.name]} labelled call sites "
            f"({counts}); {site_count[service.name + ' ignored']} framework lines ignored"
        )
        if site_count[f"{service.name} delivery"]:
            counts = ", ".join(
                f"{c} {n}" for c, n in sorted(code_count[f"{service.name} delivery"].items())
            )
            catalog = CATALOGS / service.name
            out.append(
                f"    and {site_count[service.name + ' delivery']} consumers and retried calls "
                f"({counts})"
                + (f", against catalogs/{service.name}/" if catalog.is_dir() else ", no catalog")
            )
    if drift:
        out.append(f"  WARNING: {len(drift)} labels do not match their source line:")
        out += [f"    {line}" for line in drift[:10]]
    out.append("")
    out += table(scores, total)
    out.append("")
    out += _misses("false positives", total.false_positives, shown)
    out += _misses("false negatives", total.false_negatives, shown)
    unscored = sum(total.unscored.values())
    out.append(
        f"  not scored: {unscored} findings in unlabelled files ({total.unscored_in_tests} of "
        "them in test code)"
        + (
            f"; in labelled files, codes outside the suite: {dict(total.other_codes)}"
            if total.other_codes
            else ""
        )
    )
    return out, total


def _check_version(service: Service, labels: Labels) -> None:
    if (labels.service, labels.version) != (service.name, service.version):
        raise BenchError(
            f"{service.labels}: labels are for {labels.service} {labels.version}, the "
            f"manifest pins {service.name} {service.version}: relabel before moving a pin"
        )


def _misses(title: str, items: Sequence[tuple[Key, str]], shown: int) -> list[str]:
    out = [f"  {title} ({len(items)}){':' if items else ''}"]
    for (path, line, code), text in items[:shown]:
        out.append(f"    {path}:{line} {code}  {text[:110]}")
    if len(items) > shown:
        out.append(f"    ... and {len(items) - shown} more (python bench/realworld/score.py --all)")
    return out


def main(argv: Sequence[str]) -> int:
    shown = 10_000 if "--all" in argv else 12
    names = [a for a in argv if a != "--all"]
    try:
        print("\n".join(run(names, shown=shown)))
    except BenchError as error:
        print(f"score: {error.message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
