"""What fmcat/frameworks states about Django, Celery, kombu, pika, Kafka clients and the retry
libraries, checked against the installed versions (the dev extra installs them)."""

from __future__ import annotations

import asyncio
import http.server
import importlib
import inspect
import json
import threading
import warnings
from typing import Any, ClassVar, cast

import pytest

from fmcat.frameworks import celery as celery_facts
from fmcat.frameworks import consumer_uses, consumers, creating, retries
from fmcat.frameworks.django import CACHE_TIMEOUT_KEYS, DATABASE_TIMEOUT_KEYS


def obj(dotted: str) -> Any:
    """A library object by name (dynamically: not every library ships type information)."""
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def default(function: object, parameter: str) -> object:
    return inspect.signature(function).parameters[parameter].default  # type: ignore[arg-type]


def test_celery_defaults() -> None:
    from celery.app.defaults import NAMESPACES
    from celery.app.task import Task

    assert Task.max_retries == celery_facts.DEFAULT_MAX_RETRIES
    assert Task.acks_late is None  # None: the app's task_acks_late decides
    assert NAMESPACES["task"]["acks_late"].default is celery_facts.DEFAULT_ACKS_LATE
    assert NAMESPACES["broker"]["connection_timeout"].default == (
        celery_facts.DEFAULT_CONNECTION_TIMEOUT
    )
    # The configuration keys fmcat reads are Celery's own.
    assert "transport_options" in NAMESPACES["broker"]
    assert "backend_transport_options" in NAMESPACES["result"]
    assert "reject_on_worker_lost" in NAMESPACES["task"]


@pytest.mark.parametrize(("max_retries", "runs"), [(None, 8), (3, 4)])
def test_celery_retries_forever_with_max_retries_none(max_retries: int | None, runs: int) -> None:
    """consumers.CELERY_FOREVER: Task.retry stops at max_retries, and never when it is None.
    Run eagerly (no broker): each retry runs the task again in this process."""
    from celery import Celery
    from celery.exceptions import MaxRetriesExceededError

    app = Celery("facts", set_as_current=False)
    app.conf.task_always_eager = True
    calls: list[int] = []

    @app.task(bind=True, max_retries=max_retries, shared=False)  # type: ignore[untyped-decorator]
    def flaky(self: Any) -> str:
        calls.append(self.request.retries)
        if len(calls) < 8:
            raise self.retry(countdown=0)
        return "done"

    if max_retries is None:
        assert flaky.delay().get() == "done"
    else:
        with pytest.raises(MaxRetriesExceededError):
            flaky.delay().get()
    assert calls == list(range(runs))
    assert "never" in consumers.CELERY_FOREVER and consumers.CELERY_FOREVER in consumers.UNBOUNDED


def test_celery_publishing_and_retry_signatures() -> None:
    from celery import Celery
    from celery.app.task import Task

    assert list(inspect.signature(Task.apply_async).parameters)[:3] == ["self", "args", "kwargs"]
    assert "max_retries" in inspect.signature(Task.retry).parameters
    assert list(inspect.signature(Celery.send_task).parameters)[:2] == ["self", "name"]
    for name in ("config_from_object", "config_from_envvar"):
        assert callable(getattr(Celery, name))
    assert list(inspect.signature(Celery.config_from_object).parameters)[1:4] == [
        "obj",
        "silent",
        "force",
    ]
    assert "namespace" in inspect.signature(Celery.config_from_object).parameters


def test_celery_publish_errors_are_kombus() -> None:
    from kombu.exceptions import KombuError, OperationalError

    assert issubclass(OperationalError, KombuError)
    assert not issubclass(OperationalError, OSError)


def test_kombu_connection_defaults() -> None:
    connection, producer = obj("kombu.Connection"), obj("kombu.Producer")

    assert default(connection.__init__, "connect_timeout") == 5
    assert default(producer.publish, "timeout") is None


def test_pika_defaults() -> None:
    for channel in (
        obj("pika.channel.Channel"),
        obj("pika.adapters.blocking_connection.BlockingChannel"),
    ):
        parameters = list(inspect.signature(channel.basic_consume).parameters)
        assert parameters[1:4] == ["queue", "on_message_callback", "auto_ack"]
        assert default(channel.basic_consume, "auto_ack") is consumers.PIKA_AUTO_ACK
        assert default(channel.basic_nack, "requeue") is consumers.PIKA_REQUEUE
        assert default(channel.basic_reject, "requeue") is consumers.PIKA_REQUEUE


