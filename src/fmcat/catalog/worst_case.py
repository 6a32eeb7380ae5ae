"""The longest a call to a dependency can take, retries included (FM017, the Operations page)."""

from __future__ import annotations

from dataclasses import dataclass

from fmcat.catalog.model import Policies
from fmcat.catalog.units import Duration


@dataclass(frozen=True)
class WorstCase:
    attempts: int
    #: What one attempt can take: the bulkhead wait, then the timeout phases.
    attempt_parts: tuple[Duration, ...]
    waits: tuple[Duration, ...]

    @property
    def per_attempt(self) -> Duration:
        return Duration.of_seconds(sum(part.seconds for part in self.attempt_parts))

    @property
    def total(self) -> Duration:
        seconds = self.attempts * self.per_attempt.seconds + sum(w.seconds for w in self.waits)
        return Duration.of_seconds(seconds)

    def formula(self) -> str:
        """The arithmetic spelled out, e.g. ``2 x (300ms + 700ms) + 100ms = 2.1s``."""
        attempt = " + ".join(str(part) for part in self.attempt_parts)
        if len(self.attempt_parts) > 1 and self.attempts > 1:
            attempt = f"({attempt})"
        text = f"{self.attempts} x {attempt}" if self.attempts > 1 else attempt
        waits = [w for w in self.waits if w.seconds > 0]
        if waits:
            text += " + " + _sum_of(waits)
        if len(self.attempt_parts) == 1 and self.attempts == 1 and not waits:
            return text
        return f"{text} = {self.total}"


def _sum_of(waits: list[Duration]) -> str:
    """``200ms + 400ms + 3 x 1s``: runs of equal waits (capped at `max`) are counted, not listed."""
    runs: list[tuple[Duration, int]] = []
    for wait in waits:
        if runs and runs[-1][0] == wait:
            runs[-1] = (wait, runs[-1][1] + 1)
        else:
            runs.append((wait, 1))
    parts = []
    for wait, count in runs:
        parts.extend([str(wait)] * count if count <= 2 else [f"{count} x {wait}"])
    return " + ".join(parts)


def backoff_waits(policies: Policies) -> tuple[Duration, ...]:
    """The waits between attempts, at their upper bound (jitter only ever shortens them)."""
    retry = policies.retry
    if retry is None or not retry.attempts or retry.attempts < 2:
        return ()
    initial = retry.initial or Duration(0.0)
    waits = []
    for index in range(retry.attempts - 1):
        if retry.backoff in (None, "none"):
            wait = Duration(0.0)
        elif retry.backoff == "constant":
            wait = initial
        else:
            # Past 2**60 the product is beyond any budget; capping the exponent keeps it a float.
            wait = Duration.of_seconds(initial.seconds * 2 ** min(index, 60))
        if retry.max is not None and wait.seconds > retry.max.seconds:
            wait = retry.max
        waits.append(wait)
    return tuple(waits)


def worst_case(policies: Policies) -> WorstCase | None:
    """attempts x (bulkhead wait + per-attempt timeout) + backoff waits; None without a timeout."""
    if policies.timeout is None:
        return None
    parts = policies.timeout.phases()
    if not parts:
        return None
    if policies.bulkhead is not None and policies.bulkhead.max_wait is not None:
        # A caller can queue for a bulkhead slot on every attempt before the timeout starts.
        parts = (policies.bulkhead.max_wait, *parts)
    attempts = policies.retry.attempts if policies.retry and policies.retry.attempts else 1
    return WorstCase(attempts, parts, backoff_waits(policies))
