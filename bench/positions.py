"""Check scan/positions.py against libcst's PositionProvider on real files.

    python -m bench.positions                # the cached services' files the prefilter lets through
    python -m bench.positions --all          # every .py file of the cached services
    python -m bench.positions DIR...         # those folders instead of the cache

For every call, every function and class name and every decorator outside f-strings (a
superset of what the scan asks for), the span from scan/positions.py must equal
PositionProvider's. Prints one line per folder (files, nodes, files that fell back and why)
and every difference; exits 1 when there is one. The cache is bench/realworld/fetch.py's.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fmcat.scan.identifiers import normalise_identifiers
from fmcat.scan.positions import locate, span_of


class _Needed(cst.CSTVisitor):
    """What the scan may ask the span of, found by libcst's own visitor (not positions.py's
    walk, so that a node the walk misses shows up as a fallback, not as nothing)."""

    def __init__(self) -> None:
        self.nodes: list[cst.CSTNode] = []
        self.in_strings: list[cst.CSTNode] = []  # calls in f-strings: positions.py falls back
        self.in_string = 0

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        self.in_string += 1

    def leave_FormattedString(self, original_node: cst.FormattedString) -> None:
        self.in_string -= 1

    def visit_TemplatedString(self, node: cst.TemplatedString) -> None:
        self.in_string += 1

    def leave_TemplatedString(self, original_node: cst.TemplatedString) -> None:
        self.in_string -= 1

    def visit_Call(self, node: cst.Call) -> None:
        (self.in_strings if self.in_string else self.nodes).append(node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._definition(node)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._definition(node)

    def _definition(self, node: cst.FunctionDef | cst.ClassDef) -> None:
        self.nodes.append(node.name)
        self.nodes.extend(decorator.decorator for decorator in node.decorators)


def needed_nodes(module: cst.Module, in_strings: bool = False) -> list[cst.CSTNode]:
    """Every call, name of a definition and decorator; with ``in_strings``, the calls inside
    f-strings too (after the others)."""
    needed = _Needed()
    module.visit(needed)
    return needed.nodes + needed.in_strings if in_strings else needed.nodes


@dataclass
class Comparison:
    nodes: int = 0
    fallback: str | None = None
    wrong: list[str] = field(default_factory=list)


def compare(source: bytes, in_strings: bool = False) -> Comparison:
    """The spans of every node of one file the scan may ask for, both ways (``in_strings``:
    with the calls inside f-strings). Raises what libcst raises for a file it cannot parse."""
    module = cst.parse_module(source)
    written = normalise_identifiers(module) if not source.isascii() else None
    nodes = needed_nodes(module, in_strings)
    fast = locate(module, source, nodes, written)
    # The truth: PositionProvider on the file as written; parsed again, without normalising
    # its identifiers, when a name changed length (`ﬁle` is `file`: findings point at the
    # text on disk).
    as_written = module if written is None else cst.parse_module(source)
    twins = nodes if written is None else needed_nodes(as_written, in_strings)
    exact = MetadataWrapper(as_written, unsafe_skip_copy=True).resolve(PositionProvider)
    twin_of = dict(zip(map(id, nodes), twins, strict=True))
    result = Comparison(len(nodes), fast.fallback)
    for node in nodes:
        want = span_of(exact[twin_of[id(node)]])
        if fast[node] != want:
            text = module.code_for_node(node).strip().splitlines()[0][:60]
            result.wrong.append(f"{want.line}:{want.column} {text!r}: got {fast[node]}")
    return result


def _files(folder: Path, everything: bool) -> list[Path]:
    from fmcat.scan.engine import prefilter_for
    from fmcat.scan.files import exclusion, python_files
    from fmcat.scan.knowledge import builtin
    from fmcat.scan.tokens import scan_tokens

    found = python_files([folder], folder, exclusion((), include_tests=False)).files
    if everything:
        return [item.path for item in found]
    wanted = prefilter_for(builtin(), ())
    kept = []
    for item in found:
        source = item.path.read_bytes()
        if wanted.may_matter(source) and wanted.wants(scan_tokens(source)):
            kept.append(item.path)
    return kept


def check(folder: Path, everything: bool = False) -> int:
    """Prints the folder's summary and its differences; returns how many differ."""
    files = nodes = 0
    fallbacks: Counter[str] = Counter()
    wrong = 0
    for path in _files(folder, everything):
        try:
            result = compare(path.read_bytes())
        except (cst.ParserSyntaxError, RecursionError, UnicodeDecodeError):
            continue  # FM100 for the scan: no positions asked
        files += 1
        nodes += result.nodes
        if result.fallback is not None:
            fallbacks[result.fallback] += 1
        for line in result.wrong:
            print(f"{path}:{line}")
        wrong += len(result.wrong)
    reasons = ", ".join(f"{reason} {n}" for reason, n in fallbacks.most_common()) or "none"
    print(f"{folder.name}: {files} files, {nodes:,} nodes, {wrong} differ; fell back: {reasons}")
    return wrong


def main(argv: Sequence[str]) -> int:
    everything = "--all" in argv
    folders = [Path(arg) for arg in argv if arg != "--all"]
    if not folders:
        from bench.realworld.fetch import cache_home

        folders = sorted(p for p in (cache_home() / "services").iterdir() if p.is_dir())
    wrong = sum(check(folder, everything) for folder in folders)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
