"""`fmcat init`: catalog skeletons from the code, and `--update` on catalogs people wrote.

The CLI runs as users run it (a subprocess) on temporary projects; the skeleton of the bundled
example's code is a golden file set (`FMCAT_UPDATE_GOLDEN=1` rewrites it, review the diff).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from fmcat.catalog.json_schema import catalog_schema_text
from fmcat.init.calls import host_of, mask_secrets, url_pattern
from fmcat.init.edit import Edit, EditError, NewRule, apply
from fmcat.init.groups import slugify, source_slug
from fmcat.init.vendors import vendor_of
from tests.conftest import EXAMPLE, run_fmcat, run_unprivileged
from tests.golden import UPDATE, assert_golden

EXPECTED = Path(__file__).parent / "golden" / "expected"


def shop_code(target: Path) -> Path:
    """The example service without its catalog: its code, configuration and alert rules."""
    for name in ("shop", "monitoring"):
        shutil.copytree(EXAMPLE / name, target / name)
    shutil.copy(EXAMPLE / "pyproject.toml", target / "pyproject.toml")
    return target


def lint_codes(project: Path) -> list[str]:
    result = run_fmcat("lint", "-f", "json", cwd=project)
    assert result.code in (0, 1), result.stderr
    return [f["code"] for f in json.loads(result.stdout)["findings"]]


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too), by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def assert_golden_folder(expected: Path, actual: Path) -> None:
    produced = sorted(p.name for p in actual.glob("*.yaml"))
    if UPDATE:
        expected.mkdir(parents=True, exist_ok=True)
        for stale in expected.glob("*.yaml"):
            if stale.name not in produced:
                stale.unlink()
    else:
        assert sorted(p.name for p in expected.glob("*.yaml")) == produced
    for name in produced:
        assert_golden(expected / name, (actual / name).read_text(encoding="utf-8"))


def is_insertion(old: str, new: str) -> bool:
    """Whether ``new`` is ``old`` with lines inserted: every old line kept, in order, as it was."""
    remaining = iter(new.splitlines(keepends=True))
    return all(any(line == candidate for candidate in remaining) for line in old.splitlines(True))


# -- the skeleton ----------------------------------------------------------------------------


def test_skeleton_of_the_example_service(tmp_path: Path) -> None:
    project = shop_code(tmp_path)
    result = run_fmcat("init", cwd=project)
    assert result.code == 0, result.stderr
    assert result.stdout == ""
    assert_golden(EXPECTED / "init.shop.stderr", result.stderr)
    catalog = project / "failure-modes"
    assert_golden_folder(EXPECTED / "init.shop", catalog)
    # The modeline's schema is written beside the files, as `fmcat schema` prints it.
    assert (catalog / ".schema.json").read_text(encoding="utf-8") == catalog_schema_text()
    for path in catalog.glob("*.yaml"):
        assert path.read_text(encoding="utf-8").startswith(
            "# yaml-language-server: $schema=.schema.json\n"
        )
    # Nothing else is written into the project: no scan cache either.
    assert not (project / ".fmcat_cache").exists()
    codes = lint_codes(project)
    # It loads, and its rules attribute every call: no format errors, no cross-check gaps...
    assert not {"FM001", "FM002", "FM003", "FM104", "FM105", "FM201"} & set(codes)
    # ...and the principles say what to fill in.
    assert {"FM010", "FM011", "FM012", "FM013", "FM014", "FM015", "FM018", "FM019"} <= set(codes)
    assert "FM020" in codes  # owner TODO is not one of [tool.fmcat] owners


SERVICE = """\
import httpx
import psycopg2
import requests
import smtplib

GEO = "https://geo.example.com/v2"


def lookup(ip):
    return requests.get(f"{GEO}/ip/{ip}", timeout=(0.5, 2))


def lookup_slow(ip):
    return requests.get("https://geo.example.com/slow", timeout=5)


def forward(url):
    return requests.post(url, json={}, timeout=3)


def zones():
    return requests.get("https://api.zonedata.org/all", timeout=1)


def mail():
    with smtplib.SMTP("smtp.example.com", 25, timeout=10) as smtp:
        smtp.noop()


