"""`fmcat alerts slo`: multi-window, multi-burn-rate SLO alerts generated from the catalog.

The rules follow Sloth's recording-rule names and labels (`slo:sli_error:ratio_rate5m`,
`slo:objective:ratio`... with `sloth_id`, `sloth_service`, `sloth_slo`, `sloth_window`), so
dashboards built for Sloth's output work on them. The alerts are the Google SRE Workbook's
(chapter 5, "Alerting on SLOs"): each severity fires when any of its conditions holds, and a
condition holds when the error ratio is over `factor x budget` in both its long and its short
window (the short one makes the alert stop soon after the burn does).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fmcat.alerts.site import SiteMap
from fmcat.alerts.sli import ErrorSli, LatencySli, error_sli, latency_slis, le_label
from fmcat.catalog.checks.fm025_slo_objective import SloObjective
from fmcat.catalog.load import Catalog
from fmcat.catalog.model import Operation
from fmcat.catalog.units import Duration
from fmcat.config import BurnRateWindow
from fmcat.errors import ConfigError, FmcatError

SEVERITIES = ("page", "ticket")


class SloError(FmcatError):
    """The catalog's objectives cannot be turned into rules; the message lists where."""


@dataclass(frozen=True)
class Slo:
    operation: str
    sli: str  # "errors" or "latency"
    name: str  # "errors", "latency-p99"
    objective: float
    period: Duration
    #: PromQL of the ratio of bad events over a window, with `{window}` to fill in.
    ratio: str
    dependencies: tuple[str, ...]
    runbook_url: str | None
    description: str

    @property
    def budget(self) -> float:
        return round(1 - self.objective, 12)


def prom_duration(duration: Duration) -> str:
    """`5m`, `1h`, `30d`: the largest unit that divides it, as Prometheus writes durations."""
    milliseconds = round(duration.seconds * 1000)
    for unit, size in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if milliseconds % size == 0:
            return f"{milliseconds // size}{unit}"
    return f"{milliseconds}ms"


def number(value: float) -> str:
    return f"{value:.12g}"


def _error_ratio(sli: ErrorSli) -> str:
    return (
        f"(sum(rate({sli.errors.with_suffix('')}[{{window}}])))\n"
        f"/\n(sum(rate({sli.requests.with_suffix('')}[{{window}}])))"
    )


def _latency_ratio(sli: LatencySli) -> str:
    le = f'le="{le_label(sli.threshold, sli.histogram)}"'
    return (
        f"1 - (\n  sum(rate({sli.histogram.with_suffix('_bucket', le)}[{{window}}]))\n  /\n"
        f"  sum(rate({sli.histogram.with_suffix('_count')}[{{window}}]))\n)"
    )


def _affecting(catalog: Catalog, operation: str) -> tuple[str, ...]:
    """Dependencies with a failure mode that affects the operation."""
    return tuple(
        sorted(
            e.name
            for e in catalog.entries
            if any(
                operation in (op.name for op in e.model.operations_of(m))
                for m in e.model.failure_modes
            )
        )
    )


def _first_declarations(catalog: Catalog) -> dict[str, Operation]:
    """Each operation as the first dependency (by id) declares it; FM025 checks the rest agree."""
    found: dict[str, Operation] = {}
    for entry in sorted(catalog.entries, key=lambda e: e.name):
        for op in entry.model.operations:
            if op.objective is not None:
                found.setdefault(op.name, op)
    return dict(sorted(found.items()))


def check_objectives(catalog: Catalog) -> None:
    """FM025's findings, as one located error: rules from a broken objective would be wrong."""
    check = SloObjective()
    findings = sorted(
        (f for entry in catalog.entries for f in check.check(entry, catalog)),
        key=lambda f: f.sort_key,
    )
    if findings:
        lines = "".join(
            f"\n  {f.location.path}:{f.location.line}:{f.location.column}: {f.code} {f.message}"
            for f in findings
        )
        raise SloError(
            f"{len(findings)} objective(s) cannot be turned into SLO rules (nothing was "
            f"written):{lines}"
        )


def slos_of(catalog: Catalog, site: SiteMap) -> list[Slo]:
    check_objectives(catalog)
    slos = []
    for name, op in _first_declarations(catalog).items():
        assert op.objective is not None
        dependencies = _affecting(catalog, name)
        url = site.operation_url(name)
        errors = error_sli(op)
        if errors is not None:
            slos.append(
                Slo(
                    name,
                    "errors",
                    "errors",
                    errors.objective,
                    op.objective.period,
                    _error_ratio(errors),
                    dependencies,
                    url,
                    f"{number(errors.objective * 100)}% of {name} requests succeed",
                )
            )
        for latency in latency_slis(op):
            slos.append(
                Slo(
                    name,
                    "latency",
                    latency.name,
                    latency.objective,
                    op.objective.period,
                    _latency_ratio(latency),
                    dependencies,
                    url,
                    f"{number(latency.objective * 100)}% of {name} requests take at most "
                    f"{latency.threshold}",
                )
            )
    return slos


def check_windows(windows: Sequence[BurnRateWindow]) -> None:
    for window in windows:
        if window.short.seconds >= window.long.seconds:
            raise ConfigError(
                f"[tool.fmcat] slo_alerts: the short window {window.short} must be shorter "
                f"than the long window {window.long}"
            )
