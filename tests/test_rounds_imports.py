"""Which files the whole-project rounds parse: those whose imports reach a module that defines a
derived client (rounds.DerivedModules), read from their bytes (prefilter.bound_imports), with
relative imports resolved against the file's own package.

A file of another package with a module of the same last name (`from .sensor import x` beside
its own sensor.py) is not parsed; every form of import the analysis follows still is, and its
calls are judged.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from fmcat.lint import knowledge
from fmcat.paths import display_path
from fmcat.scan.analyze import analyze
from fmcat.scan.engine import ScanOptions, scan
from fmcat.scan.files import module_name
from fmcat.scan.knowledge import KnowledgeBase, builtin
from fmcat.scan.prefilter import ascii_text, bound_imports
from fmcat.scan.project import derive
from fmcat.scan.reach import file_key
from fmcat.scan.rounds import DerivedModules
from tests.conftest import run_fmcat, write


def imports(source: str, module: str = "top.pkg.mod", is_package: bool = False) -> list[str]:
    return sorted(bound_imports(ascii_text(source.encode()), module, is_package))


def test_imports_read_from_the_bytes_in_every_form() -> None:
    source = (
        "import os, a.b.c as d\n"
        "import x.y\n"
        "from . import sensor, util as u\n"
        "from ..pkg.mod import (\n"
        "    one,  # a comment (with brackets)\n"
        "    two as three,\n"
        ")\n"
        "from .x import *; import z\n"
        "try: from q.r import s\n"
        "except ImportError: pass\n"
        "from \\\n  .deep \\\n  import t\n"
        "from m import a, \\\n   b\n"
        "from  .  .  import   v\n"
        "from.w import k\n"
        "raise E from e\n"
    )
    assert imports(source) == [
        "a.b.c", "m.a", "m.b", "os", "q.r.s", "top.pkg.deep.t", "top.pkg.mod.one",
        "top.pkg.mod.two", "top.pkg.sensor", "top.pkg.util", "top.pkg.w.k", "top.pkg.x",
        "top.v", "x", "z",
    ]  # fmt: skip
    # In a package's __init__.py, `.` is the package itself; past the top, the name alone.
    assert imports("from .sensor import get\n", "top.pkg", True) == ["top.pkg.sensor.get"]
    assert imports("from ...sensor import get\n", "top.pkg", False) == ["sensor.get"]
    # Identifiers as Python reads them (NFKC), in a file that is not ASCII.
    assert imports("from .\uff53ensor import \uff47et\n", "a.b", True) == ["a.b.sensor.get"]


def test_a_string_that_looks_like_an_import_hides_no_real_one() -> None:
    source = 's = "from w import ("\nfrom .sensor import get\nf(1)\n'
    assert "top.pkg.sensor.get" in imports(source)
    # A comment's `)` does not close the brackets.
    source = "from a import (  # see f()\n    b,\n)\n"
    assert imports(source) == ["a.b"]


def real_files() -> list[Path]:
    root = Path(__file__).resolve().parents[1]
    return sorted((root / "src").rglob("*.py")) + sorted(
        (root / "tests" / "projects").rglob("*.py")
    )


@pytest.mark.parametrize("path", real_files()[::7], ids=lambda p: p.name)
def test_every_import_the_analysis_reads_is_covered(path: Path, kb: KnowledgeBase) -> None:
    """On real files: each name the analysis records as imported is a name bound_imports
    gives, or inside one (`a.b.c` of `import a.b.c`, which binds a)."""
    source = path.read_bytes()
    module, is_package = module_name(path)
    facts = analyze(source, str(path), module, kb)
    if facts.parse_error is not None:
        pytest.skip(f"not parsable: {facts.parse_error.message}")
    bound = bound_imports(ascii_text(source), module, is_package)
    missing = [
        name
        for name in facts.summary.imports
        if not any(name == b or name.startswith(b + ".") for b in bound)
    ]
    assert not missing, f"{path}: {missing} not in {sorted(bound)}"


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    from fmcat.config import find_project

    return knowledge(find_project(tmp_path))


def test_which_imports_reach_a_derived_entry() -> None:
    entries = {"shop.lib.curl.get": "shop.lib.curl", "shop.lib.curl.Api.post": "shop.lib.curl"}
    derived = DerivedModules.of(entries, {"shop", "requests", "os"})
    reached = [
        ["shop.lib.curl.get"],  # from shop.lib.curl import get
        ["shop.lib.curl.Api"],  # a class that holds an entry
        ["shop.lib.curl"],  # from shop.lib import curl; import shop.lib.curl as c
        ["shop"],  # import shop.lib.curl (binds shop)
        ["shop.lib"],  # from shop import lib
        ["lib.curl.get"],  # a shorter name: the folder above on sys.path
        ["lib"],  # import lib.curl
        ["curl"],
    ]
    assert [names for names in reached if not derived.reached(names)] == []
    not_reached = [
        ["shop.lib.curl.HEADERS"],  # a name of the module that is no entry
        ["shop.lib.other"],
        ["shop.curl"],
        ["requests.curl"],
        ["os.path"],
        ["x.curl"],
    ]
    assert [names for names in not_reached if derived.reached(names)] == []
    # A package folder whose name Python cannot import (`my-app/`) is still reached from inside.
    dashed = DerivedModules.of({"my-app.sensor.get": "my-app.sensor"}, set())
    assert dashed.reached(bound_imports(b"from .sensor import get\n", "my-app.view", False))


# -- the rounds, on a project --------------------------------------------------------------

SENSOR = """\
import requests