def status():
    return httpx.get("https://status.acme-status.org", timeout=1.5)


def connect():
    return psycopg2.connect("postgresql://svc:s3cret@db.internal:5432/app", connect_timeout=3)


def connect_again():
    return psycopg2.connect("host=db.internal dbname=app password=hunter2", connect_timeout=3)
"""


def test_hosts_timeouts_and_rules_that_do_not_overlap(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "service.py").write_text(SERVICE)
    result = run_fmcat("init", cwd=tmp_path)
    assert result.code == 0, result.stderr
    catalog = tmp_path / "failure-modes"
    files = {p.name: p.read_text(encoding="utf-8") for p in catalog.glob("*.yaml")}
    # Files by vendor: example.com's API and its mail relay fail apart (a kind each), an
    # internal name by its leftmost label.
    assert sorted(files) == [
        "acme-status.yaml",
        "db.yaml",
        "example-email.yaml",
        "example.yaml",
        "requests.yaml",
        "zonedata.yaml",
    ]
    geo = files["example.yaml"]
    assert '  - url: "https://geo.example.com/*"\n' in geo
    # The longest literal timeouts: (0.5, 2) and 5.
    # Inferred from literals, so marked for a person to confirm.
    assert (
        "  timeout: {connect: 5s, read: 5s}  # from the code: confirm (the longest literal"
        " timeouts of its calls)\n"
    ) in geo
    assert '# app/service.py:10: requests.get(f"{GEO}/ip/{ip}", timeout=(0.5, 2))' in geo
    # psycopg2's connect_timeout bounds the connect alone.
    assert "  timeout: {connect: 3s}  # from the code: confirm" in files["db.yaml"]
    # An exact URL with no path, a bare host name, a libpq connection string.
    assert '  - url: "https://status.acme-status.org*"' in files["acme-status.yaml"]
    assert '  - url: "smtp.example.com"' in files["example-email.yaml"]
    assert "kind: email" in files["example-email.yaml"]
    assert '  - url: "*host=db.internal*"' in files["db.yaml"]
    # Passwords in the code are not copied into the catalog.
    everything = "".join(files.values())
    assert "s3cret" not in everything and "hunter2" not in everything
    assert '"postgresql://*@db.internal:5432/*"' in files["db.yaml"]
    # `requests.*` would claim api.zonedata.org's call (requests.yaml sorts first), so the
    # call without a known host is attributed by the function it is in instead.
    assert (
        "match:\n"
        "  # By function: a rule for the whole library would take calls other files claim.\n"
        "  # app/service.py:18: requests.post(url, json={}, timeout=3)\n"
        '  - call: "app.service.forward"\n'
    ) in files["requests.yaml"]
    assert "requests.*" not in files["requests.yaml"]
    codes = lint_codes(tmp_path)
    assert not {"FM001", "FM002", "FM104", "FM105", "FM201"} & set(codes)


VENDORS = """\
import os

import redis
import requests
import stripe
from django.conf import settings

CACHE = redis.from_url(os.environ["CACHE_URL"])


def charge(path):
    return requests.post(settings.PAYMENT_API_URL + path, timeout=5)


def refund():
    base = getattr(settings, "PAYMENT_API_URL")
    return requests.post(f"{base}/refunds", timeout=(1, 4))


def hook(url):
    return requests.get(os.getenv("HOOK_URL", url))


def cached(key):
    return CACHE.get(key)


def repos():
    return requests.get("https://api.github.com/user/repos", timeout=3)


def avatar():
    return requests.get("https://raw.githubusercontent.com/o/r/main/a.png", timeout=3)


def page():
    return requests.get("https://github.com/o/r", timeout=3)


def oauth(code):
    return requests.post("https://connect.stripe.com/oauth/token", data={"c": code}, timeout=9)


def customer(key):
    return stripe.Customer.retrieve(key)


def files():
    return (
        requests.get("https://bucket.s3.eu-west-1.amazonaws.com/a", timeout=2),
        requests.get("https://sqs.eu-west-1.amazonaws.com/1/q", timeout=2),
    )


