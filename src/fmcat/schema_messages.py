"""pydantic validation errors, told as the person who wrote the file thinks: where, what is
wrong, the fix. One translation for every model fmcat validates: catalog files (located by
``catalog/schema_errors.py``), ``[tool.fmcat]`` and ``[[tool.fmcat.clients]]``.

Each message starts with the path of the value at fault, in the user's own key names, with
positions counted from 1 (``failure_modes[1].detection``); unknown keys get a "did you mean".
"""

from __future__ import annotations

import difflib
import json
import math
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from fmcat.escape import one_line

Key = str | int


@dataclass(frozen=True)
class Problem:
    """One validation error: where (as pydantic gives it), the message, and whether it belongs
    on the key (an unknown key) rather than on the value."""

    loc: tuple[Key, ...]
    message: str
    at_key: bool


def problems(
    error: ValidationError,
    root: type[BaseModel],
    *,
    top: str = "a table",
    rename: Callable[[tuple[Key, ...]], tuple[Key, ...]] = lambda loc: loc,
) -> list[Problem]:
    """Every error of ``error`` as a :class:`Problem`. ``top`` says what the whole document
    should be; ``rename`` turns pydantic's locations into the user's (a wrapper model's field
    away), before the message is worded."""
    found = []
    for detail in error.errors(include_url=False):
        loc = tuple(detail["loc"])
        message, at_key = _message({**detail, "loc": rename(loc)}, root, top, loc)
        found.append(Problem(loc, one_line(message), at_key))
    return found


_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "model_type": "a mapping",
    "dict_type": "a mapping",
    "model_attributes_type": "a mapping",
}


_NAME = re.compile(r"[A-Za-z0-9_-]+")


def dotted(loc: tuple[Key, ...]) -> str:
    """``policies.retry.attempts``, ``failure_modes[1].id``: positions count from 1, as a person
    counts the items of a list (and as editors count lines)."""
    text = ""
    for key in loc:
        if isinstance(key, int):
            text += f"[{key + 1}]"
            continue
        # A key that is not a plain name (`"my key"`, `""`, one with a dot or a line break) is
        # quoted, so the path stays readable and cannot be taken for two keys or none.
        name = key if _NAME.fullmatch(key) else json.dumps(key, ensure_ascii=False)
        text += f".{name}" if text else name
    return text or "(top level)"


def _quote(text: str) -> str:
    """Text from the file in double quotes, with its own quotes and line breaks escaped."""
    return json.dumps(text, ensure_ascii=False)


def _kind_of(value: object) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, float) and not math.isfinite(value):
        # YAML's `.inf` and `.nan` are numbers to YAML, but "got a number" where a whole
        # number or a duration is expected reads as nonsense.
        if math.isnan(value):
            return ".nan (not a number)"
        return f"{'' if value > 0 else '-'}.inf (infinity)"
    if isinstance(value, float):
        return f"{value:g} (a decimal number)"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _is_not_finite(value: object) -> bool:
    return isinstance(value, float) and not math.isfinite(value)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The model classes a field annotation can hold (through Optional, list, Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = get_origin(annotation)
    if origin is Literal:
        return []
    if origin in (typing.Union, types.UnionType, list, typing.Annotated) or origin is not None:
        found: list[type[BaseModel]] = []
        for arg in get_args(annotation):
            found.extend(_models_in(arg))
        return found
    return []


def _field_names_at(root: type[BaseModel], loc: tuple[Key, ...]) -> list[str]:
    models = [root]
    for key in loc:
        if isinstance(key, int):
            continue
        next_models: list[type[BaseModel]] = []
        for model in models:
            field = model.model_fields.get(key)
            if field is not None:
                next_models.extend(_models_in(field.annotation))
        models = next_models
    return sorted({name for model in models for name in model.model_fields})


def _did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f'; did you mean "{close[0]}"?' if close else ""


def _message(
    error: ErrorDetails, root: type[BaseModel], top: str, model_loc: tuple[Key, ...]
) -> tuple[str, bool]:
    """The message for one error, and whether it belongs on the key rather than the value."""
    loc = tuple(error["loc"])
    kind = error["type"]
    value = error.get("input")
    where = dotted(loc)
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _field_names_at(root, model_loc[:-1])
        return f"{where}: unknown key {_quote(key)}{_did_you_mean(key, allowed)}", True
    if kind == "missing":
        return f"{where}: required, but missing", False
    if not loc and kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected {top}, got {_kind_of(value)}", False
    if kind in ("literal_error", "enum"):
        expected = str(error.get("ctx", {}).get("expected", ""))
        choices = [c.strip().strip("'") for c in expected.replace(" or ", ", ").split(",")]
        hint = _did_you_mean(str(value), choices) if isinstance(value, str) else ""
        shown = _quote(value) if isinstance(value, str) else _kind_of(value)
        return f"{where}: {shown} is not one of {', '.join(choices)}{hint}", False
    if kind == "string_pattern_mismatch":
        return (
            f"{where}: {_quote(str(value))} is not an id: use lowercase letters, digits, and - _ . "
            "(it becomes part of URLs and anchors)",
            False,
        )
    if kind == "string_too_short":
        return f"{where}: must not be empty", False
    if kind in _TYPE_WORDS:
        return f"{where}: expected {_TYPE_WORDS[kind]}, got {_kind_of(value)}", False
    if kind in ("duration", "duration_unit", "ratio", "ratio_unit") and (
        isinstance(value, (bool, list, dict)) or value is None or _is_not_finite(value)
    ):
        # units.py names the Python type ("got list") or suggests `infs`; say it as above.
        what = (
            "a duration such as 250ms, 2s or 1m"
            if kind.startswith("d")
            else "a percentage such as 0.1%"
        )
        return f"{where}: expected {what}, got {_kind_of(value)}", False
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        # pydantic's "Input should be less than or equal to 5" after the value read as
        # "7 less than or equal to 5"; say the rule, then what was written.
        bound = error["msg"].removeprefix("Input should be ")
        return f"{where}: must be {bound}, got {value}", False
    text = error["msg"].removeprefix("Value error, ")
    return f"{where}: {text}", False
