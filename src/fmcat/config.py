"""``[tool.fmcat]`` in pyproject.toml: where the project is and how it wants to be linted."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from fmcat.catalog.units import Duration
from fmcat.errors import ConfigError
from fmcat.formats import Format
from fmcat.paths import display_path
from fmcat.schema_messages import problems


class BurnRateWindow(BaseModel):
    """One multi-window burn-rate condition (Google SRE Workbook, chapter 5)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    severity: Literal["page", "ticket"]
    factor: float = Field(gt=0, description="Times the rate that spends the budget in the period")
    long: Duration
    short: Duration

    @field_validator("factor", mode="before")
    @classmethod
    def _int_factor(cls, value: object) -> object:
        # TOML's `factor = 6` is an int; strict mode would refuse it for a float field.
        return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _window(
    severity: Literal["page", "ticket"], factor: float, long: str, short: str
) -> BurnRateWindow:
    return BurnRateWindow(
        severity=severity, factor=factor, long=Duration.parse(long), short=Duration.parse(short)
    )


#: The SRE Workbook's recommendation: page at 2% of a 30-day budget in 1h or 5% in 6h; ticket
#: at 10% in 3 days (3x over 1d, 1x over 3d).
DEFAULT_BURN_RATES = (
    _window("page", 14.4, "1h", "5m"),
    _window("page", 6.0, "6h", "30m"),
    _window("ticket", 3.0, "1d", "2h"),
    _window("ticket", 1.0, "3d", "6h"),
)


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
    exclude: list[str] = Field(
        default_factory=list,
        description="gitignore-style patterns, after the default exclusions ('!' re-includes)",
    )
    include_tests: bool = Field(
        False, description="Scan tests too (tests/, test_*.py, *_test.py, conftest.py)"
    )
    per_file_ignores: dict[str, list[str]] = Field(
        default_factory=dict, description='Codes to skip per file glob: {"tests/*" = ["FM103"]}'
    )
    report_unused_ignores: bool = Field(False, description="Report unused suppressions (FM108)")
    clients: list[dict[str, Any]] = Field(
        default_factory=list, description="Extra client libraries, as in fmcat/scan/clients.toml"
    )
    handled_by: list[str] = Field(
        default_factory=list,
        description="Decorators (qualified names) that handle the failures of what they wrap",
    )
    # strict=False: TOML gives the format as a string, and strict mode wants the enum itself.
    format: Format = Field(Format.TEXT, strict=False, description="Default report format of lint")
    baseline: str | None = Field(
        None, description="Baseline file: lint reports only findings not in it"
    )
    repo_url: str | None = Field(
        None, description="Code host URL that the runbook site links call sites to"
    )
    site_url: str | None = Field(
        None, description="Base URL of the published runbook site (FM021, fmcat alerts)"
    )
    review_max_age_days: int = Field(
        365, ge=1, description="Days after which a runbook's last_reviewed is stale (FM024)"
    )
    channel_url: str | None = Field(
        None,
        description="Chat link for a #channel in escalation text, with {channel} in it: "
        "https://example.slack.com/app_redirect?channel={channel}",
    )
    slo_alerts: list[BurnRateWindow] = Field(
        default_factory=lambda: list(DEFAULT_BURN_RATES),
        description="Burn-rate alerts of fmcat alerts slo: severity, factor, long and short window",
    )

    django_settings: str | None = Field(
        None, description="Django settings module (default: DJANGO_SETTINGS_MODULE in manage.py)"
    )

    # Several services in one place (docs/org.md).
    service: str | None = Field(None, description="The service's name (default: its folder's)")
    owner: str | None = Field(None, description="The team that owns the service (Backstage)")
    shared: str | None = Field(
        None, description="Folder of shared dependency files that catalog files may `uses:`"
    )

    @field_validator("site_url")
    @classmethod
    def _absolute_http_url(cls, value: str | None) -> str | None:
        return None if value is None else site_base(value)


def site_base(value: str) -> str:
    """The runbook site's base URL, ending in `/`; ValueError unless absolute http(s)."""
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(
            f"{value!r} is not an absolute http(s) URL, e.g. https://runbooks.example.com/"
        )
    if parts.query or parts.fragment:
        raise ValueError(f"{value!r} has a query or fragment; give the site's base URL")
    return value if value.endswith("/") else value + "/"


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
    "site_url": "--site-url",
}

#: Keys that name paths from the project folder (patterns such as `exclude` are not paths).
PATH_KEYS = frozenset({"catalog", "src", "baseline", "shared"})


#: Keys a monorepo's root `[tool.fmcat]` gives its services as defaults, which a service's
#: own `[tool.fmcat]` replaces key by key (lists too), as a flag replaces a configured value
#: (docs/org.md). Patterns and globs (`exclude`, `per_file_ignores`) are read from each
#: service's folder. Paths (`catalog`, `src`, `baseline`, `alert_rules`), the service's own
#: identity (`service`, `owner`, `django_settings`) and the URLs that are a service's own
#: (`repo_url` links from the service's folder; `site_url` is where its runbooks are
#: published) do not cascade; `shared` has its own rule.
CASCADE = (
    "select",
    "ignore",
    "owners",
    "exclude",
    "include_tests",
    "per_file_ignores",
    "report_unused_ignores",
    "clients",
    "handled_by",
    "format",
    "review_max_age_days",
    "channel_url",
    "slo_alerts",
)
#: How far above a service its monorepo root may be (as discovery's depth, org/discover.py).
MONOREPO_DEPTH = 4