def geocode(q):
    url = "https://api.opencagedata.com/v1/json?q={}&key={}".format(q, settings.GEO_API_KEY)
    return requests.get(url, timeout=4)


def discovery(config):
    return requests.get(config["base_url"] + "/.well-known/openid-configuration", timeout=6)
"""


def test_grouped_by_setting_and_by_vendor(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "billing.py").write_text(VENDORS)
    result = run_fmcat("init", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert_golden(EXPECTED / "init.vendors.stderr", result.stderr)
    catalog = tmp_path / "failure-modes"
    assert_golden_folder(EXPECTED / "init.vendors", catalog)
    files = {p.stem: p.read_text(encoding="utf-8") for p in catalog.glob("*.yaml")}
    # One file per setting or variable, per vendor (GitHub's three hosts, Stripe's API and its
    # SDK), and per AWS service.
    assert sorted(files) == [
        "aws-s3",
        "aws-sqs",
        "cache",
        "github",
        "hook",
        "opencagedata",
        "payment",
        "requests",
        "stripe",
    ]
    # A literal URL template names its host: the API key in its arguments is no address.
    assert '  - url: "https://api.opencagedata.com/*"' in files["opencagedata"]
    assert "GEO_API_KEY" not in "".join(files[n] for n in files if n != "opencagedata")
    # `config["base_url"]` says only that it is an address: grouped by the library, by
    # function, since `requests.*` would take stripe.yaml's call.
    assert '  - call: "app.billing.discovery"\n' in files["requests"]
    assert "Address from" not in files["requests"]
    note = "# Address from settings.PAYMENT_API_URL, not in the code: by function."
    assert note in files["payment"]
    assert '  - call: "app.billing.charge"\n  # app/billing.py:17:' in files["payment"]
    assert '  - call: "app.billing.refund"\n' in files["payment"]
    assert "# Address from $HOOK_URL" in files["hook"]
    # The cache's client is made from $CACHE_URL: the call through it is listed, not the client.
    assert "# app/billing.py:25: CACHE.get(key)" in files["cache"]
    assert "redis.from_url" not in files["cache"]
    assert "(cache: 1 call site)" in result.stderr
    assert files["github"].count("  - url: ") == 3
    hosts = "Hosts of one vendor: api.github.com, github.com, raw.githubusercontent.com"
    assert hosts in files["github"]
    assert '  - url: "https://connect.stripe.com/*"' in files["stripe"]
    assert "stripe.Customer.retrieve(key)" in files["stripe"]
    # Literal timeouts are the code's, not a decision: each is marked for a person to confirm.
    for name in ("payment", "github", "stripe", "aws-s3"):
        assert "  timeout: {" in files[name]
        assert "# from the code: confirm" in files[name].split("  timeout: {", 1)[1].split("\n")[0]
    assert "policies: {}  # TODO" in files["hook"]
    codes = lint_codes(tmp_path)
    assert not {"FM001", "FM002", "FM104", "FM201"} & set(codes)


SOURCES = """\
import os

import environ
import redis
import requests
from django.conf import settings
from flask import current_app

from app.settings import SEARCH_URL

env = environ.Env()


def a():
    return requests.get(current_app.config["BILLING_URL"], timeout=1)


def b():
    return requests.get(os.environ.get("AUDIT_ENDPOINT"), timeout=1)


def c():
    return requests.get(env("MAPS_BASE_URL") + "/tiles", timeout=1)


def d():
    return requests.get(SEARCH_URL, timeout=1)


def e():
    return requests.get(settings.get("WEATHER_API"), timeout=1)


def f():
    return redis.Redis(host=settings.QUEUE_REDIS_HOST, socket_timeout=1).ping()


def g():
    return requests.get(settings.URL, timeout=1)  # only an address: grouped by the library
