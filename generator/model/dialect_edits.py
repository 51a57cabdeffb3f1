"""Dialect edits as data and applying them: one :class:`Edit` per change to a document's text (kept on the
diagnostics for ``fix``), the edited copy of a document's values, and the :class:`Normalised` document the
model is built from."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..diagnostics import Location
from ..loading.positioned import JsonPath, Positioned

RULE = "dialect"
EditKind = Literal["text", "add-key", "remove-key", "manual"]


@dataclass(frozen=True)
class Edit:
    """One change to a document's text. ``text``: characters ``start:end`` of the string at ``at``
    become ``new``; ``add-key``: the mapping at ``at`` gains ``new: value``; ``remove-key``: the
    member at ``at`` goes; ``manual``: nothing can be rewritten (a person decides)."""

    file: str  # the document's resolved file
    at: JsonPath
    kind: EditKind
    location: Location
    message: str
    start: int = 0
    end: int = 0
    old: str = ""
    new: str = ""
    value: Any = None
    warn: bool = True  # False: a valid 1.0.1 spelling read canonically (no warning, no edit)


@dataclass(frozen=True)
class Normalised(Positioned):
    """A document with its dialect spellings read canonically; ``constants`` are literal outputs."""

    constants: Mapping[JsonPath, Any] = field(
        default_factory=dict
    )  # in ``data``: a placeholder string


def apply_edits(data: Any, edits: list[Edit]) -> Any:
    """A copy of ``data`` with ``edits`` applied (``manual`` ones change nothing)."""
    result = copy.deepcopy(data)
    ordered = sorted(
        (e for e in edits if e.kind != "manual"), key=lambda e: (e.at, -e.start), reverse=False
    )
    for edit in ordered:
        parent: Any = node_at(result, edit.at[:-1]) if edit.at else None
        if edit.kind == "text":
            value = node_at(result, edit.at)
            if isinstance(value, str) and value[edit.start : edit.end] == edit.old:
                parent[edit.at[-1]] = value[: edit.start] + edit.new + value[edit.end :]
        elif edit.kind == "add-key":
            target = node_at(result, edit.at)
            if isinstance(target, dict):
                target[edit.new] = edit.value
        elif edit.kind == "remove-key" and isinstance(parent, dict):
            parent.pop(edit.at[-1], None)
    return result


def node_at(data: Any, at: JsonPath) -> Any:
    for key in at:
        data = data[key]
    return data