def test_kafka_consumers_commit_automatically_by_default() -> None:
    assert obj("kafka.KafkaConsumer").DEFAULT_CONFIG["enable_auto_commit"] is True
    assert default(obj("aiokafka.AIOKafkaConsumer"), "enable_auto_commit") is True
    assert set(consumers.KAFKA_CONSUMERS) >= {"kafka.KafkaConsumer", "aiokafka.AIOKafkaConsumer"}
    # confluent-kafka's auto-commit is librdkafka's (no Python default to read); what fmcat
    # assumes of DeserializingConsumer is that it is a Consumer, configured the same way.
    assert issubclass(obj("confluent_kafka.DeserializingConsumer"), obj("confluent_kafka.Consumer"))
    assert (
        consumers.KAFKA_CONSUMERS["confluent_kafka.DeserializingConsumer"]
        == (consumers.KAFKA_CONSUMERS["confluent_kafka.Consumer"])
    )


def test_kafka_metadata_methods_are_consumer_methods_that_take_no_message() -> None:
    """Each name of consumer_uses.METADATA_METHODS is a method of a Kafka client's consumer, and
    none is one of the ways a consumer takes messages: a consumer only asked for these consumes
    nothing (pipelinewise-tap-kafka's topic discovery)."""
    classes = [obj(name) for name in consumers.KAFKA_CONSUMERS]
    for method in consumer_uses.METADATA_METHODS:
        owners = [c.__name__ for c in classes if callable(getattr(c, method, None))]
        assert owners, f"{method} is a method of none of {[c.__name__ for c in classes]}"
    takers = {"poll", "consume", "subscribe", "assign", "getone", "getmany", "__iter__"}
    assert all(any(callable(getattr(c, t, None)) for c in classes) for t in takers)
    assert not (consumer_uses.METADATA_METHODS & takers)


def test_retry_libraries_count_attempts_as_fmcat_does() -> None:
    import backoff
    import stamina
    import tenacity

    assert default(stamina.retry, "attempts") == retries.STAMINA_ATTEMPTS
    calls = 0

    @tenacity.retry(stop=tenacity.stop_after_attempt(3), reraise=True)
    def flaky() -> None:
        nonlocal calls
        calls += 1
        raise OSError

    with pytest.raises(OSError):
        flaky()
    assert calls == 3  # stop_after_attempt(N): N attempts, the first included
    tries = 0

    @backoff.on_exception(backoff.constant, OSError, max_tries=4, interval=0)
    def flaky_backoff() -> None:
        nonlocal tries
        tries += 1
        raise OSError

    with pytest.raises(OSError):
        flaky_backoff()
    assert tries == 4  # max_tries=N: N attempts


def test_urllib3_retry_does_not_retry_post_by_default() -> None:
    from urllib3.util.retry import Retry

    assert "POST" not in Retry.DEFAULT_ALLOWED_METHODS
    assert list(inspect.signature(Retry.__init__).parameters)[1] == "total"


def test_stripe_max_network_retries() -> None:
    import stripe

    assert isinstance(stripe.max_network_retries, int)
    assert "max_network_retries" in inspect.signature(stripe.StripeClient).parameters


def test_django_email_and_cache_settings() -> None:
    from django.conf import global_settings
    from django.core.cache.backends.redis import RedisCacheClient
    from django.core.mail.backends.smtp import EmailBackend

    assert global_settings.EMAIL_TIMEOUT is None  # so smtplib waits forever
    assert default(EmailBackend.__init__, "timeout") is None
    # RedisCache hands OPTIONS to its client, which hands them to the redis connection pool.
    assert inspect.signature(RedisCacheClient.__init__).parameters["options"].kind is (
        inspect.Parameter.VAR_KEYWORD
    )
    import redis

    pool = inspect.signature(redis.connection.AbstractConnection.__init__).parameters
    assert {"socket_timeout", "socket_connect_timeout"} <= set(pool)
    assert {"socket_timeout", "socket_connect_timeout"} <= set(CACHE_TIMEOUT_KEYS)


def test_libpq_connect_timeout_is_a_connection_keyword() -> None:
    assert DATABASE_TIMEOUT_KEYS == ("connect_timeout",)
    assert obj("psycopg2.extensions.parse_dsn")("connect_timeout=5") == {"connect_timeout": "5"}


