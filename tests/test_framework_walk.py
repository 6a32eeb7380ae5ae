"""The framework passes walk their trees with the scan's walker (scan/walk.py), not libcst's
``visit``, which rebuilds every node: the whole post-pass must find the same with either."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import libcst as cst
import pytest

from fmcat.frameworks import FrameworkOptions, celery, consumers, django_aliases, post_pass
from fmcat.frameworks import settings as framework_settings

TESTS = Path(__file__).resolve().parent
#: Files that reach each moved visitor: the Django shop (settings found through manage.py's
#: os.environ.setdefault, their keys and assigned names), a view of named caches and
#: connections, a queue declared with a dead-letter exchange, a signature bound to a name, and
#: the accuracy suite's messaging and Celery files.
ALIASES = """\
from django.core.cache import caches
from django.db import connections


def view(key):
    caches["default"].get(key)
    with connections["replica"].cursor() as cursor:
        cursor.execute("select 1")
"""
SETTINGS_BY_ASSIGNMENT = """\
import os

os.environ["DJANGO_SETTINGS_MODULE"] = "shop.settings"
"""
SIGNATURES = """\
from celery import chain, shared_task


@shared_task
def bill(order_id):
    return order_id


def flow(order_id):
    sig = bill.s(order_id)
    sig.delay()
    chain(bill.s(order_id), bill.si(order_id))()
"""
DEAD_LETTERED = """\
import pika


def consume():
    channel = pika.BlockingConnection(pika.ConnectionParameters("mq", socket_timeout=5)).channel()
    channel.queue_declare(queue="jobs", arguments={"x-dead-letter-exchange": "jobs.dlx"})
    channel.basic_consume(queue="jobs", on_message_callback=print, auto_ack=False)
"""


def _visit(node: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    node.visit(visitor)


def _project(root: Path, entry: str) -> Path:
    shutil.copytree(TESTS / "projects" / "django_shop", root)
    for name in ("messaging.py", "celery_tasks.py"):
        shutil.copy(TESTS / "accuracy" / name, root / "orders" / name)
    (root / "orders" / "aliases.py").write_text(ALIASES, encoding="utf-8")
    (root / "orders" / "signatures.py").write_text(SIGNATURES, encoding="utf-8")
    (root / "orders" / "dead_lettered.py").write_text(DEAD_LETTERED, encoding="utf-8")
    if entry == "assignment":
        (root / "manage.py").write_text(SETTINGS_BY_ASSIGNMENT, encoding="utf-8")
    return root


def _found(root: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(root)
    files: list[Any] = []
    options = FrameworkOptions(Path(), (Path(),), use_cache=False)
    findings = post_pass(options, files)
    facts = sorted(
        (f.path, repr(f.sites), repr(f.consumers), repr(f.retry_policies), repr(f.retried_calls))
        for f in files
    )
    return [repr(f) for f in findings], facts


@pytest.mark.parametrize("entry", ["setdefault", "assignment"])
def test_the_walker_finds_what_libcst_s_visit_finds(
    entry: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path / "shop", entry)
    walked = _found(root, monkeypatch)
    with monkeypatch.context() as patch:
        for module in (framework_settings, celery, consumers, django_aliases):
            patch.setattr(module, "walk", _visit)
        visited = _found(root, monkeypatch)
    assert walked == visited
    findings, facts = walked
    by_path = {path: rest for path, *rest in facts}
    # Each moved visitor found something, so the comparison compares something.
    assert "caches.get" in by_path["orders/aliases.py"][0]
    assert "connections.cursor" in by_path["orders/aliases.py"][0]
    assert "celery.canvas.chain" in by_path["orders/signatures.py"][0]
    assert "celery.canvas.Signature.delay" in by_path["orders/signatures.py"][0]
    assert "dead_letter=('jobs.dlx',)" in by_path["orders/dead_lettered.py"][1]
    # The settings were found through manage.py, either way, and judged.
    assert any("path='shop/settings.py'" in f for f in findings)
