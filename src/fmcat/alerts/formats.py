"""The shapes `fmcat alerts slo` writes, apart from the writer so that the CLI can name them
without importing YAML and the catalog model at start-up."""

from __future__ import annotations

from enum import StrEnum


class RulesFormat(StrEnum):
    PROMETHEUS = "prometheus"
    OPERATOR = "prometheus-operator"
