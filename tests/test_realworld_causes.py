"""Causes of wrong answers on the real-service suite (bench/realworld), one test each.

Each case is the shape of code that a real service has and that fmcat once judged wrongly;
the label that it broke is named in the test's docstring.
"""

from __future__ import annotations

import os
from pathlib import Path

from fmcat.lint import LintOptions, run_lint
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


def test_kwargs_changed_elsewhere_still_carry_the_timeout() -> None:
    """label-studio's ``ssrf_safe_request(method, url, *args, **kwargs)`` pops its own
    ``block_local_urls`` and passes the rest on: the caller's ``timeout=`` still reaches requests,
    so the wrapper's callers are asked for one (FM101 at ``ssrf_safe_get(url, stream=True)``)."""
    source = """\
import requests
def passes(method, url, **kwargs):
    guard = kwargs.pop("block_local_urls", True)
    kwargs["stream"] = True
    return requests.request(method, url, **kwargs)
def sets(method, url, **kwargs):
    kwargs.setdefault("timeout", 5)
    return requests.request(method, url, **kwargs)
def changes(method, url, **kwargs):
    kwargs.update(extra)
    return requests.request(method, url, **kwargs)
"""
    facts = analyze(source.encode(), "app.py", "app", KB)
    params = [(s.enclosing, s.timeout_param) for s in facts.sites if not s.derived]
    assert params == [("app.passes", "**"), ("app.sets", ""), ("app.changes", "")]


def _findings(root: Path, files: dict[str, str]) -> list[tuple[str, int, str]]:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    here = Path.cwd()
    os.chdir(root)
    try:
        result = run_lint(LintOptions(paths=(Path(),), use_cache=False))
    finally:
        os.chdir(here)
    return sorted(
        (Path(f.location.path).as_posix(), f.location.line, f.code) for f in result.findings
    )


SSRF_IO = """\
import requests

def safe_request(method, url, **kwargs):
    kwargs.pop("block_local_urls", True)
    return requests.request(method, url, **kwargs)

def safe_get(url, **kwargs):
    return safe_request("GET", url, **kwargs)
"""
UPLOADER = """\
from core.utils.io import safe_get

def download(url):
    try:
        return safe_get(url, stream=True)
    except Exception:
        return None
"""


def test_a_module_imported_by_its_name_below_the_package_root(tmp_path: Path) -> None:
    """label-studio imports ``core.utils.io`` (Django's manage.py folder ``label_studio/`` is on
    sys.path) for the module fmcat names ``label_studio.core.utils.io``. The call through the
    wrapper is that wrapper's: handled by the caller (no FM103 inside), and without the timeout
    the wrapper passes on (FM101 at the call)."""
    found = _findings(
        tmp_path,
        {
            "pyproject.toml": "[tool.fmcat]\n",
            "label_studio/__init__.py": "",
            "label_studio/core/__init__.py": "",
            "label_studio/core/utils/__init__.py": "",
            "label_studio/core/utils/io.py": SSRF_IO,
            "label_studio/data_import/__init__.py": "",
            "label_studio/data_import/uploader.py": UPLOADER,
        },
    )
    assert found == [("label_studio/data_import/uploader.py", 5, "FM101")]


def test_a_client_class_passed_to_a_factory_and_a_kwargs_dict_changed_at_other_keys() -> None:
    """pulpcore's redis factory: ``_from_class(Redis)`` and ``_from_class(aRedis)``; inside,
    ``redis_class.from_url(url, **KWARGS)`` with the URL from settings through a local name is
    FM109, and ``redis_class(host=...)`` with only a ``retry`` added to ``KWARGS`` has no
    socket timeout (FM101)."""
    source = """\
from django.conf import settings
from redis import Redis
from redis.asyncio import Redis as aRedis
KWARGS = {}
KWARGS["retry"] = object()
def _from_class(redis_class):
    url = getattr(settings, "REDIS_URL", None)
    if url is not None:
        return redis_class.from_url(url, **KWARGS)
    return redis_class(host=settings.REDIS_HOST, **KWARGS)
def sync():
    return _from_class(Redis)
def asynchronous():
    return _from_class(redis_class=aRedis)
"""
    facts = analyze(source.encode(), "app.py", "app", KB)
    found = [(s.span.line, s.qualname, s.timeout.value) for s in facts.sites if not s.derived]
    assert found == [
        (9, "redis.Redis.from_url", TimeoutState.CONFIG.value),
        (10, "redis.Redis", TimeoutState.MISSING.value),
    ]


