"""The package's shape: modules of the scan import each other in one direction only."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import fmcat

PACKAGE = Path(fmcat.__file__).parent


def _imports(package: str) -> dict[str, set[str]]:
    """Each module of ``package`` and the modules of ``package`` it imports, at any depth of
    its code: an import inside a function (a lazy one) is still a dependency."""
    folder = PACKAGE.joinpath(*package.split(".")[1:])
    graph: dict[str, set[str]] = {}
    for path in sorted(folder.rglob("*.py")):
        parts = ("fmcat", *path.relative_to(PACKAGE).with_suffix("").parts)
        module = ".".join(parts).removesuffix(".__init__")
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
        graph[module] = {name for name in found if name.startswith(f"{package}.")}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done or module not in graph:
            return None
        path.append(module)
        for dependency in sorted(graph[module]):
            found = visit(dependency)
            if found is not None:
                return found
        path.pop()
        done.add(module)
        return None

    for module in graph:
        found = visit(module)
        if found is not None:
            return found
    return None


def test_the_scan_has_no_import_cycle() -> None:
    graph = _imports("fmcat.scan")
    assert "fmcat.scan.values" in graph and "fmcat.scan.timeouts" in graph, sorted(graph)
    cycle = _cycle(graph)
    assert cycle is None, " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


#: Rules whose findings the catalog's loader reports: each is made by its rule's class
#: (``InvalidYaml.at``), never from the bare code, so the code and severity live in one place.
LOADER_RULES = ("FM001", "FM002", "FM003", "FM108")


def test_loader_findings_are_made_by_their_rules() -> None:
    built_elsewhere = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and first.value in LOADER_RULES:
                built_elsewhere.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {first.value}")
    assert built_elsewhere == []


def _modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ("fmcat", *path.relative_to(PACKAGE).with_suffix("").parts)
        names.append(".".join(parts).removesuffix(".__init__"))
    return [name for name in names if name != "fmcat.__main__"]  # that one runs the CLI


def test_every_module_imports_first() -> None:
    """Each module imports in a fresh interpreter, before any other of fmcat's: the commands
    import their work lazily, so any module can be the first, and a cycle that only one import
    order survives (the runbook site's code page before the scan's rules) fails here."""
    script = (
        "import importlib, sys\n"
        "failed = []\n"
        "for name in sys.argv[1:]:\n"
        "    for loaded in [m for m in sys.modules if m == 'fmcat' or m.startswith('fmcat.')]:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ImportError as error:\n"
        "        failed.append(f'{name}: {error}')\n"
        "print('\\n'.join(failed))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script, *_modules()], capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == ""
    assert len(_modules()) > 150
