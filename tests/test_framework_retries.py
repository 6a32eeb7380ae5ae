"""The retry-policy pass (fmcat/frameworks/retries.py) on parsed files, in-process.

The end-to-end cases (FM111, FM112 on real projects) are in test_frameworks.py and
test_realworld_causes.py; here the pass's own answers are pinned where they depend on a
function's assignments, and its cost on a long function is bounded.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from fmcat.frameworks import FrameworkOptions, marks, post_pass, retries
from fmcat.frameworks.retries import policies
from fmcat.frameworks.source import Source
from fmcat.scan.facts import FileFacts, RetriedCall, RetryPolicy
from tests.cputime import cpu_time


def found(code: str) -> list[RetryPolicy]:
    source = Source.parse(code.encode(), "rest.py", "rest")
    assert source is not None
    return policies(source)[0]


def shown(code: str) -> list[tuple[int, int | None, str, bool]]:
    return [(p.span.line, p.attempts, p.scope, p.retries_post) for p in found(code)]


LOCAL_CLASSES = """\
from urllib3.util import Retry


class StrictRetry(Retry):
    pass


def both(after):
    if after:
        retry_cls = Retry
    else:
        retry_cls = StrictRetry
    return retry_cls(total=2)


def chosen(after):
    retry_cls = Retry if after else StrictRetry
    return retry_cls(total=3)


def mixed(after):
    retry_cls = Retry if after else dict
    return retry_cls(total=4)


def rebound(after):
    retry_cls = Retry
    retry_cls = dict
    return retry_cls(total=5)


def elsewhere():
    return retry_cls(total=6)


def chained():
    first = second = StrictRetry
    return first(total=7), second(total=8)


retry_cls = Retry
retry_cls(total=9)
"""


def test_a_local_is_a_retry_class_when_every_assignment_in_its_function_is_one() -> None:
    """``retry_cls(...)`` is a urllib3 Retry when each assignment to ``retry_cls`` in its
    function is a Retry class (both arms of an ``if``): not when one is something else, not
    from another function's assignments, and not at module level."""
    assert shown(LOCAL_CLASSES) == [
        (13, 3, "rest.both", False),
        (18, 4, "rest.chosen", False),
        (38, 8, "rest.chained", False),
        (38, 9, "rest.chained", False),
    ]


SPREAD_METHODS = """\
from urllib3.util import Retry


def listed():
    kwargs = {"total": 1, "allowed_methods": ["GET", "POST"]}
    return Retry(**kwargs)


def set_later(old):
    kwargs = {"total": 2}
    if old:
        kwargs["method_whitelist"] = None
    return Retry(**kwargs)


def reads():
    kwargs = {"total": 3}
    return Retry(**kwargs)


def gets_only():
    kwargs = {"total": 4, "allowed_methods": ["GET"]}
    return Retry(**kwargs)
"""


def test_methods_given_in_a_spread_dict_are_read_in_the_same_function() -> None:
    """``Retry(**kwargs)`` re-sends POSTs when its function's ``kwargs`` names POST among
    ``allowed_methods``, or sets ``method_whitelist`` to None (any verb): in the dict literal
    or by a later key; another function's dict is not this one's."""
    assert shown(SPREAD_METHODS) == [
        (6, None, "rest.listed", True),
        (13, None, "rest.set_later", True),
        (18, None, "rest.reads", False),
        (23, None, "rest.gets_only", False),
    ]


def test_the_pass_is_linear_in_a_function_of_thousands_of_local_calls() -> None:
    """Each call of a local name asked the function's assignments by walking the whole
    function again: on a function of 600 assignments and calls that took 48 s of CPU (quadratic:
    1,000 took 138 s). One walk records them; the same file now takes under a second."""
    steps = "".join(f"    step_{n} = make({n})\n    step_{n}(value={n})\n" for n in range(600))
    code = (
        "from urllib3.util import Retry\n\n\ndef build(after):\n"
        f"{steps}    retry_cls = Retry if after else Retry\n    return retry_cls(total=2)\n"
    )
    source = Source.parse(code.encode(), "gen.py", "gen")
    assert source is not None
    with cpu_time() as spent:
        result = policies(source)[0]
    assert [(p.span.line, p.attempts) for p in result] == [(1206, 3)]
    assert spent.seconds < 5, f"{spent.seconds:.1f} s of CPU for 1,200 statements"


