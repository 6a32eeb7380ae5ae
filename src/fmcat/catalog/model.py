"""The catalog format as pydantic models: one ``Dependency`` per YAML file.

The models are strict (no coercion, unknown keys rejected) because a catalog is a contract that
reviewers read: ``timeout: 5`` must not quietly become five of some unit. Field descriptions end up
in the JSON Schema, so editors show them on hover.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from fmcat.catalog.units import Duration, Ratio

Kind = Literal["http", "database", "cache", "queue", "object-store", "email", "rpc", "other"]
Criticality = Literal["critical", "degradable", "optional"]
Mechanism = Literal["timeout", "retry", "circuit_breaker", "bulkhead", "fallback"]
Semantics = Literal["at-most-once", "at-least-once", "exactly-once"]

# Ids end up in URLs, anchors and file names, so they are slugs from the start.
Slug = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]*$", min_length=1, max_length=100)
]
Text = Annotated[str, StringConstraints(min_length=1)]
Score = Annotated[int, Field(ge=1, le=5)]
Count = Annotated[int, Field(ge=1)]
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date_text(value: object) -> object:
    """YAML timestamps reach the model as the text written (see yaml_guard); only YYYY-MM-DD
    is a date here, not a number (which pydantic would read as seconds since 1970)."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
        raise PydanticCustomError(
            "review_date",
            "expected a date as YYYY-MM-DD (e.g. 2026-03-01), got {value}",
            {"value": value},
        )
    return value.strip()


ReviewDate = Annotated[
    date,
    BeforeValidator(_iso_date_text),
    Field(
        strict=False,
        description="When people last checked this runbook against reality, as YYYY-MM-DD "
        "(FM024 reports it when it is older than [tool.fmcat] review_max_age_days)",
    ),
]

MESSAGING_KINDS: frozenset[str] = frozenset({"queue"})


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Link(Strict):
    title: Text
    url: Text


