"""The benchmark's report: the table of medians, the targets, the differential, growth and
the profile."""

from __future__ import annotations

import os
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from bench.scan.corpus import CORPUS, PINS, REPO, shown
from bench.scan.measure import Run, Tool
from bench.scan.peers import (
    Location,
    bandit_findings,
    finding_keys,
    fmcat_counts,
    fmcat_findings,
    ruff_findings,
)
from bench.scan.profile import Profiled

# Targets from the issue (8); the measured values are compared against them, never assumed.
COLD_VS_BANDIT = 0.2
WARM_VS_RUFF = 2.0
PEAK_MEMORY_MB = 300.0

FMCAT_TIMEOUT_CODES = ("FM101", "FM102")


def table_rows(tools: Sequence[Tool], counts: dict[str, str]) -> list[str]:
    """The table: median wall time, median CPU, peak memory and findings, per tool."""
    out = [
        f"  {'':28}{'median':>9}  {'CPU':>7}  {'VmHWM':>7}  {'tree':>7}  {'findings':>16}  runs (s)"
    ]
    for tool in tools:
        out.append(
            f"  {tool.label:28}{tool.median:8.2f}s  {tool.cpu:6.2f}s  {tool.max_hwm_mb:5.0f}MB  "
            f"{tool.tree_hwm_mb:5.0f}MB  {counts[tool.label]:>16}  {_times(tool)}"
        )
    out.append(
        "  (CPU: user+system of the process tree; VmHWM: the largest process's peak resident set;"
    )
    out.append(
        "   tree: the VmHWM of the processes alive at once, summed (workers too): an upper bound;"
    )
    out.append("   a run shorter than the 50 ms sampling interval shows 0 MB)")
    return out


def targets(cold: Tool, bandit: Tool, warm: Tool, ruff: Tool, fmcats: Sequence[Tool]) -> list[str]:
    """The speed and memory targets, each with its measured value and PASS or FAIL."""
    cold_ratio = cold.median / bandit.median
    warm_ratio = warm.median / ruff.median
    peak = max(tool.tree_hwm_mb for tool in fmcats)
    pss = max(tool.tree_pss_mb for tool in fmcats)
    return [
        "  targets",
        f"    fmcat cold / bandit      {cold_ratio:6.3f} x   <= {COLD_VS_BANDIT:.1f} x   "
        f"{_verdict(cold_ratio <= COLD_VS_BANDIT)}   (ratio of medians; per round: "
        f"{_per_round(cold, bandit)}; CPU time {cold.cpu / bandit.cpu:.2f} x)",
        f"    fmcat warm / ruff        {warm_ratio:6.3f} x   <= {WARM_VS_RUFF:.1f} x   "
        f"{_verdict(warm_ratio <= WARM_VS_RUFF)}   (per round: {_per_round(warm, ruff)}; "
        f"CPU time {warm.cpu / ruff.cpu:.2f} x)",
        f"    fmcat peak memory        {peak:6.0f} MB   <= {PEAK_MEMORY_MB:.0f} MB  "
        f"{_verdict(peak <= PEAK_MEMORY_MB)}   (the tree's summed VmHWM, any fmcat run: an "
        f"upper bound; its summed Pss at one moment, not judged: {pss:.0f} MB)",
    ]


def _per_round(tool: Tool, peer: Tool) -> str:
    """The ratio in each round (the two ran moments apart, under the same load)."""
    ratios = [
        mine.seconds / theirs.seconds for mine, theirs in zip(tool.runs, peer.runs, strict=True)
    ]
    return " ".join(f"{r:.2f}" for r in ratios) + f", median {statistics.median(ratios):.2f}"


