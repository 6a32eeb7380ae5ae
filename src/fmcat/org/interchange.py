"""The interchange file: one service's normalised catalog joined with what the scan found.

`fmcat export json` writes it; `fmcat render --from a.json --from b.json` builds one site from
several, so an organisation can gather many repositories' catalogs without checking them out
together; an incident bot or a dashboard can read it without running fmcat. Its JSON Schema is
schema/interchange.schema.json (`fmcat export json --schema`); `version` changes when a key
changes meaning, and a reader refuses a version it does not know.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fmcat import __version__
from fmcat.catalog.load import Catalog, Entry
from fmcat.catalog.model import Dependency
from fmcat.catalog.source import Source
from fmcat.config import Project, Settings
from fmcat.errors import FmcatError
from fmcat.org.discover import Service
from fmcat.org.load import ServiceCatalog
from fmcat.paths import display_path
from fmcat.render.code import CallSite, CodeScan, OpenFinding

INTERCHANGE_VERSION = 1
SCHEMA_ID = "https://fmcat.dev/schema/interchange.schema.json"


class InterchangeError(FmcatError):
    """An interchange file that cannot be read: corrupt, another version, or not one at all."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CallSiteFacts(_Strict):
    path: str = Field(description="From the service's root")
    line: int
    column: int
    qualname: str = Field(description="The call, e.g. requests.Session.get")
    role: str
    timeout: str = Field(description="The effective timeout, and where it comes from")
    handling: str | None = Field(description='"handled", "not handled", or null (cannot fail)')
    url: str | None
    dependency: str | None = Field(description="The dependency it is attributed to")


class FindingFacts(_Strict):
    code: str
    path: str
    line: int
    column: int
    message: str
    severity: str
    dependency: str | None
    url: str | None


class DependencyFacts(_Strict):
    source: str = Field(description="The catalog file, from the service's root")
    shared: str | None = Field(description="The shared dependency it `uses:`, if any")
    catalog: Dependency = Field(description="The dependency, normalised (shared part merged)")
    call_sites: list[CallSiteFacts]


class CodeFacts(_Strict):
    python_files: int
    unattributed: list[CallSiteFacts] = Field(description="Call sites no dependency claims")


class ServiceFacts(_Strict):
    name: str
    owner: str | None


class Interchange(_Strict):
    schema_url: str = Field(SCHEMA_ID, alias="$schema")
    version: Literal[1] = Field(description="Format version; readers refuse others")
    generator: str = Field(description="The fmcat that wrote it")
    service: ServiceFacts
    dependencies: list[DependencyFacts]
    code: CodeFacts | None = Field(description="What the scan found; null with --no-scan")
    findings: list[FindingFacts]


def interchange_schema() -> dict[str, Any]:
    schema = Interchange.model_json_schema(ref_template="#/definitions/{model}", by_alias=True)
    definitions = schema.pop("$defs", {})
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        **schema,
        "definitions": definitions,
    }


def interchange_schema_text() -> str:
    return json.dumps(interchange_schema(), indent=2) + "\n"


def _site(site: CallSite) -> CallSiteFacts:
    return CallSiteFacts(**site.__dict__)


def to_interchange(service: ServiceCatalog, code: CodeScan | None, root: Path) -> Interchange:
    from fmcat.render.code import project_path

    deps = [
        DependencyFacts(
            source=project_path(e.source.display, root),
            shared=e.shared,
            catalog=e.model,
            call_sites=[_site(s) for s in code.sites_of(e.name)] if code else [],
        )
        for e in sorted(service.catalog.entries, key=lambda e: e.name)
    ]
    return Interchange.model_validate(
        {
            "$schema": SCHEMA_ID,
            "version": INTERCHANGE_VERSION,
            "generator": f"fmcat {__version__}",
            "service": ServiceFacts(
                name=service.name, owner=service.service.project.settings.owner
            ),
            "dependencies": deps,
            "code": CodeFacts(
                python_files=code.python_files, unattributed=[_site(s) for s in code.unattributed]
            )
            if code
            else None,
            "findings": [FindingFacts(**f.__dict__) for f in code.findings] if code else [],
        }
    )


