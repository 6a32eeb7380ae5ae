"""Which framework passes a file's bytes call for: its marks, from the words it contains.

The post-pass parses again only the files that mention what a pass looks for (parsing is its
cost). The marks are taken from the bytes the scan reads anyway (frameworks/early.py), or by the
post-pass itself for a file the scan did not read (a hit in the scan's cache); they are cached
per file with its hash (frameworks/cache.py, whose key holds the markers' repr).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fmcat.frameworks import retries
from fmcat.scan.files import module_name

#: What each pass looks for, as bytes a file must contain to be read by it: a file that
#: mentions none is not parsed again (parsing with positions is the cost of this post-pass).
_CELERY_CONFIG = (b"Celery(", b"config_from_", b".conf.")
#: What a file that makes a Celery app says (celery_config: `celery.Celery(...)`, by any import).
APP = b"Celery"


@dataclass(frozen=True)
class After:
    """``word`` right after one of the bytes ``after`` and not followed by a word character,
    or ``anywhere`` anywhere: what ``re.compile(rb"[.@]task\b|shared_task")`` finds, ten times
    faster (a pattern that starts with a class of characters is tried at every byte; this
    looks only where ``word`` is). Its repr is stable: it is part of the cache's key."""

    word: bytes
    after: bytes
    anywhere: bytes

    def search(self, data: bytes) -> bool:
        if self.anywhere in data:
            return True
        at = data.find(self.word)
        while at >= 0:
            end = at + len(self.word)
            if at and data[at - 1] in self.after and (end == len(data) or data[end] not in _WORD):
                return True
            at = data.find(self.word, at + 1)
        return False


#: What `\b` counts as a word character in a pattern of bytes.
_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
#: Celery's task decorators: `@app.task`, `@celery.task(...)`, `@shared_task`, `@task`. Not any
#: `...task(`: Home Assistant's 445 files of `hass.async_create_task(` were parsed on every run.
TASKS = After(b"task", b".@", b"shared_task")
#: The canvas `chain(...)` and `chord(...)` publish only as celery's (celery.py's CANVAS), named
#: through an import of celery (or inside celery's own package): `itertools.chain(` alone, in
#: 23 of Home Assistant's files, sent each to the publish pass, parsed on every run.
_PUBLISH = (
    b".delay(",
    b".apply_async(",
    b".send_task(",
    (b"celery", b"chain("),
    (b"celery", b"chord("),
)
_CONSUMERS = (b"basic_consume", b"Consumer(")
#: Groups of words, all of one group: tenacity and retry, urllib3 and Retry (retries.MARKERS);
#: tenacity's retry loops (`for attempt in Retrying(...)`, retry_loops.py) and its call form
#: (`Retrying(...)(fn)`, retry_calls.py) by their class.
_RETRIES = (*retries.MARKERS, (b"tenacity", b"Retrying"))
_ALIASES = (b"caches[", b"connections[")

#: Any of these words; a group (a tuple) counts when all its words are there.
Words = tuple[bytes | tuple[bytes, ...], ...] | re.Pattern[bytes] | After


def _mentions(
    data: bytes,
    words: Words,
    module: Callable[[], str] | bytes = str,
    seen: dict[bytes, bool] | None = None,
) -> bool:
    """Whether ``data`` mentions ``words``. A group's word may be in the file's module name
    instead (``module()``, asked only then; by default none; or the name itself, as bytes,
    when the caller knows it): a relative import names the file's own package. ``seen``
    keeps whether a group's word is in ``data``, for the next group with it (`requests`,
    `backoff`, `tenacity`, `Retry`, `retry` are in two each)."""
    if seen is None:
        seen = {}
    if isinstance(words, re.Pattern):
        return words.search(data) is not None
    if isinstance(words, After):
        return words.search(data)
    for word in words:
        if isinstance(word, bytes):
            if word in data:
                return True
            continue
        if isinstance(module, bytes):
            if _group(data, word, module, seen):
                return True
            continue
        missing = []
        for w in word:
            found = seen.get(w)
            if found is None:
                found = seen[w] = w in data
            if not found:
                missing.append(w)
        if not missing:
            return True
        if len(missing) < len(word):
            name = module().encode()
            if all(w in name for w in missing):
                return True
    return False


def _group(data: bytes, group: tuple[bytes, ...], name: bytes, seen: dict[bytes, bool]) -> bool:
    """As _mentions judges a group, with the module's ``name`` at hand: a word in the bytes,
    and each of the others there or in the name. A word in neither ends the search, so that
    the rest are not looked for (`celery` missing: `chain(` is not searched)."""
    present = False
    for w in group:
        found = seen.get(w)
        if found is None:
            found = seen[w] = w in data
        if found:
            present = True
        elif w not in name:
            return False
    return present


#: The passes that read one file alone: what they find is cached with the file's hash.
PURE = frozenset({"consumers", "retries"})
MARKERS = (
    ("config", _CELERY_CONFIG),
    ("tasks", TASKS),
    ("publish", _PUBLISH),
    ("consumers", _CONSUMERS),
    ("retries", _RETRIES),
    ("aliases", _ALIASES),
)


def file_marks(data: bytes, module: Callable[[], str] | str = str) -> list[str]:
    """The passes whose markers ``data`` holds, in MARKERS' order. ``module``: the file's
    module name, or a function that looks it up when a group needs it (by default none)."""
    seen: dict[bytes, bool] = {}
    name = module.encode() if isinstance(module, str) else module
    return [mark for mark, words in MARKERS if _mentions(data, words, name, seen)]


def module_of(path: Path) -> Callable[[], str]:
    """The file's module name, looked up on first ask: it stats the file's folders."""
    return functools.cache(lambda: module_name(path)[0])