def _times(tool: Tool) -> str:
    return " ".join(f"{r.seconds:.2f}" for r in tool.runs)


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _source_line(path: str, line: int) -> str:
    try:
        lines = (CORPUS / path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "?"
    return lines[line - 1].strip() if 0 < line <= len(lines) else "?"


def _skipped(read: Iterable[str], files: Sequence[str]) -> str:
    missing = sorted(set(files) - set(read))
    if not missing:
        return "all"
    shown = ", ".join(missing[:3]) + (", ..." if len(missing) > 3 else "")
    return f"skips {len(missing)}: {shown}"


def report(
    *,
    files: Sequence[str],
    lines: int,
    half_files: int,
    half_lines: int,
    half_counts: tuple[int | None, int | None],
    tools: tuple[Tool, Tool, Tool, Tool, Tool, Tool],
    priming: Run,
    ruff_read: Sequence[str],
    profiled: Sequence[Profiled],
    fmcat_read: Sequence[str] | None,
    profile_error: str | None,
    runs: int,
    load: tuple[float, float],
    cache_note: str | None,
    version: str,
) -> list[str]:
    cold, warm, bandit, ruff, half, startup = tools
    found = fmcat_findings(cold.last, CORPUS)
    timeouts = [f for f in found if f.code in FMCAT_TIMEOUT_CODES]
    bandit_found, bandit_read, bandit_errors = bandit_findings(bandit.last, CORPUS)
    ruff_found = ruff_findings(ruff.last, CORPUS)
    read, parsed = fmcat_counts(cold.last)
    out: list[str] = []
    add = out.append

    pins = ", ".join(f"{p.name} {p.version}" for p in PINS)
    add(
        f"scan: {len(PINS)} SDKs from PyPI (wheels pinned by version and hash; their .py files): "
        f"{len(files):,} files, {lines:,} lines in {shown(CORPUS)}"
    )
    add(f"  {pins}")
    add(f"  fmcat: {version}")
    add(
        f"  median of {runs} runs each, round-robin (run times in order, seconds); load average "
        f"{load[0]:.1f} at the start, {load[1]:.1f} at the end on {os.cpu_count()} CPUs"
    )
    add("")

    def timeout_count(tool: Tool) -> str:
        root = Path(tool.command[4]) if tool is half else CORPUS
        found = fmcat_findings(tool.last, REPO / root)
        return f"{sum(f.code in FMCAT_TIMEOUT_CODES for f in found)} FM101+FM102"

    counts = {
        cold.label: timeout_count(cold),
        warm.label: timeout_count(warm),
        bandit.label: f"{len(bandit_found)} B113",
        ruff.label: f"{len(ruff_found)} S113",
        half.label: timeout_count(half),
        startup.label: "",
    }
    out += table_rows(list(tools), counts)
    add(f"  (fmcat warm's priming run, not counted: {priming.seconds:.2f} s)")
    if cache_note is not None:
        add(f"  WARNING: {cache_note}")
    elif warm.median > cold.median / 2:
        add("  WARNING: warm runs are not much faster than cold ones: is the cache being used?")
    add("")

    peer_locations = _peer_locations(bandit_found, ruff_found)
    fmcat_lines = {(f.path, f.line) for f in timeouts}
    missed = [loc for loc in sorted(peer_locations) if loc not in fmcat_lines]
    out += targets(cold, bandit, warm, ruff, [cold, warm, half])
    add(
        f"    peer findings missed     {len(missed):6d}      == 0       "
        f"{_verdict(not missed)}   (of {len(peer_locations)} peer locations)"
    )
    add("")

    add("  files read")
    add(f"    corpus          {len(files):,}")
    skipped = "?" if fmcat_read is None else _skipped(fmcat_read, files)
    add(f"    fmcat           {read if read is None else f'{read:,}'}: {skipped}")
    add(f"                    (of which it parsed {parsed}: the rest import no known client)")
    add(f"    bandit          {len(bandit_read):,}: {_skipped(bandit_read, files)}")
    add(f"    ruff            {len(ruff_read):,}: {_skipped(ruff_read, files)}")
    for error in bandit_errors:
        add(f"    bandit error: {error}")
    add("")

    out += _differential(peer_locations, missed, timeouts, found, bandit_found, ruff_found)
    out += _consistency(cold, warm)
    out += _growth(cold, half, startup, (len(files), lines), (half_files, half_lines), half_counts)
    out += _other_findings(found)
    out += _profile(profiled, profile_error, parsed)
    return out


def _peer_locations(
    bandit_found: Sequence[Location], ruff_found: Sequence[Location]
) -> dict[tuple[str, int], list[Location]]:
    peers: dict[tuple[str, int], list[Location]] = defaultdict(list)
    for finding in [*bandit_found, *ruff_found]:
        peers[(finding.path, finding.line)].append(finding)
    return peers


def _differential(
    peers: dict[tuple[str, int], list[Location]],
    missed: Sequence[tuple[str, int]],
    timeouts: Sequence[Location],
    found: Sequence[Location],
    bandit_found: Sequence[Location],
    ruff_found: Sequence[Location],
) -> list[str]:
    out = ["  differential (by file and line; fmcat FM101/FM102 against bandit B113 + ruff S113)"]
    bandit_lines = {(f.path, f.line) for f in bandit_found}
    ruff_lines = {(f.path, f.line) for f in ruff_found}
    out.append(
        f"    peer locations {len(peers)}: both peers {len(bandit_lines & ruff_lines)}, "
        f"bandit only {len(bandit_lines - ruff_lines)}, ruff only {len(ruff_lines - bandit_lines)}"
    )
    by_line = {(f.path, f.line): f for f in timeouts}
    agree = differ = 0
    for location, reports in peers.items():
        mine = by_line.get(location)
        if mine is None:
            continue
        for peer in reports:
            if peer.column == mine.column:
                agree += 1
            else:
                differ += 1
    out.append(
        f"    columns (bandit's 0-based col_offset made 1-based): {agree} agree with fmcat's, "
        f"{differ} differ"
    )
    out.append(f"    missed by fmcat: {len(missed)}")
    for location in missed:
        path, line = location
        who = "+".join(sorted({p.code for p in peers[location]}))
        out.append(f"      {path}:{line}  [{who}]  {_source_line(path, line)}")
        here = sorted({f.code for f in found if f.path == path and f.line == line})
        covering = [
            f
            for f in timeouts
            if f.path == path and f.line <= line <= f.end_line and f.line != line
        ]
        if here:
            out.append(f"        fmcat reports {', '.join(here)} on this line instead")
        for cover in covering:
            out.append(f"        fmcat's {cover.code} at line {cover.line} spans this line")
    peer_keys = set(peers)
    extra = sorted({(f.path, f.line) for f in timeouts} - peer_keys)
    out.append(f"    fmcat FM101/FM102 locations no peer reports: {len(extra)}")
    for path, line in extra[:20]:
        out.append(f"      {path}:{line}  {_source_line(path, line)}")
    if len(extra) > 20:
        out.append(f"      ... and {len(extra) - 20} more")
    out.append("")
    return out


def _consistency(cold: Tool, warm: Tool) -> list[str]:
    cold_sets = {tuple(finding_keys(fmcat_findings(r, CORPUS))) for r in cold.runs}
    warm_sets = {tuple(finding_keys(fmcat_findings(r, CORPUS))) for r in warm.runs}
    same = len(cold_sets) == 1 and cold_sets == warm_sets
    return [
        "  consistency: "
        + (
            "every cold and warm run reported the same findings"
            if same
            else f"FINDINGS DIFFER between runs ({len(cold_sets)} cold and "
            f"{len(warm_sets)} warm variants)"
        ),
        "",
    ]


def _growth(
    cold: Tool,
    half: Tool,
    startup: Tool,
    full: tuple[int, int],
    part: tuple[int, int],
    half_counts: tuple[int | None, int | None],
) -> list[str]:
    base = startup.median
    grow = cold.median / half.median
    net = (cold.median - base) / max(half.median - base, 1e-9)
    return [
        "  growth: fmcat cold on half the corpus (every other file, in path order) and on all",
        f"    half {part[0]:,} files, {part[1]:,} lines: {half.median:.2f} s;  "
        f"all {full[0]:,} files, {full[1]:,} lines: {cold.median:.2f} s",
        f"    x{full[1] / part[1]:.2f} lines -> x{grow:.2f} time (x{net:.2f} without the "
        f"{base:.2f} s start-up); on the half, fmcat read {half_counts[0]} files and parsed "
        f"{half_counts[1]}",
        f"    per round, all / half: {_per_round(cold, half)}; CPU time x{cold.cpu / half.cpu:.2f}",
    ]


def _other_findings(found: Sequence[Location]) -> list[str]:
    by_code = Counter(f.code for f in found)
    out = [
        "",
        "  fmcat findings on the corpus by code (cold run): "
        + (", ".join(f"{code} {n}" for code, n in sorted(by_code.items())) or "none"),
    ]
    for finding in found:
        if finding.code == "FM100":
            out.append(f"    FM100 {finding.path}:{finding.line}: {finding.message}")
    return out


def _profile(profiled: Sequence[Profiled], error: str | None, parsed: int | None) -> list[str]:
    out = ["", "  where fmcat's cold time goes (one serial in-process pass over the parsed files)"]
    if error is not None:
        return [*out, f"    {error}"]
    total = sum(p.seconds for p in profiled)
    lines = sum(p.lines for p in profiled)
    out.append(
        f"    {len(profiled)} files (fmcat parsed {parsed}), {lines:,} lines: {total:.2f} s CPU, "
        f"{lines / max(total, 1e-9) / 1000:.1f} kLOC/s"
    )
    idle = [p for p in profiled if p.sites == 0]
    out.append(
        f"    {len(idle)} of them have no call site ({sum(p.lines for p in idle):,} lines, "
        f"{sum(p.seconds for p in idle):.2f} s): the prefilter let them through; slowest:"
    )
    for item in sorted(profiled, key=lambda p: -p.seconds)[:10]:
        out.append(
            f"    {item.seconds * 1000:7.0f} ms {item.lines:6,} lines {item.sites:3} sites  "
            f"{item.path}"
        )
    return out
