"""Tests that mutation testing showed missing (`make mutation`, bench/mutation.md).

Each test here fails for a mutant of src/fmcat/scan/ that the rule cases, the knowledge-base
tests and the scan regressions let through: a handler test that accepted `except Exception:`
judged unhandled, a message detail nobody read, a loop that stopped at its first local call.
They run in process (no CLI subprocess), so that the mutation run can afford them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fmcat.findings import Finding
from fmcat.lint import LintOptions, run_lint
from tests.conftest import write


def lint(root: Path, files: dict[str, str | bytes], code: str) -> list[Finding]:
    write(root, files)
    result = run_lint(LintOptions(paths=(root,), use_cache=False))
    return [f for f in result.findings if f.code == code]


def lines(findings: list[Finding]) -> list[int]:
    return [f.location.line for f in findings]


# --- scan/handlers.py: `Exception` and a bare `except:` handle every family --------------------

HANDLED = """\
import requests


def fetch(url):
    try:
        return requests.get(url, timeout=2)
    except {handler}:
        return None
"""


@pytest.mark.parametrize("handler", ["Exception", "BaseException", "(ValueError, Exception)"])
def test_a_generic_handler_handles_the_call(tmp_path: Path, handler: str) -> None:
    found = lint(tmp_path, {"app.py": HANDLED.format(handler=handler)}, "FM103")
    assert found == []


def test_a_bare_except_handles_the_call(tmp_path: Path) -> None:
    source = HANDLED.replace("except {handler}:", "except:")
    assert lint(tmp_path, {"app.py": source}, "FM103") == []


def test_an_unrelated_handler_does_not(tmp_path: Path) -> None:
    found = lint(tmp_path, {"app.py": HANDLED.format(handler="ValueError")}, "FM103")
    assert lines(found) == [6]
    assert "requests.get" in found[0].message
    assert "nothing handles it" in found[0].message


# --- rules/fm109: the message names the URL's own timeout key --------------------------------


def test_fm109_names_the_key_the_url_carries(tmp_path: Path) -> None:
    source = (
        "import redis\nfrom django.conf import settings\n\ncache = redis.from_url(settings.URL)\n"
    )
    found = lint(tmp_path, {"app.py": source}, "FM109")
    assert lines(found) == [4]
    assert found[0].message == (
        "redis.from_url takes its timeout from configuration fmcat cannot read (the URL); "
        "check `socket_timeout=` in it, or pass socket_timeout= in the code"
    )


# --- rules/fm112: the project's own `.create()` before the SDK's -----------------------------


def test_fm112_looks_past_a_local_call_in_the_retried_function(tmp_path: Path) -> None:
    source = """\
import stripe
from tenacity import retry, stop_after_attempt


class Ledger:
    def create(self, order):
        return order.total


ledger = Ledger()


@retry(stop=stop_after_attempt(3))
def charge(order):
    amount = ledger.create(order)
    stripe.PaymentIntent.create(amount=amount)