"""


def test_the_forms_of_settings_and_variables(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "views.py").write_text(SOURCES)
    result = run_fmcat("init", cwd=tmp_path)
    assert result.code == 0, result.stderr
    catalog = tmp_path / "failure-modes"
    files = {p.stem: p.read_text(encoding="utf-8") for p in catalog.glob("*.yaml")}
    assert sorted(files) == [
        "audit",
        "billing",
        "maps",
        "queue-redis",
        "requests",
        "search",
        "weather",
    ]
    assert "# Address from config.BILLING_URL" in files["billing"]
    assert "# Address from $AUDIT_ENDPOINT" in files["audit"]
    assert "# Address from $MAPS_BASE_URL" in files["maps"]
    assert "# Address from settings.SEARCH_URL" in files["search"]
    assert "# Address from settings.WEATHER_API" in files["weather"]
    # The only redis client: attributed by the library.
    assert '  - call: "redis.*"' in files["queue-redis"]
    # The ping() is listed, not the client it is sent through.
    assert (
        "# app/views.py:35: redis.Redis(host=settings.QUEUE_REDIS_HOST, socket_timeout=1).ping()"
        in (files["queue-redis"])
    )
    assert files["queue-redis"].count("# app/views.py:") == 1
    assert '  - call: "app.views.g"' in files["requests"]
    assert "Address from" not in files["requests"]
    assert not {"FM001", "FM002", "FM104", "FM201"} & set(lint_codes(tmp_path))


def test_existing_files_are_never_overwritten(tmp_path: Path) -> None:
    project = shop_code(tmp_path)
    catalog = project / "failure-modes"
    catalog.mkdir()
    mine = "dependency: cache\nowner: team-platform\nkind: cache\ncriticality: degradable\n"
    (catalog / "redis.yaml").write_text(mine)
    result = run_fmcat("init", cwd=project)
    assert result.code == 0, result.stderr
    assert (catalog / "redis.yaml").read_text() == mine
    assert "fmcat: skipped failure-modes/redis.yaml: the file exists" in result.stderr
    assert "wrote failure-modes/pika.yaml" in result.stderr
    assert "wrote failure-modes/redis.yaml" not in result.stderr
    # A second run finds every call in the catalog but redis's, which it still cannot write.
    before = tree(catalog)
    again = run_fmcat("init", cwd=project)
    assert again.code == 0, again.stderr
    assert tree(catalog) == before
    assert "wrote" not in again.stderr
    assert "fmcat: skipped failure-modes/redis.yaml: the file exists" in again.stderr
    assert "every call site is in the catalog" not in again.stderr


def test_a_second_run_adds_nothing(tmp_path: Path) -> None:
    project = shop_code(tmp_path)
    assert run_fmcat("init", cwd=project).code == 0
    before = tree(project / "failure-modes")
    for flags in ((), ("--update",)):
        again = run_fmcat("init", *flags, cwd=project)
        assert again.code == 0, again.stderr
        assert "every call site is in the catalog already; nothing to add" in again.stderr
        assert tree(project / "failure-modes") == before


def test_path_and_catalog_options(tmp_path: Path) -> None:
    project = shop_code(tmp_path / "svc")
    result = run_fmcat("init", "svc", "--catalog", "svc/ops/catalog", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert "wrote svc/ops/catalog/redis.yaml (redis: 3 call sites)" in result.stderr
    assert not (project / "failure-modes").exists()
    # Call sites are shown relative to the project, wherever fmcat runs from.
    assert "# shop/cache.py:38: " in (project / "ops/catalog/redis.yaml").read_text()


# -- --update --------------------------------------------------------------------------------

HAND_WRITTEN = """\
# Product listings cache. Written by hand; keep the order below, SRE reads it top-down.
owner: team-platform   # before the id, on purpose
dependency: redis
criticality: degradable
kind: cache
match:
  # the listing read only, for now (see ADR-12)
  - call: 'shop.cache.ProductCache.get_products'   # quoted with single quotes

# agreed with SRE in March
policies:
  fallback: Read the listing from orders-db
  timeout: {connect: 100ms, read: 50ms}
failure_modes:
  - title: Redis is down
    id: down   # title first
    detection: {alert: ProductCacheDown}
    response:
      steps: [Check the Redis dashboard]
