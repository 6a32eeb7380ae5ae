"""Find the services of a monorepo: each folder with its own `[tool.fmcat]` or catalog folder.

The monorepo root is a folder whose pyproject.toml has a `[tool.fmcat]` table and which has no
catalog folder of its own; its services are the folders below it with either.

The walk is bounded (depth and folder count) and skips hidden and tool folders, so pointing
fmcat at a large checkout stays quick; it does not descend into a service, so a service's own
test fixtures are never taken for services.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fmcat.config import Project, Settings, find_project, inherit
from fmcat.errors import ConfigError
from fmcat.paths import display_path

#: How deep below the monorepo root a service may sit (`services/payments/api` is 3).
MAX_DEPTH = 4
#: Folders looked at before the walk gives up with an error rather than crawl a whole disk.
MAX_FOLDERS = 20_000
#: Tool and build folders that never hold a service.
SKIPPED = frozenset(
    {"node_modules", "__pycache__", "venv", "env", "build", "dist", "site", "htmlcov"}
)
DEFAULT_CATALOG = Settings().catalog

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


@dataclass(frozen=True)
class Service:
    name: str
    root: Path
    project: Project
    #: The shared folder the monorepo root gives it; None: its own [tool.fmcat] shared, if any.
    shared: Path | None

    @property
    def catalog_dir(self) -> Path:
        return self.project.root / self.project.settings.catalog

    @property
    def shared_dir(self) -> Path | None:
        own = self.project.settings.shared
        return self.project.root / own if own is not None else self.shared

    @property
    def origin(self) -> str:
        """Where the service is declared, for messages."""
        return display_path(self.project.pyproject or self.root)


@dataclass(frozen=True)
class Org:
    root: Path
    project: Project
    services: tuple[Service, ...]

    @property
    def shared(self) -> Path | None:
        folder = self.project.settings.shared
        return self.root / folder if folder is not None else None

    def service(self, name: str) -> Service:
        return next(s for s in self.services if s.name == name)


def _has_tool_table(folder: Path) -> bool:
    pyproject = folder / "pyproject.toml"
    return pyproject.is_file() and find_project(folder).root == folder.resolve()


def _is_service(folder: Path) -> bool:
    return _has_tool_table(folder) or (folder / DEFAULT_CATALOG).is_dir()


def find_org(path: Path) -> Org | None:
    """The monorepo at ``path``, or None when ``path`` is one service (or holds none)."""
    if not path.is_dir():
        return None
    root = path.resolve()
    # Explicit: a monorepo root says so with its own [tool.fmcat] table (which may be empty,
    # or name `shared`), so a folder that merely holds projects keeps its old meaning.
    project = find_project(root)
    if project.root != root or project.pyproject is None:
        return None
    if (root / project.settings.catalog).is_dir():
        return None  # the folder is a service itself
    shared = root / project.settings.shared if project.settings.shared else None
    folders = _service_folders(root, shared)
    if not folders:
        return None
    services = tuple(_service(folder, shared, project) for folder in folders)
    _check_names(services)
    return Org(root, project, tuple(sorted(services, key=lambda s: s.name)))


def _service_folders(root: Path, shared: Path | None) -> list[Path]:
    found: list[Path] = []
    seen = 0
    level = [root]
    for _depth in range(MAX_DEPTH):
        below: list[Path] = []
        for folder in level:
            try:
                children = sorted(p for p in folder.iterdir() if p.is_dir())
            except OSError:
                continue
            for child in children:
                if child.name.startswith(".") or child.name in SKIPPED or child == shared:
                    continue
                seen += 1
                if seen > MAX_FOLDERS:
                    raise ConfigError(
                        f"{display_path(root)}: more than {MAX_FOLDERS:,} folders within "
                        f"{MAX_DEPTH} levels; point fmcat at the folder that holds the services"
                    )
                if _is_service(child):
                    found.append(child)
                else:
                    below.append(child)
        level = below
    return found


def _service(folder: Path, shared: Path | None, root: Project) -> Service:
    if _has_tool_table(folder):
        project = find_project(folder)  # which gives it the root's defaults (config.CASCADE)
    else:
        project = inherit(Project(folder.resolve(), None, Settings()), root)
    name = project.settings.service or folder.name
    service = Service(name, folder.resolve(), project, shared)
    if not _NAME.match(name):
        raise ConfigError(
            f'{service.origin}: service name "{name}" is not a name (letters, digits, and '
            "-_. inside); set [tool.fmcat] service"
        )
    return service


def _check_names(services: tuple[Service, ...]) -> None:
    by_name: dict[str, Service] = {}
    # The service that names itself is the one to blame (and its `service` key has a line).
    for service in sorted(services, key=lambda s: (s.project.settings.service is not None, s.root)):
        other = by_name.get(service.name)
        if other is not None:
            raise ConfigError(
                f'{_located(service)}: service name "{service.name}" is also the name of the '
                f"service in {display_path(other.root)} ({_located(other)}); give one of them "
                "another [tool.fmcat] service"
            )
        by_name[service.name] = service


def _located(service: Service) -> str:
    """`pyproject.toml:LINE:COL` of the `service` key where there is one, else the folder."""
    pyproject = service.project.pyproject
    if pyproject is None or service.project.settings.service is None:
        return display_path(service.root)
    section = ""
    for number, line in enumerate(pyproject.read_text(encoding="utf-8").splitlines(), 1):
        header = re.match(r"\s*\[([^\]]+)\]", line)
        if header:
            section = header.group(1).strip()
        elif section == "tool.fmcat" and re.match(r"\s*service\s*=", line):
            return f"{display_path(pyproject)}:{number}:{line.index('service') + 1}"
    return display_path(pyproject)
