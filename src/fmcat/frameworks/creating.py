"""The calls in a retried body that create something (FM112), and whether a key reaches them.

A creating call is a POST (``x.post(...)``, ``x.request("POST", ...)``, or a local name bound to
an ``x.post`` and called: ``request_func = requests.post`` in one branch of a dispatch on the
method, Airflow's Databricks hook), an SDK create or charge (CREATING), or one of Slack's posting
methods (SLACK_CREATING). Not a token request: an OAuth ``grant_type`` POST, or any POST of a
function that gets, requests, fetches or refreshes a token (TOKEN_GETTER). Nor a call whose
failure the retry cannot see: when the retry names what it retries on (backoff's exception
argument, tenacity's ``retry_if_exception_type``) and a ``try`` around the call catches each of
those and raises something else (superset's Slack notifications catch ``SlackApiError``, which
their ``@backoff.on_exception`` retries on, and raise ``NotificationUnprocessableException``).
"""

from __future__ import annotations

import re

import libcst as cst

from fmcat.frameworks.source import UNKNOWN, Source, keyword, literal, walk
from fmcat.scan.facts import RetriedCall

#: Calls inside a retried task that create something (FM112), besides HTTP POSTs.
CREATING = frozenset({"create", "charge", "capture", "confirm", "refund", "transfer", "payout"})
#: A function that gets a token (``_get_sp_token``, ``_a_get_federated_databricks_token``,
#: ``_get_k8s_token_request_api``, Snowflake's ``request_oauth_token``): its POSTs ask a token
#: endpoint for a new short-lived credential, which a retry only asks for again. Not
#: ``create_api_token``: that one makes a lasting object.
TOKEN_GETTER = re.compile(r"(?:^|_)(?:get|request|fetch|refresh|obtain)_\w*token")
#: slack_sdk's WebClient methods that post a new message or file each time they are called (Slack
#: has no idempotency key for them): checked against the installed slack_sdk in
#: tests/test_framework_facts.py, which sees each one POST its Web API method.
SLACK_CREATING = frozenset(
    {
        "chat_postMessage",
        "chat_postEphemeral",
        "chat_scheduleMessage",
        "chat_meMessage",
        "files_upload",
        "files_upload_v2",
    }
)


def creating_calls(
    function: cst.CSTNode, source: Source, retry: str, keys_in: cst.CSTNode | None = None
) -> list[RetriedCall]:
    """POSTs and SDK creates in a retried function (or a retry loop's body), and whether an
    idempotency key reaches them: in the call, or set anywhere in ``keys_in`` (the function
    itself by default; a loop's enclosing function, where the key is made before the loop)."""
    found: list[RetriedCall] = []
    owner = keys_in if keys_in is not None else function
    body = source.text(owner).lower()
    if isinstance(owner, cst.FunctionDef) and TOKEN_GETTER.search(owner.name.value):
        return found  # a retried token request mints another short-lived token, nothing more

    posters = _bound_posts(owner, source)
    retried_on = _retried_on(function, source) if isinstance(function, cst.FunctionDef) else set()

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            library = ""
            if isinstance(node.func, cst.Name) and node.func.value in posters:
                library = posters[node.func.value]
                method = "post"
            elif isinstance(node.func, cst.Attribute):
                method = node.func.attr.value
            else:
                return
            first = literal(node.args[0].value) if node.args else UNKNOWN
            post = method == "post" or (
                method == "request" and isinstance(first, str) and first.upper() == "POST"
            )
            if not (post or method in CREATING or method in SLACK_CREATING):
                return
            if retried_on and _converted(node, source, retried_on):
                return  # the body turns what the retry retries on into another error
            text = source.text(node)
            if post and "grant_type" in text:
                return  # an OAuth token request (RFC 6749 section 4): repeating it is harmless
            has_key = (
                keyword(node, "idempotency_key") is not None
                or "idempotency-key" in body
                or "idempotency_key" in text
            )
            found.append(RetriedCall(source.span(node), retry, has_key, text, library))

    walk(function, Finder())
    return found


def _bound_posts(owner: cst.CSTNode, source: Source) -> dict[str, str]:
    """Local names that some assignment in ``owner`` binds to an ``x.post``, with what is bound
    (``request_func = requests.post``): calling one may POST."""
    found: dict[str, str] = {}

    class Finder(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            value = node.value
            if not (isinstance(value, cst.Attribute) and value.attr.value == "post"):
                return
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    found[target.target.value] = source.qual(value) or source.text(value)

    walk(owner, Finder())
    return found


def _retried_on(function: cst.FunctionDef, source: Source) -> set[str]:
    """What a function's retry decorator retries on, by qualified name: backoff's exception
    argument, tenacity's ``retry=retry_if_exception_type(...)``; empty when not known."""
    names: set[str] = set()
    for decorator in function.decorators:
        call = decorator.decorator
        if not isinstance(call, cst.Call):
            continue
        name = source.qual(call.func)
        errors: cst.BaseExpression | None = None
        if name == "backoff.on_exception":
            errors = keyword(call, "exception", 1)
        elif name == "tenacity.retry":
            condition = keyword(call, "retry")
            if (
                isinstance(condition, cst.Call)
                and source.qual(condition.func) == "tenacity.retry_if_exception_type"
            ):
                errors = keyword(condition, "exception_types", 0)
        if errors is None:
            continue
        elements = errors.elements if isinstance(errors, cst.Tuple) else [cst.Element(errors)]
        for element in elements:
            qual = source.qual(element.value)
            if qual is None:
                return set()  # not a name: what it retries on is not known
            names.add(qual)
    return names


def _converted(node: cst.CSTNode, source: Source, retried_on: set[str]) -> bool:
    """Whether ``try`` blocks around ``node``, inside its function, catch every one of
    ``retried_on`` in handlers that raise something else (no bare ``raise``)."""
    left = set(retried_on)
    child, current = node, source.parent(node)
    while current is not None and left:
        if isinstance(current, cst.Try) and child is current.body:
            for handler in current.handlers:
                caught = source.caught_by(handler)
                if caught & (left | {"*", "Exception", "BaseException"}) and not _reraises(handler):
                    left = set() if caught & {"*", "Exception", "BaseException"} else left - caught
        if isinstance(current, cst.FunctionDef):
            break
        child, current = current, source.parent(current)
    return not left


def _reraises(handler: cst.ExceptHandler) -> bool:
    found = False

    class Finder(cst.CSTVisitor):
        def visit_Raise(self, node: cst.Raise) -> None:
            nonlocal found
            found = (
                found
                or node.exc is None
                or (
                    handler.name is not None
                    and isinstance(handler.name.name, cst.Name)
                    and isinstance(node.exc, cst.Name)
                    and node.exc.value == handler.name.name.value
                )
            )

    walk(handler.body, Finder())
    return found