MANAGE = 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n'
DJANGO_SETTINGS = """\
from configparser import ConfigParser
config = ConfigParser()
config.read("/etc/app.cfg")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "redis": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": config.get("redis", "location"),
    },
}
"""
DJANGO_VIEW = """\
import django_redis
from django.core.cache import caches

def count(key):
    try:
        rc = django_redis.get_redis_connection("redis")
        return rc.incr(key)
    except Exception:
        return 0
"""


def test_a_django_redis_client_whose_location_comes_from_a_config_file(tmp_path: Path) -> None:
    """pretix: ``get_redis_connection("redis")`` is the client of ``CACHES['redis']``, whose
    LOCATION is read from pretix.cfg and may carry ``?socket_timeout=``: FM109 at the call that
    makes the client, and at the settings entry; not FM101 ("waits forever") at the entry."""
    found = _findings(
        tmp_path,
        {
            "pyproject.toml": "[tool.fmcat]\n",
            "manage.py": MANAGE,
            "proj/__init__.py": "",
            "proj/settings.py": DJANGO_SETTINGS,
            "proj/views.py": DJANGO_VIEW,
        },
    )
    assert found == [("proj/settings.py", 6, "FM109"), ("proj/views.py", 6, "FM109")]


PAYPAL = """\
import requests

class PaypalMethod:
    def _create_order(self):
        return requests.post("https://api.paypal.com/v2/orders", timeout=5)

class PaypalAPM(PaypalMethod):
    def execute_payment(self):
        return self._create_order()
"""


def test_an_inherited_method_is_the_base_class_method_in_the_call_graph(tmp_path: Path) -> None:
    """pretix's PayPal plugin: ``PaypalAPM.execute_payment`` calls ``self._create_paypal_order``,
    defined on its base ``PaypalMethod``. The failure is reported once, inside the method where
    the request is made, with its path out; not again at the call through the subclass."""
    found = _findings(tmp_path, {"pyproject.toml": "[tool.fmcat]\n", "pay/views.py": PAYPAL})
    assert found == [("pay/views.py", 5, "FM103")]


def test_a_project_decorator_that_catches_the_family_handles_what_it_wraps() -> None:
    """pulpcore's cache: every method that talks to redis is decorated with
    ``@connection_error_wrapper``, whose wrapper calls the method inside ``try: ... except
    (ConnectionError, RedisError)``. That is handling (README: where each code belongs)."""
    source = """\
import functools
import redis
from redis.exceptions import RedisError
client = redis.Redis(socket_timeout=1)
def swallow(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except RedisError:
            return None
    return wrapper
def log(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            print("calling")
        except ValueError:
            pass
        return func(*args, **kwargs)
    return wrapper
@swallow
def get(key):
    return client.get(key)
@log
def put(key):
    return client.set(key, 1)
"""
    facts = analyze(source.encode(), "app.py", "app", KB)
    assert [(s.span.line, s.handled) for s in facts.sites if s.can_fail] == [
        (24, True),
        (27, False),
    ]


def consumer_acks(source: str) -> list[tuple[int, str]]:
    from fmcat.frameworks.consumers import consumers
    from fmcat.frameworks.source import Source

    parsed = Source.parse(source.encode(), "app.py", "app")
    assert parsed is not None
    return [(c.span.line, c.acks) for c in consumers(parsed)]


