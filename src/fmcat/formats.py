"""The report formats `fmcat lint --format` takes: a module of its own, so that the command line
can name them without importing the reporters (see cli/: each command imports its work inside)."""

from __future__ import annotations

from enum import StrEnum


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    GITHUB = "github"
    GITLAB = "gitlab"
    JUNIT = "junit"
