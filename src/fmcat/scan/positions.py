"""Where the scan's nodes are in the source, from Python's own parser.

libcst's PositionProvider learns positions by generating the whole module's code again in
Python: on real services that costs more than parsing it. The scan needs the spans of a few
kinds of node only (calls, the names of functions and classes, decorators), and CPython's
``ast`` gives calls and decorators the same spans in C. So the module is parsed a second time
with ``ast``, the nodes of each kind are paired in source order (libcst's, walked in source
order, with ast's, sorted by position), and each pair that is asked for is checked.

libcst stays the only parser that can refuse a file. Whenever the fast way has any doubt
(``ast`` refuses the file, the counts of a kind differ, a pair does not check out, a node is
inside an f-string, a form feed that the two count differently), the file's spans all come
from PositionProvider, so that findings' line:col never depend on which way was taken.
"""

from __future__ import annotations

import ast
import re
import unicodedata
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from fmcat.scan.facts import Span

#: libcst fields whose order differs from the source's; the walk follows the source, because
#: the pairing relies on both sides being in source order (tests check this table against
#: the order of libcst's own visitors).
_SOURCE_ORDER: dict[type[cst.CSTNode], tuple[str, ...]] = {
    cst.Arg: ("keyword", "value"),
    cst.ClassDef: ("decorators", "name", "type_parameters", "bases", "keywords", "body"),
    cst.ExceptHandler: ("type", "name", "body"),
    cst.ExceptStarHandler: ("type", "name", "body"),
    cst.FunctionDef: ("decorators", "name", "type_parameters", "params", "returns", "body"),
    cst.IfExp: ("body", "test", "orelse"),
    cst.MatchCase: ("pattern", "guard", "body"),
    cst.Parameters: ("posonly_params", "params", "star_arg", "kwonly_params", "star_kwarg"),
    cst.TypeAlias: ("name", "type_parameters", "value"),
}

#: Fields that hold only whitespace, punctuation and keywords: never a call or a definition.
_PUNCTUATION = frozenset(
    {
        "asynchronous",
        "colon",
        "comma",
        "dot",
        "equal",
        "first_colon",
        "footer",
        "header",
        "lbrace",
        "lbracket",
        "leading_lines",
        "lines_after_decorators",
        "lpar",
        "operator",
        "posonly_ind",
        "rbrace",
        "rbracket",
        "relative",
        "rpar",
        "second_colon",
        "semicolon",
        "trailing_comma",
    }
)

#: Nodes the walk does not enter: their insides are neither needed nor comparable (CPython
#: 3.11 places the expressions of an f-string by parsing them again, not always exactly).
_OPAQUE_CST: tuple[type[cst.CSTNode], ...] = tuple(
    kind
    for kind in (
        cst.FormattedString,
        getattr(cst, "TemplatedString", None),  # libcst 1.8 and later (PEP 750)
        cst.SimpleString,
        cst.Name,
        cst.Integer,
        cst.Float,
        cst.Imaginary,
    )
    if kind is not None
)
_OPAQUE_AST: tuple[type[ast.AST], ...] = tuple(
    kind for kind in (ast.JoinedStr, getattr(ast, "TemplateStr", None)) if kind is not None
)

_children: dict[type[cst.CSTNode], tuple[str, ...]] = {}

#: ``def``/``class`` (after ``async``) up to the name; ast places the keyword, not the name.
_DEF_HEAD = re.compile(r"(?:async[ \t]+)?(?:def|class)[ \t]+")
_LINE_END = re.compile(r"\r\n?|\n")
_WORD = re.compile(r"\w")


def child_fields(kind: type[cst.CSTNode]) -> tuple[str, ...]:
    """The fields of a libcst node that may hold calls or definitions, in source order."""
    found = _children.get(kind)
    if found is None:
        found = _SOURCE_ORDER.get(kind) or tuple(
            f.name
            for f in fields(kind)
            if f.name not in _PUNCTUATION and "whitespace" not in f.name
        )
        if issubclass(kind, _OPAQUE_CST):
            found = ()
        _children[kind] = found
    return found


Definition = cst.FunctionDef | cst.ClassDef
AstDefinition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