def interchange_text(document: Interchange) -> str:
    data = document.model_dump(mode="json", by_alias=True, exclude_none=False)
    # The catalog as its authors write it: a key left out is absent, not null (`match` rules
    # are one of `url` or `call`, and the catalog schema says so).
    for facts, item in zip(document.dependencies, data["dependencies"], strict=True):
        item["catalog"] = facts.catalog.model_dump(mode="json", exclude_none=True)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _line_of(text: str, key: str) -> str:
    for number, line in enumerate(text.splitlines(), 1):
        match = re.search(rf'"{re.escape(key)}"\s*:', line)
        if match:
            return f"{number}:{match.start() + 1}"
    return "1:1"


def read_one(path: Path) -> Interchange:
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InterchangeError(f"{shown}: cannot read the interchange file: {error}") from error
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InterchangeError(
            f"{shown}:{error.lineno}:{error.colno}: not an interchange file: invalid JSON: "
            f"{error.msg}"
        ) from error
    if not isinstance(data, dict) or "version" not in data:
        raise InterchangeError(
            f"{shown}:1:1: not an interchange file (no `version`); write one with "
            "`fmcat export json`"
        )
    if data["version"] != INTERCHANGE_VERSION:
        raise InterchangeError(
            f"{shown}:{_line_of(text, 'version')}: interchange version {data['version']!r}; "
            f"this fmcat reads version {INTERCHANGE_VERSION} (export it again with this fmcat)"
        )
    try:
        return Interchange.model_validate(data)
    except ValidationError as error:
        problems = []
        for detail in error.errors(include_url=False)[:5]:
            where = ".".join(str(part) for part in detail["loc"])
            problems.append(f"{where}: {detail['msg']}")
        raise InterchangeError(
            f"{shown}: not a valid interchange file: " + "; ".join(problems)
        ) from error


def _call_site(facts: CallSiteFacts) -> CallSite:
    return CallSite(**facts.model_dump())


def as_service(path: Path, document: Interchange) -> tuple[ServiceCatalog, CodeScan | None]:
    """The file's service as the renderer takes a loaded one, positions aside."""
    root = path.parent.resolve()
    settings = Settings.model_validate({"owner": document.service.owner})
    service = Service(document.service.name, root, Project(root, None, settings), None)
    entries = [
        Entry(Source(root / d.source, d.source, "", None, {}), d.catalog, d.shared)
        for d in document.dependencies
    ]
    catalog = Catalog(entries=entries, files=len(entries))
    code = None
    if document.code is not None:
        attributed = [_call_site(s) for d in document.dependencies for s in d.call_sites]
        unattributed = [_call_site(s) for s in document.code.unattributed]
        by_dependency: dict[str, tuple[CallSite, ...]] = {
            d.catalog.dependency: tuple(_call_site(s) for s in d.call_sites)
            for d in document.dependencies
        }
        code = CodeScan(
            document.code.python_files,
            tuple(sorted(attributed + unattributed, key=lambda s: (s.path, s.line, s.column))),
            tuple(OpenFinding(**f.model_dump()) for f in document.findings),
            by_dependency,
        )
    return ServiceCatalog(service, catalog), code


def read_interchange(
    paths: Sequence[Path],
) -> tuple[list[ServiceCatalog], dict[str, CodeScan | None]]:
    services: list[ServiceCatalog] = []
    codes: dict[str, CodeScan | None] = {}
    origin: dict[str, Path] = {}
    for path in paths:
        document = read_one(path)
        name = document.service.name
        if name in origin:
            raise InterchangeError(
                f"{display_path(path)}:{_line_of(path.read_text(encoding='utf-8'), 'name')}: "
                f'service "{name}" is also in {display_path(origin[name])}; each file is one '
                "service, and names must differ"
            )
        origin[name] = path
        service, code = as_service(path, document)
        services.append(service)
        codes[name] = code
    services.sort(key=lambda s: s.name)
    return services, codes
