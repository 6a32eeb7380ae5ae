"""Durations (``250ms``) and ratios (``0.1%``) as the catalog writes them.

Both keep the text the user wrote, so messages and rendered pages quote it back unchanged, and
compare by value, so checks can do arithmetic on them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

# Days for SLO periods (`30d`); no weeks or months, whose length Prometheus and people disagree on.
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION = re.compile(r"^(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>ms|s|m|h|d)$")
DURATION_PATTERN = r"^\d+(\.\d+)?\s*(ms|s|m|h|d)$"
_RATIO = re.compile(r"^(?P<n>\d+(?:\.\d+)?)\s*%$")
RATIO_PATTERN = r"^\d+(\.\d+)?\s*%$"


def _format_seconds(seconds: float) -> str:
    if seconds < 1:
        return f"{round(seconds * 1000, 3):g}ms"
    return f"{round(seconds, 3):g}s"


@dataclass(frozen=True, order=True)
class Duration:
    seconds: float
    #: As written; not part of equality, so 1s == 1000ms.
    text: str = field(default="", compare=False)

    @classmethod
    def parse(cls, value: object) -> Duration:
        if isinstance(value, Duration):
            return value
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise PydanticCustomError(
                "duration",
                "expected a duration such as 250ms, 2s or 1m, got {kind}",
                {"kind": type(value).__name__},
            )
        if not isinstance(value, str):
            raise PydanticCustomError(
                "duration_unit",
                "{value} has no unit; write {value}s or {value}ms",
                {"value": value},
            )
        match = _DURATION.match(value.strip())
        if match is None:
            raise PydanticCustomError(
                "duration", '"{value}" is not a duration (e.g. 250ms, 2s, 1m)', {"value": value}
            )
        seconds = float(match["n"]) * _UNIT_SECONDS[match["unit"]]
        return cls(seconds, value.strip())

    @classmethod
    def of_seconds(cls, seconds: float) -> Duration:
        """A computed duration (a sum, a worst case), printed in the shortest sensible unit."""
        return cls(seconds, _format_seconds(seconds))

    def __str__(self) -> str:
        return self.text or _format_seconds(self.seconds)

    def __add__(self, other: Duration) -> Duration:
        return Duration.of_seconds(self.seconds + other.seconds)

    def __mul__(self, factor: float) -> Duration:
        return Duration.of_seconds(self.seconds * factor)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse, serialization=core_schema.to_string_ser_schema()
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "pattern": DURATION_PATTERN,
            "description": "A duration: a number and a unit (ms, s, m, h, d), e.g. 250ms, 2s, 1m.",
            "examples": ["250ms", "2s", "1m"],
        }


@dataclass(frozen=True, order=True)
class Ratio:
    fraction: float
    text: str = field(default="", compare=False)

    @classmethod
    def parse(cls, value: object) -> Ratio:
        if isinstance(value, Ratio):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raise PydanticCustomError(
                "ratio_unit",
                "{value} is ambiguous; write ratios as percentages, e.g. 0.1%",
                {"value": value},
            )
        if not isinstance(value, str):
            raise PydanticCustomError(
                "ratio",
                "expected a percentage such as 0.1%, got {kind}",
                {"kind": type(value).__name__},
            )
        match = _RATIO.match(value.strip())
        if match is None:
            raise PydanticCustomError(
                "ratio", '"{value}" is not a percentage (e.g. 0.1%, 50%)', {"value": value}
            )
        fraction = float(match["n"]) / 100
        if fraction > 1:
            raise PydanticCustomError("ratio", '"{value}" is over 100%', {"value": value})
        return cls(fraction, value.strip())

    def __str__(self) -> str:
        return self.text or f"{self.fraction * 100:g}%"

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse, serialization=core_schema.to_string_ser_schema()
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "pattern": RATIO_PATTERN,
            "description": "A percentage, e.g. 0.1% or 50%.",
            "examples": ["0.1%", "50%"],
        }
