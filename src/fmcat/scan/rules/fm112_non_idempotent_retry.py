"""FM112: a call that creates something is retried without an idempotency key."""

from __future__ import annotations

from collections.abc import Iterator

from fmcat.findings import Finding, Severity
from fmcat.scan.facts import FileFacts
from fmcat.scan.rules.base import CodeRule, ScanContext


class NonIdempotentRetry(CodeRule):
    """
    A POST, or an SDK call that creates or charges (`stripe.PaymentIntent.create`,
    `client.messages.create`, Slack's `chat_postMessage` and `files_upload_v2`), runs inside a
    user-level retry (tenacity's `@retry` or its `for attempt in Retrying(...)` loop, backoff,
    stamina, or a Celery task with `autoretry_for` or `self.retry()`) and carries no
    idempotency key.
    A urllib3 `Retry` whose `allowed_methods` names POST (or is None: every method) re-sends
    the POSTs of every session it is mounted on; it is reported on the `Retry` itself,
    unless its file sets an idempotency header (`Idempotency-Key`, `PayPal-Request-Id`),
    which urllib3 sends unchanged with each attempt. When the first
    attempt reached the provider but its answer was lost, the retry does it again: a second
    charge, a second SMS. An SDK's own network retries (Stripe's `max_network_retries`)
    reuse one key; a user-level retry makes a new request each time. Give the call a key
    that stays the same across attempts: Stripe's `idempotency_key=`, an `Idempotency-Key`
    header, or the operation's declared `idempotency_key` (the catalog's
    `operations[].idempotency_key`, e.g. `order_id`) passed into the call. A token request is
    not reported (an OAuth `grant_type` POST, or any POST of a function that gets, requests,
    fetches or refreshes a token: `get_..._token`, `request_oauth_token`): a
    retry only mints another short-lived token. Nor is a call whose failure the retry cannot see:
    a `try` around it catches every exception the retry names (backoff's exception argument,
    tenacity's `retry_if_exception_type`) and raises another.
    tenacity's call form, `Retrying(...)(fn, *args)`, retries what `fn` does when it names a
    function of the file or a method of the class (`self.run`); a request `fn` sends with the
    hook's own method (`Request(self.method, ...)`), POST by default in the class's
    `__init__`, is reported on that retrying call (Airflow's `HttpHook.run_with_advanced_retry`).
    A function nested in a retry loop's function and called in the loop's body is retried too.
    """

    code = "FM112"
    name = "non-idempotent-retry"
    summary = "A creating call is retried without an idempotency key"
    severity = Severity.ERROR

    INVALID = (
        """\
import requests
import stripe
from tenacity import retry, stop_after_attempt

@retry(stop=stop_after_attempt(3))
def charge(order):
    stripe.PaymentIntent.create(amount=order.total)  # expect: FM112 "creates something"
    requests.post("https://api.pay.example.com/v1/charges", json={}, timeout=2)  # expect: FM112
""",
        """\
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

def session():
    retry = Retry(total=3, allowed_methods=["GET", "POST"])  # expect: FM112 "re-sends POST"
    s = requests.Session()
    s.mount("https://", HTTPAdapter(max_retries=retry))
    return s
""",
        """\
import requests
from slack_sdk import WebClient
from tenacity import Retrying, retry, stop_after_attempt

slack = WebClient(token="xoxb-token", timeout=10)

def notify(url, body):
    for attempt in Retrying(stop=stop_after_attempt(3)):
        with attempt:
            requests.post(url, json=body, timeout=5)  # expect: FM112 "tenacity.Retrying (line 8)"

@retry(stop=stop_after_attempt(3))
def announce(channel):
    slack.chat_postMessage(channel=channel, text="up")  # expect: FM112 "takes no idempotency"

class Hook:
    def submit(self, url, run):
        for attempt in self._get_retry_object():
            with attempt:
                requests.post(url, json=run, timeout=5)  # expect: FM112 "Retrying (line 18)"

    def call(self, method, url, body):
        if method == "POST":
            send = requests.post
        else:
            send = requests.get
        for attempt in self._get_retry_object():
            with attempt:
                send(url, json=body, timeout=5)  # expect: FM112 "requests.post (called through"

    def _get_retry_object(self):
        return Retrying(stop=stop_after_attempt(5))

import backoff
from slack_sdk.errors import SlackApiError

@backoff.on_exception(backoff.expo, SlackApiError, max_tries=3)
def report(channel):
    try:
        slack.chat_postMessage(channel=channel, text="report")  # expect: FM112
    except SlackApiError:
        print("Slack refused the report")
        raise
""",
        """\
import requests
import tenacity
from requests import Request, Session


def deliver(url, body):
    return requests.post(url, json=body, timeout=5)  # expect: FM112 "tenacity.Retrying (line 10)"

def send(url, body):
    return tenacity.Retrying(stop=tenacity.stop_after_attempt(3))(deliver, url, body)

class Hook:
    def __init__(self, method: str = "POST") -> None:
        self.method = method.upper()

    def run(self, url, data):
        if self.method == "GET":
            request = Request(self.method, url, params=data)
        else:
            request = Request(self.method, url, data=data)
        return Session().send(request.prepare(), timeout=5)

    def run_with_retry(self, retry_args, *args):
        self._retry_obj = tenacity.Retrying(**retry_args)
        return self._retry_obj(self.run, *args)  # expect: FM112 "POST by default (line 13)"

def notify(url, body):
    def send():
        return requests.post(url, json=body, timeout=5)  # expect: FM112 "Retrying (line 31)"

    for attempt in tenacity.Retrying(stop=tenacity.stop_after_attempt(3)):
        with attempt:
            send()
""",
        """\
import requests
from celery import shared_task

@shared_task(bind=True, acks_late=True)
def notify(self, url, body):
    try:
        requests.post(url, json=body, timeout=5)  # expect: FM112 "self.retry()"
    except requests.RequestException as error:
        raise self.retry(exc=error)
""",
    )
    VALID = (
        """\
import requests
import stripe
from tenacity import retry, stop_after_attempt

@retry(stop=stop_after_attempt(3))
def charge(order):
    stripe.PaymentIntent.create(amount=order.total, currency="eur", idempotency_key=order.id)
    requests.post(
        "https://api.pay.example.com/v1/charges",
        json={},
        headers={"Idempotency-Key": order.id},
        timeout=2,
    )

def once(order):
    stripe.PaymentIntent.create(amount=order.total, currency="eur")
""",
        """\
import tenacity
from requests import Request, Session


class ReadHook:
    def __init__(self, method: str = "GET") -> None:
        self.method = method

    def run(self, url):
        return Session().send(Request(self.method, url).prepare(), timeout=5)

    def run_with_retry(self, *args):
        return tenacity.Retrying(stop=tenacity.stop_after_attempt(3))(self.run, *args)
""",
        """\
import uuid

from urllib3.util.retry import Retry

class LoggedRetry(Retry):
    pass

def session(request):
    request.headers["PayPal-Request-Id"] = str(uuid.uuid4())
    return LoggedRetry(total=5, allowed_methods=["GET", "POST"])

def reads():
    return Retry(total=5)
""",
        """\
import uuid

import backoff
import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from tenacity import AsyncRetrying, Retrying, retry, stop_after_attempt

slack = WebClient(token="xoxb-token", timeout=10)

async def pay(session, order):
    key = {"Idempotency-Key": str(uuid.uuid4())}
    async for attempt in AsyncRetrying(stop=stop_after_attempt(3)):
        with attempt:
            requests.post("https://api.pay.example.com/v1/charges", headers=key, timeout=5)

class ReportFailed(Exception):
    pass

@backoff.on_exception(backoff.expo, SlackApiError, max_tries=3)
def notify(channel):
    try:
        slack.chat_postMessage(channel=channel, text="done")
    except SlackApiError as error:
        raise ReportFailed(str(error)) from error

def _get_oauth_token(url):
    for attempt in Retrying(stop=stop_after_attempt(3)):
        with attempt:
            return requests.post(url, data={"scope": "all"}, timeout=5).json()

@retry(stop=stop_after_attempt(3))
def request_oauth_token(url, form):
    return requests.post(url, data=form, timeout=5)

@retry(stop=stop_after_attempt(3))
def login(url, secret):
    form = {"secret": secret}
    return requests.post(url, data={"grant_type": "client_credentials", **form}, timeout=5)
""",
    )

    def check(self, facts: FileFacts, context: ScanContext) -> Iterator[Finding]:
        starts = {(s.span.line, s.span.column): i for i, s in enumerate(facts.sites)}
        posting = {(p.span.line, p.span.column): p for p in facts.retry_policies if p.retries_post}
        for call in facts.retried_calls:
            where = (call.span.line, call.span.column)
            index = starts.get(where)
            if where in posting and not call.has_key:
                yield self.finding(
                    facts,
                    call.span,
                    f"{call.retry} re-sends POST requests without an idempotency key, so a "
                    "retry can repeat what the first attempt did; drop POST from "
                    "allowed_methods, or send an Idempotency-Key header that stays the same "
                    "across attempts",
                )
                continue
            if call.has_key or (index is None and not call.library):
                continue  # keyed, or not an external call (a local `create`)
            if call.via:  # a request whose method is decided at run time, POST by default
                yield self.finding(
                    facts,
                    call.span,
                    f"{call.retry} retries a request that creates something: {call.via}; a "
                    "retry repeats it without an idempotency key. Retry only idempotent "
                    "methods, or send an Idempotency-Key header that stays the same across "
                    "attempts",
                )
                continue
            if index is None:  # a POST through a local name bound to one: no site of its own
                yield self.finding(
                    facts,
                    call.span,
                    f"{call.library} (called through a local name) creates something and is "
                    f"retried by {call.retry} without an idempotency key, so a retry can repeat "
                    "it; pass an Idempotency-Key header that stays the same across attempts",
                )
                continue
            site = facts.sites[index]
            entry = context.attribution.of(facts, index) if context.attribution else None
            if entry is not None:
                keys = [op.idempotency_key for op in entry.model.operations if op.idempotency_key]
                if any(key in call.text for key in keys):
                    continue
            if site.qualname.startswith("slack_sdk."):
                advice = (
                    "Slack's Web API takes no idempotency key, so retry only failures that "
                    "happened before Slack received the request (a refused connection), not "
                    "a timeout or an error answer"
                )
            else:
                advice = (
                    "pass idempotency_key= or an Idempotency-Key header that stays the same "
                    "across attempts"
                )
            yield self.finding(
                facts,
                site.span,
                f"{site.qualname} creates something and is retried by {call.retry} without "
                f"an idempotency key, so a retry can repeat it; {advice}",
                entry.name if entry is not None else None,
            )
