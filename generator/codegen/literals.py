"""The one escaping function: spec values become Python source only as constants of :mod:`generator.pycode`."""

from __future__ import annotations

from typing import Any

from .pycode import LiteralError, literal, render

__all__ = ["LiteralError", "py_literal"]


def py_literal(value: Any) -> str:
    """Return Python source that evaluates to ``value`` exactly: ``render(literal(value))``.

    Accepts JSON-like values only (dict with str keys, list, tuple, str, int, float, bool, None); strings
    are constants rendered by ``ast.unparse``, so no spec text can leave its string constant.
    """
    return render(literal(value))
