"""What each checklist item says, and whether fmcat can tick it.

An item is ticked from the scan's facts, not from the absence of a finding: a call whose
missing timeout is suppressed with `# fmcat: ignore[FM101]` still has no timeout, so its box
stays open and says that the finding is suppressed. The findings supply the words when there
is one, so the checklist and `fmcat lint` describe a problem the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fmcat.catalog.load import Entry
from fmcat.catalog.model import FailureMode
from fmcat.checklist.markdown import Md, code, text
from fmcat.checklist.model import Item
from fmcat.findings import Finding
from fmcat.scan.facts import FileFacts, Site, Span, TimeoutState

#: Findings by (path as fmcat shows it, line, column): where a code rule puts them.
FindingIndex = Mapping[tuple[str, int, int], Sequence[Finding]]

_MECHANISMS = {"circuit_breaker": "circuit breaker"}
_BOUNDED = (TimeoutState.SET, TimeoutState.CONTEXT, TimeoutState.DEFAULT)
_UNBOUNDED = (TimeoutState.MISSING, TimeoutState.DISABLED)


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else many or word + 's'}"


def listing(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def _at(index: FindingIndex, path: str, span: Span, codes: tuple[str, ...]) -> list[Finding]:
    return [f for f in index.get((path, span.line, span.column), ()) if f.code in codes]


def _because(finding: Finding) -> str:
    return f"{text(finding.message)} ({finding.code})"


def client_chain(facts: FileFacts, site: Site) -> list[Site]:
    """The site, the site that made its client, that one's maker..., as far as the file shows."""
    chain, seen, current = [site], set(), site
    while current.client_site is not None and current.client_site not in seen:
        if not 0 <= current.client_site < len(facts.sites):
            break
        seen.add(current.client_site)
        current = facts.sites[current.client_site]
        chain.append(current)
    return chain


def _bound(site: Site) -> str:
    if site.timeout_source:
        return f"from configuration ({code(site.timeout_source)}): check the value it is set to"
    if site.timeout is TimeoutState.CONTEXT:
        return "bounded by an asyncio timeout around it"
    if site.timeout is TimeoutState.DEFAULT:
        seconds = f", {site.default_seconds:g}s" if site.default_seconds is not None else ""
        return f"the library's default{seconds}"
    if site.timeout_values:
        return ", ".join(f"{value:g}s" for value in site.timeout_values)
    return "given in code"


def timeout_item(facts: FileFacts, site: Site, index: FindingIndex) -> Item:
    for link in client_chain(facts, site):
        own = link is site
        if link.timeout in _UNBOUNDED:
            found = _at(index, facts.path, link.span, ("FM101", "FM102"))
            rule = "FM101" if link.timeout is TimeoutState.MISSING else "FM102"
            if not own:
                state = "has none" if rule == "FM101" else "has it switched off"
                note = rule if found else f"{rule} suppressed or not selected"
                reason = (
                    f"the client it goes through {state} "
                    f"({code(link.qualname)} at line {link.span.line}, {note})"
                )
            elif found:
                reason = _because(found[0])
            else:
                state = "no timeout" if rule == "FM101" else "the timeout is switched off"
                reason = f"{state}, and {rule} is suppressed or not selected here"
            return Item(
                False,
                Md(f"Timeout set: {reason}"),
                findings=tuple(found[:1]),
                through_client=None if own else link.span.line,
            )
        if link.timeout in _BOUNDED or link.timeout_source:
            maker = f"{code(link.qualname)} at line {link.span.line}"
            where = "" if own else f" on the client it goes through ({maker})"
            return Item(True, Md(f"Timeout set: {_bound(link)}{where}"))
    return Item(
        False,
        Md(
            "Timeout set: fmcat cannot tell (it may come through `**kwargs` or a client made "
            "in another module); check it"
        ),
    )


def handled_item(facts: FileFacts, site: Site, index: FindingIndex) -> Item | None:
    """Only for calls that can fail: making a lazy client (`requests.Session()`) cannot."""
    if not site.can_fail:
        return None
    if site.handled:
        return Item(True, Md("Failure handled: by an enclosing `try` or a resilience decorator"))
    found = _at(index, facts.path, site.span, ("FM103",))
    if found:
        reason = _because(found[0])
    elif site.derived:
        # A failure is judged where it leaves the project's code: FM103 sits on the library
        # call inside the wrapper, with the path of callers that lets it out.
        reason = (
            "not here; a failure inside it is judged at the library call it makes, where FM103 "
            "names the callers that let it out"
        )
    else:
        reason = "nothing handles it, and FM103 is suppressed or not selected here"
    return Item(False, Md(f"Failure handled: {reason}"), findings=tuple(found[:1]))