HEADERS = {"accept": "application/json"}


def get(url, timeout=None):
    return requests.get(url, timeout=timeout)
"""

#: Each file that calls pkg_a.sensor.get, by another form of import.
CONSUMERS = {
    "top/pkg_a/plain.py": "from top.pkg_a.sensor import get\n\nget('https://x')\n",
    "top/pkg_a/relative.py": "from .sensor import get\n\nget('https://x')\n",
    "top/pkg_a/module.py": "from . import sensor\n\nsensor.get('https://x')\n",
    "top/pkg_c/deeper.py": "from ..pkg_a.sensor import get\n\nget('https://x')\n",
    "top/pkg_c/aliased.py": "import top.pkg_a.sensor as s\n\ns.get('https://x')\n",
    "top/pkg_c/dotted.py": "import top.pkg_a.sensor\n\ntop.pkg_a.sensor.get('https://x')\n",
    "top/pkg_c/brackets.py": (
        "from top.pkg_a import (\n    other,  # (not this one)\n    sensor,\n)\n\n"
        "sensor.get('https://x')\n"
    ),
    "top/pkg_c/semicolon.py": "import os; from top.pkg_a.sensor import get\n\nget(os.sep)\n",
    "top/pkg_c/continued.py": ("from top.pkg_a.sensor \\\n    import get\n\nget('https://x')\n"),
}


def project(tmp_path: Path) -> Path:
    files = {
        "top/__init__.py": "",
        "top/pkg_a/__init__.py": "",
        "top/pkg_a/sensor.py": SENSOR,
        "top/pkg_a/other.py": "",
        "top/pkg_b/__init__.py": "",
        # Its own sensor module, which defines no client: not parsed, nor is its importer.
        "top/pkg_b/sensor.py": "def get(x):\n    return x\n",
        "top/pkg_b/view.py": "from .sensor import get\n\nget('https://x')\n",
        # A name of the module that is no client: it reaches nothing.
        "top/pkg_c/constant.py": "from top.pkg_a.sensor import HEADERS\n\nprint(HEADERS)\n",
        "top/pkg_c/__init__.py": "",
        **CONSUMERS,
    }
    return write(tmp_path, files)


def test_a_module_of_the_same_name_elsewhere_is_not_parsed(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    root = project(tmp_path).resolve()
    result = scan(ScanOptions(paths=(root,), root=root, use_cache=False), kb, display_path)
    have_facts = sorted(Path(f.path).relative_to(root).as_posix() for f in result.files)
    assert have_facts == sorted(["top/pkg_a/sensor.py", *CONSUMERS]), have_facts
    assert result.parsed == 1 + len(CONSUMERS)


def test_every_form_of_import_is_judged_through_the_cli(tmp_path: Path) -> None:
    root = project(tmp_path)
    run = run_fmcat("lint", ".", "-f", "json", "--no-cache", cwd=root, timeout=300)
    assert run.code == 1, run.stderr
    found = json.loads(run.stdout)
    calls = sorted((f["path"], f["code"]) for f in found["findings"] if f["code"] == "FM101")
    assert calls == sorted((path, "FM101") for path in CONSUMERS), calls


def test_the_rounds_read_each_left_out_file_once(tmp_path: Path, kb: KnowledgeBase) -> None:
    """A two-level wrapper chain takes two rounds that add modules; the five files that
    import neither are read once, by the per-file phase, not again in each round."""
    files = {
        "app/__init__.py": "",
        "app/lib.py": SENSOR,
        "app/mid.py": "from .lib import get\n\n\ndef fetch(url):\n    return get(url)\n",
        "app/top.py": "from .mid import fetch\n\nfetch('https://x')\n",
        **{f"app/other{n}.py": "import os\n\nos.getcwd()\n" for n in range(5)},
    }
    root = write(tmp_path, files).resolve()
    result = scan(ScanOptions(paths=(root,), root=root, use_cache=False), kb, display_path)
    # Nine files read once each; mid.py and top.py once more, each to be parsed in its round.
    assert (result.read, result.opened, result.parsed) == (9, 11, 3)
    top = next(f for f in result.files if f.path.endswith("top.py"))
    assert [(s.qualname, s.timeout.value) for s in top.sites] == [("app.mid.fetch", "elsewhere")]


def test_an_entry_a_later_round_adds_to_a_known_module_is_followed(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    """pkg.a.later wraps pkg.b.get, known as a client only after round 1: a file that imports
    it, held in round 1 against pkg.a's entries then (not `later`), is parsed in round 2."""
    files = {
        "pkg/__init__.py": "",
        "pkg/a.py": (
            "import requests\n\nfrom pkg.b import get\n\n\n"
            "def first(url, timeout=None):\n    return requests.get(url, timeout=timeout)\n\n\n"
            "def later(url, timeout=None):\n    return get(url, timeout=timeout)\n"
        ),
        "pkg/b.py": SENSOR,
        "pkg/c.py": "from pkg.a import later\n\nlater('https://x')\n",
    }
    root = write(tmp_path, files).resolve()
    result = scan(ScanOptions(paths=(root,), root=root, use_cache=False), kb, display_path)
    c = next(f for f in result.files if f.path.endswith("c.py"))
    assert [(s.qualname, s.timeout.value) for s in c.sites] == [("pkg.a.later", "missing")]


