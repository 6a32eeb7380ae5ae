"""The home page's graph: which user-visible operations cross which dependencies, as Mermaid.

Mermaid source rather than a picture, because it stays readable in the generated Markdown, in a
diff, and on any host that renders Mermaid (Zensical, GitHub). The site loads a vendored copy of
mermaid.js (see `assets.py`), so drawing it needs no network.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import quote

from fmcat.render.markdown import Md

#: Mermaid refuses to draw more than 500 edges by default, and a graph far smaller than that is
#: already unreadable; past this the home page says so and points at the Operations page.
MAX_EDGES = 300

_LABEL_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def _label(text: str) -> str:
    # Ids and operation names are slugs; anything else would need Mermaid's own escaping.
    return _LABEL_UNSAFE.sub("_", text)


def _href(target: str) -> str:
    # A relative page path and an anchor; quoted so that no `"` can end Mermaid's string.
    return quote(target, safe="/#.-_")


def mermaid(
    edges: Iterable[tuple[str, str, str]], links: Mapping[str, str] | None = None
) -> Md | None:
    """``graph LR`` source for (operation, dependency, criticality) edges; None when too big.

    A critical dependency's edge is solid (the operation fails without it); a degradable or
    optional one's is dotted (the operation goes on, degraded). ``links`` maps a dependency's
    name, or ``op:`` and an operation's name, to the page (relative to the home page) that a
    click on its node opens.
    """
    links = links or {}
    unique = sorted(set(edges))
    if not unique or len(unique) > MAX_EDGES:
        return None
    operations = sorted({op for op, _, _ in unique})
    dependencies = sorted({dep for _, dep, _ in unique})
    op_ids = {name: f"op{index}" for index, name in enumerate(operations)}
    dep_ids = {name: f"dep{index}" for index, name in enumerate(dependencies)}
    lines = ["graph LR"]
    lines += [f'  {op_ids[name]}(["{_label(name)}"])' for name in operations]
    lines += [f'  {dep_ids[name]}[("{_label(name)}")]' for name in dependencies]
    for op, dep, criticality in unique:
        arrow = "-->" if criticality == "critical" else "-.->"
        lines.append(f"  {op_ids[op]} {arrow} {dep_ids[dep]}")
    for name in operations:
        if f"op:{name}" in links:
            lines.append(f'  click {op_ids[name]} href "{_href(links[f"op:{name}"])}"')
    for name in dependencies:
        if name in links:
            lines.append(f'  click {dep_ids[name]} href "{_href(links[name])}"')
    # Safe to place in a fence as-is: every label went through `_label`.
    return Md("\n".join(lines))
