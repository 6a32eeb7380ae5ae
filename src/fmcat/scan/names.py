"""Small helpers over libcst name nodes."""

from __future__ import annotations

import libcst as cst


def dotted_name(node: cst.BaseExpression | cst.Attribute | cst.Name) -> str | None:
    """``a.b.c`` as text, or None when the expression is not a plain dotted name."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = dotted_name(node.value)
        return f"{head}.{node.attr.value}" if head is not None else None
    return None
