"""One file, start to finish: parse, bind names, find call sites, locate them."""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Callable

import libcst as cst

from fmcat.scan.client_arguments import bind_client_arguments
from fmcat.scan.facts import (
    ClassSummary,
    FileFacts,
    FunctionSummary,
    ParseError,
    RetryDecorator,
    Site,
    Span,
)
from fmcat.scan.identifiers import normalise_identifiers
from fmcat.scan.knowledge import KnowledgeBase, Library
from fmcat.scan.lookups import noting
from fmcat.scan.positions import locate
from fmcat.scan.project import local_table, without_module
from fmcat.scan.scope import BindingCollector
from fmcat.scan.sites import PendingClass, PendingFunction, SiteFinder
from fmcat.scan.tokens import precheck
from fmcat.scan.values import Evaluator
from fmcat.scan.walk import walk

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


def _python_says(source: bytes) -> ParseError | None:
    """Where and why this Python's own parser rejects the source too: it locates errors
    better than libcst, which reports where its parser gave up (often the next line). Asked
    only after libcst failed; when this Python accepts the code (or is older than it), None."""
    try:
        compile(source, "<scan>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:
        if error.lineno is None or error.msg.startswith("(unicode error)"):
            return None
        column = max(error.offset or 1, 1)
        detail = error.msg.split(" (<scan>")[0]
        return ParseError(
            Span(error.lineno, column, error.lineno, column), f"cannot parse: {detail}"
        )
    except (ValueError, RecursionError, MemoryError):
        return None
    return None


_LIBCST_PREFIX = re.compile(r"^(?:parser error: )?(?:error at \d+:\d+: )?")


def _parse_error(error: BaseException, source: bytes) -> ParseError:
    if isinstance(error, cst.ParserSyntaxError):
        python = _python_says(source)
        if python is not None:
            return python
        message = str(error.message) if hasattr(error, "message") else str(error)
        first = message.splitlines()[0] if message else ""
        # "parser error: error at 2:16: expected one of !=, %, &, (, ..." (thirty tokens)
        detail = _LIBCST_PREFIX.sub("", first)
        if len(detail) > 80:
            detail = detail[:80].rsplit(",", 1)[0] + ", ..."
        return ParseError(
            Span(error.raw_line, error.raw_column + 1, error.raw_line, error.raw_column + 1),
            f"cannot parse: syntax error{f' ({detail})' if detail else ''}",
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
    *,
    checked: bool = False,
) -> FileFacts:
    """``checked``: the caller has run ``precheck`` on these bytes already. The facts note
    the names the analysis asked the table for (lookups.py)."""
    with noting() as names:
        facts = _analyze(source, path, module_name, kb, named_patterns, checked)
    if facts.parse_error is None:
        facts.summary.looked_up = sorted(names)
    return facts


def _analyze(
    source: bytes,
    path: str,
    module_name: str,
    kb: KnowledgeBase,
    named_patterns: tuple[str, ...],
    checked: bool,
) -> FileFacts:
    facts = FileFacts(path=path, module=module_name, suppressions=suppressions(source))
    facts.parsed = True
    facts.parse_error = None if checked else precheck(source)
    if facts.parse_error is not None:
        return facts
    # libcst's visitors recurse once per tree level; 3.11 keeps Python frames off the C stack.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))
    try:
        # Bytes, so libcst honours an encoding cookie (PEP 263) as Python does.
        module = cst.parse_module(source)
        written = normalise_identifiers(module) if not source.isascii() else None
        is_package = path.endswith("__init__.py")
        collector = BindingCollector(module_name, is_package)
        walk(module, collector)
        bind_client_arguments(module, collector.scopes, collector.root, kb)
        finder = SiteFinder(
            kb, Evaluator(kb), collector.scopes, collector.root, module_name, named_patterns
        )
        walk(module, finder)
    except (Exception, RecursionError) as error:  # any parser failure is FM100; the scan goes on
        facts.parse_error = _parse_error(error, source)
        return facts
    facts.summary.imports = sorted(collector.imported)
    try:
        finder = _local_rounds(module, collector, finder, facts, kb, named_patterns)
    except (Exception, RecursionError) as error:  # as above: FM100, and the scan goes on
        facts.parse_error = _parse_error(error, source)
        return facts
    facts.summary.instances = finder.instances
    facts.summary.referenced = sorted(finder.referenced)
    functions, classes = _kept(finder)
    if not (finder.sites or finder.retries or finder.named_calls or functions or classes):
        return facts
    # Positions are computed only for files with sites, and only for the nodes that need one.
    positions = locate(module, source, _located(finder, functions, classes), written)
    _fill(facts, finder, positions.__getitem__, module.code_for_node)
    for retry in finder.retries:
        facts.retries.append(
            RetryDecorator(positions[retry.node], retry.qualname, retry.has_stop, retry.enclosing)
        )
    for node, name in finder.named_calls:
        facts.named_calls.append((positions[node], name, finder.enclosing))
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
        walk(module, finder)
    return finder


def _kept(finder: SiteFinder) -> tuple[list[PendingFunction], list[PendingClass]]:
    """The functions and classes the join needs: with sites, factories, client classes."""
    with_sites = {pending.enclosing for pending in finder.sites}
    functions = [f for f in finder.functions if f.qualname in with_sites or f.returns]
    kept = {f.qualname.rpartition(".")[0] for f in functions if f.is_method}
    classes = [c for c in finder.classes if c.bases or c.qualname in kept]
    return functions, classes


def _located(
    finder: SiteFinder, functions: list[PendingFunction], classes: list[PendingClass]
) -> list[cst.CSTNode]:
    """Every node that _fill and analyze ask the span of."""
    nodes: list[cst.CSTNode] = [pending.node for pending in finder.sites]
    nodes += [function.node.name for function in functions]
    nodes += [klass.node.name for klass in classes]
    nodes += [retry.node for retry in finder.retries]
    nodes += [node for node, _name in finder.named_calls]
    return nodes


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
                url_source=pending.url_source,
                timeout_source=pending.judged.source,
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