def test_a_kafka_configuration_made_elsewhere_is_not_the_default() -> None:
    """Airflow's Kafka provider: ``Consumer(config.copy())`` with the connection's extras, and
    edx-event-bus-kafka: ``load_common_settings()`` then ``.update({"enable.auto.commit":
    False})``. Neither relies on auto-commit's default: the first is configuration (the
    provider refuses to stream with it on), the second turns it off (FM110 was reported on
    both against an at-least-once catalog)."""
    source = """\
from confluent_kafka import Consumer
from kafka import KafkaConsumer

def from_connection(config):
    shallow = config.copy()
    shallow["error_cb"] = print
    return Consumer(shallow)

def from_settings(load, group):
    conf = load()
    conf.update({"group.id": group, "enable.auto.commit": False})
    return Consumer(conf)

def literal_default(group):
    conf = {"group.id": group}
    return Consumer(conf)

def spread(extra):
    return Consumer({"enable.auto.commit": False, **extra})

def keywords(extra):
    return KafkaConsumer("orders", **extra)

def plain():
    return KafkaConsumer("orders")
"""
    assert consumer_acks(source) == [
        (7, "unknown"),
        (12, "unknown"),
        (16, "before"),
        (19, "unknown"),
        (22, "unknown"),
        (25, "before"),
    ]


def test_a_kafka_consumer_made_only_to_read_metadata_consumes_nothing() -> None:
    """pipelinewise-tap-kafka's ``do_discovery``: ``consumer = Consumer({...})`` with
    auto-commit at its default, then only ``consumer.list_topics(...)`` and
    ``consumer.close()``. It never subscribes or polls, so no message is read and none can be
    lost (FM110 was reported on it against the tap's at-least-once). A consumer that is
    polled, iterated, handed on, kept or returned is still one."""
    source = """\
from confluent_kafka import Consumer
from kafka import KafkaConsumer

def discover(config):
    consumer = Consumer({"group.id": config["group"]})
    try:
        return consumer.list_topics(topic="t", timeout=5).topics
    finally:
        consumer.close()

def offsets(partition):
    probe = KafkaConsumer(bootstrap_servers="k:9092")
    low = probe.beginning_offsets([partition])
    probe.close()
    return low

def polled(config):
    consumer = Consumer({"group.id": config["group"]})
    consumer.list_topics()
    return consumer.poll(1.0)

def iterated():
    consumer = KafkaConsumer("orders")
    for message in consumer:
        print(message)

def handed_on(run):
    consumer = KafkaConsumer("orders")
    run(consumer)

def kept(self):
    self.consumer = KafkaConsumer("orders")

def returned():
    consumer = KafkaConsumer("orders")
    consumer.topics()
    return consumer
"""
    assert consumer_acks(source) == [
        (18, "before"),
        (23, "before"),
        (28, "before"),
        (32, "before"),
        (35, "before"),
    ]


def test_a_pika_callback_that_acks_first_acknowledges_before_processing() -> None:
    """pycti's ListenQueue: ``basic_consume(queue=..., on_message_callback=self._process_message)``
    with manual acknowledgement, and a callback whose first act is ``channel.basic_ack(...)``,
    then the work (a handler thread): it acknowledges before it processes, as at most once
    wants, and a crash loses the message. fmcat read it as acknowledging after. A callback that
    acks once its work is done, or only on one branch, still acknowledges after."""
    source = """\
import json
import pika

class Listen:
    def _process_message(self, channel, method, properties, body):
        data = json.loads(body)
        channel.basic_ack(delivery_tag=method.delivery_tag)
        self.helper.connector_logger.info("Message ack")
        self.handle(data)

    def run(self, channel):
        channel.basic_consume(queue="q", on_message_callback=self._process_message)

def done(channel, method, properties, body):
    handle(body)
    channel.basic_ack(delivery_tag=method.delivery_tag)
    print("acked")

def branch(channel, method, properties, body):
    if not body:
        channel.basic_ack(delivery_tag=method.delivery_tag)
        return
    handle(body)
    channel.basic_ack(delivery_tag=method.delivery_tag)

def main(channel):
    channel.basic_consume("q", done)
    channel.basic_consume("q", branch)
"""
    assert consumer_acks(source) == [(12, "before"), (27, "after"), (28, "after")]


