"""`fmcat export backstage`: the catalog as Backstage software-catalog entities.

A `Component` per service, whose `spec.dependsOn` names a `Resource` per dependency: one for
each shared dependency (named by its id), one for each service's own (named
`<service>-<id>`, as two services' own `redis` are two resources). Names that Backstage would
refuse are translated (`names.py`); two entities that end up with one name are an error, as
Backstage would keep one and drop the other silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fmcat.catalog.load import Entry
from fmcat.errors import ConfigError
from fmcat.org.load import ServiceCatalog
from fmcat.org.names import entity_name
from fmcat.paths import display_path
from fmcat.render.view import page_slugs

API_VERSION = "backstage.io/v1alpha1"
ANNOTATION_PREFIX = "fmcat.dev"
TECHDOCS_REF = "backstage.io/techdocs-ref"
_CRITICALITY_ORDER = ("critical", "degradable", "optional")


@dataclass(frozen=True)
class Exported:
    entities: list[dict[str, Any]]
    #: Owners of services that [tool.fmcat] owner does not name (they get "unknown").
    unowned: list[str]


@dataclass
class _Resource:
    name: str
    ident: str
    origin: str
    entries: list[Entry]
    page: str
    shared: bool


def _owner_ref(owner: str) -> str:
    return f"group:default/{entity_name(owner.lstrip('#@'))}"


def _url(site_url: str | None, page: str) -> str | None:
    if site_url is None:
        return None
    return site_url.rstrip("/") + "/" + page.removesuffix(".md") + ".html"


def _resources(services: Sequence[ServiceCatalog], org: bool) -> dict[tuple[str, str], _Resource]:
    """Resources by (service or "", dependency id); shared ones under ""."""
    shared_slugs = page_slugs(
        {e.name for s in services for e in s.catalog.entries if e.shared is not None}
    )
    found: dict[tuple[str, str], _Resource] = {}
    for service in services:
        slugs = page_slugs([e.name for e in service.catalog.entries])
        for entry in service.catalog.entries:
            if entry.shared is not None:
                key = ("", entry.name)
                if key not in found:
                    found[key] = _Resource(
                        entity_name(entry.name),
                        entry.name,
                        f"shared dependency {entry.name} ({entry.source.display})",
                        [],
                        f"blast/{shared_slugs[entry.name]}.md",
                        True,
                    )
            else:
                key = (service.name, entry.name)
                prefix = f"services/{service.name}/" if org else ""
                found[key] = _Resource(
                    entity_name(f"{service.name}-{entry.name}"),
                    entry.name,
                    f"dependency {entry.name} of service {service.name} ({entry.source.display})",
                    [],
                    f"{prefix}dependencies/{slugs[entry.name]}.md",
                    False,
                )
            found[key].entries.append(entry)
    return found


def _check_collisions(named: list[tuple[str, str, str]]) -> None:
    """(kind, name, origin) triples: Backstage compares names without regard to case."""
    seen: dict[tuple[str, str], str] = {}
    for kind, name, origin in named:
        key = (kind, name.lower())
        if key in seen:
            raise ConfigError(
                f'Backstage entity name collision: {kind} "{name}" is made from {origin} and '
                f"from {seen[key]}; rename one of them (docs/org.md#entity-names)"
            )
        seen[key] = origin


def export_entities(
    services: Sequence[ServiceCatalog], org: bool, site_url: str | None = None
) -> Exported:
    resources = _resources(services, org)
    named = [
        ("Component", entity_name(s.name), f"service {s.name} ({s.service.origin})")
        for s in services
    ]
    named += [("Resource", r.name, r.origin) for r in resources.values()]
    _check_collisions(named)
    entities: list[dict[str, Any]] = []
    unowned: list[str] = []
    for service in services:
        owner = service.service.project.settings.owner
        if owner is None:
            # A service that names no owner: the one team that owns all its own dependencies.
            own = {e.model.owner for e in service.catalog.entries if e.shared is None}
            owner = own.pop() if len(own) == 1 else None
        if owner is None:
            unowned.append(service.name)
        depends = sorted(
            {
                f"resource:default/{resources[('' if e.shared else service.name, e.name)].name}"
                for e in service.catalog.entries
            }
        )
        annotations = {
            TECHDOCS_REF: "dir:.",
            f"{ANNOTATION_PREFIX}/service": service.name,
        }
        url = _url(site_url, f"services/{service.name}/index.md" if org else "index.md")
        if url:
            annotations[f"{ANNOTATION_PREFIX}/runbook-url"] = url
        entities.append(
            {
                "apiVersion": API_VERSION,
                "kind": "Component",
                "metadata": {
                    "name": entity_name(service.name),
                    "description": f"Failure-mode catalog of {service.name} (fmcat)",
                    "annotations": annotations,
                },
                "spec": {
                    "type": "service",
                    "lifecycle": "production",
                    "owner": _owner_ref(owner) if owner else "group:default/unknown",
                    "dependsOn": depends,
                },
            }
        )
    for resource in sorted(resources.values(), key=lambda r: r.name.lower()):
        entities.append(_resource_entity(resource, site_url))
    return Exported(entities, unowned)


def _resource_entity(resource: _Resource, site_url: str | None) -> dict[str, Any]:
    model = resource.entries[0].model
    worst = min((e.model.criticality for e in resource.entries), key=_CRITICALITY_ORDER.index)
    annotations = {
        TECHDOCS_REF: "dir:.",
        f"{ANNOTATION_PREFIX}/dependency": resource.ident,
        f"{ANNOTATION_PREFIX}/criticality": worst,
    }
    url = _url(site_url, resource.page)
    if url:
        annotations[f"{ANNOTATION_PREFIX}/runbook-url"] = url
    metadata: dict[str, Any] = {"name": resource.name, "annotations": annotations}
    if model.description:
        metadata["description"] = model.description
    return {
        "apiVersion": API_VERSION,
        "kind": "Resource",
        "metadata": metadata,
        "spec": {"type": model.kind, "owner": _owner_ref(model.owner)},
    }


def check_export_folder(output: Path, services: Sequence[ServiceCatalog]) -> None:
    """An export inside a catalog folder would be read back as catalog files."""
    target = output.resolve()
    for service in services:
        for folder in (service.service.catalog_dir, service.service.shared_dir):
            if folder is None:
                continue
            folder = folder.resolve()
            if target == folder or folder in target.parents:
                raise ConfigError(
                    f"-o {display_path(output)} is inside the catalog folder "
                    f"{display_path(folder)} of service {service.name}: fmcat would read the "
                    "export as catalog files; choose a folder outside it"
                )