def test_urllib3_retries_post_only_when_allowed_methods_names_it_or_is_none() -> None:
    """FM112's urllib3 trigger: the default methods leave POST out, None retries every verb."""
    from urllib3.util.retry import Retry

    assert "POST" not in Retry.DEFAULT_ALLOWED_METHODS
    assert Retry(total=3)._is_method_retryable("POST") is False
    assert Retry(total=3, allowed_methods=None)._is_method_retryable("POST") is True
    assert Retry(total=3, allowed_methods=["GET", "POST"])._is_method_retryable("POST") is True


def test_celery_canvas_calls_publish_and_a_bare_signature_runs_here() -> None:
    """celery.py's CANVAS: calling a chain, group or chord is apply_async; calling a plain
    Signature runs the task in this process (no broker)."""
    from celery import canvas

    for name in ("chain", "group", "chord"):
        source = inspect.getsource(
            getattr(canvas, f"_{name}" if name == "chain" else name).__call__
        )
        assert "apply_async" in source, name
        assert f"celery.canvas.{name}" in celery_facts.CANVAS.values()
    assert "apply_async" not in inspect.getsource(canvas.Signature.__call__)
    from celery import Task

    assert all(hasattr(Task, method) for method in celery_facts.SIGNATURE_METHODS)
    assert hasattr(canvas.Signature, "delay") and hasattr(canvas.Signature, "apply_async")


def test_tenacity_loops_retry_their_body_as_fmcat_reads_them() -> None:
    import tenacity

    from fmcat.frameworks.retry_loops import LOOP_CLASSES

    for name in LOOP_CLASSES:
        assert inspect.isclass(obj(name)), name
    runs = 0
    with pytest.raises(OSError):
        for attempt in tenacity.Retrying(stop=tenacity.stop_after_attempt(3), reraise=True):
            with attempt:
                runs += 1
                raise OSError
    assert runs == 3  # the loop's body runs once per attempt: stop_after_attempt(N), N runs
    async_runs = 0

    async def flaky() -> None:
        nonlocal async_runs
        retrying = tenacity.AsyncRetrying(stop=tenacity.stop_after_attempt(2), reraise=True)
        async for attempt in retrying:
            with attempt:
                async_runs += 1
                raise OSError

    with pytest.raises(OSError):
        asyncio.run(flaky())
    assert async_runs == 2


class _SlackAPI(http.server.BaseHTTPRequestHandler):
    """Slack's Web API on 127.0.0.1: records each request's method and path, answers ok."""

    seen: ClassVar[list[tuple[str, str]]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.seen.append((self.command, self.path))
        port = cast("tuple[str, int]", self.server.server_address)[1]
        body = {
            "ok": True,
            "upload_url": f"http://127.0.0.1:{port}/upload",
            "file_id": "F1",
            "files": [{"id": "F1"}],
            "file": {"id": "F1"},
        }
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_slack_creating_methods_post_a_new_message_or_file() -> None:
    import slack_sdk
    from slack_sdk.web.async_client import AsyncWebClient

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlackAPI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        client = slack_sdk.WebClient(token="xoxb-test", base_url=f"http://127.0.0.1:{port}/")
        expected = {
            "chat_postMessage": "/chat.postMessage",
            "chat_postEphemeral": "/chat.postEphemeral",
            "chat_scheduleMessage": "/chat.scheduleMessage",
            "chat_meMessage": "/chat.meMessage",
            "files_upload": "/files.upload",
            "files_upload_v2": "/files.completeUploadExternal",
        }
        assert set(expected) == creating.SLACK_CREATING
        arguments: dict[str, dict[str, object]] = {
            "chat_postMessage": {"channel": "C1", "text": "hi"},
            "chat_postEphemeral": {"channel": "C1", "user": "U1", "text": "hi"},
            "chat_scheduleMessage": {"channel": "C1", "post_at": 2_000_000_000, "text": "hi"},
            "chat_meMessage": {"channel": "C1", "text": "hi"},
            "files_upload": {"channels": "C1", "content": "x"},
            "files_upload_v2": {"channel": "C1", "content": "x", "filename": "x.txt"},
        }
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # files_upload is deprecated, still shipped
            for method, path in expected.items():
                assert hasattr(AsyncWebClient, method), method
                _SlackAPI.seen.clear()
                getattr(client, method)(**arguments[method])
                assert ("POST", path) in _SlackAPI.seen, (method, _SlackAPI.seen)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
