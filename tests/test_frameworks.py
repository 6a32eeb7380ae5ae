"""Framework settings and delivery semantics: real projects on disk, real CLI runs.

tests/projects/django_shop is a small Django + Celery service (manage.py, a settings module,
a Celery app configured from the Django settings, tasks and views) with a catalog; the bad-input
tests write their own projects into tmp_path.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fmcat.frameworks.settings import read_settings
from fmcat.frameworks.values import FromEnv, Mapping, Opaque
from tests.conftest import run_fmcat
from tests.conftest import write as write_files  # test_frameworks' write adds the pyproject

PROJECT = Path(__file__).resolve().parent / "projects" / "django_shop"


def lint_json(project: Path, *extra: str) -> list[dict[str, object]]:
    run = run_fmcat("lint", str(project), "--format", "json", *extra, cwd=project)
    assert run.code in (0, 1), run.stderr
    assert "Traceback" not in run.stderr
    findings: list[dict[str, object]] = json.loads(run.stdout)["findings"]
    return findings


def code_findings(project: Path) -> set[tuple[str, int, str]]:
    return {
        (str(f["path"]), int(str(f["line"])), str(f["code"]))
        for f in lint_json(project)
        if not str(f["path"]).endswith(".yaml")
    }


def test_the_django_shop_end_to_end() -> None:
    found = code_findings(PROJECT)
    assert found == {
        # settings: an entry without its timeout is reported on its key
        ("shop/settings.py", 6, "FM101"),  # DATABASES['default']
        ("shop/settings.py", 20, "FM101"),  # CACHES['default']
        ("shop/settings.py", 28, "FM109"),  # CACHES['rates'] from the environment
        # views: EMAIL_TIMEOUT absent, so the call is reported, naming the settings file
        ("orders/views.py", 9, "FM103"),  # charge.delay, unhandled
        ("orders/views.py", 10, "FM103"),
        ("orders/views.py", 10, "FM104"),
        ("orders/views.py", 11, "FM101"),
        ("orders/views.py", 11, "FM103"),
        ("orders/views.py", 11, "FM104"),
        ("orders/views.py", 19, "FM103"),
        ("orders/views.py", 19, "FM104"),
        ("orders/views.py", 20, "FM103"),
        # tasks: delivery and retries against the catalog
        ("orders/tasks.py", 9, "FM110"),
        ("orders/tasks.py", 9, "FM111"),
        ("orders/tasks.py", 11, "FM112"),
        ("orders/tasks.py", 16, "FM103"),
        ("orders/tasks.py", 16, "FM105"),
        ("orders/tasks.py", 16, "FM107"),
    }


def test_the_messages_name_the_setting_and_the_catalog() -> None:
    by_place = {(f["path"], f["line"], f["code"]): str(f["message"]) for f in lint_json(PROJECT)}
    assert by_place[("orders/views.py", 11, "FM101")].endswith(
        "set EMAIL_TIMEOUT in shop/settings.py"
    )
    assert by_place[("shop/settings.py", 6, "FM101")] == (
        "DATABASES['default'] is made without a timeout and django.db.backends.postgresql "
        "waits forever; add 'OPTIONS': {'connect_timeout': 5}"
    )
    fm110 = by_place[("orders/tasks.py", 9, "FM110")]
    assert "at-least-once" in fm110 and "acks_late is not set" in fm110
    assert (
        "6 deliveries (max_retries=5), more than the catalog's poison.max_deliveries of 3" in fm110
    )
    assert by_place[("orders/tasks.py", 9, "FM111")] == (
        "celery task autoretry_for makes 6 attempts on payments, more than the catalog's "
        "policies.retry.attempts of 3"
    )
    assert "autoretry_for (line 9)" in by_place[("orders/tasks.py", 11, "FM112")]


def test_text_output_and_exit_code() -> None:
    run = run_fmcat("lint", ".", cwd=PROJECT)
    assert run.code == 1
    assert (
        "shop/settings.py:20:5: FM101 CACHES['default'] is made without a timeout and "
        "django.core.cache.backends.redis.RedisCache waits forever; "
        "add 'OPTIONS': {'socket_timeout': 1}" in run.stdout.splitlines()
    )


def write(root: Path, files: dict[str, str]) -> Path:
    """The project, with a pyproject.toml that makes ``root`` its root."""
    return write_files(root, {**files, "pyproject.toml": "[tool.fmcat]\n"})


MANAGE = 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n'
VIEW = (
    "from django.core.mail import send_mail\n\ndef f():\n    send_mail('s', 'm', 'a@b', ['c@d'])\n"
)


def test_email_timeout_given_silences_the_calls(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "manage.py": MANAGE,
            "proj/__init__.py": "",
            "proj/settings.py": "EMAIL_TIMEOUT = 10\n",
            "app/views.py": VIEW,
        },
    )
    assert {c for _, _, c in code_findings(tmp_path)} == {"FM103"}


def test_a_local_mail_backend_is_not_external(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "manage.py": MANAGE,
            "proj/__init__.py": "",
            "proj/settings.py": (
                'EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"\n'
            ),
            "app/views.py": VIEW,
        },
    )
    assert code_findings(tmp_path) == set()


def test_settings_that_do_not_parse(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "manage.py": MANAGE,
            "proj/__init__.py": "",
            "proj/settings.py": "CACHES = {\n",
            "app/views.py": VIEW,
        },
    )
    findings = lint_json(tmp_path)
    fm100 = [f for f in findings if f["code"] == "FM100"]
    assert [f["path"] for f in fm100] == ["proj/settings.py"]
    assert "the Django settings module cannot be parsed" in str(fm100[0]["message"])


def test_settings_module_that_does_not_exist(tmp_path: Path) -> None:
    write(tmp_path, {"manage.py": MANAGE, "app/views.py": VIEW})
    findings = lint_json(tmp_path)
    fm109 = [f for f in findings if f["code"] == "FM109"]
    assert [(f["path"], f["line"]) for f in fm109] == [("manage.py", 2)]
    assert "names proj.settings, but no proj/settings.py is in the project" in str(
        fm109[0]["message"]
    )


def test_configured_settings_module_that_does_not_exist(tmp_path: Path) -> None:
    write(tmp_path, {"app/views.py": VIEW})
    (tmp_path / "pyproject.toml").write_text(
        '[tool.fmcat]\ndjango_settings = "nowhere.settings"\n', encoding="utf-8"
    )
    messages = [str(f["message"]) for f in lint_json(tmp_path) if f["code"] == "FM109"]
    assert (
        len(messages) == 1
        and "django_settings = 'nowhere.settings' names no module" in (messages[0])
    )


LOOPS = """\
import os
BASE = {"BACKEND": "django.core.cache.backends.redis.RedisCache"}
CACHES = {"default": {**BASE, "LOCATION": "redis://c:6379/0"}}
DATABASES = {}
for name in ("a", "b"):
    DATABASES[name] = {"ENGINE": "django.db.backends.postgresql"}
