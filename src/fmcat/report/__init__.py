"""Output formats: one module each, one function signature, one registry."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from fmcat.report import json, text
from fmcat.report.base import Report


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"


REPORTERS: dict[Format, Callable[[Report], str]] = {
    Format.TEXT: text.render,
    Format.JSON: json.render,
}

__all__ = ["REPORTERS", "Format", "Report"]
