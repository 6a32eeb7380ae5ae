"""Identifiers as Python reads them: NFKC-normalised (PEP 3131).

`requests.\uff47et(url)` (with a fullwidth g) calls `requests.get`, and a fullwidth `timeout=`
is `timeout=`: Python normalises every identifier when it reads the source, and libcst keeps
them as written. Normalising the tree's names once, before the binding table and the call
finder read it, makes every name-based step see what Python sees, with no change to those
steps.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from fmcat.scan.walk import walk


class _Collector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.changes: list[tuple[cst.Name, str]] = []

    def visit_Name(self, node: cst.Name) -> None:
        if not node.value.isascii():
            normal = unicodedata.normalize("NFKC", node.value)
            if normal != node.value:
                self.changes.append((node, normal))


def normalise_identifiers(module: cst.Module) -> Mapping[cst.CSTNode, CodeRange] | None:
    """Rewrites the module's names in place (node identity is kept, so nothing found later
    is lost). Returns the positions of the source as written when a name changed length
    (`ﬁle` is `file`), so that findings point at the text on disk; else None."""
    collector = _Collector()
    walk(module, collector)
    if not collector.changes:
        return None
    positions = None
    if any(len(node.value) != len(normal) for node, normal in collector.changes):
        positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    for node, normal in collector.changes:
        object.__setattr__(node, "value", normal)  # libcst nodes are frozen dataclasses
    return positions
