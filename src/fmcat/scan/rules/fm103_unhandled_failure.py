from collections.abc import Iterator

from fmcat.findings import Finding
from fmcat.scan.facts import FileFacts
from fmcat.scan.rules.base import CodeRule, ScanContext


class UnhandledFailure(CodeRule):
    """
    A call that can fail at run time (it goes over the network now) is not handled on its way
    out of the project's code. Handled means: inside a `try` whose handlers catch the client's
    failure family (its root exception, `OSError` where the family derives from it, a tuple such
    as `ftplib.all_errors`, `Exception`, a bare `except:`), in a function wrapped by a resilience
    decorator (tenacity, backoff, stamina, pybreaker, circuitbreaker, or one declared in
    `[tool.fmcat] handled_by`), or in a Celery task whose `autoretry_for` covers the family.
    Catching only a subclass (`requests.HTTPError`, `requests.Timeout`) is not handling: a
    connection error still escapes, and the message says so.

    Handling is judged across calls: when the call is in a project function and every project
    caller of that function handles the failure, it is not reported; when one does not, the
    finding names the path by which the failure leaves (`add_tag ← remove_malware
    (views/malware.py:88)`). A function no project code calls (a view, a task, a command) is where
    the failure leaves. Making a lazy client (`requests.Session()`, `redis.Redis(...)`) cannot fail
    and is not reported; connecting (`psycopg2.connect`, `smtplib.SMTP(host)`) can. Handlers,
    `else` and `finally` are outside the `try`'s protection.
    """

    code = "FM103"
    name = "unhandled-failure"
    summary = "A call that can fail is not handled by a try or a resilience decorator"

    INVALID = (
        """\
import requests

def charge(order):
    try:
        audit(order)
    except ValueError:
        pass
    return requests.post("https://pay.example.com", json=order, timeout=2)  # expect: FM103
""",
        """\
import redis

cache = redis.Redis(socket_timeout=0.2)

def invalidate(key):
    try:
        cache.delete(key)  # expect: FM103 "nothing handles it"
    except KeyError:
        cache.delete(key)  # expect: FM103
""",
        """\
import requests

def add_tag(item):
    requests.post(f"https://tags.example.com/{item}", timeout=2)  # expect: FM103

def remove_malware(item):
    try:
        add_tag(item)
    except requests.HTTPError:
        pass
""",
        """\
import smtplib

from django.core.mail import send_mail

def welcome(user):
    try:
        send_mail("Hi", "Hello", "s@x.io", [user])  # expect: FM103 "rest of OSError"
    except smtplib.SMTPException:
        pass
""",
    )
    VALID = (
        """\
import requests

def add_tag(item):
    requests.post(f"https://tags.example.com/{item}", timeout=2)

def flag(item):
    try:
        add_tag(item)
    except requests.RequestException:
        pass
""",
        """\
import backoff
import requests
import tenacity

def charge(order):
    try:
        return requests.post("https://pay.example.com", json=order, timeout=2)
    except requests.RequestException:
        return None

def status(url):
    try:
        return requests.get(url, timeout=2)
    except OSError:
        return None

@tenacity.retry(stop=tenacity.stop_after_attempt(3))
def refund(order):
    return requests.post("https://pay.example.com/refunds", json=order, timeout=2)

@backoff.on_exception(backoff.expo, requests.RequestException, max_tries=3)
def capture(order):
    return requests.post("https://pay.example.com/captures", json=order, timeout=2)
""",
    )

    def check(self, facts: FileFacts, context: ScanContext) -> Iterator[Finding]:
        families = {
            lib.name: " or ".join([lib.exceptions[0], *lib.also_raises[:1]])
            for lib in context.kb.library
            if lib.exceptions
        }
        graph = context.graph
        for site in facts.sites:
            if not site.can_fail or site.handled or graph.is_link(site):
                continue
            escape = graph.escape(site.enclosing)
            if escape is None:
                continue  # every project caller handles it
            family = families.get(site.library, "its errors")
            partial = _partial(site.partial_catch, family)
            if not escape.hops:
                yield self.finding(
                    facts,
                    site.span,
                    f"{site.qualname} can fail ({family}) and nothing handles it{partial}: no "
                    "enclosing try catches it and no resilience decorator wraps the function",
                )
                continue
            caught = [h.partial_catch for h in escape.hops if h.partial_catch]
            on_the_way = _partial(caught[0], family) if caught and not partial else ""
            yield self.finding(
                facts,
                site.span,
                f"{site.qualname} can fail ({family}){partial} and no caller handles it on the "
                f"way out{on_the_way}: {escape.describe()}",
            )


def _partial(caught: tuple[str, ...], family: str) -> str:
    if not caught:
        return ""
    return f" (catching only {', '.join(caught)} lets the rest of {family} through)"
