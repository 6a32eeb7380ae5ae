"""The runbook site's addresses: the one place that decides them, and a promise to users.

Alerts, dashboards and bookmarks link here, so the scheme is stable (docs/render.md):

- a dependency's runbook is ``dependencies/<slug>.html``, where the slug is the dependency id
  with each run of dots turned into ``-``; it depends on that id alone;
- a failure mode is ``#fm-<id>`` on its dependency's page;
- an operation is ``operations.html#op-<name>``; the alert index is ``alerts.html``.

Two ids that give one slug (``api.v2`` and ``api-v2``) are a catalog error (FM003), not a
``-2`` suffix that would move when another dependency is added.
"""

from __future__ import annotations

import re

_DOTS = re.compile(r"\.+")
_UNSAFE = re.compile(r"[^a-z0-9_-]+")

OPERATIONS_PAGE = "operations.html"
ALERTS_PAGE = "alerts.html"
DEPENDENCIES = "dependencies/"


def page_slug(ident: str) -> str:
    """The file name of a dependency's page, from its id alone."""
    slug = _UNSAFE.sub("-", _DOTS.sub("-", ident.lower())).strip("-")
    return slug or "dependency"


def dependency_page(ident: str) -> str:
    """The built page's path from the site's root (the Markdown source is ``.md``)."""
    return f"{DEPENDENCIES}{page_slug(ident)}.html"


def mode_fragment(mode_id: str) -> str:
    return f"fm-{mode_id}"


def operation_fragment(name: str) -> str:
    return f"op-{name}"