def test_file_key_is_the_digest_of_the_reached_entries_dumps() -> None:
    """reach.file_key keeps each library's dump as text (not its dicts), and its digest is
    still that of ``json.dumps([dumps, instances], sort_keys=True)``: the derived keys that
    a cache holds from before stay valid."""
    kb = builtin()
    wrapper = analyze(
        b"import requests\n\ndef get(url, timeout=None):\n"
        b"    return requests.get(url, timeout=timeout)\n\nHTTP = requests.Session()\n",
        "shop/curl.py",
        "shop.curl",
        kb,
    )
    other = analyze(
        b"import requests\n\ndef post(url, timeout=None):\n"
        b"    return requests.post(url, timeout=timeout)\n",
        "shop/net.py",
        "shop.net",
        kb,
    )
    caller = analyze(
        b"from shop import curl, net\n\ndef f():\n    curl.get('http://x/')\n"
        b"    net.post('http://y/')\n    curl.HTTP.get('y')\n",
        "shop/views.py",
        "shop.views",
        kb,
    )
    derived = derive([wrapper, other, caller], kb)
    assert [lib.modules[-1] for lib in derived.libraries] == ["shop.curl", "shop.net"]
    assert derived.instances == {"shop.curl.HTTP": "requests.Session"}
    dumps = [lib.model_dump(mode="json") for lib in derived.libraries]
    text = json.dumps([dumps, derived.instances], sort_keys=True)
    expected = hashlib.blake2b(text.encode(), digest_size=12).hexdigest()
    assert file_key(derived, caller) == expected
    assert file_key(derived, wrapper) == ""  # its own entries are joined in the file