def test_a_consumer_of_an_optional_dependency_imported_in_a_try() -> None:
    """edx-event-bus-kafka imports confluent-kafka in ``try: ... except ImportError:`` at
    module level; its consumer was not seen at all (no FM110 could judge it)."""
    source = """\
try:
    from confluent_kafka import Consumer
except ImportError:
    Consumer = None

class EventConsumer:
    def make(self, load):
        conf = load()
        conf.update({"enable.auto.commit": True})
        return Consumer(conf)
"""
    assert consumer_acks(source) == [(10, "before")]


def test_confluent_kafkas_deserializing_consumer_is_a_consumer() -> None:
    """acryl-datahub-actions' Kafka event source consumes through confluent-kafka's
    ``DeserializingConsumer``, a subclass of ``Consumer`` with the same configuration dict
    and the same auto-commit default; it was not seen as a consumer at all."""
    source = """\
import confluent_kafka
from confluent_kafka import DeserializingConsumer

def default(group):
    return DeserializingConsumer({"group.id": group})

def spread(group, recipe):
    return confluent_kafka.DeserializingConsumer(
        {"group.id": group, "enable.auto.commit": False, **recipe}
    )

def off(group):
    return DeserializingConsumer({"group.id": group, "enable.auto.commit": False})
"""
    assert consumer_acks(source) == [(5, "before"), (8, "unknown"), (13, "unknown")]


MLFLOW_SESSION = """\
import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry


class JitteredRetry(Retry):
    pass


class StrictJitteredRetry(JitteredRetry):
    pass


def session(max_retries, old, after):
    kwargs = {"total": max_retries, "backoff_factor": 1}
    if old:
        kwargs["method_whitelist"] = None
    else:
        kwargs["allowed_methods"] = None
    if old:
        retry_cls = JitteredRetry if after else StrictJitteredRetry
    else:
        retry_cls = Retry if after else StrictJitteredRetry
    retry = retry_cls(**kwargs)
    s = requests.Session()
    s.mount("https://", HTTPAdapter(max_retries=retry))
    return s


def reads(max_retries, after):
    kwargs = {"total": max_retries}
    retry_cls = Retry if after else StrictJitteredRetry
    return retry_cls(**kwargs)
"""


def test_a_retry_class_chosen_at_run_time_with_methods_in_a_spread_dict(tmp_path: Path) -> None:
    """mlflow's REST session: ``retry_kwargs["allowed_methods"] = None`` (every verb, POST
    among them), then ``retry_cls(**retry_kwargs)`` with ``retry_cls`` one of ``Retry`` and two
    local subclasses, one a subclass of the other. The Retry re-sends POSTs (FM112); one whose
    dict leaves the methods out keeps urllib3's default, which leaves POST out."""
    found = _findings(tmp_path, {"pyproject.toml": "[tool.fmcat]\n", "rest.py": MLFLOW_SESSION})
    assert [f for f in found if f[2] == "FM112"] == [("rest.py", 24, "FM112")]


ANALYTICS = """\
import aiohttp

try:
    from asyncio import timeout
except ImportError:
    from async_timeout import timeout


async def post_analytics(url, data):
    async with aiohttp.ClientSession() as session:
        async with timeout(300):
            async with session.post(url, data=data) as resp:
                return resp.status
"""


def test_a_timeout_scope_imported_with_its_backport_as_fallback(tmp_path: Path) -> None:
    """pulpcore's analytics task: ``timeout`` is asyncio's, or async_timeout's on an older
    Python (``try``/``except ImportError``). Either bounds the POST inside, so the session
    relies on no default: FM107 was reported on ``aiohttp.ClientSession()``."""
    found = _findings(tmp_path, {"pyproject.toml": "[tool.fmcat]\n", "tasks.py": ANALYTICS})
    assert [f for f in found if f[2] in ("FM101", "FM107")] == []
    assert states(ANALYTICS)[1] == (12, "aiohttp.ClientSession.post", TimeoutState.CONTEXT.value)


