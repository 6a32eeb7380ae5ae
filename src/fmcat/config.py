"""``[tool.fmcat]`` in pyproject.toml: where the project is and how it wants to be linted."""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fmcat.errors import ConfigError
from fmcat.paths import display_path


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    catalog: str = Field("failure-modes", description="Folder of catalog files, from the project")
    select: list[str] = Field(default_factory=list, description="Rule codes or prefixes to run")
    ignore: list[str] = Field(default_factory=list, description="Rule codes or prefixes to skip")
    owners: list[str] | None = Field(None, description="Teams that may own a dependency (FM020)")
    alert_rules: list[str] = Field(
        default_factory=list, description="Prometheus rule files (globs) defining alerts (FM020)"
    )
    src: list[str] = Field(default_factory=lambda: ["."], description="Folders of code to scan")
    exclude: list[str] = Field(default_factory=list, description="gitignore-style patterns")
    per_file_ignores: dict[str, list[str]] = Field(
        default_factory=dict, description='Codes to skip per file glob: {"tests/*" = ["FM103"]}'
    )
    report_unused_ignores: bool = Field(False, description="Report unused suppressions (FM108)")
    clients: list[dict[str, Any]] = Field(
        default_factory=list, description="Extra client libraries, as in fmcat/scan/clients.toml"
    )


@dataclass(frozen=True)
class Project:
    root: Path
    pyproject: Path | None
    settings: Settings


def _tool_table(pyproject: Path) -> dict[str, Any] | None:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{display_path(pyproject)}: invalid TOML: {error}") from error
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{display_path(pyproject)}: cannot read: {error}") from error
    table = data.get("tool", {}).get("fmcat")
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{display_path(pyproject)}: [tool.fmcat] must be a table")
    return table


def find_project(start: Path) -> Project:
    """The nearest folder at or above ``start`` whose pyproject.toml has ``[tool.fmcat]``.

    Without one, ``start`` itself is the project and the defaults apply, so a bare folder with a
    ``failure-modes/`` directory needs no configuration at all.
    """
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            table = _tool_table(pyproject)
            if table is not None:
                return Project(candidate, pyproject, parse_settings(table, pyproject))
    return Project(folder, None, Settings())


def parse_settings(table: dict[str, Any], pyproject: Path) -> Settings:
    try:
        return Settings.model_validate(table)
    except ValidationError as error:
        lines = []
        for detail in error.errors(include_url=False):
            key = ".".join(str(part) for part in detail["loc"])
            if detail["type"] == "extra_forbidden":
                close = difflib.get_close_matches(key, list(Settings.model_fields), n=1)
                hint = f'; did you mean "{close[0]}"?' if close else ""
                lines.append(f'unknown key "{key}"{hint}')
            else:
                lines.append(f"{key}: {detail['msg']}")
        raise ConfigError(f"{display_path(pyproject)}: [tool.fmcat] " + "; ".join(lines)) from error
