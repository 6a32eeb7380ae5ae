"""What an operation's `objective` and `measures` mean as SLOs: the facts `fmcat alerts slo`
turns into rules and FM025 checks, computed in one place.

An error SLO counts the errors counter over the requests counter (`measures.requests`, else the
latency histogram's `_count`). A latency SLO (one per `latency_pNN`) counts the requests slower
than the threshold: those not in the histogram's `_bucket{le="<threshold>"}`. So the threshold
must be a bucket boundary, or the SLI measures another threshold than the objective states.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fmcat.catalog.model import Measures, Objective, Operation
from fmcat.catalog.units import Duration

#: prometheus_client's `Histogram.DEFAULT_BUCKETS` in seconds (tests/test_slo.py checks them
#: against the installed client), +Inf left out: the buckets a histogram has when its code
#: names none and the catalog's `measures.buckets` does not either.
DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)

#: A metric name with an optional selector: `http_requests_total{route="/checkout"}`.
SELECTOR = re.compile(r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?P<matchers>.*)\})?$")

PERCENTILES = (("latency_p50", 50), ("latency_p95", 95), ("latency_p99", 99))


@dataclass(frozen=True)
class Metric:
    name: str
    matchers: str

    @classmethod
    def parse(cls, text: str) -> Metric | None:
        match = SELECTOR.match(text.strip())
        if match is None:
            return None
        return cls(match["name"], (match["matchers"] or "").strip().rstrip(","))

    def with_suffix(self, suffix: str, *extra: str) -> str:
        matchers = ", ".join(m for m in (self.matchers, *extra) if m)
        return f"{self.name}{suffix}" + (f"{{{matchers}}}" if matchers else "")

    @property
    def in_milliseconds(self) -> bool:
        return self.name.endswith("_milliseconds")


def le_label(threshold: Duration, histogram: Metric) -> str:
    """The `le` label value of the bucket at ``threshold``, as clients write it: Go-style
    floats (`2.5`, `1.0`), which Prometheus 3 also normalises classic histograms to."""
    value = threshold.seconds * (1000 if histogram.in_milliseconds else 1)
    return repr(float(round(value, 9)))


@dataclass(frozen=True)
class ErrorSli:
    objective: float  # 0.995
    errors: Metric
    requests: Metric


@dataclass(frozen=True)
class LatencySli:
    objective: float  # 0.99 for p99
    name: str  # latency-p99
    threshold: Duration
    histogram: Metric


def error_objective(goal: Objective) -> tuple[str, float] | None:
    """The error SLO's target, and the key it comes from: `error_rate`, else `availability`."""
    if goal.error_rate is not None:
        return "error_rate", 1 - goal.error_rate.fraction
    if goal.availability is not None:
        return "availability", goal.availability.fraction
    return None


def buckets(measures: Measures) -> tuple[float, ...]:
    if measures.buckets is not None:
        return tuple(b.seconds for b in measures.buckets)
    return DEFAULT_BUCKETS


def is_boundary(threshold: Duration, measures: Measures) -> bool:
    return any(abs(threshold.seconds - b) < 1e-9 for b in buckets(measures))


def requests_metric(measures: Measures) -> Metric | None:
    if measures.requests:
        return Metric.parse(measures.requests)
    histogram = Metric.parse(measures.latency) if measures.latency else None
    return Metric(histogram.name + "_count", histogram.matchers) if histogram else None


def error_sli(op: Operation) -> ErrorSli | None:
    """None when the operation has no error objective or what it needs is missing (FM025)."""
    goal = op.objective
    target = error_objective(goal) if goal else None
    measures = op.measures
    if target is None or measures is None or not measures.errors:
        return None
    errors = Metric.parse(measures.errors)
    requests = requests_metric(measures)
    if errors is None or requests is None or not 0 < target[1] < 1:
        return None
    return ErrorSli(target[1], errors, requests)


def latency_slis(op: Operation) -> list[LatencySli]:
    goal, measures = op.objective, op.measures
    if goal is None or measures is None or not measures.latency:
        return []
    histogram = Metric.parse(measures.latency)
    if histogram is None:
        return []
    found = []
    for key, percent in PERCENTILES:
        threshold = getattr(goal, key)
        if threshold is not None and is_boundary(threshold, measures):
            found.append(LatencySli(percent / 100, f"latency-p{percent}", threshold, histogram))
    return found