def task_bounds(source: str) -> list[tuple[int, int | None, str]]:
    from fmcat.frameworks.celery import Tasks, task_facts
    from fmcat.frameworks.celery_config import CeleryConfig
    from fmcat.frameworks.source import Source

    parsed = Source.parse(source.encode(), "tasks.py", "tasks")
    assert parsed is not None
    found = task_facts(parsed, CeleryConfig(), Tasks())[0]
    return [(c.span.line, c.max_deliveries, c.max_reason) for c in found]


def test_a_task_bound_on_retries_given_in_retry_kwargs_or_per_retry() -> None:
    """superset's reports.scheduler gives ``retry_kwargs={"max_retries": 3}``, pretalx's and
    pretix's mail tasks ``self.retry(max_retries=5)``, openwisp-monitoring's writes spread
    ``**RETRY_OPTIONS`` (``max_retries=None`` by default): fmcat read Celery's default of 3
    for each, so FM110 compared the wrong number of deliveries with the catalog's."""
    source = """\
from celery import shared_task

@shared_task(bind=True, autoretry_for=(OSError,), retry_kwargs={"max_retries": 7})
def schedule(self):
    pass

@shared_task(bind=True)
def send(self):
    try:
        pass
    except OSError:
        self.retry(max_retries=5, countdown=2)

@shared_task(bind=True, autoretry_for=(OSError,), **OPTIONS)
def write(self):
    pass

@shared_task(bind=True, autoretry_for=(OSError,))
def plain(self):
    pass
"""
    assert task_bounds(source) == [
        (3, 8, "max_retries=7"),
        (7, 6, "max_retries=5"),
        (14, None, "max_retries is not a literal, or comes in a ** argument"),
        (18, 4, "max_retries=3"),
    ]


def test_a_resolver_lifetime_set_as_an_attribute_bounds_its_calls() -> None:
    """Mailman's DMARC rule: ``resolver.lifetime = as_timedelta(config...).total_seconds()``
    after ``Resolver()``; its ``resolver.query(...)`` was reported as relying on dnspython's
    5 s default (FM107); a lifetime read from configuration is configuration's (FM109, and
    tests/test_realworld_misses.py for the conversion). ``timeout`` alone bounds one try of one
    server: the default lifetime still applies."""
    source = """\
import dns.resolver

def check(config, domain):
    resolver = dns.resolver.Resolver()
    resolver.timeout = config.timeout
    resolver.lifetime = config.lifetime
    return resolver.query(domain, "TXT")

def per_try(domain):
    r = dns.resolver.Resolver()
    r.timeout = 2
    return r.resolve(domain, "MX")

def fixed(domain):
    r = dns.resolver.Resolver()
    r.lifetime = 3
    return r.resolve(domain, "MX")
"""
    facts = analyze(source.encode(), "app.py", "app", KB)
    assert [(s.span.line, s.timeout.value, s.timeout_values) for s in facts.sites] == [
        (7, TimeoutState.CONFIG.value, ()),
        (12, TimeoutState.DEFAULT.value, (5.0,)),
        (17, TimeoutState.SET.value, (3.0,)),
    ]


AIRFLOW_CELERY = """\
from celery import Celery

from airflow.configuration import conf


def get_celery_configuration():
    return conf.getimport("celery", "celery_config_options")


def _get_celery_app() -> Celery:
    name = conf.get("celery", "CELERY_APP_NAME")
    return Celery(name, config_source=get_celery_configuration())


app = _get_celery_app()


@app.task(name="execute_workload")
def execute_workload(input):
    pass
"""


