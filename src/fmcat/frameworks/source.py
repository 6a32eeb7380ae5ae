"""One parsed file for the framework passes: names through imports, positions, handlers.

The per-file scan (fmcat/scan) keeps facts, not trees, so the framework passes parse again the
few files that mention a framework they know. This is their shared view of such a file: the
qualified name of an expression through the file's imports (``from celery import shared_task``
makes ``shared_task`` ``celery.shared_task``), a node's position, and what the ``try`` blocks
around a node catch.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from fmcat.frameworks.files import parse
from fmcat.scan.facts import Span
from fmcat.scan.walk import walk as walk  # the framework passes' walker is the scan's


@dataclass
class Source:
    path: str  # shown path
    module: str  # dotted module name
    tree: cst.Module
    imports: dict[str, str] = field(default_factory=dict)
    #: Made on first use: most files parsed here turn out to hold nothing that needs a
    #: position, and libcst's metadata visitors cost more than the parse itself.
    _positions: dict[cst.CSTNode, CodeRange] | None = field(default=None, repr=False)
    _parents: dict[cst.CSTNode, cst.CSTNode] | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, source: bytes, path: str, module: str) -> Source | None:
        try:
            tree = parse(source)
        except Exception:  # the scan reports unparsable files (FM100); nothing to add here
            return None
        result = cls(path, module, tree)
        result.imports = _imports(tree, module)
        return result

    def span(self, node: cst.CSTNode) -> Span:
        if self._positions is None:
            # unsafe_skip_copy: the positions are keyed by this tree's own nodes.
            wrapper = MetadataWrapper(self.tree, unsafe_skip_copy=True)
            self._positions = dict(wrapper.resolve(PositionProvider))
        p = self._positions[node]
        return Span(p.start.line, p.start.column + 1, p.end.line, p.end.column + 1)

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        if self._parents is None:
            self._parents = parent_map(self.tree)
        return self._parents.get(node)

    def qual(self, node: cst.BaseExpression) -> str | None:
        """``retry`` -> ``tenacity.retry``; ``celery.shared_task`` stays; locals stay bare."""
        if isinstance(node, cst.Name):
            return self.imports.get(node.value, node.value)
        if isinstance(node, cst.Attribute):
            head = self.qual(node.value)
            return f"{head}.{node.attr.value}" if head is not None else None
        if isinstance(node, cst.Call):
            return self.qual(node.func)
        return None

    def text(self, node: cst.CSTNode) -> str:
        return " ".join(self.tree.code_for_node(node).split())[:400]

    def enclosing_function(self, node: cst.CSTNode) -> cst.FunctionDef | None:
        current = self.parent(node)
        while current is not None and not isinstance(current, cst.FunctionDef):
            current = self.parent(current)
        return current

    def function_name(self, node: cst.FunctionDef) -> str:
        names = [node.name.value]
        current = self.parent(node)
        while current is not None:
            if isinstance(current, (cst.FunctionDef, cst.ClassDef)):
                names.append(current.name.value)
            current = self.parent(current)
        return (
            ".".join([self.module, *reversed(names)]) if self.module else ".".join(reversed(names))
        )

    def caught_around(self, node: cst.CSTNode) -> set[str]:
        """Qualified names the ``try`` blocks around ``node`` catch ("*" for a bare except)."""
        caught: set[str] = set()
        child, current = node, self.parent(node)
        while current is not None:
            if isinstance(current, cst.Try) and child is current.body:
                for handler in current.handlers:
                    caught |= self._names(handler.type)
            if isinstance(current, cst.FunctionDef):
                break
            child, current = current, self.parent(current)
        return caught

    def caught_by(self, handler: cst.ExceptHandler) -> set[str]:
        """Qualified names one ``except`` catches ("*" for a bare except)."""
        return self._names(handler.type)

    def _names(self, node: cst.BaseExpression | None) -> set[str]:
        if node is None:
            return {"*"}
        if isinstance(node, cst.Tuple):
            return {n for e in node.elements for n in self._names(e.value)}
        name = self.qual(node)
        return {name} if name else {"*"}


#: Each node type's dataclass fields, where its children are.
_FIELDS: dict[type[cst.CSTNode], tuple[str, ...]] = {}


def parent_map(root: cst.CSTNode) -> dict[cst.CSTNode, cst.CSTNode]:
    """Each node's parent, as libcst's ParentNodeProvider has it, from the nodes' fields.

    The provider walks the tree with libcst's visitor machinery, which rebuilds every node's
    children on the way; reading the fields directly is several times faster.
    """
    parents: dict[cst.CSTNode, cst.CSTNode] = {}
    stack: list[cst.CSTNode] = [root]
    fields = _FIELDS
    while stack:
        node = stack.pop()
        names = fields.get(type(node))
        if names is None:
            names = fields[type(node)] = tuple(f.name for f in dataclasses.fields(node))
        for name in names:
            value = getattr(node, name)
            if isinstance(value, cst.CSTNode):
                parents[value] = node
                stack.append(value)
            elif isinstance(value, (tuple, list)):
                for item in value:
                    if isinstance(item, cst.CSTNode):
                        parents[item] = node
                        stack.append(item)
    return parents


def _imports(module: cst.Module, module_name: str) -> dict[str, str]:
    found: dict[str, str] = {}
    package = module_name.rsplit(".", 1)[0] if "." in module_name else ""
    for statement in _top_level(module):
        for small in statement.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    name = _dotted(alias.name)
                    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                        found[alias.asname.name.value] = name
                    else:
                        found.setdefault(name.split(".")[0], name.split(".")[0])
            elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                base = _dotted(small.module) if small.module is not None else ""
                if small.relative:
                    head = package
                    for _ in range(len(small.relative) - 1):
                        head = head.rsplit(".", 1)[0] if "." in head else ""
                    base = ".".join(p for p in (head, base) if p)
                for alias in small.names:
                    name = _dotted(alias.name)
                    local = name
                    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                        local = alias.asname.name.value
                    found[local] = f"{base}.{name}" if base else name
    return found


def _top_level(module: cst.Module) -> list[cst.SimpleStatementLine]:
    """The module's simple statements, and those in the body of a module-level ``try``: an
    optional dependency is imported there (``try: from confluent_kafka import Consumer``)."""
    found: list[cst.SimpleStatementLine] = []
    for statement in module.body:
        if isinstance(statement, cst.Try) and isinstance(statement.body, cst.IndentedBlock):
            found += [s for s in statement.body.body if isinstance(s, cst.SimpleStatementLine)]
        elif isinstance(statement, cst.SimpleStatementLine):
            found.append(statement)
    return found


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def method_call(node: cst.Call, receiver: str, method: str) -> bool:
    """``receiver.method(...)``, the receiver a plain name."""
    func = node.func
    return (
        isinstance(func, cst.Attribute)
        and func.attr.value == method
        and isinstance(func.value, cst.Name)
        and func.value.value == receiver
    )


def keyword(call: cst.Call, name: str, position: int | None = None) -> cst.BaseExpression | None:
    for index, arg in enumerate(call.args):
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
        if arg.keyword is None and arg.star == "" and position is not None and index == position:
            return arg.value
    return None


def literal(node: cst.BaseExpression | None) -> object:
    """A literal's value: numbers, strings, True/False/None; tuples and lists of them."""
    if node is None:
        return None
    if isinstance(node, (cst.Integer, cst.Float)):
        return node.evaluated_value
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        return node.evaluated_value
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    if isinstance(node, (cst.Tuple, cst.List)):
        return [literal(e.value) for e in node.elements]
    return _UNKNOWN


class _Unknown:
    def __repr__(self) -> str:
        return "<unknown>"


_UNKNOWN = _Unknown()
UNKNOWN: object = _UNKNOWN
