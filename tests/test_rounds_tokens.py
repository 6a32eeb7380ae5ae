"""A round's second look at the files whose imports reach an entry it adds (rounds.RoundFilter):
a file that imports a derived client only to annotate parameters it hands on (a generated SDK's
`def __init__(self, version: Version): super().__init__(version)`) is not parsed; any file that
calls through the name, binds it, subclasses it or returns it still is, and is judged.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fmcat.lint import knowledge
from fmcat.paths import display_path
from fmcat.scan.engine import ScanOptions, scan
from fmcat.scan.knowledge import KnowledgeBase
from fmcat.scan.prefilter import inert
from fmcat.scan.tokens import scan_tokens
from tests.conftest import write


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    from fmcat.config import find_project

    return knowledge(find_project(tmp_path))


def test_annotations_and_their_targets_are_read_from_the_tokens() -> None:
    source = (
        "from sdk.version import Version\n"
        "x: Version = make()\n"
        "self.v: Other = 1\n"
        "def f(self, version: Version, d: Dict[str, Q] = {}, *a: W, g=lambda z: L) -> R:\n"
        "    super().__init__(version)\n"
        "    y = {1: D}\n"
        "    f = lambda: M\n"
        "class C(B):\n"
        "    t: T\n"
    )
    facts = scan_tokens(source.encode())
    assert facts.annotating == {
        "Version": {"version", "x"},
        "Other": {""},  # an attribute's: not followed
        "Dict": {"d"},
        "str": {"d"},
        "Q": {"d"},
        "W": {"a"},
        "R": {""},  # a return's
        "T": {"t"},
    }
    # A lambda's body, a dict's value, a default and a base are read outside annotations.
    assert {"L", "M", "D", "B", "version"} <= facts.unannotated
    assert not {"Version", "Other", "Q", "R", "T"} & facts.unannotated
    # A dict's value is bound with the dict (the analysis reads it); an annotation is not.
    assert "D" in facts.bare and "Version" not in facts.bare


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("def f(version: Version):\n    super().__init__(version)\n", True),
        ("", True),  # imported and never read: a re-export
        ("def f(version: Version):\n    version.fetch()\n", False),
        ("def f(version: Version):\n    self._version = version\n", False),
        ("def f(version: Version):\n    return version\n", False),
        ("def f(version: Version):\n    g(v := version)\n", False),
        ("def f(version: Version):\n    g({'v': version})\n", False),
        ("def f(version: Version):\n    version()\n", False),
        ("def f(version: 'Version'):\n    pass\n", True),  # a string annotation too
        ("cast('Version', x)\n", False),  # a string elsewhere: not followed here
        ("def f(version: Version):\n    self.version.fetch()\n", False),
        ("class C:\n    version: Version\n    def f(self):\n        self.version.fetch()\n", False),
        ("def f() -> Version:\n    pass\n", False),  # calling f gives a client
        ("class V1(Version):\n    pass\n", False),  # a subclass is a client
        ("x = Version()\n", False),
        ("x = Version\n", False),
        ("isinstance(x, Version)\n", False),  # read outside an annotation: not followed here
    ],
)
def test_which_imported_names_are_inert(body: str, expected: bool) -> None:
    facts = scan_tokens(f"from sdk.version import Version\n{body}".encode())
    assert inert(facts, "Version") is expected, body


VERSION = """\
import requests


class Version:
    def fetch(self, url, timeout=None):
        return requests.get(url, timeout=timeout)