def declared_item(site: Site, entry: Entry | None, has_catalog: bool) -> Item:
    if entry is not None:
        return Item(True, Md(f"Dependency declared: {code(entry.name)}"))
    if not has_catalog:
        return Item(False, Md("Dependency declared: the service has no catalog to declare it in"))
    target = f" to {code(site.url)}" if site.url else ""
    return Item(
        False,
        Md(
            f"Dependency declared: no catalog dependency matches this call{target} (FM104); "
            "add one, or extend a dependency's `match:` rules"
        ),
    )


def finding_note(finding: Finding) -> Md:
    return Md(f"{code(finding.code)} line {finding.location.line}: {text(finding.message)}")


def valid_item(path: str, findings: Sequence[Finding]) -> Item:
    if not findings:
        return Item(True, Md(f"Catalog entry valid: no FM0xx finding in {code(path)}"))
    return Item(
        False,
        Md(f"Catalog entry valid: {plural(len(findings), 'finding')} in {code(path)}"),
        notes=tuple(finding_note(f) for f in findings),
        findings=tuple(findings),
    )


def called_item(sites: int, used: bool) -> Item:
    if sites:
        return Item(True, Md(f"Called from the code: {plural(sites, 'call site')}"))
    if used:
        return Item(True, Md("Called from the code: through calls its `match:` rules name"))
    return Item(
        False,
        Md(
            "Called from the code: no call site in the scanned code (FM201); check its `match:` "
            "rules, or remove the entry if the service no longer uses it"
        ),
    )


def _response(mode: FailureMode) -> str:
    response = mode.response
    if response is None or not (response.automatic or response.runbook_steps):
        return "none declared (FM011)"
    parts = []
    if response.automatic:
        parts.append(listing([_MECHANISMS.get(m, m) for m in response.automatic]))
    if response.runbook_steps:
        parts.append(plural(response.runbook_steps, "runbook step"))
    return ", then ".join(parts)


def linked(shown: Md, url: str | None) -> Md:
    """``shown`` as a link to ``url`` (already checked: http(s) only), or as it is."""
    return Md(f"[{shown}]({url})") if url else shown


def mode_item(
    entry: Entry, number: int, path: str, question: str, runbook: str | None = None
) -> Item:
    mode = entry.model.failure_modes[number]
    line = entry.source.locate(("failure_modes", number)).line
    title = text(mode.title).rstrip(".")
    return Item(
        False,
        Md(
            f"Failure mode {linked(code(mode.id), runbook)}: {title}. Response: "
            f"{_response(mode)} ({code(f'{path}:{line}')}). {question}"
        ),
        verified=False,
    )


def modes_item(entry: Entry, path: str, runbooks: Sequence[str | None]) -> Item:
    """Every failure mode and its runbook in one item, for the whole service: the reviewer
    reads the file."""
    modes = entry.model.failure_modes
    names = [linked(code(m.id), url) for m, url in zip(modes, runbooks, strict=True)]
    return Item(
        False,
        Md(
            f"Failure modes still true: {listing(names)} ({code(path)}): what users see, how "
            "it is detected, and runbook steps that fit the timeout, retry, circuit breaker, "
            "bulkhead and fallback"
        ),
        verified=False,
    )


def runbook_item(path: str, changed: bool | None) -> Item:
    """``changed`` is None for the whole service, else whether the catalog file changed."""
    shown = code(path)
    if changed is None:
        words = (
            f"Runbook matches the policy: the response steps in {shown} fit its timeout, retry, "
            "circuit breaker, bulkhead and fallback"
        )
    elif changed:
        words = (
            f"Runbook updated if the policy changed: {shown} changed here; check that its "
            "response steps still fit its policies"
        )
    else:
        words = (
            f"Runbook updated if the policy changed: {shown} is not part of this change; if the "
            "change alters a timeout, retry, circuit breaker, bulkhead or fallback, update the "
            "catalog and its runbook steps"
        )
    return Item(False, Md(words), verified=False)


def metrics_items(entry: Entry) -> list[Item]:
    """One item for the metrics of every operation the dependency affects."""
    operations = entry.model.operations
    if not operations:
        return [
            Item(
                False,
                Md("Metrics still emitted: the dependency names no user-visible operation (FM019)"),
                verified=False,
            )
        ]
    parts = []
    for operation in operations:
        measures = operation.measures
        named = [
            code(metric)
            for metric in (
                measures.latency if measures else None,
                measures.errors if measures else None,
            )
            if metric
        ]
        what = listing(named) if named else "none declared (FM019)"
        parts.append(f"{what} ({code(operation.name)})")
    return [Item(False, Md(f"Metrics still emitted: {'; '.join(parts)}"), verified=False)]
