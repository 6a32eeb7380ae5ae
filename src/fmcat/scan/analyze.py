"""One file, start to finish: parse, bind names, find call sites, locate them."""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Callable

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from fmcat.scan.facts import (
    ClassSummary,
    FileFacts,
    FunctionSummary,
    ParseError,
    RetryDecorator,
    Site,
    Span,
)
from fmcat.scan.knowledge import KnowledgeBase, Library
from fmcat.scan.project import local_table, without_module
from fmcat.scan.scope import BindingCollector
from fmcat.scan.sites import PendingClass, PendingFunction, SiteFinder
from fmcat.scan.values import Evaluator

_SUPPRESSION = re.compile(rb"#\s*fmcat:\s*ignore(?:\[([A-Za-z0-9,\s]*)\])?")


def suppressions(source: bytes) -> dict[int, tuple[str, ...]]:
    """``# fmcat: ignore[FM101, FM103]`` or a bare ``# fmcat: ignore``, by 1-based line."""
    found: dict[int, tuple[str, ...]] = {}
    if b"fmcat" not in source:
        return found
    for number, line in enumerate(source.splitlines(), start=1):
        match = _SUPPRESSION.search(line)
        if match is None:
            continue
        codes = match[1].decode("ascii", "replace") if match[1] is not None else ""
        found[number] = tuple(c.strip().upper() for c in codes.split(",") if c.strip())
    return found


def _span(position: CodeRange) -> Span:
    # libcst columns are 0-based; findings are 1-based like every editor.
    return Span(
        position.start.line, position.start.column + 1, position.end.line, position.end.column + 1
    )


#: Deeper syntax trees are reported (FM100) rather than parsed: libcst's native parser can
#: overflow its stack on them (seen: a segmentation fault at 10,000 nested parentheses) and
#: takes seconds on long operator chains. Real code stays far below.
MAX_AST_DEPTH = 200


def _ast_depth(tree: ast.AST) -> int:
    deepest = 0
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _position(source: bytes, offset: int) -> Span:
    line = source.count(b"\n", 0, offset) + 1
    column = offset - (source.rfind(b"\n", 0, offset) + 1) + 1
    return Span(line, column, line, column)


