"""One line of words for each policy, as the runbook pages show it (`view.py` uses them)."""

from __future__ import annotations

from fmcat.catalog.model import Dependency, Operation, Policies


def objective(op: Operation) -> str | None:
    goal = op.objective
    if goal is None:
        return None
    parts = [
        f"{label} {value}"
        for label, value in (
            ("p50", goal.latency_p50),
            ("p95", goal.latency_p95),
            ("p99", goal.latency_p99),
            ("errors", goal.error_rate),
            ("availability", goal.availability),
        )
        if value is not None
    ]
    return ", ".join(parts) or None


def timeouts(policies: Policies) -> str | None:
    timeout = policies.timeout
    if timeout is None or timeout.is_empty():
        return None
    phases = [(name, getattr(timeout, name)) for name in ("connect", "read", "write", "total")]
    return ", ".join(f"{name} {value}" for name, value in phases if value is not None)


def retry(policies: Policies) -> str | None:
    policy = policies.retry
    if policy is None:
        return None
    parts = [f"{policy.attempts} attempts" if policy.attempts else "no attempt limit"]
    if policy.backoff and policy.backoff != "none":
        wait = f"{policy.backoff} backoff"
        if policy.initial is not None:
            wait += f" from {policy.initial}"
        if policy.max is not None:
            wait += f" up to {policy.max}"
        parts.append(wait)
    if policy.jitter:
        parts.append("jitter")
    if policy.errors:
        parts.append("on " + ", ".join(policy.errors))
    return ", ".join(parts)


def breaker(policies: Policies) -> str | None:
    policy = policies.circuit_breaker
    if policy is None:
        return None
    parts = []
    if policy.failure_rate is not None:
        opens = f"opens at {policy.failure_rate} failures"
        if policy.window is not None:
            opens += f" over {policy.window}"
        parts.append(opens)
    if policy.min_calls is not None:
        parts.append(f"after {policy.min_calls} calls")
    if policy.open_for is not None:
        parts.append(f"stays open {policy.open_for}")
    return ", ".join(parts) or "declared"


def bulkhead(policies: Policies) -> str | None:
    policy = policies.bulkhead
    if policy is None:
        return None
    text = f"{policy.max_concurrent} concurrent"
    if policy.max_wait is not None:
        text += f", callers wait up to {policy.max_wait}"
    return text


def delivery(model: Dependency) -> str | None:
    if model.delivery is None:
        return None
    parts: list[str] = []
    if model.delivery.semantics:
        parts.append(model.delivery.semantics)
    if model.delivery.dedup is not None:
        parts.append(f"dedup on {model.delivery.dedup.key}")
    poison = model.delivery.poison
    if poison is not None:
        if poison.max_deliveries is not None:
            parts.append(f"at most {poison.max_deliveries} deliveries")
        if poison.dead_letter is not None:
            parts.append(f"dead letter {poison.dead_letter}")
    return ", ".join(parts) or None
