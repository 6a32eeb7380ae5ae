"""The Jinja2 environment that turns the site's facts into Markdown pages.

Escaping is the default, as HTML autoescaping is in a web framework: every `{{ value }}` that is
not already `Md` goes through `markdown.inline`. A template says how a value is shown with a
filter (`code`, `paragraphs`, `link`...), and a user's override that forgets one shows escaped
text rather than letting a catalog field write Markdown or HTML.
"""

from __future__ import annotations

import functools
import json
import posixpath
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from fmcat.errors import ConfigError, FmcatError
from fmcat.paths import display_path
from fmcat.render import blocks, markdown
from fmcat.render.code import CallSite, ConsumerView, OpenFinding
from fmcat.render.markdown import Md
from fmcat.render.view import HIGH_RISK, MEDIUM_RISK, Contradiction, anchor

#: Pages and the partials they include; a user's --templates folder may replace any of them.
TEMPLATE_NAMES = (
    "index.md.j2",
    "dependency.md.j2",
    "failure-mode.md.j2",
    "operations.md.j2",
    "risk.md.j2",
    "alerts.md.j2",
    "code.md.j2",
    "tags.md.j2",
    "404.md.j2",
    # Several services (docs/org.md).
    "org-index.md.j2",
    "org-services.md.j2",
    "org-404.md.j2",
    "blast.md.j2",
    "blast-index.md.j2",
)


CRITICALITY_MEANING = {
    "critical": "the operations below fail without it",
    "degradable": "the operations below go on without it, degraded",
    "optional": "the operations below do not need it",
}


class TemplateError(FmcatError):
    """A template cannot be read, parsed or rendered."""


def _finalize(value: Any) -> Any:
    if isinstance(value, Md):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    return markdown.inline(str(value))


def _relative(target: str, page: str) -> Md:
    """A link from ``page`` to ``target`` (both docs-relative, `#anchor` allowed)."""
    path, _, fragment = target.partition("#")
    if path:
        path = _relpath(path, posixpath.dirname(page) or ".")
    url = quote(path) + (f"#{quote(fragment)}" if fragment else "")
    return Md(url)


@functools.lru_cache(maxsize=8192)
def _relpath(path: str, start: str) -> str:
    """``posixpath.relpath``, which asks the system for the current folder on every call: a
    site of many services links the same few pages from each folder thousands of times. Both
    paths are relative to docs/, so the answer does not depend on the current folder."""
    return posixpath.relpath(path, start)


def _yaml(value: str) -> Md:
    """A YAML scalar for front matter: JSON strings are valid YAML."""
    return Md(json.dumps(value))


def _code_or_dash(value: str | None) -> Md:
    return markdown.code(value) if value else Md("—")


def _location(item: CallSite | OpenFinding | ConsumerView) -> Md:
    """`path:line` as code, linked to the code host when --repo-url is given."""
    shown = markdown.code(f"{item.path}:{item.line}")
    target = markdown.safe_url(item.url) if item.url else None
    return Md(f"[{shown}]({target})") if target else shown


def _contradiction(item: Contradiction, page: str, section: str) -> Md:
    """`path:line` linked to the code host's line, else to the dependency on the Code page."""
    target = markdown.safe_url(item.url) if item.url else None
    href = target or _relative(f"code.md#{section}", page)
    shown = markdown.code(f"{item.path}:{item.line}")
    return Md(f"[{shown}]({href}) {markdown.inline(item.what)} ({item.code})")


def _safe_url(url: str) -> Md:
    return Md(markdown.safe_url(url) or "")


def _join(values: Any, separator: str = ", ") -> Md:
    return Md(separator.join(_finalize(v) for v in values))


def _check_overrides(folder: Path) -> None:
    if not folder.exists():
        raise ConfigError(f"--templates {display_path(folder)}: no such folder")
    if not folder.is_dir():
        raise ConfigError(f"--templates {display_path(folder)}: not a folder")
    for path in sorted(folder.rglob("*.j2")):
        name = path.relative_to(folder).as_posix()
        if name not in TEMPLATE_NAMES:
            known = ", ".join(TEMPLATE_NAMES)
            raise ConfigError(
                f"{display_path(path)}: not a template fmcat renders; "
                f"override one of: {known} (copy it from `fmcat render --print-template NAME`)"
            )


def environment(overrides: Path | None = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if overrides is not None:
        _check_overrides(overrides)
        loaders.append(jinja2.FileSystemLoader(str(overrides)))
    loaders.append(jinja2.PackageLoader("fmcat", "templates"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        # Markdown, not HTML: escaping is `_finalize`'s job (see the module docstring).
        autoescape=False,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        inline=markdown.inline,
        paragraphs=markdown.paragraphs,
        cell=markdown.cell,
        code=markdown.code,
        link=markdown.link,
        tag=markdown.tag,
        relative=_relative,
        join_md=_join,
        yaml=_yaml,
        code_or_dash=_code_or_dash,
        location=_location,
        step=blocks.step,
        contact=blocks.contact,
        code_block=blocks.code_block,
        contradiction=_contradiction,
        safe_url=_safe_url,
    )
    env.globals.update(
        anchor=anchor,
        criticality_meaning=CRITICALITY_MEANING,
        high_risk=HIGH_RISK,
        medium_risk=MEDIUM_RISK,
    )
    return env


def template_source(name: str) -> str:
    """A built-in template's text, to start an override from."""
    if name not in TEMPLATE_NAMES:
        raise ConfigError(
            f"unknown template {name!r}; the templates are: {', '.join(TEMPLATE_NAMES)}"
        )
    loader = jinja2.PackageLoader("fmcat", "templates")
    source, _, _ = loader.get_source(jinja2.Environment(), name)
    return source


def render(env: jinja2.Environment, name: str, context: Mapping[str, Any]) -> str:
    """One page; any template problem becomes a message naming the template and line."""
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as error:
        where = error.filename or error.name or name
        raise TemplateError(
            f"{where}:{error.lineno}: template syntax error: {error.message}"
        ) from error
    except jinja2.TemplateError as error:
        raise TemplateError(f"template {name}: {error}") from error
    except Exception as error:  # a user's template can do arithmetic, call methods...
        raise TemplateError(f"template {name}: {type(error).__name__}: {error}") from error
