"""The real-service corpus: services.toml's wheels, fetched from PyPI into a cache, unpacked.

    python bench/realworld/fetch.py            # fetch every service; print name, version, folder
    python bench/realworld/fetch.py pretix     # only the services named

The cache lives outside the repository: $FMCAT_BENCH_CACHE, else $XDG_CACHE_HOME/fmcat-bench,
else ~/.cache/fmcat-bench. Wheels go to <cache>/wheels/ (pip verifies each sha256, and the cached
file is verified again before use); each service's .py files are unpacked into
<cache>/services/<name>-<version>/, redone only when its pin changes. That folder gets a
pyproject.toml with an empty [tool.fmcat] table, so that fmcat treats it as the project root
instead of looking for settings in the folders above. Third-party code is never committed.
"""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import pypi
from bench.pypi import BenchError, Pin

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "services.toml"
PROJECT_PIN = (
    "# Written by bench/realworld/fetch.py: this folder is the fmcat project.\n[tool.fmcat]\n"
)
STAMP = ".fmcat-bench-unpacked"


@dataclass(frozen=True)
class Service:
    name: str
    version: str
    file: str
    sha256: str
    package: str  # the service's own folder inside the unpacked tree
    source: str
    labels: str  # relative to the manifest's folder; "" when the service is in the census only

    @property
    def pin(self) -> Pin:
        return Pin(self.name, self.version, self.sha256)

    @property
    def folder(self) -> str:
        return f"{self.name}-{self.version}"


def cache_home() -> Path:
    explicit = os.environ.get("FMCAT_BENCH_CACHE")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "fmcat-bench"


def load_manifest(path: Path = MANIFEST) -> list[Service]:
    """The services of a manifest, or a BenchError that names the file and the entry."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise BenchError(f"{path}: {error}") from error
    fields = set(Service.__dataclass_fields__)
    services: list[Service] = []
    for number, entry in enumerate(data.get("service", []), start=1):
        if not isinstance(entry, dict) or set(entry) != fields:
            have = sorted(entry) if isinstance(entry, dict) else type(entry).__name__
            raise BenchError(
                f"{path}: service {number} must have exactly {sorted(fields)}; has {have}"
            )
        if not all(isinstance(value, str) for value in entry.values()):
            raise BenchError(f"{path}: service {number}: every field is a string")
        service = Service(**entry)
        if not service.file.lower().startswith(service.pin.wheel_prefix):
            raise BenchError(
                f"{path}: service {number} ({service.name}): file {service.file!r} is not a "
                f"wheel of {service.name}=={service.version}"
            )
        services.append(service)
    if not services:
        raise BenchError(f"{path}: no [[service]] entries")
    return services


def fetch(
    services: Sequence[Service] | None = None,
    cache: Path | None = None,
    manifest: Path = MANIFEST,
) -> dict[str, Path]:
    """Each service's unpacked folder, by name, downloading and unpacking what is missing."""
    chosen = list(load_manifest(manifest) if services is None else services)
    home = cache or cache_home()
    wheels = pypi.download(
        [s.pin for s in chosen], home / "wheels", home / "work", where=str(manifest)
    )
    folders: dict[str, Path] = {}
    for service in chosen:
        wheel = wheels[service.pin]
        if wheel.name != service.file:
            raise BenchError(
                f"{service.name}: pip saved {wheel.name}, the manifest says {service.file}"
            )
        target = home / "services" / service.folder
        stamp = target / STAMP
        if not (stamp.is_file() and stamp.read_text(encoding="utf-8") == service.sha256):
            count = pypi.extract_python(wheel, target)
            (target / "pyproject.toml").write_text(PROJECT_PIN, encoding="utf-8")
            stamp.write_text(service.sha256, encoding="utf-8")
            pypi.say("realworld", f"unpacked {count:,} .py files of {wheel.name} into {target}")
        folders[service.name] = target
    return folders


def main(argv: Sequence[str]) -> int:
    services = load_manifest()
    if argv:
        unknown = sorted(set(argv) - {s.name for s in services})
        if unknown:
            print(f"fetch: not in {MANIFEST.name}: {', '.join(unknown)}", file=sys.stderr)
            return 2
        services = [s for s in services if s.name in argv]
    try:
        folders = fetch(services)
    except BenchError as error:
        print(f"fetch: {error.message}", file=sys.stderr)
        return 2
    for service in services:
        print(f"{service.name}\t{service.version}\t{folders[service.name]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
