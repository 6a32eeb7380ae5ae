"""``[tool.fmcat]`` in pyproject.toml: where the project is and how it wants to be linted."""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fmcat.errors import ConfigError
from fmcat.paths import display_path
from fmcat.report import Format


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
    # strict=False: TOML gives the format as a string, and strict mode wants the enum itself.
    format: Format = Field(Format.TEXT, strict=False, description="Default report format of lint")
    baseline: str | None = Field(
        None, description="Baseline file: lint reports only findings not in it"
    )
    repo_url: str | None = Field(
        None, description="Code host URL that the runbook site links call sites to"
    )
    # Several services in one place (docs/org.md).
    service: str | None = Field(None, description="The service's name (default: its folder's)")
    owner: str | None = Field(None, description="The team that owns the service (Backstage)")
    shared: str | None = Field(
        None, description="Folder of shared dependency files that catalog files may `uses:`"
    )


#: The command-line flag that overrides each key, where there is one. A flag given replaces the
#: configured value (lists too, as in ruff); a path given by a flag is from the current folder.
FLAGS: dict[str, str] = {
    "catalog": "--catalog",
    "select": "--select",
    "ignore": "--ignore",
    "report_unused_ignores": "--report-unused-ignores",
    "format": "--format",
    "baseline": "--baseline",
    "repo_url": "--repo-url",
}

#: Keys that name paths from the project folder (patterns such as `exclude` are not paths).
PATH_KEYS = frozenset({"catalog", "src", "baseline", "shared"})


@dataclass(frozen=True)
class Project:
    root: Path
    pyproject: Path | None
    settings: Settings


Source = Literal["default", "pyproject", "flag"]


@dataclass(frozen=True)
class ConfigValue:
    """One key's effective value, and where it came from."""

    key: str
    #: As JSON would hold it; paths resolved and shown from the current folder.
    value: Any
    source: Source
    #: The pyproject.toml (as shown) or the flag that set it; None for a default.
    origin: str | None
    description: str


def effective_settings(project: Project, flags: Mapping[str, Any]) -> list[ConfigValue]:
    """Every key as a command sees it: a flag (``flags`` by key; None, False or empty means not
    given) wins over [tool.fmcat], which wins over the default. In the order of ``Settings``."""
    unknown = set(flags) - set(FLAGS)
    if unknown:
        raise ValueError(f"no flag overrides {sorted(unknown)}")
    settings = project.settings
    values = []
    for key, info in Settings.model_fields.items():
        given = flags.get(key)
        value = getattr(settings, key)
        source: Source = "default"
        origin = None
        if given is not None and given is not False and given != [] and given != ():
            value, source, origin = given, "flag", FLAGS[key]
        elif project.pyproject is not None and key in settings.model_fields_set:
            source, origin = "pyproject", display_path(project.pyproject)
        if key in PATH_KEYS and value is not None:
            base = Path() if source == "flag" else project.root
            value = _shown_paths(base, value)
        elif isinstance(value, Format):
            value = str(value)
        values.append(ConfigValue(key, value, source, origin, info.description or ""))
    return values


def _shown_paths(base: Path, value: str | Path | list[str]) -> str | list[str]:
    if isinstance(value, list):
        return [display_path(base / item) for item in value]
    return display_path(base / value)


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