"""
    found = lint(tmp_path, {"app.py": source}, "FM112")
    assert lines(found) == [16]
    assert found[0].message.startswith(
        "stripe.PaymentIntent.create creates something and is retried by "
    )
    assert "without an idempotency key" in found[0].message


# --- scan/handlers.py and rules/fm103: the message of an unrelated handler, word for word ----


def test_fm103_message_names_the_family_and_no_partial_catch(tmp_path: Path) -> None:
    found = lint(tmp_path, {"app.py": HANDLED.format(handler="ValueError")}, "FM103")
    assert [f.message for f in found] == [
        "requests.get can fail (requests.RequestException) and nothing handles it: no "
        "enclosing try catches it and no resilience decorator wraps the function"
    ]


def test_fm103_names_the_subclass_a_handler_catches(tmp_path: Path) -> None:
    handler = "(ValueError, requests.HTTPError)"
    found = lint(tmp_path, {"app.py": HANDLED.format(handler=handler)}, "FM103")
    assert [f.message for f in found] == [
        "requests.get can fail (requests.RequestException) and nothing handles it (catching "
        "only requests.HTTPError lets the rest of requests.RequestException through): no "
        "enclosing try catches it and no resilience decorator wraps the function"
    ]


# --- rules/fm107: a stated or disabled timeout is not the library's default -----------------


@pytest.mark.parametrize(("timeout", "fm102"), [("", 0), ("timeout=None", 1), ("timeout=3", 0)])
def test_fm107_only_where_the_default_applies(tmp_path: Path, timeout: str, fm102: int) -> None:
    source = f"import httpx\n\n\ndef fetch(url):\n    return httpx.get(url, {timeout})\n"
    files: dict[str, str | bytes] = {"app.py": source}
    found = lint(tmp_path, files, "FM107")
    if timeout:
        assert found == []
    else:
        assert lines(found) == [5]
        assert found[0].message.startswith("httpx.get relies on httpx's default timeout of 5s")
    assert len(lint(tmp_path, files, "FM102")) == fm102


# --- scan/prefilter.py: imports the byte stage and the token stage must let through -----------


@pytest.mark.parametrize(
    "source",
    [
        "import urllib.request\n\n\ndef get(url):\n    return urllib.request.urlopen(url)\n",
        "import http.client\n\n\ndef get(host):\n    return http.client.HTTPConnection(host)\n",
        "import http\nimport http.client as hc\n\n\ndef get(host):\n"
        "    return http.client.HTTPConnection(host)\n",
    ],
    ids=["submodule-of-the-library", "dotted-library", "parent-package"],
)
@pytest.mark.parametrize("comment", ["", "# caf\u00e9\n"], ids=["ascii", "not-ascii"])
def test_dotted_imports_reach_the_analysis(tmp_path: Path, source: str, comment: str) -> None:
    found = lint(tmp_path, {"app.py": comment + source}, "FM101")
    assert lines(found) == [source.count("\n") + comment.count("\n")]
    called = "urllib.request.urlopen" if "urllib" in source else "http.client.HTTPConnection"
    assert found[0].message.startswith(f"{called} ")
    assert "timeout" in found[0].message


GRPC_ONLY = """\
from protos import pricing_pb2_grpc


def price(channel, request):
    return pricing_pb2_grpc.PricingStub(channel).GetPrice(request)
"""


@pytest.mark.parametrize("comment", ["", "# caf\u00e9\n"], ids=["ascii", "not-ascii"])
def test_a_generated_stub_import_reaches_the_analysis(tmp_path: Path, comment: str) -> None:
    found = lint(tmp_path, {"app.py": comment + GRPC_ONLY}, "FM101")
    assert lines(found) == [5 + comment.count("\n")]


def test_a_file_the_tokenizer_gives_up_on_is_parsed(tmp_path: Path) -> None:
    """The tokenizer stops at the unterminated string, before the import: still FM100. (It does
    not kill `incomplete -> return False` in the prefilter: FM100 comes through another path.)"""
    source = 'NOTE = """\nimport requests\nrequests.get(url)\n'
    found = lint(tmp_path, {"app.py": source}, "FM100")
    assert lines(found) == [1]


# --- rules/fm101: a client made without a timeout, a call without one, and the keyword -------


def test_fm101_messages_say_client_or_call_and_the_keyword(tmp_path: Path) -> None:
    source = (
        "import http.client\nimport urllib.request\n\n\ndef get(host, url):\n"
        "    http.client.HTTPConnection(host)\n    return urllib.request.urlopen(url)\n"
    )
    found = lint(tmp_path, {"app.py": source}, "FM101")
    assert [(f.location.line, f.message) for f in found] == [
        (
            6,
            "http.client.HTTPConnection is made without a timeout and http.client waits "
            "forever; set timeout=",
        ),
        (7, "urllib.request.urlopen has no timeout and urllib.request waits forever; set timeout="),
    ]


# --- rules/fm104: without a catalog there is nothing to attribute a call to -------------------


def test_fm104_needs_a_catalog(tmp_path: Path) -> None:
    source = "import requests\n\n\ndef get(url):\n    return requests.get(url, timeout=1)\n"
    assert lint(tmp_path, {"app.py": source}, "FM104") == []


# --- rules/fm103: past a call that every project caller handles ------------------------------


def test_fm103_looks_past_a_call_every_caller_handles(tmp_path: Path) -> None:
    source = """\
import requests


def quiet(url):
    return requests.get(url, timeout=1)


def view(url):
    try:
        return quiet(url)
    except requests.RequestException:
        return None


def loud(url):
    return requests.get(url, timeout=1)
"""
    found = lint(tmp_path, {"app.py": source}, "FM103")
    assert lines(found) == [16]
    assert found[0].message.startswith("requests.get can fail (requests.RequestException) and ")


# --- scan/handlers.py: a handler named by a constant tuple -----------------------------------


