"""Causes of wrong answers on the real-service suite (bench/realworld), one test each.

Each case is the shape of code that a real service has and that fmcat once judged wrongly;
the label that it broke is named in the test's docstring.
"""

from __future__ import annotations

from fmcat.scan.analyze import analyze
from fmcat.scan.facts import TimeoutState
from fmcat.scan.knowledge import builtin

KB = builtin()


def states(source: str) -> list[tuple[int, str, str]]:
    facts = analyze(source.encode(), "app.py", "app", KB)
    assert facts.parse_error is None
    return [(s.span.line, s.qualname, s.timeout.value) for s in facts.sites]


def test_double_star_cannot_carry_a_timeout_the_call_does_not_take() -> None:
    """pretix's stripe plugin: ``stripe.Refund.create(charge=..., **self.api_kwargs)`` relies
    on stripe's 80 s default (FM107); a ``**`` cannot give a call a parameter it lacks."""
    source = """\
import stripe
import requests
class Provider:
    def refund(self, charge, extra):
        stripe.Refund.create(charge=charge, **self.api_kwargs)
        requests.get("https://x", **extra)
"""
    assert states(source) == [
        (5, "stripe.Refund.create", TimeoutState.DEFAULT.value),
        (6, "requests.get", TimeoutState.UNKNOWN.value),
    ]


def test_catching_smtp_exception_alone_lets_a_reset_connection_through() -> None:
    """ckan's mailer: ``except smtplib.SMTPException`` around ``ehlo``/``sendmail``. A refused
    or reset connection raises a plain OSError, which that handler does not catch (FM103)."""
    source = """\
import smtplib
def send(host, msg):
    try:
        smtp = smtplib.SMTP(host, 25, timeout=5)
        smtp.sendmail("a", ["b"], msg)
    except smtplib.SMTPException:
        pass
    try:
        smtp.quit()
    except OSError:
        pass
"""
    facts = analyze(source.encode(), "app.py", "app", KB)
    found = [(s.span.line, s.handled, s.partial_catch) for s in facts.sites]
    assert found == [
        (4, False, ("smtplib.SMTPException",)),
        (5, False, ("smtplib.SMTPException",)),
        (9, True, ()),
    ]


def test_nntplib_has_two_families_and_each_needs_a_handler() -> None:
    """Mailman's NNTP runner and gatenews command: ``nntplib.NNTP(host, port, ...)`` without
    timeout= waits forever (FM101); ``except nntplib.NNTPError`` alone lets a reset connection
    (an OSError) through, and nested handlers for the two families add up."""
    source = """\
import nntplib
import socket
def post(host, fp):
    try:
        conn = nntplib.NNTP(host, 119, readermode=True)
        conn.post(fp)
    except nntplib.NNTPError:
        pass
    try:
        try:
            conn.quit()
        except nntplib.NNTPError:
            pass
    except socket.error:
        pass
"""
    facts = analyze(source.encode(), "app.py", "app", KB)
    found = [(s.span.line, s.timeout.value, s.handled, s.partial_catch) for s in facts.sites]
    assert found == [
        (5, TimeoutState.MISSING.value, False, ("nntplib.NNTPError",)),
        (6, TimeoutState.ELSEWHERE.value, False, ("nntplib.NNTPError",)),
        (11, TimeoutState.ELSEWHERE.value, True, ()),
    ]
