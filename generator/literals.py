"""The one escaping function: spec values become Python source only through :func:`py_literal`."""

from __future__ import annotations

import math
from typing import Any


class LiteralError(ValueError):
    """A value that has no exact Python literal (a non-finite float, an unknown type)."""


def py_literal(value: Any) -> str:
    """Return Python source that evaluates to ``value`` exactly.

    Accepts JSON-like values only (dict with str keys, list, tuple, str, int, float, bool, None); strings
    are escaped by ``repr``, so no spec text can leave its string constant.
    """
    if value is None or isinstance(value, (bool, int, str)):
        return repr(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise LiteralError(f"number {value!r} has no exact literal")
        return repr(value)
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            if not isinstance(key, str):
                raise LiteralError(f"object key {key!r} is not a string")
            items.append(f"{key!r}: {py_literal(item)}")
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(py_literal(item) for item in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(py_literal(item) for item in value)
        return "(" + inner + ("," if len(value) == 1 else "") + ")"
    raise LiteralError(f"value of type {type(value).__name__} has no literal")
