"""The interface of a code rule: a predicate over a file's facts, with its docs and cases."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from fmcat.catalog.load import Catalog
from fmcat.findings import Finding, Location
from fmcat.rule import Rule
from fmcat.scan.attribution import Attribution
from fmcat.scan.escapes import CallGraph
from fmcat.scan.facts import FileFacts, Span
from fmcat.scan.knowledge import KnowledgeBase


@dataclass
class ScanContext:
    kb: KnowledgeBase
    catalog: Catalog | None
    attribution: Attribution | None
    files: list[FileFacts]
    _graph: CallGraph | None = None

    @property
    def graph(self) -> CallGraph:
        """Calls between project functions, built once for the rules that follow them."""
        if self._graph is None:
            self._graph = CallGraph.build(self.files)
        return self._graph


class CodeRule(Rule):
    #: Cross-check rules run only with a catalog; their cases use this catalog file.
    needs_catalog: ClassVar[bool] = False
    CATALOG: ClassVar[str] = ""
    #: The finding is on the catalog file, not in the code: its cases carry no marks.
    reports_on_catalog: ClassVar[bool] = False

    @classmethod
    def example_language(cls) -> str:
        return "python"

    def check(self, facts: FileFacts, context: ScanContext) -> Iterator[Finding]:
        """Findings in one file."""
        return iter(())

    def check_project(self, context: ScanContext) -> Iterator[Finding]:
        """Findings about the project as a whole (FM201)."""
        return iter(())

    def finding(
        self, facts: FileFacts, span: Span, message: str, dependency: str | None = None
    ) -> Finding:
        location = Location(facts.path, span.line, span.column, span.end_line, span.end_column)
        return Finding(
            self.code, message, location, self.severity, dependency, _site_text(facts, span)
        )


def _site_text(facts: FileFacts, span: Span) -> str | None:
    """The source text of the call or client reported at ``span``, which names a finding in a
    baseline wherever the call moves (the message is the same for every `requests.get`)."""
    texts = _TEXTS.get(id(facts))
    if texts is None or texts[0] is not facts:
        if len(_TEXTS) > 64:
            _TEXTS.clear()
        texts = (facts, {site.span: site.text for site in reversed(facts.sites) if site.text})
        _TEXTS[id(facts)] = texts
    return texts[1].get(span)


#: Each file's texts by span, built once per file rather than searched per finding (a file with
#: 10,000 findings). Keyed by identity; the facts object is kept so the id stays its own.
_TEXTS: dict[int, tuple[FileFacts, dict[Span, str]]] = {}
