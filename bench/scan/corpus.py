"""The pinned SDK corpus: its wheels from PyPI, their .py files unpacked, and its file list."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from bench import pypi
from bench.pypi import Pin, say

BENCH = Path(__file__).resolve().parent.parent  # bench/, where the corpus was always kept
REPO = BENCH.parent
CORPUS_HOME = BENCH / ".corpus"  # gitignored; kept between runs
WHEELS = CORPUS_HOME / "wheels"
CORPUS = CORPUS_HOME / "tree"
WORK = BENCH / ".work"  # gitignored; scratch

#: Without [tool.fmcat] here, fmcat would look for one in the folders above (this repository's
#: pyproject.toml, one day) and scan the corpus under that project's settings.
PROJECT_PIN = (
    "# Written by bench/scan/: this folder is the fmcat project, whatever is above it.\n"
    "[tool.fmcat]\n"
    "# The peers scan every file, tests too: so does fmcat here, to time the same work.\n"
    "include_tests = true\n"
)


#: Name, version and the sha256 of its wheel on PyPI; changed only deliberately.
PINS = tuple(
    Pin(*row.split())
    for row in """
PyGithub        2.10.0  192ada2a76e4afc7d6b37e500c9bfeba1731e6506697445a5ba1c4af8bf0b924
python-gitlab   8.6.0   34fee7e5576cf01982c4bfa98f94d50e24733edb66beba3cb8ef286287723019
slack_sdk       3.48.0  1213726e5b8015eeded608fcb3665c4e9b48af7f7f383ecc1b90af886d6aaa03
stripe          16.1.0  3798e07a0603c8923710414cd1942ae847ed43cebbf34c3258417c189711ea70
hvac            2.4.0   008db5efd8c2f77bd37d2368ea5f713edceae1c65f11fd608393179478649e0f
python-jenkins  1.8.3   2e1766b253e3b2f28f52abfd0de45ffeaa1191f98520cc8d74d2c317786e59d0
docker          7.2.0   a3f45fdeb9165e2d25d9a1d02ddf3bc70fb572cf5ebbf9b58558c22caf29b71f
spotipy         2.26.0  2726854ddfa0e5624aada592e737832ec75bdc00ae12c102779f8bd995329d49
tweepy          4.17.0  1244d7f2959091542f8e4a2c0c4256294e3beb69c0aa26eaf634b126d81eee49
praw            8.0.3   875e666248b14286f16dd85893dc6b38e726baec9b0bfbbc48dcd1964e2e377c
yfinance        1.7.0   91281ecd1f71069a37155ff8653aff2d3085f3492bd8721f18b70955da62911a
twilio          9.13.0  a73eb7139f47ed0ad934e9cf0a26cd0add6b86e6ca4aec5964624a9ea588c11c
""".strip().splitlines()
)


def tell(message: str) -> None:
    say("scan", message)


# --- The corpus ------------------------------------------------------------------------------


def download() -> dict[Pin, Path]:
    """Every pinned wheel, from the cache when its hash still matches, else from PyPI."""
    return pypi.download(PINS, WHEELS, WORK, where="bench/scan/corpus.py (PINS)")


def extract(wheels: dict[Pin, Path]) -> None:
    """The wheels' .py files under CORPUS/<name>-<version>/, redone only when the pins change."""
    stamp_text = "\n".join(f"{p.name}=={p.version} {p.sha256}" for p in PINS) + "\n"
    stamp = CORPUS / ".extracted"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == stamp_text:
        return
    tell(f"extracting the .py files of {len(wheels)} wheels into {shown(CORPUS)}")
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    CORPUS.mkdir(parents=True)
    for pin, wheel in wheels.items():
        pypi.extract_python(wheel, CORPUS / pin.folder)
    (CORPUS / "pyproject.toml").write_text(PROJECT_PIN, encoding="utf-8")
    stamp.write_text(stamp_text, encoding="utf-8")


def corpus_files(root: Path) -> list[str]:
    """Every .py file under ``root``, relative, in path order."""
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*.py")
        if ".fmcat_cache" not in p.parts and p.is_file()
    )


def count_lines(root: Path, files: Iterable[str]) -> int:
    return sum(len((root / f).read_bytes().splitlines()) for f in files)


def shown(path: Path) -> str:
    try:
        return path.relative_to(REPO).as_posix()
    except ValueError:
        return path.as_posix()
