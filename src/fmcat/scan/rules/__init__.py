"""The code rules, one per module, in code order. Adding a rule means adding it here."""

from __future__ import annotations

from fmcat.scan.rules.base import CodeRule
from fmcat.scan.rules.fm100_unparsable import Unparsable
from fmcat.scan.rules.fm101_missing_timeout import MissingTimeout
from fmcat.scan.rules.fm102_timeout_disabled import TimeoutDisabled
from fmcat.scan.rules.fm103_unhandled_failure import UnhandledFailure
from fmcat.scan.rules.fm104_unattributed_call import UnattributedCall
from fmcat.scan.rules.fm105_timeout_exceeds_catalog import TimeoutExceedsCatalog
from fmcat.scan.rules.fm106_retry_forever import RetryForever
from fmcat.scan.rules.fm107_default_timeout import DefaultTimeout
from fmcat.scan.rules.fm108_unused_suppression import UnusedSuppression
from fmcat.scan.rules.fm109_timeout_from_configuration import TimeoutFromConfiguration
from fmcat.scan.rules.fm110_delivery_contradicts_catalog import DeliveryContradictsCatalog
from fmcat.scan.rules.fm111_retry_contradicts_catalog import RetryContradictsCatalog
from fmcat.scan.rules.fm112_non_idempotent_retry import NonIdempotentRetry
from fmcat.scan.rules.fm201_dependency_without_call import DependencyWithoutCall

CODE_RULES: tuple[type[CodeRule], ...] = (
    Unparsable,
    MissingTimeout,
    TimeoutDisabled,
    UnhandledFailure,
    UnattributedCall,
    TimeoutExceedsCatalog,
    RetryForever,
    DefaultTimeout,
    UnusedSuppression,
    TimeoutFromConfiguration,
    DeliveryContradictsCatalog,
    RetryContradictsCatalog,
    NonIdempotentRetry,
    DependencyWithoutCall,
)
