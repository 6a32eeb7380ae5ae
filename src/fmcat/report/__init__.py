"""Output formats: one module each, one function signature, one registry."""

from __future__ import annotations

from collections.abc import Callable

from fmcat.formats import Format
from fmcat.report import github, gitlab, json, junit, sarif, text
from fmcat.report.base import Report

REPORTERS: dict[Format, Callable[[Report], str]] = {
    Format.TEXT: text.render,
    Format.JSON: json.render,
    Format.SARIF: sarif.render,
    Format.GITHUB: github.render,
    Format.GITLAB: gitlab.render,
    Format.JUNIT: junit.render,
}

__all__ = ["REPORTERS", "Format", "Report"]