@dataclass(frozen=True)
class Project:
    root: Path
    pyproject: Path | None
    settings: Settings
    #: Keys set by the monorepo root's [tool.fmcat] (``inherited_from``), not the project's own.
    inherited: frozenset[str] = frozenset()
    inherited_from: Path | None = None


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
        elif key in project.inherited and project.inherited_from is not None:
            source, origin = "pyproject", display_path(project.inherited_from)
        elif project.pyproject is not None and key in settings.model_fields_set:
            source, origin = "pyproject", display_path(project.pyproject)
        if key in PATH_KEYS and value is not None:
            base = Path() if source == "flag" else project.root
            value = _shown_paths(base, value)
        elif isinstance(value, Format):
            value = str(value)
        elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
            value = [item.model_dump(mode="json") for item in value]
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
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(
            f"{display_path(pyproject)}: `tool` must be a table (as in [tool.fmcat]), "
            f"got {json.dumps(tool)[:40]}"
        )
    table = tool.get("fmcat")
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{display_path(pyproject)}: [tool.fmcat] must be a table")
    return table


def find_project(start: Path) -> Project:
    """The nearest folder at or above ``start`` whose pyproject.toml has ``[tool.fmcat]``.

    Without one, ``start`` itself is the project and the defaults apply, so a bare folder with a
    ``failure-modes/`` directory needs no configuration at all.
    """
    start = Path(os.path.realpath(start))  # not resolve(): it raises on a symlink loop
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            table = _tool_table(pyproject)
            if table is not None:
                project = Project(candidate, pyproject, parse_settings(table, pyproject))
                root = monorepo_root(candidate)
                return project if root is None else inherit(project, root)
    return Project(folder, None, Settings())


def monorepo_root(folder: Path) -> Project | None:
    """The monorepo root above ``folder``: the nearest folder within MONOREPO_DEPTH levels whose
    pyproject.toml has [tool.fmcat] and which has no catalog of its own (docs/org.md)."""
    for parent in list(folder.parents)[:MONOREPO_DEPTH]:
        pyproject = parent / "pyproject.toml"
        if not pyproject.is_file():
            continue
        table = _tool_table(pyproject)
        if table is None:
            continue
        settings = parse_settings(table, pyproject)
        if (parent / settings.catalog).is_dir():
            return None  # a project with a catalog holds this one; it is no monorepo root
        return Project(parent, pyproject, settings)
    return None


def inherit(project: Project, root: Project) -> Project:
    """``project`` with the root's CASCADE keys that it does not set itself."""
    keys = frozenset(
        key
        for key in CASCADE
        if key in root.settings.model_fields_set and key not in project.settings.model_fields_set
    )
    if not keys:
        return project
    settings = project.settings.model_copy(
        update={key: getattr(root.settings, key) for key in keys}
    )
    return dataclasses.replace(
        project, settings=settings, inherited=keys, inherited_from=root.pyproject
    )


def source_paths(project: Project) -> list[Path]:
    """The configured `src` folders and files, each of which must exist: a typo in `src` would
    otherwise read nothing and report that all checks passed."""
    paths = []
    for position, src in enumerate(project.settings.src, start=1):
        path = project.root / src
        if not path.exists():
            where = display_path(project.pyproject) if project.pyproject else "the defaults"
            raise ConfigError(
                f"{where}: [tool.fmcat] src[{position}]: {display_path(path)} does not exist"
            )
        paths.append(path)
    return paths


def _check_patterns(settings: Settings, pyproject: Path) -> None:
    import pathspec  # the scan imports it anyway; only pyproject files with [tool.fmcat] pay here

    for position, pattern in enumerate(settings.exclude, start=1):
        try:
            pathspec.GitIgnoreSpec.from_lines([pattern])
        except (ValueError, re.error) as error:
            # re.error's own message counts positions in the translated regex, not the pattern.
            reason = f" ({error.msg})" if isinstance(error, re.error) else ""
            raise ConfigError(
                f"{display_path(pyproject)}: [tool.fmcat] exclude[{position}]: "
                f"{json.dumps(pattern, ensure_ascii=False)} is not a gitignore pattern{reason}"
            ) from error


def parse_settings(table: dict[str, Any], pyproject: Path) -> Settings:
    try:
        settings = Settings.model_validate(table)
        _check_patterns(settings, pyproject)
        return settings
    except ValidationError as error:
        lines = [problem.message for problem in problems(error, Settings)]
        raise ConfigError(f"{display_path(pyproject)}: [tool.fmcat] " + "; ".join(lines)) from error