def precheck(source: bytes) -> ParseError | None:
    """Python's own parser first: fast, exact on syntax errors, and guarded against depth."""
    null = source.find(b"\x00")
    if null >= 0:
        return ParseError(_position(source, null), "cannot parse: null byte")
    try:
        tree = compile(source, "<scan>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:
        if error.msg.startswith("(unicode error)"):
            try:
                source.decode("utf-8")
            except UnicodeDecodeError as decode:
                return ParseError(
                    _position(source, decode.start),
                    "cannot parse: not valid UTF-8 and no encoding declaration (PEP 263)",
                )
        line = error.lineno or 1
        column = max(error.offset or 1, 1)
        detail = error.msg.split(" (<scan>")[0]
        return ParseError(Span(line, column, line, column), f"cannot parse: {detail}")
    except (ValueError, RecursionError, MemoryError) as error:
        return _parse_error(error)
    depth = _ast_depth(tree)
    if depth > MAX_AST_DEPTH:
        return ParseError(
            Span(1, 1, 1, 1),
            f"not scanned: syntax tree {depth} levels deep (limit {MAX_AST_DEPTH}); "
            "generated code? exclude it",
        )
    return None


def _parse_error(error: BaseException) -> ParseError:
    if isinstance(error, cst.ParserSyntaxError):
        message = str(error.message) if hasattr(error, "message") else str(error)
        return ParseError(
            Span(error.raw_line, error.raw_column + 1, error.raw_line, error.raw_column + 1),
            f"cannot parse: {message.splitlines()[0] if message else 'syntax error'}",
        )
    if isinstance(error, RecursionError):
        return ParseError(Span(1, 1, 1, 1), "cannot parse: expressions nested too deeply")
    if isinstance(error, (UnicodeDecodeError, LookupError)):
        return ParseError(Span(1, 1, 1, 1), f"cannot decode: {error}")
    return ParseError(Span(1, 1, 1, 1), f"cannot parse: {type(error).__name__}: {error}")


def analyze(
    source: bytes,
    path: str,
    module_name: str,
    kb: KnowledgeBase,
    named_patterns: tuple[str, ...] = (),
) -> FileFacts:
    facts = FileFacts(path=path, module=module_name, suppressions=suppressions(source))
    facts.parsed = True
    facts.parse_error = precheck(source)
    if facts.parse_error is not None:
        return facts
    # libcst's visitors recurse once per tree level; 3.11 keeps Python frames off the C stack.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))
    try:
        # Bytes, so libcst honours an encoding cookie (PEP 263) as Python does.
        module = cst.parse_module(source)
        is_package = path.endswith("__init__.py")
        collector = BindingCollector(module_name, is_package)
        module.visit(collector)
        finder = SiteFinder(
            kb, Evaluator(kb), collector.scopes, collector.root, module_name, named_patterns
        )
        module.visit(finder)
    except (Exception, RecursionError) as error:  # any parser failure is FM100; the scan goes on
        facts.parse_error = _parse_error(error)
        return facts
    facts.summary.imports = sorted(collector.imported)
    try:
        finder = _local_rounds(module, collector, finder, facts, kb, named_patterns)
    except (Exception, RecursionError) as error:  # as above: FM100, and the scan goes on
        facts.parse_error = _parse_error(error)
        return facts
    facts.summary.instances = finder.instances
    facts.summary.referenced = sorted(finder.referenced)
    functions, classes = _kept(finder)
    if not (finder.sites or finder.retries or finder.named_calls or functions or classes):
        return facts
    # Positions cost about four plain visits, so they are computed only for files with sites;
    # unsafe_skip_copy keeps node identity, so the nodes found above can be looked up.
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    _fill(facts, finder, lambda node: _span(positions[node]), module.code_for_node)
    for retry in finder.retries:
        facts.retries.append(
            RetryDecorator(
                _span(positions[retry.node]), retry.qualname, retry.has_stop, retry.enclosing
            )
        )
    for node, name in finder.named_calls:
        facts.named_calls.append((_span(positions[node]), name, finder.enclosing))
    return facts


#: Visits of one file with its own wrappers in the table, at most (a chain inside the file).
MAX_LOCAL_ROUNDS = 8
_NOWHERE = Span(0, 0, 0, 0)


def _local_rounds(
    module: cst.Module,
    collector: BindingCollector,
    finder: SiteFinder,
    facts: FileFacts,
    kb: KnowledgeBase,
    named_patterns: tuple[str, ...],
) -> SiteFinder:
    """The file's own wrappers, joined here (project.py) and the file visited again with them:
    a call to a function of the same module needs no round of the whole project."""
    table: list[Library] | None = None
    current = kb
    for _ in range(MAX_LOCAL_ROUNDS):
        provisional = FileFacts(path=facts.path, module=facts.module)
        provisional.summary.referenced = sorted(finder.referenced)
        _fill(provisional, finder, lambda _node: _NOWHERE, lambda _node: "")
        local = local_table(provisional, current)
        if local is None or local == table:
            break
        table = local
        current = without_module(kb, facts.module).extended(local)
        finder = SiteFinder(
            current,
            Evaluator(current),
            collector.scopes,
            collector.root,
            facts.module,
            named_patterns,
        )
        module.visit(finder)
    return finder


def _kept(finder: SiteFinder) -> tuple[list[PendingFunction], list[PendingClass]]:
    """The functions and classes the join needs: with sites, factories, client classes."""
    with_sites = {pending.enclosing for pending in finder.sites}
    functions = [f for f in finder.functions if f.qualname in with_sites or f.returns]
    kept = {f.qualname.rpartition(".")[0] for f in functions if f.is_method}
    classes = [c for c in finder.classes if c.bases or c.qualname in kept]
    return functions, classes


def _fill(
    facts: FileFacts,
    finder: SiteFinder,
    span_of: Callable[[cst.CSTNode], Span],
    code_of: Callable[[cst.CSTNode], str],
) -> None:
    index_of = {id(pending.node): i for i, pending in enumerate(finder.sites)}
    for pending in finder.sites:
        origin = id(pending.client_origin) if pending.client_origin is not None else None
        facts.sites.append(
            Site(
                span=span_of(pending.node),
                role=pending.role,
                qualname=pending.qualname,
                library=pending.library,
                timeout=pending.judged.state,
                timeout_values=pending.judged.seconds,
                default_seconds=pending.default_seconds,
                can_fail=pending.can_fail,
                handled=pending.handled,
                url=pending.url.value if pending.url is not None else None,  # type: ignore[arg-type]
                url_is_prefix=pending.url.prefix if pending.url is not None else False,
                enclosing=pending.enclosing,
                client_site=index_of.get(origin) if origin is not None else None,
                text=" ".join(code_of(pending.node).split())[:200],
                timeout_hint=pending.timeout_hint,
                timeout_param=pending.timeout_param,
                derived=pending.derived,
                partial_catch=pending.partial_catch,
            )
        )
    functions, classes = _kept(finder)
    for function in functions:
        facts.summary.functions.append(
            FunctionSummary(
                function.qualname,
                span_of(function.node.name),
                function.params,
                function.is_method,
                tuple(sorted(function.returns)),
            )
        )
    for klass in classes:
        facts.summary.classes.append(
            ClassSummary(
                klass.qualname,
                span_of(klass.node.name),
                klass.bases,
                tuple(
                    statement.name.value
                    for statement in klass.node.body.body
                    if isinstance(statement, cst.FunctionDef)
                ),
            )
        )
    facts.summary.instances = finder.instances
