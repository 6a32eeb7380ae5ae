"""The catalog checks, one per module, in code order. Adding a check means adding it here."""

from __future__ import annotations

from fmcat.catalog.checks.base import CatalogCheck
from fmcat.catalog.checks.fm001_invalid_yaml import InvalidYaml
from fmcat.catalog.checks.fm002_schema_violation import SchemaViolation
from fmcat.catalog.checks.fm003_duplicate_id import DuplicateId
from fmcat.catalog.checks.fm004_value_cut_by_comment import ValueCutByComment
from fmcat.catalog.checks.fm010_no_timeout import NoTimeout
from fmcat.catalog.checks.fm011_no_response import NoResponse
from fmcat.catalog.checks.fm012_no_detection import NoDetection
from fmcat.catalog.checks.fm013_no_circuit_breaker import NoCircuitBreaker
from fmcat.catalog.checks.fm014_no_bulkhead import NoBulkhead
from fmcat.catalog.checks.fm015_no_fallback import NoFallback
from fmcat.catalog.checks.fm016_unbounded_retry import UnboundedRetry
from fmcat.catalog.checks.fm017_retry_exceeds_budget import RetryExceedsBudget
from fmcat.catalog.checks.fm018_messaging_semantics import MessagingSemantics
from fmcat.catalog.checks.fm019_no_user_operation import NoUserOperation
from fmcat.catalog.checks.fm020_dangling_reference import DanglingReference
from fmcat.catalog.checks.fm023_draft_runbook import DraftRunbook
from fmcat.catalog.checks.fm024_stale_review import StaleReview
from fmcat.catalog.checks.fm025_slo_objective import SloObjective
from fmcat.catalog.checks.fm026_conflicting_declarations import ConflictingDeclarations

CATALOG_CHECKS: tuple[type[CatalogCheck], ...] = (
    InvalidYaml,
    SchemaViolation,
    DuplicateId,
    ValueCutByComment,
    NoTimeout,
    NoResponse,
    NoDetection,
    NoCircuitBreaker,
    NoBulkhead,
    NoFallback,
    UnboundedRetry,
    RetryExceedsBudget,
    MessagingSemantics,
    NoUserOperation,
    DanglingReference,
    DraftRunbook,
    StaleReview,
    SloObjective,
    ConflictingDeclarations,
)
