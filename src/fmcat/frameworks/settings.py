"""The Django settings module: where it is, and its top-level settings, read statically.

The module is found the way Django finds it, from ``DJANGO_SETTINGS_MODULE`` as manage.py,
wsgi.py or asgi.py set it (``os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")``),
or from ``[tool.fmcat] django_settings``. It is then read as data (fmcat/frameworks/values.py):
top-level assignments in order, ``X["k"] = v`` item assignments, ``if`` and ``try`` bodies (a
later assignment wins), and ``from .base import *`` followed into the file it names. A setting
built in a loop or changed by ``.update()`` becomes ``Opaque`` with that reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from fmcat.frameworks.files import parse, read, real
from fmcat.frameworks.values import FromEnv, Mapping, Opaque, StaticEvaluator, Value, dotted
from fmcat.paths import display_path
from fmcat.scan.facts import Span
from fmcat.scan.walk import walk

#: Files in which Django projects set DJANGO_SETTINGS_MODULE, in the order they are trusted.
ENTRY_FILES = ("manage.py", "wsgi.py", "asgi.py")
_VARIABLE = "DJANGO_SETTINGS_MODULE"
#: How deep ``from .base import *`` is followed (settings/production.py -> base.py -> ...).
_MAX_STAR_DEPTH = 5


@dataclass(frozen=True)
class Problem:
    """Something about the settings that is a finding: FM100 (parse) or FM109 (cannot see)."""

    code: str
    path: str
    span: Span
    message: str


@dataclass(frozen=True)
class Setting:
    name: str
    value: Value
    path: str  # shown path of the file that set it
    span: Span  # the assignment's target


@dataclass
class SettingsModule:
    module: str
    path: str  # shown path
    settings: dict[str, Setting] = field(default_factory=dict)

    def get(self, name: str) -> Setting | None:
        return self.settings.get(name)


@dataclass
class Located:
    """The settings module, or why there is none (with the problems to report)."""

    settings: SettingsModule | None = None
    problems: list[Problem] = field(default_factory=list)


def _span(positions: object, node: cst.CSTNode) -> Span:
    position = positions[node]  # type: ignore[index]
    return Span(
        position.start.line, position.start.column + 1, position.end.line, position.end.column + 1
    )


def _declared_module(path: Path) -> tuple[str, Span] | None:
    """``os.environ.setdefault("DJANGO_SETTINGS_MODULE", "x.settings")`` or the item form."""
    source = read(path)
    if source is None:
        return None
    if _VARIABLE.encode() not in source:
        return None
    try:
        wrapper = MetadataWrapper(parse(source))
    except (cst.ParserSyntaxError, RecursionError, UnicodeDecodeError):
        return None  # the scan reports it (FM100) when it matters
    positions = wrapper.resolve(PositionProvider)
    found: list[tuple[str, Span]] = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            if dotted(node.func) in ("os.environ.setdefault", "environ.setdefault"):
                args = [a.value for a in node.args]
                if len(args) >= 2 and _literal(args[0]) == _VARIABLE:
                    module = _literal(args[1])
                    if module:
                        found.append((module, _span(positions, node)))

        def visit_Assign(self, node: cst.Assign) -> None:
            target = node.targets[0].target
            if isinstance(target, cst.Subscript) and dotted(target.value) == "os.environ":
                index = target.slice[0].slice
                module = _literal(node.value)
                if isinstance(index, cst.Index) and _literal(index.value) == _VARIABLE and module:
                    found.append((module, _span(positions, node)))

    walk(wrapper.module, Finder())
    return found[0] if found else None


def _literal(node: cst.BaseExpression) -> str | None:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def resolve_module(module: str, bases: list[Path]) -> Path | None:
    parts = module.split(".")
    for base in bases:
        for candidate in (
            base.joinpath(*parts).with_suffix(".py"),
            base.joinpath(*parts, "__init__.py"),
        ):
            if candidate.is_file():
                return candidate
    return None


def locate(root: Path, python_files: list[Path], configured: str | None) -> Located:
    """The settings module of the project, if it is a Django project."""
    bases = [root]
    if configured:
        path = resolve_module(configured, bases)
        if path is None:
            return Located(
                problems=[
                    Problem(
                        "FM109",
                        "pyproject.toml",
                        Span(1, 1, 1, 1),
                        f"[tool.fmcat] django_settings = {configured!r} names no module under "
                        f"{display_path(root)}; the Django settings are not checked",
                    )
                ]
            )
        return read_settings(configured, path)
    entries = sorted(
        (p for p in python_files if p.name in ENTRY_FILES),
        key=lambda p: (ENTRY_FILES.index(p.name), len(p.parts)),
    )
    for entry in entries:
        declared = _declared_module(entry)
        if declared is None:
            continue
        module, span = declared
        here = [entry.parent, *[p for p in entry.parents if _within(p, root)]]
        path = resolve_module(module, here + bases)
        if path is None:
            return Located(
                problems=[
                    Problem(
                        "FM109",
                        display_path(entry),
                        span,
                        f"{_VARIABLE} names {module}, but no {module.replace('.', '/')}.py is "
                        "in the project; the Django settings are not checked",
                    )
                ]
            )
        return read_settings(module, path)
    return Located()


def _within(path: Path, root: Path) -> bool:
    try:
        real(path).relative_to(real(root))
    except ValueError:
        return False
    return True


def read_settings(module: str, path: Path) -> Located:
    result = SettingsModule(module, display_path(path))
    problems: list[Problem] = []
    _Reader(result, problems).read(path, 0)
    return Located(result, problems)


class _Reader:
    def __init__(self, result: SettingsModule, problems: list[Problem]) -> None:
        self.result = result
        self.problems = problems
        self.seen: set[Path] = set()

    def read(self, path: Path, depth: int) -> None:
        shown = display_path(path)
        if real(path) in self.seen or depth > _MAX_STAR_DEPTH:
            return
        self.seen.add(real(path))
        try:
            data = read(path)
            if data is None:
                raise OSError(f"{shown}: not a regular file fmcat reads")
            source = data
            wrapper = MetadataWrapper(parse(source))
        except (OSError, cst.ParserSyntaxError, RecursionError, UnicodeDecodeError) as error:
            detail = str(error).splitlines()[0] if str(error) else type(error).__name__
            line = getattr(error, "raw_line", 1) or 1
            self.problems.append(
                Problem(
                    "FM100",
                    shown,
                    Span(line, 1, line, 1),
                    f"the Django settings module cannot be parsed ({detail}); "
                    "its timeouts are not checked",
                )
            )
            return
        positions = wrapper.resolve(PositionProvider)
        spans = {node: _span(positions, node) for node in _keys(wrapper.module)}
        names = {name: s.value for name, s in self.result.settings.items()}
        evaluator = StaticEvaluator(names, spans)
        for statement in wrapper.module.body:
            self._statement(statement, path, shown, positions, evaluator, depth)

    def _bind(self, name: str, value: Value, shown: str, span: Span, ev: StaticEvaluator) -> None:
        ev.names[name] = value
        self.result.settings[name] = Setting(name, value, shown, span)

    def _statement(
        self,
        node: cst.CSTNode,
        path: Path,
        shown: str,
        positions: object,
        ev: StaticEvaluator,
        depth: int,
    ) -> None:
        if isinstance(node, cst.SimpleStatementLine):
            for small in node.body:
                self._small(small, path, shown, positions, ev, depth)
        elif isinstance(node, (cst.For, cst.While)):
            line = _span(positions, node).line
            for target in _assigned_names(node):
                self._bind(
                    target,
                    Opaque(f"built in a loop (line {line}), which fmcat does not evaluate"),
                    shown,
                    _span(positions, node),
                    ev,
                )
        elif isinstance(node, cst.If):
            for statement in node.body.body:
                self._statement(statement, path, shown, positions, ev, depth)
            orelse = node.orelse
            if orelse is not None:
                self._statement(
                    orelse if isinstance(orelse, cst.If) else orelse.body,
                    path,
                    shown,
                    positions,
                    ev,
                    depth,
                )
        elif isinstance(node, cst.IndentedBlock):
            for statement in node.body:
                self._statement(statement, path, shown, positions, ev, depth)
        elif isinstance(node, (cst.Try, cst.With)):
            for statement in node.body.body:
                self._statement(statement, path, shown, positions, ev, depth)

    def _small(
        self,
        node: cst.BaseSmallStatement,
        path: Path,
        shown: str,
        positions: object,
        ev: StaticEvaluator,
        depth: int,
    ) -> None:
        if isinstance(node, cst.Assign):
            value = ev.expr(node.value)
            if (
                dotted(node.value.func) in ("environ.Env", "Env")
                if isinstance(node.value, cst.Call)
                else False
            ):
                for target in node.targets:
                    if isinstance(target.target, cst.Name):
                        ev.env_names.add(target.target.value)
                return
            for target in node.targets:
                self._assign(target.target, value, shown, positions, ev)
        elif isinstance(node, cst.AnnAssign) and node.value is not None:
            self._assign(node.target, ev.expr(node.value), shown, positions, ev)
        elif isinstance(node, cst.AugAssign) and isinstance(node.target, cst.Name):
            self._bind(
                node.target.value,
                Opaque("changed by an augmented assignment"),
                shown,
                _span(positions, node),
                ev,
            )
        elif isinstance(node, cst.Expr) and isinstance(node.value, cst.Call):
            func = node.value.func
            if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
                name = func.value.value
                if name in ev.names and func.attr.value in ("update", "setdefault", "append"):
                    self._bind(
                        name,
                        Opaque(f"changed by {name}.{func.attr.value}(...)"),
                        shown,
                        _span(positions, node),
                        ev,
                    )
        elif isinstance(node, cst.ImportFrom) and isinstance(node.names, cst.ImportStar):
            star = _star_target(node, path)
            if star is not None:
                self.read(star, depth + 1)
                for name, setting in self.result.settings.items():
                    ev.names[name] = setting.value
            elif node.relative and node.module is not None:  # the settings would not import
                named = "." * len(node.relative) + (dotted(node.module) or "")
                message = (
                    f"from {named} import * names no file in the project, so the settings it "
                    "would give are not seen: the timeouts they set are configuration fmcat "
                    "cannot see"
                )
                self.problems.append(Problem("FM109", shown, _span(positions, node), message))

    def _assign(
        self,
        target: cst.BaseAssignTargetExpression,
        value: Value,
        shown: str,
        positions: object,
        ev: StaticEvaluator,
    ) -> None:
        if isinstance(target, cst.Name):
            self._bind(target.value, value, shown, _span(positions, target), ev)
        elif isinstance(target, cst.Subscript):
            # X["k"] = v, and X["a"]["b"] = v: the mapping is shared, so this changes X.
            owner = ev.expr(target.value)
            index = target.slice[0].slice if len(target.slice) == 1 else None
            key = ev.expr(index.value) if isinstance(index, cst.Index) else None
            if isinstance(owner, Mapping) and isinstance(key, str):
                owner.items[key] = value
                owner.spans[key] = _span(positions, target)


def _keys(module: cst.Module) -> list[cst.CSTNode]:
    keys: list[cst.CSTNode] = []

    class Keys(cst.CSTVisitor):
        def visit_DictElement(self, node: cst.DictElement) -> None:
            keys.append(node.key)

        def visit_Arg(self, node: cst.Arg) -> None:
            if node.keyword is not None:
                keys.append(node.keyword)

    walk(module, Keys())
    return keys


def _assigned_names(node: cst.CSTNode) -> list[str]:
    names: list[str] = []

    class Targets(cst.CSTVisitor):
        def visit_AssignTarget(self, target: cst.AssignTarget) -> None:
            inner = target.target
            if isinstance(inner, cst.Subscript):
                inner = inner.value  # type: ignore[assignment]
            if isinstance(inner, cst.Name):
                names.append(inner.value)

    walk(node, Targets())
    return names


def _star_target(node: cst.ImportFrom, path: Path) -> Path | None:
    """``from .base import *`` in settings/production.py -> settings/base.py."""
    dots = len(node.relative)
    module = dotted(node.module) if node.module is not None else ""
    if not dots or module is None:
        return None  # an absolute import: not followed (its package root is not known here)
    base = path.parent
    for _ in range(dots - 1):
        base = base.parent
    return resolve_module(module, [base]) if module else None


def describe(value: Value) -> str:
    if isinstance(value, FromEnv):
        return f"from the environment ({value.variable})"
    if isinstance(value, Opaque):
        return value.reason
    return repr(value)