class MatchRule(Strict):
    """How a call site in code is attributed to this dependency."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["url"]}, {"required": ["call"]}]}
    )

    url: Text | None = Field(None, description="URL glob, e.g. https://api.pay.example.com/*")
    call: Text | None = Field(None, description="Qualified name glob, e.g. shop.clients.payments.*")

    @model_validator(mode="after")
    def _exactly_one(self) -> MatchRule:
        if (self.url is None) == (self.call is None):
            raise ValueError("give exactly one of `url` or `call`")
        return self


class Timeout(Strict):
    connect: Duration | None = None
    read: Duration | None = None
    write: Duration | None = None
    total: Duration | None = Field(None, description="Bound on the whole call, connect included")

    def is_empty(self) -> bool:
        return all(v is None for v in (self.connect, self.read, self.write, self.total))

    def phases(self) -> tuple[Duration, ...]:
        """What bounds one attempt: ``total`` if given, else each phase that is declared."""
        if self.total is not None:
            return (self.total,)
        return tuple(p for p in (self.connect, self.read, self.write) if p is not None)


class Retry(Strict):
    attempts: Annotated[int, Field(ge=1, le=1000)] | None = Field(
        None, description="Total attempts, the first one included"
    )
    backoff: Literal["none", "constant", "exponential"] | None = None
    initial: Duration | None = Field(None, description="First wait between attempts")
    max: Duration | None = Field(None, description="Cap on any one wait")
    jitter: bool | None = None
    # Not `on:`, which YAML 1.1 readers (PyYAML, some editors) take for the boolean true.
    errors: list[Text] = Field(default_factory=list, description="Errors that are retried")


class CircuitBreaker(Strict):
    failure_rate: Ratio | None = None
    window: Duration | None = None
    min_calls: Count | None = None
    open_for: Duration | None = None


class Bulkhead(Strict):
    max_concurrent: Count
    max_wait: Duration | None = Field(None, description="How long a caller queues for a slot")


class Policies(Strict):
    timeout: Timeout | None = None
    retry: Retry | None = None
    circuit_breaker: CircuitBreaker | None = None
    bulkhead: Bulkhead | None = None
    fallback: Text | None = Field(None, description="What users get instead when this fails")

    def declares(self, mechanism: Mechanism) -> bool:
        value = getattr(self, mechanism)
        return value is not None and not (isinstance(value, Timeout) and value.is_empty())


class Dedup(Strict):
    key: Text
    store: Text | None = None
    window: Duration | None = None


class Poison(Strict):
    max_deliveries: Count | None = None
    dead_letter: Text | None = None


class Delivery(Strict):
    semantics: Semantics | None = None
    dedup: Dedup | None = None
    poison: Poison | None = None


class Measures(Strict):
    latency: Text | None = Field(
        None, description="Histogram of end-to-end latency (its name, without _bucket)"
    )
    errors: Text | None = Field(None, description="Counter of errors users see")
    requests: Text | None = Field(
        None, description="Counter of requests (default: the latency histogram's _count)"
    )
    buckets: list[Duration] | None = Field(
        None,
        description="The latency histogram's bucket boundaries (default: prometheus_client's)",
    )


#: The SLO window when an objective names none.
DEFAULT_PERIOD = Duration(30 * 86400.0, "30d")


class Objective(Strict):
    latency_p50: Duration | None = None
    latency_p95: Duration | None = None
    latency_p99: Duration | None = None
    error_rate: Ratio | None = None
    availability: Ratio | None = None
    period: Duration = Field(
        DEFAULT_PERIOD,
        description="The SLO's rolling window",
        # The schema shows the default as written, not as the Duration it parses to.
        json_schema_extra={"default": "30d"},
    )


class Operation(Strict):
    name: Slug
    description: Text | None = None
    idempotent: bool = Field(False, description="Safe to repeat as-is (reads, PUT of a full state)")
    idempotency_key: Text | None = Field(None, description="What makes a repeat safe")
    latency_budget: Duration | None = Field(None, description="End-to-end time users tolerate")
    measures: Measures | None = None
    objective: Objective | None = None

    @property
    def safe_to_retry(self) -> bool:
        return self.idempotent or self.idempotency_key is not None


class Detection(Strict):
    signals: list[Text] = Field(default_factory=list, description="Metrics or logs that show it")
    alert: Text | None = Field(None, description="Name of the alert that pages")
    description: Text | None = None
    dashboards: list[Link] = Field(
        default_factory=list, description="Dashboards that show it, linked from the runbook"
    )
    queries: list[Text] = Field(
        default_factory=list, description="PromQL queries to run, shown as copyable code"
    )


#: A runbook step: text, where `code spans` and fenced code blocks (```sh ... ```) are code.
Step = Text


class Response(Strict):
    automatic: list[Mechanism] = Field(default_factory=list)
    diagnose: list[Step] = Field(
        default_factory=list, description="Steps to find out what is wrong, in order"
    )
    mitigate: list[Step] = Field(
        default_factory=list, description="Steps that stop the harm, in order"
    )
    steps: list[Step] = Field(
        default_factory=list,
        description="Older name of `mitigate`, still read; give one of the two",
    )
    verify: Text | None = Field(None, description="How to know it is over")
    escalation: Text | None = Field(None, description="Overrides the dependency's escalation")

    @model_validator(mode="after")
    def _one_name_for_mitigation(self) -> Response:
        if self.steps and self.mitigate:
            raise ValueError(
                "give `mitigate` or its older name `steps`, not both (put them all in `mitigate`)"
            )
        return self

    @property
    def mitigation(self) -> list[str]:
        """The mitigation steps, under either name."""
        return list(self.mitigate or self.steps)

    @property
    def runbook_steps(self) -> int:
        return len(self.diagnose) + len(self.mitigation)


class FailureMode(Strict):
    id: Slug
    title: Text
    description: Text | None = None
    operations: list[Slug] | None = Field(
        None, description="Operations this mode affects; all of the dependency's when omitted"
    )
    detection: Detection | None = None
    impact: Text | None = Field(None, description="What users see")
    likelihood: Score | None = None
    severity: Score | None = None
    detectability: Score | None = Field(None, description="1 = obvious, 5 = hard to detect")
    exceptions: list[Text] = Field(default_factory=list, description="Qualified exception names")
    response: Response | None = None
    last_reviewed: ReviewDate | None = Field(
        None, description="Overrides the dependency's last_reviewed for this mode (YYYY-MM-DD)"
    )

    @property
    def risk(self) -> int | None:
        """FMEA risk priority number: severity x likelihood x detectability (1-125)."""
        if self.severity is None or self.likelihood is None or self.detectability is None:
            return None
        return self.severity * self.likelihood * self.detectability


class Dependency(Strict):
    """One external dependency of the service, its policies and how it fails."""

    dependency: Slug = Field(description="The dependency's id")
    description: Text | None = None
    owner: Text
    escalation: Text | None = None
    kind: Kind
    criticality: Criticality
    links: list[Link] = Field(default_factory=list)
    match: list[MatchRule] = Field(default_factory=list)
    policies: Policies = Field(default_factory=Policies)
    delivery: Delivery | None = None
    operations: list[Operation] = Field(default_factory=list)
    failure_modes: list[FailureMode] = Field(default_factory=list)
    notes: Text | None = None
    tags: list[Slug] = Field(default_factory=list)
    last_reviewed: ReviewDate | None = None

    @property
    def is_messaging(self) -> bool:
        return self.kind in MESSAGING_KINDS

    def reviewed(self, mode: FailureMode) -> date | None:
        """When ``mode``'s runbook was last reviewed: its own date, else the dependency's."""
        return mode.last_reviewed or self.last_reviewed

    def operations_of(self, mode: FailureMode) -> list[Operation]:
        if mode.operations is None:
            return list(self.operations)
        return [op for op in self.operations if op.name in mode.operations]