def test_a_constant_tuple_of_unrelated_errors_does_not_handle(tmp_path: Path) -> None:
    source = HANDLED.replace(
        "import requests\n", "import requests\n\nERRORS = (KeyError, ValueError)\n"
    )
    found = lint(tmp_path, {"app.py": source.format(handler="ERRORS")}, "FM103")
    assert lines(found) == [8]


def test_a_constant_tuple_with_the_family_handles(tmp_path: Path) -> None:
    source = HANDLED.replace(
        "import requests\n", "import requests\n\nERRORS = (KeyError, requests.RequestException)\n"
    )
    assert lint(tmp_path, {"app.py": source.format(handler="ERRORS")}, "FM103") == []


# --- rules/fm107 and fm109: the whole message, and past a site of another kind ----------------


def test_fm107_message_names_the_keyword(tmp_path: Path) -> None:
    source = "import httpx\n\n\ndef fetch(url):\n    return httpx.get(url)\n"
    found = lint(tmp_path, {"app.py": source}, "FM107")
    assert [f.message for f in found] == [
        "httpx.get relies on httpx's default timeout of 5s; state it with timeout="
    ]


def test_fm109_looks_past_a_call_with_its_own_timeout(tmp_path: Path) -> None:
    source = (
        "import redis\nimport requests\nfrom django.conf import settings\n\n"
        'requests.get("https://example.com", timeout=1)\n'
        "cache = redis.from_url(settings.X)\n"
    )
    assert lines(lint(tmp_path, {"app.py": source}, "FM109")) == [6]


def test_fm101_looks_past_a_call_with_a_timeout(tmp_path: Path) -> None:
    source = (
        "import requests\n\n\ndef get(url):\n    requests.get(url, timeout=1)\n"
        "    return requests.get(url)\n"
    )
    assert lines(lint(tmp_path, {"app.py": source}, "FM101")) == [6]


# --- scan/identifiers.py: a ligature alone on the line keeps the columns on disk -------------


def test_a_ligature_alone_keeps_the_column_on_disk(tmp_path: Path) -> None:
    source = "import requests\n\ufb01 = 1; requests.get(url)\n"
    found = lint(tmp_path, {"app.py": source}, "FM101")
    assert [(f.location.line, f.location.column) for f in found] == [(2, 8)]


# --- rules/fm104: the message names the URL of a call no entry claims ----------------------

CATALOG = """\
dependency: payment-gateway
owner: team-payments
kind: http
criticality: critical
match:
  - url: "https://api.pay.example.com/*"
policies:
  timeout: {connect: 300ms, read: 2s}
"""


def test_fm104_names_the_url_no_entry_claims(tmp_path: Path) -> None:
    source = (
        "import requests\n\n\ndef get():\n"
        '    requests.get("https://api.pay.example.com/v1", timeout=1)\n'
        '    return requests.get("https://search.example.com/q", timeout=1)\n'
    )
    files: dict[str, str | bytes] = {"app.py": source, "failure-modes/pay.yaml": CATALOG}
    found = lint(tmp_path, files, "FM104")
    assert lines(found) == [6]
    assert " to https://search.example.com/q" in found[0].message


# --- rules/fm109: a catalog that declares the timeout is the source of truth -----------------

CACHE_CATALOG = """\
dependency: session-cache
owner: team-web
kind: cache
criticality: degradable
match:
  - call: "redis.*"
policies:
  timeout: {connect: 100ms, read: 250ms}
"""


def test_fm109_defers_to_the_timeout_the_catalog_declares(tmp_path: Path) -> None:
    source = (
        "import redis\nfrom django.conf import settings\n\ncache = redis.from_url(settings.URL)\n"
    )
    files: dict[str, str | bytes] = {"app.py": source, "failure-modes/cache.yaml": CACHE_CATALOG}
    found = lint(tmp_path, files, "FM109")
    assert lines(found) == [4]
    assert found[0].dependency == "session-cache"
    assert found[0].message == (
        "redis.from_url takes its timeout from configuration fmcat cannot read (the URL); "
        "check `socket_timeout=` in it; the catalog declares 250ms for session-cache and is the "
        "source of truth: keep the setting in line with it"
    )


def test_fm109_without_a_declared_timeout_asks_for_one_in_the_code(tmp_path: Path) -> None:
    catalog = CACHE_CATALOG.replace("policies:\n  timeout: {connect: 100ms, read: 250ms}\n", "")
    source = (
        "import redis\nfrom django.conf import settings\n\ncache = redis.from_url(settings.URL)\n"
    )
    files: dict[str, str | bytes] = {"app.py": source, "failure-modes/cache.yaml": catalog}
    found = lint(tmp_path, files, "FM109")
    assert [(f.location.line, f.dependency) for f in found] == [(4, "session-cache")]
    assert found[0].message.endswith(", or pass socket_timeout= in the code")