def cst_nodes(module: cst.Module) -> tuple[list[cst.Call], list[Definition]]:
    """The module's calls and definitions in source order (pre-order, outside f-strings)."""
    calls: list[cst.Call] = []
    definitions: list[Definition] = []
    stack: list[cst.CSTNode] = [module]
    pop, push = stack.pop, stack.extend
    table = _children
    while stack:
        node = pop()
        kind = type(node)
        if kind is cst.Call:
            calls.append(node)  # type: ignore[arg-type]  # kind is cst.Call
        elif kind is cst.FunctionDef or kind is cst.ClassDef:
            definitions.append(node)  # type: ignore[arg-type]  # checked just above
        names = table.get(kind)
        if names is None:
            names = child_fields(kind)
        children: list[cst.CSTNode] = []
        for name in names:
            value = getattr(node, name)
            if isinstance(value, cst.CSTNode):
                children.append(value)
            elif isinstance(value, (tuple, list)):
                children.extend(value)
        children.reverse()
        push(children)
    return calls, definitions


def ast_nodes(tree: ast.AST) -> tuple[list[ast.Call], list[AstDefinition]]:
    """The same kinds from ast, outside f-strings, sorted as a pre-order visit meets them."""
    calls: list[ast.Call] = []
    definitions: list[AstDefinition] = []
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            calls.append(node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            definitions.append(node)
        elif isinstance(node, _OPAQUE_AST):
            inside.update(id(inner) for inner in ast.walk(node) if isinstance(inner, ast.Call))
    if inside:
        calls = [call for call in calls if id(call) not in inside]
    calls.sort(key=_outer_first)
    definitions.sort(key=lambda n: (n.lineno, n.col_offset))
    return calls, definitions


def _outer_first(node: ast.Call) -> tuple[int, int, int, int]:
    # An outer call starts where its callee does (`f(a)(b)`), and ends later.
    return (node.lineno, node.col_offset, -(node.end_lineno or 0), -(node.end_col_offset or 0))


class _DoubtError(Exception):
    """The fast way cannot vouch for a span: the whole file takes PositionProvider's."""


@dataclass
class Located:
    """The spans asked for, and why the fast way was not taken (None when it was)."""

    spans: dict[int, Span]
    fallback: str | None

    def __getitem__(self, node: cst.CSTNode) -> Span:
        return self.spans[id(node)]


def span_of(position: CodeRange) -> Span:
    # libcst columns are 0-based; findings are 1-based like every editor.
    return Span(
        position.start.line, position.start.column + 1, position.end.line, position.end.column + 1
    )


def locate(
    module: cst.Module,
    source: bytes,
    nodes: Sequence[cst.CSTNode],
    known: Mapping[cst.CSTNode, CodeRange] | None = None,
) -> Located:
    """The spans of ``nodes`` (calls, names of definitions, decorators) in ``module``, parsed
    from ``source``. ``known``: PositionProvider's positions, when the caller has them."""
    if not nodes:
        return Located({}, None)
    reason = "positions given"
    if known is None:
        try:
            return Located(_Fast(module, source).spans(nodes), None)
        except _DoubtError as doubt:
            reason = str(doubt)
        known = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return Located({id(node): span_of(known[node]) for node in nodes}, reason)


class _Fast:
    def __init__(self, module: cst.Module, source: bytes) -> None:
        if b"\x0c" in source:  # a form feed opening a line counts as a column in ast only
            raise _DoubtError("form feed")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # invalid escapes: the scan reports nothing
                tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
            raise _DoubtError(f"ast: {type(error).__name__}") from None
        self.calls, self.definitions = cst_nodes(module)
        self.ast_calls, self.ast_definitions = ast_nodes(tree)
        if len(self.calls) != len(self.ast_calls):
            raise _DoubtError(f"calls: {len(self.calls)} in libcst, {len(self.ast_calls)} in ast")
        if len(self.definitions) != len(self.ast_definitions):
            raise _DoubtError("definitions")
        self.ascii = source.isascii()
        # Only what must be read as text is decoded: names of definitions, non-ASCII columns.
        self.lines: list[str] | None = None
        self.source = source
        self.encoding = module.encoding

    def spans(self, nodes: Iterable[cst.CSTNode]) -> dict[int, Span]:
        call_at = {id(node): i for i, node in enumerate(self.calls)}
        definition_at: dict[int, int] = {}
        decorator_at: dict[int, tuple[int, int]] = {}
        for i, definition in enumerate(self.definitions):
            definition_at[id(definition.name)] = i
            for j, decorator in enumerate(definition.decorators):
                decorator_at[id(decorator.decorator)] = (i, j)
        found: dict[int, Span] = {}
        for node in nodes:
            key = id(node)
            if key in call_at:
                found[key] = self._call(node, self.ast_calls[call_at[key]])  # type: ignore[arg-type]
            elif key in definition_at:
                i = definition_at[key]
                found[key] = self._name(self.definitions[i], self.ast_definitions[i])
            elif key in decorator_at:
                i, j = decorator_at[key]
                found[key] = self._decorator(i, j)
            else:
                raise _DoubtError(f"{type(node).__name__} not paired")
        return found

    def _call(self, node: cst.Call, twin: ast.Call) -> Span:
        if len(node.args) != len(twin.args) + len(twin.keywords):
            raise _DoubtError("arguments")
        _same_callee(node.func, twin.func)
        self._ends_with(node.func, twin.func)
        return self._span(twin)

    def _decorator(self, i: int, j: int) -> Span:
        node = self.definitions[i].decorators
        twins = self.ast_definitions[i].decorator_list
        if len(node) != len(twins):
            raise _DoubtError("decorators")
        expression, twin = node[j].decorator, twins[j]
        _same_callee(expression, twin)
        self._ends_with(expression, twin)
        return self._span(twin)

    def _name(self, node: Definition, twin: AstDefinition) -> Span:
        if (isinstance(node, cst.ClassDef) != isinstance(twin, ast.ClassDef)) or (
            node.name.value != twin.name
        ):
            raise _DoubtError("definition")
        line = self._line(twin.lineno)
        column = self._column(line, twin.col_offset)
        head = _DEF_HEAD.match(line, column)
        if head is None:  # a line continuation inside the head, or a comment
            raise _DoubtError("definition head")
        start = head.end()
        end = start + len(node.name.value)
        if not _reads_as(line[start:end], node.name.value) or _WORD.match(line, end) is not None:
            raise _DoubtError("definition name")
        return Span(twin.lineno, start + 1, twin.lineno, end + 1)

    def _ends_with(self, node: cst.BaseExpression, twin: ast.expr) -> None:
        """A callee's identifier really ends where ast's callee does."""
        name = node.value if isinstance(node, cst.Name) else None
        if isinstance(node, cst.Attribute):
            name = node.attr.value
        if name is None or twin.end_lineno is None or twin.end_col_offset is None:
            return
        line = self._line(twin.end_lineno)
        end = self._column(line, twin.end_col_offset)
        if not _reads_as(line[max(end - len(name), 0) : end], name):
            raise _DoubtError("callee")

    def _span(self, node: ast.expr) -> Span:
        if node.end_lineno is None or node.end_col_offset is None:
            raise _DoubtError("no end")
        if self.ascii:
            return Span(node.lineno, node.col_offset + 1, node.end_lineno, node.end_col_offset + 1)
        start = self._column(self._line(node.lineno), node.col_offset)
        end = self._column(self._line(node.end_lineno), node.end_col_offset)
        return Span(node.lineno, start + 1, node.end_lineno, end + 1)

    def _line(self, number: int) -> str:
        if self.lines is None:
            try:
                text = self.source.decode(self.encoding)
            except (UnicodeDecodeError, LookupError):
                raise _DoubtError("decode") from None
            self.lines = _LINE_END.split(text.removeprefix("\ufeff"))
        if not 0 < number <= len(self.lines):
            raise _DoubtError("line")
        return self.lines[number - 1]

    def _column(self, line: str, offset: int) -> int:
        """ast counts UTF-8 bytes; libcst counts characters."""
        if line.isascii():
            return offset
        try:
            return len(line.encode("utf-8")[:offset].decode("utf-8"))
        except UnicodeError:
            raise _DoubtError("column") from None


def _same_callee(node: cst.BaseExpression, twin: ast.expr) -> None:
    if isinstance(node, cst.Name):
        same = isinstance(twin, ast.Name) and twin.id == node.value
    elif isinstance(node, cst.Attribute):
        same = isinstance(twin, ast.Attribute) and twin.attr == node.attr.value
    else:
        same = type(node).__name__ == type(twin).__name__ or not isinstance(
            twin, (ast.Name, ast.Attribute)
        )
    if not same:
        raise _DoubtError("callee")


def _reads_as(written: str, name: str) -> bool:
    """Whether source text is the (NFKC-normalised) identifier libcst now holds."""
    return written == name or unicodedata.normalize("NFKC", written) == name