"""

#: Files that import sdk.version.Version, by what they do with it, and whether they are parsed.
USERS = {
    # Annotates a parameter it hands to its base class: no call goes through it.
    "sdk/handed_on.py": (
        "from sdk.version import Version\nfrom sdk.base import Base\n\n\n"
        "class Resource(Base):\n    def __init__(self, version: Version):\n"
        "        super().__init__(version)\n"
    ),
    # A re-export: never read.
    "sdk/reexport/__init__.py": "from sdk.version import Version\n",
    "sdk/calls.py": (
        "from sdk.version import Version\n\n\n"
        "def get(version: Version):\n    return version.fetch('https://x')\n"
    ),
    "sdk/bound.py": (
        "from sdk.version import Version\n\n\nclass Resource:\n"
        "    def __init__(self, version: Version):\n        self._version = version\n\n"
        "    def get(self):\n        return self._version.fetch('https://x')\n"
    ),
    "sdk/subclass.py": (
        "from sdk.version import Version\n\n\nclass V1(Version):\n    pass\n\n\n"
        "V1().fetch('https://x')\n"
    ),
    "sdk/made.py": "from sdk.version import Version\n\nVersion().fetch('https://x')\n",
}
LEFT_OUT = {"sdk/handed_on.py", "sdk/reexport/__init__.py"}


def test_a_file_that_only_annotates_with_a_derived_client_is_not_parsed(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    files = {
        "sdk/__init__.py": "",
        "sdk/version.py": VERSION,
        "sdk/base.py": (
            "class Base:\n    def __init__(self, version):\n        self._version = version\n"
        ),
        **USERS,
    }
    root = write(tmp_path, files).resolve()
    result = scan(ScanOptions(paths=(root,), root=root, use_cache=False), kb, display_path)
    have_facts = sorted(Path(f.path).relative_to(root).as_posix() for f in result.files)
    assert have_facts == sorted(["sdk/version.py", *(set(USERS) - LEFT_OUT)]), have_facts
    assert result.parsed == 1 + len(USERS) - len(LEFT_OUT)
    calls = {
        Path(f.path).relative_to(root).as_posix(): sorted(s.qualname for s in f.sites)
        for f in result.files
    }
    for path in set(USERS) - LEFT_OUT:
        assert any(name.endswith(".fetch") for name in calls[path]), (path, calls[path])


#: The per-file phase, on a project that holds a library's own modules (an SDK corpus) and
#: modules that import its client: each file, and whether it is parsed.
PER_FILE = {
    # Defines an entry point (`def create(`), calls none: a definition is no call.
    "stripe/_defines.py": (
        "from stripe._util import sanitize_id\n\n\nclass Thing:\n    @classmethod\n"
        "    def create(cls, **params):\n"
        "        return cls._static_request('post', '/v1/things', params=params)\n"
    ),
    # Calls one of its own entry points: `cls.search(...)` is stripe._calls.Thing.search.
    "stripe/_calls.py": (
        "from stripe._util import sanitize_id\n\n\nclass Thing:\n    @classmethod\n"
        "    def search(cls, **params):\n        return cls._static_request('get', '/v1/x')\n\n"
        "    @classmethod\n    def search_all(cls, **params):\n"
        "        return cls.search(**params)\n"
    ),
    # Takes the client only to hand it to its base class.
    "app/events.py": (
        "from typing import TYPE_CHECKING\n\nfrom app.base import Base\n\n"
        "if TYPE_CHECKING:\n    from stripe import StripeClient\n\n\n"
        "class Notification(Base):\n    def __init__(self, body, client: 'StripeClient'):\n"
        "        super().__init__(body, client)\n"
    ),
    # Calls through the parameter it annotates.
    "app/charges.py": (
        "from stripe import StripeClient\n\n\n"
        "def charge(client: 'StripeClient'):\n    return client.charges.create(amount=1)\n"
    ),
}
PER_FILE_PARSED = {"stripe/_calls.py", "app/charges.py"}


def test_a_definition_or_a_handed_on_annotation_is_no_reason_to_parse(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    files = {"app/__init__.py": "", "app/base.py": "", "stripe/__init__.py": "", **PER_FILE}
    files["stripe/_util.py"] = ""
    root = write(tmp_path, files).resolve()
    result = scan(ScanOptions(paths=(root,), root=root, use_cache=False), kb, display_path)
    have_facts = sorted(Path(f.path).relative_to(root).as_posix() for f in result.files)
    assert have_facts == sorted(PER_FILE_PARSED), have_facts
    assert result.parsed == len(PER_FILE_PARSED)
    sites = {
        Path(f.path).relative_to(root).as_posix(): [s.qualname for s in f.sites]
        for f in result.files
    }
    assert sites == {
        "stripe/_calls.py": ["stripe._calls.Thing.search"],
        "app/charges.py": ["stripe.StripeClient.create"],
    }, sites