# --- rules/fm103: a partial catch one frame up is named on the way out -----------------------

TWO_CALLERS = """\
import requests


def fetch(url):
    return requests.get(url, timeout=2)


def load(url):
    try:
        return fetch(url)
    except requests.HTTPError:
        return None


def view(url):
    return load(url)
"""


def test_fm103_names_a_callers_partial_catch_on_the_way_out(tmp_path: Path) -> None:
    found = lint(tmp_path, {"app.py": TWO_CALLERS}, "FM103")
    assert lines(found) == [5]
    message = found[0].message
    assert message.startswith(
        "requests.get can fail (requests.RequestException) and no caller handles it on the way "
        "out (catching only requests.HTTPError lets the rest of requests.RequestException "
        "through): "
    ), message
    assert message.count("catching only") == 1, message
    assert "fetch ← load (app.py:10) ← view (app.py:16)" in message, message


def test_fm103_names_one_partial_catch_when_the_call_has_its_own(tmp_path: Path) -> None:
    source = TWO_CALLERS.replace(
        "    return requests.get(url, timeout=2)\n",
        "    try:\n        return requests.get(url, timeout=2)\n"
        "    except requests.Timeout:\n        return None\n",
    )
    found = lint(tmp_path, {"app.py": source}, "FM103")
    assert lines(found) == [6]
    message = found[0].message
    assert message.count("catching only") == 1, message
    assert "(catching only requests.Timeout lets the rest" in message, message


# --- rules/fm104: looking past calls through clients and project wrappers ---------------------


def test_fm104_looks_past_a_call_through_a_client(tmp_path: Path) -> None:
    source = (
        "import redis\nimport requests\n\n\ndef cached():\n"
        '    r = redis.Redis(host="cache", socket_timeout=1)\n'
        '    return r.get("key")\n\n\n'
        'def search():\n    return requests.get("https://search.example.com/q", timeout=1)\n'
    )
    cache = CATALOG.replace("payment-gateway", "cache").replace(
        'url: "https://api.pay.example.com/*"', 'call: "redis.*"'
    )
    files: dict[str, str | bytes] = {"app.py": source, "failure-modes/cache.yaml": cache}
    found = lint(tmp_path, files, "FM104")
    assert [(f.location.line, f.message) for f in found] == [
        (
            11,
            "requests.get to https://search.example.com/q matches no catalog dependency; add "
            "one or extend a dependency's match rules",
        )
    ]


def test_fm104_looks_past_a_call_through_a_project_wrapper(tmp_path: Path) -> None:
    source = (
        "import requests\n\n\ndef fetch(url):\n"
        "    return requests.get(url, timeout=1)\n\n\ndef get():\n"
        '    fetch("https://api.pay.example.com/v1")\n'
        '    return requests.get("https://search.example.com/q", timeout=1)\n'
    )
    files: dict[str, str | bytes] = {"app.py": source, "failure-modes/pay.yaml": CATALOG}
    found = lint(tmp_path, files, "FM104")
    # The wrapped call inside fetch (5) is the one to claim, not the call through fetch (9).
    assert [f.location.line for f in found] == [5, 10], [str(f.message) for f in found]


# --- rules/fm112: the operation's declared idempotency key, reaching the call, makes it safe ----

KEYED_CATALOG = (
    CATALOG
    + """\
operations:
  - name: checkout
    idempotency_key: order_id
"""
)

RETRIED_POSTS = """\
import requests
from tenacity import retry, stop_after_attempt


@retry(stop=stop_after_attempt(3))
def charge(order_id):
    requests.post("https://api.pay.example.com/v1/charges", json={"order": order_id}, timeout=2)


@retry(stop=stop_after_attempt(3))
def refund(order):
    requests.post("https://api.pay.example.com/v1/refunds", json={}, timeout=2)
"""


def test_fm112_accepts_the_declared_idempotency_key_and_goes_on(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "app.py": RETRIED_POSTS,
        "failure-modes/pay.yaml": KEYED_CATALOG,
    }
    found = lint(tmp_path, files, "FM112")
    assert [(f.location.line, f.dependency) for f in found] == [(12, "payment-gateway")]