"""


def test_settings_built_in_loops_or_by_merges(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"manage.py": MANAGE, "proj/__init__.py": "", "proj/settings.py": LOOPS, "a.py": VIEW},
    )
    found = {
        (f["line"], str(f["message"]))
        for f in lint_json(tmp_path)
        if f["path"] == "proj/settings.py"
    }
    assert found == {
        (
            3,
            "CACHES['default'] is built by a ** merge, which fmcat does not follow: its timeout "
            "is configuration fmcat cannot see",
        ),
        (
            5,
            "DATABASES is built in a loop (line 5), which fmcat does not evaluate: its timeouts "
            "are configuration fmcat cannot see",
        ),
    }


@pytest.mark.parametrize(
    ("call", "why"),
    [
        ("app.config_from_object(Config)", "configured from an object"),
        ('app.config_from_object("nowhere.celeryconfig")', "which is no module in the project"),
        ('app.config_from_envvar("CELERY_CONFIG")', "configured from the environment"),
    ],
)
def test_celery_configured_where_fmcat_cannot_follow(tmp_path: Path, call: str, why: str) -> None:
    source = f"from celery import Celery\n\nclass Config:\n    pass\n\napp = Celery('x')\n{call}\n"
    write(tmp_path, {"worker.py": source})
    fm109 = [f for f in lint_json(tmp_path) if f["code"] == "FM109"]
    assert [(f["path"], f["line"]) for f in fm109] == [("worker.py", 7)]
    assert why in str(fm109[0]["message"])


def test_celery_config_module_is_followed(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "worker.py": (
                "from celery import Celery\n\napp = Celery('x')\n"
                'app.config_from_object("celeryconfig")\n\n'
                "@app.task\ndef ship(order_id):\n    pass\n\n"
                "def later(order_id):\n    ship.delay(order_id)\n"
            ),
            "celeryconfig.py": "broker_connection_timeout = 2\ntask_acks_late = True\n",
        },
    )
    codes = {(f["line"], f["code"]) for f in lint_json(tmp_path)}
    # The timeout comes from celeryconfig.py: no FM107 on the publish, only its handling.
    assert codes == {(11, "FM103")}


def test_the_evaluator_reads_env_star_imports_and_urls(tmp_path: Path) -> None:
    (tmp_path / "settings").mkdir()
    (tmp_path / "settings" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "settings" / "base.py").write_text(
        'import environ\nenv = environ.Env()\nDATABASES = {"default": env.db()}\n'
        "EMAIL_TIMEOUT = env.int('EMAIL_TIMEOUT', default=10)\n",
        encoding="utf-8",
    )
    (tmp_path / "settings" / "prod.py").write_text(
        "from .base import *\nimport os\n"
        'CACHES = {"default": {"LOCATION": f"redis://{os.getenv(\'H\')}:6379/0?socket_timeout=2"}}\n'
        'CACHES["default"]["BACKEND"] = "django.core.cache.backends.redis.RedisCache"\n',
        encoding="utf-8",
    )
    located = read_settings("settings.prod", tmp_path / "settings" / "prod.py")
    assert located.problems == [] and located.settings is not None
    values = {name: s.value for name, s in located.settings.settings.items()}
    assert values["EMAIL_TIMEOUT"] == FromEnv("EMAIL_TIMEOUT")
    databases = values["DATABASES"]
    assert isinstance(databases, Mapping) and databases.items["default"] == FromEnv("DATABASE_URL")
    caches = values["CACHES"]
    assert isinstance(caches, Mapping)
    default = caches.items["default"]
    assert isinstance(default, Mapping)
    assert isinstance(default.items["LOCATION"], Opaque)
    assert "?socket_timeout=2" in default.items["LOCATION"].reason
    assert default.items["BACKEND"] == "django.core.cache.backends.redis.RedisCache"


def test_a_urllib3_retry_of_post_is_keyed_by_a_header_anywhere_in_its_file(
    tmp_path: Path,
) -> None:
    """pretix's PayPal client: a Retry subclass allows POST, and a PayPal-Request-Id is set far
    below it in the same file (past the 400 characters a call's text is cut to)."""
    filler = "".join(f"def helper_{n}(value):\n    return value + {n}\n\n" for n in range(40))
    keyed = (
        "import uuid\n\nfrom urllib3.util.retry import Retry\n\n\nclass LogOnRetry(Retry):\n"
        "    pass\n\n\ndef session():\n"
        '    return LogOnRetry(total=5, allowed_methods=["GET", "POST"])\n\n\n'
        f"{filler}def inject(request):\n"
        '    request.headers["PayPal-Request-Id"] = str(uuid.uuid4())\n'
    )
    write(tmp_path, {"keyed.py": keyed, "bare.py": keyed.replace("PayPal-Request-Id", "X-Trace")})
    fm112 = [(f["path"], f["line"]) for f in lint_json(tmp_path) if f["code"] == "FM112"]
    assert fm112 == [("bare.py", 11)]


ALIAS_SETTINGS = """\
REDIS = "django.core.cache.backends.redis.RedisCache"
CACHES = {
    "default": {"BACKEND": REDIS, "LOCATION": "redis://c:6379/0", "OPTIONS": {"socket_timeout": 1}},
    "sessions": {"BACKEND": REDIS, "LOCATION": "redis://s:6379/0"},
    "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}
DATABASES = {
    "default": {"ENGINE": "django.db.backends.postgresql", "OPTIONS": {"connect_timeout": 5}},
}
"""
ALIAS_VIEWS = """\
from django.core.cache import caches
from django.db import connections


def view(key, alias):
    caches["default"].get(key)
    caches["sessions"].set(key, 1)
    caches["local"].get(key)
    caches["nowhere"].get(key)
    connections["default"].cursor()
    connections[alias].cursor()
    try:
        caches["sessions"].delete(key)
    except Exception:
        pass
"""


def test_named_caches_and_connections_follow_their_settings_entry(tmp_path: Path) -> None:
    """caches["x"] and connections["x"] are judged by CACHES["x"] and DATABASES["x"]: set
    there (line 6, 10: only the handling), the entry's own FM101 (line 7 relies on it), a local
    backend dropped (8), no entry (9: waits forever), an alias chosen at run time (11)."""
    files = {"manage.py": MANAGE, "proj/__init__.py": "", "proj/settings.py": ALIAS_SETTINGS}
    write(tmp_path, {**files, "views.py": ALIAS_VIEWS})
    found = sorted((f["path"], f["line"], f["code"]) for f in lint_json(tmp_path))
    assert found == [
        ("proj/settings.py", 4, "FM101"),
        ("views.py", 6, "FM103"),
        ("views.py", 7, "FM103"),
        ("views.py", 9, "FM101"),
        ("views.py", 9, "FM103"),
        ("views.py", 10, "FM103"),
        ("views.py", 11, "FM103"),
        ("views.py", 11, "FM109"),
    ], found
    messages = {(f["line"], f["code"]): str(f["message"]) for f in lint_json(tmp_path)}
    assert "CACHES['nowhere']" in messages[(9, "FM101")], messages


def test_settings_star_importing_a_missing_module(tmp_path: Path) -> None:
    """Settings that would fail to import (``from .local import *`` with no local.py) get a
    finding on the import, not silence and not a traceback."""
    settings = "from .base import *\nfrom .local import *\n"
    base = 'CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}\n'
    write(
        tmp_path,
        {
            "manage.py": MANAGE,
            "proj/__init__.py": "",
            "proj/settings.py": settings,
            "proj/base.py": base,
            "a.py": VIEW,
        },
    )
    run = run_fmcat("lint", str(tmp_path), "--format", "json", cwd=tmp_path)
    assert "Traceback" not in run.stderr, run.stderr
    found = [
        (f["line"], f["code"], str(f["message"]))
        for f in lint_json(tmp_path)
        if f["path"] == "proj/settings.py"
    ]
    assert found == [
        (
            2,
            "FM109",
            "from .local import * names no file in the project, so the settings it would give "
            "are not seen: the timeouts they set are configuration fmcat cannot see",
        )
    ], found
