"""Pinned wheels from PyPI for the benchmarks: download through pip, verify the hash, unpack.

Shared by the SDK corpus (bench/scan/) and the real-service suite (bench/realworld/). pip does
the download (`pip download --no-deps --only-binary :all:` with `--hash`, so pip itself refuses
a file whose sha256 differs); a cached wheel is checked again before each use. Nothing here
substitutes another version: a pin that PyPI no longer serves stops the benchmark.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path


class BenchError(SystemExit):
    """Stops the benchmark with a message and exit status 2."""

    def __init__(self, message: str) -> None:
        super().__init__(2)
        self.message = message

    def __str__(self) -> str:
        return self.message


def say(tag: str, message: str) -> None:
    print(f"[bench {tag}] {message}", file=sys.stderr, flush=True)


def shout(lines: Iterable[str]) -> None:
    bar = "!" * 78
    print(bar, *(f"!! {line}" for line in lines), bar, sep="\n", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    sha256: str  # of the wheel on PyPI

    @property
    def wheel_prefix(self) -> str:
        """How the wheel's file name starts (PEP 427 escapes the name, lower case by convention)."""
        return re.sub(r"[-_.]+", "_", self.name).lower() + "-" + self.version + "-"

    @property
    def folder(self) -> str:
        return self.wheel_prefix.rstrip("-")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cached_wheel(pin: Pin, wheels: Path) -> Path | None:
    if not wheels.is_dir():
        return None
    for path in sorted(wheels.iterdir()):
        if path.name.lower().startswith(pin.wheel_prefix) and path.suffix == ".whl":
            return path
    return None


def download(pins: Sequence[Pin], wheels: Path, work: Path, *, where: str) -> dict[Pin, Path]:
    """Every pinned wheel, from ``wheels`` when its hash still matches, else from PyPI.

    ``where`` names the file that holds the pins, for the message when one cannot be had.
    """
    wheels.mkdir(parents=True, exist_ok=True)
    missing: list[Pin] = []
    for pin in pins:
        path = cached_wheel(pin, wheels)
        if path is not None and sha256(path) != pin.sha256:
            say("corpus", f"cached {path.name} does not match its pinned hash; downloading again")
            path.unlink()
            path = None
        if path is None:
            missing.append(pin)
    if missing:
        say("corpus", "downloading " + ", ".join(f"{p.name}=={p.version}" for p in missing))
        work.mkdir(parents=True, exist_ok=True)
        requirements = work / "corpus-requirements.txt"
        requirements.write_text(
            "".join(f"{p.name}=={p.version} --hash=sha256:{p.sha256}\n" for p in missing),
            encoding="utf-8",
        )
        command = [
            sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
            "--disable-pip-version-check", "--dest", str(wheels), "-r", str(requirements),
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            _download_failed(missing, done.stdout + done.stderr, where)
    found: dict[Pin, Path] = {}
    for pin in pins:
        path = cached_wheel(pin, wheels)
        if path is None or sha256(path) != pin.sha256:
            shout([f"{pin.name}=={pin.version}: no wheel with the pinned hash after download."])
            raise BenchError(f"corpus: {pin.name}=={pin.version} is missing")
        found[pin] = path
    return found


def _download_failed(missing: Sequence[Pin], output: str, where: str) -> None:
    absent = [
        p
        for p in missing
        if re.search(
            rf"(No matching distribution|Could not find a version).*\b{re.escape(p.name)}\b",
            output,
            re.IGNORECASE,
        )
    ]
    if absent:
        shout(
            [
                "PINNED CORPUS VERSION NOT AVAILABLE ON PyPI (as a wheel):",
                *(f"    {p.name}=={p.version}" for p in absent),
                "The benchmark stops: it does not substitute another version. Change the pins",
                f"in {where} deliberately (version and hash) if the corpus must move.",
            ]
        )
    elif "HASHES" in output.upper():
        shout([f"A PINNED WHEEL DOES NOT MATCH ITS HASH in {where}; stopping."])
    else:
        shout(["pip download of the pinned corpus failed; its output follows."])
    print(output, file=sys.stderr)
    raise BenchError(
        "corpus download failed: " + ", ".join(f"{p.name}=={p.version}" for p in missing)
    )


def extract_python(wheel: Path, target: Path) -> int:
    """The wheel's .py files under ``target`` (which is replaced); how many were written."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    written = 0
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.infolist():
            name = member.filename
            if not name.endswith(".py") or name.startswith("/") or ".." in name.split("/"):
                continue
            destination = target / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(archive.read(member))
            written += 1
    return written
