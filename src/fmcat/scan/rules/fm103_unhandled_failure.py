from collections.abc import Iterator

from fmcat.findings import Finding
from fmcat.scan.facts import FileFacts
from fmcat.scan.rules.base import CodeRule, ScanContext


class UnhandledFailure(CodeRule):
    """
    A call that can fail at run time (it goes over the network now) is not inside a `try`
    whose handlers catch that client's failures, and its function is not wrapped by a
    resilience decorator (tenacity, backoff, stamina, pybreaker, circuitbreaker). A handler
    counts when it names the library's exception family or any exception of the library,
    `OSError` where the family derives from it (requests, urllib, smtplib, socket), a tuple
    such as `ftplib.all_errors`, `Exception`, or a bare `except:`. Making a lazy client
    (`requests.Session()`, `redis.Redis(...)`) cannot fail and is not reported; connecting
    (`psycopg2.connect`, `smtplib.SMTP(host)`) can. Handlers, `else` and `finally` are outside
    the `try`'s protection, and so is code in a nested function.
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
    )
    VALID = (
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
        families = {lib.name: lib.exceptions[0] for lib in context.kb.library if lib.exceptions}
        for site in facts.sites:
            if site.can_fail and not site.handled:
                family = families.get(site.library, "its errors")
                yield self.finding(
                    facts,
                    site.span,
                    f"{site.qualname} can fail ({family}) and nothing handles it: no enclosing "
                    "try catches it and no resilience decorator wraps the function",
                )