# end of file
"""


def test_update_keeps_what_the_user_wrote(tmp_path: Path) -> None:
    project = shop_code(tmp_path)
    catalog = project / "failure-modes"
    catalog.mkdir()
    (catalog / "redis.yaml").write_text(HAND_WRITTEN)
    # Without --update the file is left alone and the user is told how to add to it.
    plain = run_fmcat("init", cwd=project)
    assert plain.code == 0, plain.stderr
    assert (catalog / "redis.yaml").read_text() == HAND_WRITTEN
    assert (
        "skipped 3 call sites for redis: failure-modes/redis.yaml has that dependency "
        "(fmcat init --update adds them to it)"
    ) in plain.stderr
    update = run_fmcat("init", "--update", cwd=project)
    assert update.code == 0, update.stderr
    assert "added 1 match rule for 3 call sites to failure-modes/redis.yaml" in update.stderr
    text = (catalog / "redis.yaml").read_text()
    assert_golden(EXPECTED / "init.update" / "redis.yaml", text)
    # Only lines were added: comments, key order, quoting and blank lines stay as written.
    assert is_insertion(HAND_WRITTEN, text)
    assert "wrote" not in update.stderr  # the other files were written by the first run
    codes = lint_codes(project)
    assert not {"FM001", "FM002", "FM104", "FM201"} & set(codes)


def test_update_lists_new_call_sites_and_adds_new_dependencies(tmp_path: Path) -> None:
    project = shop_code(tmp_path)
    assert run_fmcat("init", cwd=project).code == 0
    catalog = project / "failure-modes"
    before = tree(catalog)
    with (project / "shop" / "cache.py").open("a") as handle:
        handle.write(
            "\n\ndef warm() -> None:\n"
            "    client = redis.Redis(socket_timeout=1)\n"
            "    client.ping()  # fmcat: ignore[FM103]\n"
        )
    (project / "shop" / "geo.py").write_text(
        "import httpx\n\n\ndef locate(ip: str) -> object:\n"
        '    return httpx.get(f"https://geo.example.com/ip/{ip}", timeout=2).json()\n'
    )
    result = run_fmcat("init", "--update", cwd=project)
    assert result.code == 0, result.stderr
    # The call, not the client it goes through.
    assert "listed 1 more call site in failure-modes/redis.yaml" in result.stderr
    assert "wrote failure-modes/example.yaml (example: 1 call site)" in result.stderr
    old = before["redis.yaml"].decode()
    new = (catalog / "redis.yaml").read_text()
    assert is_insertion(old, new)
    added = [line for line in new.splitlines() if line not in old.splitlines()]
    assert added == ["  # shop/cache.py:57: client.ping()"]
    assert new.index(added[0]) < new.index('  - call: "redis.*"')
    for name, content in before.items():
        if name != "redis.yaml":
            assert (catalog / name).read_bytes() == content, name
    geo = (catalog / "example.yaml").read_text()
    assert '  - url: "https://geo.example.com/*"' in geo
    assert "  timeout: {connect: 2s, read: 2s}" in geo
    # And once more: nothing new, nothing written.
    after = tree(catalog)
    again = run_fmcat("init", "--update", cwd=project)
    assert again.code == 0, again.stderr
    assert tree(catalog) == after
    assert not {"FM001", "FM002", "FM104", "FM201"} & set(lint_codes(project))


def test_update_adds_a_vendors_new_host_to_its_file(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    code = tmp_path / "app" / "repos.py"
    code.write_text(
        "import requests\n\n\ndef repos():\n"
        '    return requests.get("https://api.github.com/user/repos", timeout=3)\n'
    )
    catalog = tmp_path / "failure-modes"
    catalog.mkdir()
    mine = (
        "# Ours, by hand.\n"
        "owner: team-tools  # first, on purpose\n"
        "dependency: source-control\n"
        "kind: http\n"
        "criticality: degradable\n"
        "match:\n"
        "  - url: 'https://api.github.com/*'  # the REST API\n"
        "policies: {fallback: show the cached list}\n"
    )
    (catalog / "scm.yaml").write_text(mine)
    with code.open("a") as handle:  # a new call, to another of its hosts
        handle.write(
            "\n\ndef readme():\n"
            '    return requests.get("https://raw.githubusercontent.com/o/r/README", timeout=2)\n'
        )
    result = run_fmcat("init", "--update", cwd=tmp_path)
    assert result.code == 0, result.stderr
    # Another of GitHub's hosts joins the file that has GitHub's calls, whatever its name.
    assert "added 1 match rule for 1 call site to failure-modes/scm.yaml" in result.stderr
    assert sorted(p.name for p in catalog.glob("*.yaml")) == ["scm.yaml"]
    text = (catalog / "scm.yaml").read_text()
    assert is_insertion(mine, text)
    added = [line for line in text.splitlines() if line not in mine.splitlines()]
    assert added == [
        '  # app/repos.py:9: requests.get("https://raw.githubusercontent.com/o/r/README", '
        "timeout=2)",
        '  - url: "https://raw.githubusercontent.com/*"',
    ]
    assert not {"FM001", "FM002", "FM104", "FM201"} & set(lint_codes(tmp_path))


def test_update_appends_to_a_flow_style_match_list(tmp_path: Path) -> None:
    project = shop_code(tmp_path)
    catalog = project / "failure-modes"
    catalog.mkdir()
    text = (
        "dependency: redis\nowner: team-platform\nkind: cache\ncriticality: degradable\n"
        "match: [{call: shop.cache.ProductCache.get_products}]  # one for now\n"
        "policies: {fallback: orders-db}\n"
    )
    (catalog / "redis.yaml").write_text(text)
    result = run_fmcat("init", "--update", cwd=project)
    assert result.code == 0, result.stderr
    new = (catalog / "redis.yaml").read_text()
    assert (
        'match: [{call: shop.cache.ProductCache.get_products}, {call: "redis.*"}]  # one for now'
        in new
    )
    # The call sites go above the key, as a flow list cannot hold comments; the client they
    # go through (shop/cache.py:23) is not a call, and is not listed.
    assert "# shop/cache.py:38: self._redis.get(" in new.split("match:")[0]
    assert "shop/cache.py:23" not in new
    assert not {"FM001", "FM002", "FM104"} & set(lint_codes(project))


def test_new_rules_do_not_take_calls_other_files_claim(tmp_path: Path) -> None:
    project = shop_code(tmp_path)
    catalog = project / "failure-modes"
    catalog.mkdir()
    zcache = (
        "dependency: zcache\nowner: team-platform\nkind: cache\ncriticality: degradable\n"
        'match:\n  - call: "shop.cache.*"\n'
    )
    (catalog / "zcache.yaml").write_text(zcache)
    (project / "shop" / "stats.py").write_text(
        'import redis\n\n\ndef hits():\n    return redis.Redis(socket_timeout=1).get("hits")\n'
    )
    result = run_fmcat("init", cwd=project)
    assert result.code == 0, result.stderr
    # redis.yaml sorts before zcache.yaml: `redis.*` would take shop/cache.py's calls from it.
    redis = (catalog / "redis.yaml").read_text()
    assert '  - call: "shop.stats.hits"\n' in redis
    assert "redis.*" not in redis
    assert (catalog / "zcache.yaml").read_text() == zcache
    assert not {"FM001", "FM002", "FM104", "FM201"} & set(lint_codes(project))


def test_update_refreshes_the_schema_file(tmp_path: Path) -> None:
    project = shop_code(tmp_path)
    assert run_fmcat("init", cwd=project).code == 0
    schema = project / "failure-modes" / ".schema.json"
    schema.write_text("{}\n")
    assert run_fmcat("init", cwd=project).code == 0
    assert schema.read_text() == "{}\n"  # plain init never writes over a file
    result = run_fmcat("init", "--update", cwd=project)
    assert result.code == 0, result.stderr
    assert schema.read_text() == catalog_schema_text()
    assert "wrote failure-modes/.schema.json" in result.stderr


# -- bad input -------------------------------------------------------------------------------


def test_a_path_that_does_not_exist(tmp_path: Path) -> None:
    result = run_fmcat("init", "nope", cwd=tmp_path)
    assert result.code == 2
    assert result.stderr == "fmcat: error: nope: no such folder\n"
    assert list(tmp_path.iterdir()) == []


def test_a_file_is_not_a_project(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("import requests\nrequests.get('https://x.example.com/')\n")
    result = run_fmcat("init", "app.py", cwd=tmp_path)
    assert result.code == 2
    assert "app.py: not a folder; fmcat init takes the service's folder" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.py"]


def test_no_external_calls(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("import json\nprint(json.dumps({}))\n")
    result = run_fmcat("init", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert result.stdout == ""
    assert "no external calls found in 1 Python file, so there is nothing to write" in (
        result.stderr
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.py"]


def test_a_catalog_with_errors_is_not_guessed_around(tmp_path: Path) -> None:
    project = shop_code(tmp_path)
    catalog = project / "failure-modes"
    catalog.mkdir()
    (catalog / "broken.yaml").write_text("dependency: [unclosed\n")
    result = run_fmcat("init", "--update", cwd=project)
    assert result.code == 2
    assert "the catalog has errors" in result.stderr
    assert "failure-modes/broken.yaml:1:" in result.stderr and "FM001" in result.stderr
    assert sorted(p.name for p in catalog.iterdir()) == ["broken.yaml"]


def test_an_unwritable_catalog_folder(shared_tmp: Path) -> None:
    project = shop_code(shared_tmp / "svc")
    for path in [project, *project.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    catalog = project / "failure-modes"
    catalog.mkdir()
    catalog.chmod(0o555)
    result = run_unprivileged("init", cwd=project)
    assert result.code == 2, result.stderr
    assert result.stderr.startswith("fmcat: error: cannot write failure-modes/")
    assert "Permission denied; nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(catalog.iterdir()) == []


def test_a_catalog_folder_that_cannot_be_made(shared_tmp: Path) -> None:
    project = shop_code(shared_tmp / "svc")
    for path in [project, *project.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    project.chmod(0o555)
    result = run_unprivileged("init", cwd=project)
    assert result.code == 2, result.stderr
    assert result.stderr == (
        "fmcat: error: cannot create the catalog folder failure-modes: Permission denied\n"
    )
    assert not (project / "failure-modes").exists()


# -- the pieces ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "prefix", "host"),
    [
        ("https://api.example.com/v1/charges", False, "api.example.com"),
        ("https://api.example.com/v1/", True, "api.example.com"),
        ("https://api.example", True, None),  # an f-string's head: the host may go on
        ("https://API.Example.com:8443", False, "api.example.com"),
        ("postgresql://u:p@db.internal:5432/app", False, "db.internal"),
        ("postgresql:///app", False, None),
        ("smtp.example.com", False, "smtp.example.com"),
        ("smtp.", True, None),
        ("host=db.internal dbname=app", False, "db.internal"),
        ("", True, None),
        (None, False, None),
    ],
)
def test_host_of(url: str | None, prefix: bool, host: str | None) -> None:
    assert host_of(url, prefix) == host


@pytest.mark.parametrize(
    ("host", "vendor"),
    [
        ("api.stripe.com", "stripe"),
        ("files.stripe.com", "stripe"),
        ("github.com", "github"),
        ("raw.githubusercontent.com", "github"),
        ("www.bbc.co.uk", "bbc"),  # a two-label public suffix
        ("api.service.com.au", "service"),
        ("s3.amazonaws.com", "aws-s3"),  # one provider, many services: the service is kept
        ("bucket.s3.eu-west-1.amazonaws.com", "aws-s3"),  # the region is dropped
        ("sqs.us-gov-west-1.amazonaws.com", "aws-sqs"),
        ("storage.googleapis.com", "google-storage"),
        ("www.googleapis.com", "google"),
        ("ec.europa.eu", "europa-ec"),
        ("www.ecb.europa.eu", "europa-ecb"),
        ("www.gov.uk", "gov-uk"),
        ("redis.default.svc.cluster.local", "redis"),  # internal: the leftmost label
        ("db.internal", "db"),
        ("localhost", "localhost"),
        ("10.0.0.7", "10.0.0.7"),
        ("co.uk", "co.uk"),
    ],
)
def test_vendor_of(host: str, vendor: str) -> None:
    assert vendor_of(host) == vendor


@pytest.mark.parametrize(
    ("source", "slug"),
    [
        ("settings.PAYMENT_API_URL", "payment"),
        ("$CACHE_URL", "cache"),
        ("settings.redis.url", "redis"),
        ("config.ELASTICSEARCH_HOSTS", "elasticsearch"),
        ("$DATABASE_URL", "database"),
        ("settings.URL", "url"),
    ],
)
def test_source_slug(source: str, slug: str) -> None:
    assert source_slug(source) == slug


def test_url_patterns_and_secrets() -> None:
    assert url_pattern("https://api.example.com/v1") == "https://api.example.com/*"
    assert url_pattern("redis://:pw@cache:6379/0") == "redis://*@cache:6379/*"
    assert url_pattern("smtp.example.com") == "smtp.example.com"
    assert mask_secrets('connect("postgresql://u:pw@h/db")') == 'connect("postgresql://u:***@h/db")'
    assert mask_secrets("connect('host=h password=pw port=5')") == (
        "connect('host=h password=*** port=5')"
    )
    assert slugify("API.Example.com") == "api.example.com"
    assert slugify("kafka-python") == "kafka-python"
    assert slugify("::1") == "1"
    assert slugify("--") == "dependency"


EDIT = Edit([NewRule("call", "b.*", ["p.py:1: b()"])], {0: ["p.py:2: a()"]})


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            'dependency: x\nmatch:\n  - call: "a.*"\n    # in the item\n'
            "\n# about owner\nowner: t\n",
            'dependency: x\nmatch:\n  # p.py:2: a()\n  - call: "a.*"\n    # in the item\n'
            '  # p.py:1: b()\n  - call: "b.*"\n\n# about owner\nowner: t\n',
            id="block",
        ),
        pytest.param(
            'dependency: x\r\nmatch:\r\n- call: "a.*"\r\nowner: t\r\n',
            'dependency: x\r\nmatch:\r\n# p.py:2: a()\r\n- call: "a.*"\r\n# p.py:1: b()\r\n'
            '- call: "b.*"\r\nowner: t\r\n',
            id="crlf-and-zero-indent",
        ),
        pytest.param(
            'dependency: x\nmatch:\n  - call: "a.*"',
            'dependency: x\nmatch:\n  # p.py:2: a()\n  - call: "a.*"\n  # p.py:1: b()\n'
            '  - call: "b.*"\n',
            id="no-newline-at-end",
        ),
        pytest.param(
            "dependency: x\nowner: t\nnotes: |\n  text\n# end\n",
            'dependency: x\nowner: t\nnotes: |\n  text\nmatch:\n  # p.py:1: b()\n  - call: "b.*"\n'
            "# end\n",
            id="no-match-yet",
        ),
        pytest.param(
            'dependency: x\nmatch: [{call: "a.*"}, "y]" ]  # note\n',
            "dependency: x\n# p.py:1: b()\n# p.py:2: a()\n"
            'match: [{call: "a.*"}, "y]", {call: "b.*"} ]  # note\n',
            id="flow",
        ),
        pytest.param(
            "dependency: x\nmatch: [\n  {call: 'a''s'},\n]\n",
            "dependency: x\n# p.py:1: b()\n# p.py:2: a()\nmatch: [\n  {call: 'a''s'}, "
            '{call: "b.*"}\n]\n',
            id="flow-multiline",
        ),
    ],
)
def test_edits_insert_lines(before: str, after: str) -> None:
    assert apply(before, EDIT) == after


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("{dependency: x, match: []}\n", id="flow-mapping"),
        pytest.param("dependency: x\nmatch: {call: a}\n", id="match-not-a-list"),
        # Inserting after a `|+` scalar would add to the text it keeps: refused, not corrupted.
        pytest.param("dependency: x\nnotes: |+\n  text\n\n", id="keep-chomping"),
    ],
)
def test_edits_that_would_rewrite_are_refused(text: str) -> None:
    with pytest.raises(EditError):
        apply(text, EDIT)