KEYED = """\
from urllib3.util.retry import Retry


def session():
    return Retry(total=2, allowed_methods=None), Retry(total=3, allowed_methods=["POST"])


def inject(request):
    request.headers["Idempotency-Key"] = new_key()
"""


def test_the_module_text_is_made_once_and_only_for_a_retry_of_posts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whether a file sets an idempotency header is read from the module's text, which libcst
    regenerates from the whole tree on each ask: 208 times on Home Assistant, 6 s of the
    pass's profile, for files with no Retry at all. It is asked once, where a Retry re-sends
    POSTs."""
    made: list[int] = []
    whole = cst.Module.code

    def counted(module: cst.Module) -> str:
        made.append(1)
        text: str = whole.fget(module)  # type: ignore[attr-defined]
        return text

    monkeypatch.setattr(cst.Module, "code", property(counted))
    source = Source.parse(KEYED.encode(), "rest.py", "rest")
    assert source is not None
    policies_found, retried = policies(source)
    assert [(p.span.line, p.attempts, p.retries_post) for p in policies_found] == [
        (5, 3, True),
        (5, 4, True),
    ]
    assert [(c.span.line, c.has_key) for c in retried] == [(5, True), (5, True)]
    assert len(made) == 1
    made.clear()
    assert shown(LOCAL_CLASSES)  # Retry classes, none of which re-sends POSTs
    assert made == []


@pytest.mark.parametrize(
    ("text", "marked"),
    [
        (
            b"from tenacity import retry, stop_after_attempt\n@retry(stop=stop_after_attempt(2))\n",
            True,
        ),
        (b"import stamina\n@stamina.retry(on=OSError)\n", True),
        (b"import backoff\n@backoff.on_exception(backoff.expo, OSError)\n", True),
        (b"import backoff\n@backoff.on_predicate(backoff.fibo)\n", True),
        (b"from urllib3.util import Retry as R\nR(total=2)\n", True),
        (b"import requests\nRetry = requests.adapters.Retry\n", True),
        (b"from requests.adapters import HTTPAdapter\n", True),
        (b"import stripe\nstripe.max_network_retries = 2\n", True),
        (b"raise ConfigEntryNotReady  # setup is retried\nretry_after = 5\n", False),
        (b"def on_exception(self, error):\n    self.retry()\n", False),
        (b"class Retry(Exception):\n    pass\n", False),
        (b"HTTPAdapter = object\nmax_network_retries = 3\n", False),
    ],
)
def test_only_a_retry_library_s_names_send_a_file_to_the_retry_pass(
    text: bytes, marked: bool
) -> None:
    """The pass knows each policy by its qualified name, so a file it can find one in mentions
    the library and the name's last part. The marker was any ``retry``: Home Assistant's 100
    files that say it (config entries' retries, no retry library) were parsed on every run."""
    assert ("retries" in marks.file_marks(text)) is marked


RELATIVE = """\
from . import retry, stop_after_attempt


@retry(stop=stop_after_attempt(4))
def fetch():
    return 1
"""


def test_the_retry_pass_parses_only_files_of_a_retry_library_or_its_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside tenacity's own package a relative import names ``tenacity.retry``: the file's
    module name supplies the library's name that its text lacks. Files that only say
    ``retry`` are not parsed for this pass."""
    root = tmp_path / "proj"
    (root / "tenacity").mkdir(parents=True)
    (root / "other").mkdir()
    (root / "pyproject.toml").write_text("[tool.fmcat]\n", encoding="utf-8")
    (root / "tenacity" / "__init__.py").write_text("", encoding="utf-8")
    (root / "tenacity" / "wrappers.py").write_text(RELATIVE, encoding="utf-8")
    (root / "other" / "__init__.py").write_text("", encoding="utf-8")
    (root / "other" / "wrappers.py").write_text(RELATIVE, encoding="utf-8")
    (root / "other" / "setup.py").write_text("RETRY_AFTER = 5  # retry later\n", encoding="utf-8")
    monkeypatch.chdir(root)
    parsed: list[str] = []
    original = retries.policies

    def counting(source: Source) -> tuple[list[RetryPolicy], list[RetriedCall]]:
        parsed.append(source.path)
        return original(source)

    monkeypatch.setattr(retries, "policies", counting)
    files: list[FileFacts] = []
    post_pass(FrameworkOptions(root, (root,), use_cache=False), files)
    assert parsed == ["tenacity/wrappers.py"]
    assert [(f.path, [p.attempts for p in f.retry_policies]) for f in files] == [
        ("tenacity/wrappers.py", [4])
    ]
