"""Where a failure leaves the project's code: FM103 across calls.

A call that can fail and is not handled where it stands makes its function fail. The calls to
that function are sites too (derived clients, project.py), each with its own handling; the
failure goes on up through every caller that does not handle it, and leaves the project where a
function has no project caller (an entry point: a view, a task, a command, module code). FM103 is
reported on the call that can fail, with one path by which its failure leaves; when every path is
handled, not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fmcat.scan.facts import ClassSummary, FileFacts, Site

#: Callers followed up from a call, at most; a longer chain is reported where it stops.
MAX_PATH = 24


@dataclass(frozen=True)
class Hop:
    """One step out: ``function`` is called, without handling, at ``path:line`` in ``caller``."""

    function: str
    caller: str
    path: str
    line: int
    partial_catch: tuple[str, ...] = ()


@dataclass(frozen=True)
class Escape:
    hops: tuple[Hop, ...]
    #: The chain of callers went on past MAX_PATH.
    cut: bool = False

    def describe(self) -> str:
        """``add_tag ← remove_malware (views/malware.py:88) ← ...``"""
        if not self.hops:
            return ""
        parts = [_short(self.hops[0].function)]
        for hop in self.hops:
            parts.append(f"{_short(hop.caller)} ({hop.path}:{hop.line})")
        text = " ← ".join(parts)
        return text + (f" ← ... (more than {MAX_PATH} calls up)" if self.cut else "")


def _where(facts: FileFacts) -> str:
    """The caller's file from its module (``app/views/malware.py``): the same whatever folder
    fmcat runs from, as a message must be (baselines, the checklist)."""
    if not facts.module:
        return facts.path
    tail = "/__init__.py" if facts.path.endswith("__init__.py") else ".py"
    return facts.module.replace(".", "/") + tail


def _defining(qualname: str, classes: dict[str, ClassSummary]) -> str:
    """``pay.PaypalAPM._create_order`` that PaypalAPM inherits: ``pay.PaypalMethod._create_order``
    (its bases among the project's client classes, depth first, a cycle cut)."""
    owner, _, method = qualname.rpartition(".")
    seen: set[str] = set()
    stack = [owner]
    while stack:
        name = stack.pop()
        klass = classes.get(name)
        if klass is None or name in seen:
            continue
        if method in klass.methods:
            return f"{name}.{method}"
        seen.add(name)
        stack.extend(reversed(klass.bases))
    return qualname


def _short(qualname: str) -> str:
    """``app.views.Orders.post`` -> ``Orders.post``; a module's own code -> its module."""
    parts = qualname.split(".")
    return ".".join(parts[-2:]) if len(parts) > 2 and parts[-2][:1].isupper() else parts[-1]


@dataclass
class CallGraph:
    """Calls to project functions (derived-client sites), by the function called."""

    callers: dict[str, list[tuple[FileFacts, Site]]] = field(default_factory=dict)
    #: Functions some call inside may fail out of (so a call to one is a link, not a leaf).
    failing: set[str] = field(default_factory=set)
    _memo: dict[str, Escape | None] = field(default_factory=dict)

    #: Methods by the class that defines them: ``Sub.m`` inherited is ``Base.m``.
    defined: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, files: list[FileFacts]) -> CallGraph:
        graph = cls()
        classes = {c.qualname: c for facts in files for c in facts.summary.classes}
        for facts in files:
            for site in facts.sites:
                if site.derived and site.can_fail:
                    name = graph.defined.setdefault(
                        site.qualname, _defining(site.qualname, classes)
                    )
                    graph.callers.setdefault(name, []).append((facts, site))
                if site.can_fail and not site.handled:
                    graph.failing.add(site.enclosing)
        return graph

    def is_link(self, site: Site) -> bool:
        """A call to a project function whose own failing call is reported inside it."""
        return site.derived and self.defined.get(site.qualname, site.qualname) in self.failing

    def escape(self, function: str) -> Escape | None:
        """How a failure in ``function`` leaves the project unhandled; None if it never does."""
        return self._escape(function, frozenset(), 0)[0]

    def _escape(
        self, function: str, visiting: frozenset[str], depth: int
    ) -> tuple[Escape | None, bool]:
        """The way out, and whether the answer depends on ``visiting`` (a cycle was cut)."""
        if function in self._memo:
            return self._memo[function], False
        callers = [(f, s) for f, s in self.callers.get(function, []) if s.enclosing != function]
        if not callers:
            return Escape(()), False  # an entry point: the failure leaves here
        if depth >= MAX_PATH:
            return Escape((), cut=True), True
        inside = visiting | {function}
        found: Escape | None = None
        cut = pending = False
        for facts, site in callers:
            if site.handled:
                continue
            if site.enclosing in inside:
                pending = True  # a cycle: leaves here unless another caller shows the way out
                continue
            up, up_cut = self._escape(site.enclosing, inside, depth + 1)
            cut |= up_cut
            if up is not None:
                hop = Hop(
                    function, site.enclosing, _where(facts), site.span.line, site.partial_catch
                )
                found = Escape((hop, *up.hops), up.cut)
                break
        if found is None and pending:
            found = Escape(())  # only recursion calls it without handling: it leaves from here
        depends = cut or pending
        if not depends:
            self._memo[function] = found
        return found, depends