def test_an_app_made_by_a_factory_with_its_configuration_from_a_source(tmp_path: Path) -> None:
    """The Airflow Celery provider: ``app = _get_celery_app()``, a module function returning
    ``Celery(name, config_source=get_celery_configuration())``, whose ``task_acks_late`` is
    Airflow configuration (default True). The app was not seen, so its tasks were no consumers
    at all; and a ``config_source`` fmcat cannot read must leave acks_late unknown, not
    Celery's default (FM110 against the provider's at-least-once)."""
    from fmcat.frameworks.celery import Tasks, task_facts
    from fmcat.frameworks.celery_config import read_config
    from fmcat.frameworks.source import Source

    parsed = Source.parse(AIRFLOW_CELERY.encode(), "celery_utils.py", "celery_utils")
    assert parsed is not None
    config = read_config([parsed], tmp_path, None)
    found = task_facts(parsed, config, Tasks())[0]
    assert [(c.span.line, c.acks) for c in found] == [(18, "unknown")]
    assert [n.span.line for n in config.notes] == [12]
    assert "config_source" in config.notes[0].message

    literal = """\
from celery import Celery

def make():
    app = Celery("x", config_source={"task_acks_late": True})
    return app

app = make()

@app.task
def ship():
    pass
"""
    parsed = Source.parse(literal.encode(), "tasks.py", "tasks")
    assert parsed is not None
    config = read_config([parsed], tmp_path, None)
    assert [(c.span.line, c.acks) for c in task_facts(parsed, config, Tasks())[0]] == [(9, "after")]


ECOMMERCE_WORKER_FULFILLMENT = """\
from celery import shared_task


def _retry_order(self, exception, max_fulfillment_retries, order_number):
    countdown = 2 ** self.request.retries
    raise self.retry(exc=exception, countdown=countdown, max_retries=max_fulfillment_retries)


def _give_up(task, exception):
    raise task.retry(exc=exception, max_retries=7)


def log(message):
    print(message)


@shared_task(bind=True, ignore_result=True)
def fulfill_order(self, order_number):
    try:
        log(order_number)
    except OSError as exc:
        _retry_order(self, exc, 11, order_number)


@shared_task(bind=True)
def refund(self, order_number):
    try:
        log(order_number)
    except OSError as exc:
        _give_up(exception=exc, task=self)


@shared_task(bind=True)
def notify(self, order_number):
    log(order_number)
"""


def test_a_task_retried_by_a_helper_it_hands_self_to() -> None:
    """ecommerce-worker's fulfill_order: ``_retry_order(self, exc, ...)``, a function of the same
    module, raises ``self.retry(...)``. The task retries (against an at-most-once catalog that is
    FM110), and the helper's ``max_retries=`` is the task's bound; a helper given ``self`` by
    keyword counts too, and one that is not given it (``log``) retries nothing."""
    from fmcat.frameworks.celery import Tasks, task_facts
    from fmcat.frameworks.celery_config import CeleryConfig
    from fmcat.frameworks.source import Source

    parsed = Source.parse(ECOMMERCE_WORKER_FULFILLMENT.encode(), "tasks.py", "tasks")
    assert parsed is not None
    consumers = task_facts(parsed, CeleryConfig(), Tasks())[0]
    assert [(c.span.line, c.retries, c.max_deliveries) for c in consumers] == [
        (17, "self.retry()", None),  # max_retries=max_fulfillment_retries: not a literal
        (25, "task.retry()", 8),
        (33, "", 1),
    ]


DJCELERY_EMAIL = """\
from celery import shared_task

TASK_CONFIG = {"name": "djcelery_email_send_multiple", "ignore_result": True}


@shared_task(**TASK_CONFIG)
def send_emails(messages, backend_kwargs=None):
    for message in messages:
        try:
            print(message)
        except Exception as e:
            send_emails.retry([[message], backend_kwargs], exc=e, throw=False)


@shared_task
def ping():
    other.retry()
"""


def test_a_task_that_retries_by_its_own_name() -> None:
    """django-celery-email's send_emails is not bound: it retries a failed message with
    ``send_emails.retry(...)``, the task named by itself. That is a retry (its bound comes in
    the ``**TASK_CONFIG``: unknown); another object's ``retry()`` is not."""
    from fmcat.frameworks.celery import Tasks, task_facts
    from fmcat.frameworks.celery_config import CeleryConfig
    from fmcat.frameworks.source import Source

    parsed = Source.parse(DJCELERY_EMAIL.encode(), "tasks.py", "tasks")
    assert parsed is not None
    consumers = task_facts(parsed, CeleryConfig(), Tasks())[0]
    assert [(c.span.line, c.retries, c.max_deliveries) for c in consumers] == [
        (6, "send_emails.retry()", None),
        (15, "", 1),
    ]
