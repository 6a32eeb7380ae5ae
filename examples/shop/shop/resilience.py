"""Hand-written circuit breaker, bulkhead and backoff: small enough to read during an incident.

Breaker and bulkhead are context managers, so the call they guard stays visible, inside the
``try`` that handles its failures::

    try:
        with bulkhead, breaker:
            response = session.post(url, timeout=(0.3, 1.2))
    except (requests.RequestException, CircuitOpen, BulkheadFull):
        ...
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from types import TracebackType


class CircuitOpen(Exception):
    """The breaker is open: the dependency is failing and calls fail fast."""


class BulkheadFull(Exception):
    """Every slot for the dependency is taken and none freed up within ``max_wait``."""


class CircuitBreaker:
    """Opens when at least ``failure_rate`` of the calls in the last ``window`` seconds failed.

    Only exceptions in ``failures`` count: a declined card or a bad SKU says nothing about the
    dependency's health.
    """

    def __init__(
        self,
        name: str,
        *,
        failure_rate: float,
        window: float,
        min_calls: int,
        open_for: float,
        failures: tuple[type[BaseException], ...],
    ) -> None:
        self.name = name
        self._failure_rate = failure_rate
        self._window = window
        self._min_calls = min_calls
        self._open_for = open_for
        self._failures = failures
        self._calls: deque[tuple[float, bool]] = deque()
        self._opened_at: float | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> None:
        with self._lock:
            if self._opened_at is None:
                return
            if time.monotonic() - self._opened_at < self._open_for:
                raise CircuitOpen(self.name)
            self._opened_at = None  # half-open: let this call probe
            self._calls.clear()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        failed = error is not None and isinstance(error, self._failures)
        with self._lock:
            now = time.monotonic()
            self._calls.append((now, not failed))
            while self._calls and now - self._calls[0][0] > self._window:
                self._calls.popleft()
            bad = sum(1 for _, ok in self._calls if not ok)
            if len(self._calls) >= self._min_calls and bad / len(self._calls) >= self._failure_rate:
                self._opened_at = now


class Bulkhead:
    """Caps the calls in flight to one dependency; callers wait at most ``max_wait``."""

    def __init__(self, name: str, *, max_concurrent: int, max_wait: float) -> None:
        self.name = name
        self._slots = threading.BoundedSemaphore(max_concurrent)
        self._max_wait = max_wait

    def __enter__(self) -> None:
        if not self._slots.acquire(timeout=self._max_wait):
            raise BulkheadFull(self.name)

    def __exit__(self, *exc_info: object) -> None:
        self._slots.release()


def backoff(attempt: int, *, initial: float, maximum: float) -> None:
    """Sleep before retry number ``attempt`` (0-based): capped exponential, full jitter."""
    time.sleep(random.uniform(0, min(maximum, initial * 2**attempt)))
