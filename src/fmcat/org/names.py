"""Backstage entity names from catalog ids, translated deterministically where needed.

Backstage (`@backstage/catalog-model`, `KubernetesValidatorFunctions.isValidObjectName`)
accepts 1 to 63 characters, letters and digits separated by any of `-_.`: that is, it starts
and ends with a letter or digit. Catalog ids are slugs of up to 100 characters that may end
in a separator, so some need translating: characters outside the alphabet become `-`,
separators at the ends go, and the name is cut to fit with 8 hex digits of the id's SHA-256
appended, so that the same id always gives the same name and two long ids that share a
prefix still differ. Backstage compares names without regard to case, and so does the
collision check in `backstage.py`.
"""

from __future__ import annotations

import hashlib
import re

MAX_NAME = 63
_VALID = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_DIGEST = 8


def is_entity_name(text: str) -> bool:
    return len(text) <= MAX_NAME and bool(_VALID.match(text))


def entity_name(ident: str) -> str:
    """``ident`` itself if Backstage accepts it, else its deterministic translation."""
    if is_entity_name(ident):
        return ident
    digest = hashlib.sha256(ident.encode("utf-8")).hexdigest()[:_DIGEST]
    base = _UNSAFE.sub("-", ident).strip("-_.")
    base = base[: MAX_NAME - _DIGEST - 1].rstrip("-_.")
    return f"{base}-{digest}" if base else f"x-{digest}"
