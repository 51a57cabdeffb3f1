"""Reading a positioned document: typed field access that reports problems at the offending node."""

from __future__ import annotations

from typing import Any

from ..diagnostics import Diagnostics, Location
from .positioned import JsonPath, Positioned


class Reader:
    def __init__(self, doc: Positioned, diagnostics: Diagnostics) -> None:
        self.doc = doc
        self.diags = diagnostics

    def error(self, at: JsonPath, message: str, rule: str) -> None:
        self.diags.error(self.doc.loc(at), message, rule)

    def obj(self, value: Any, at: JsonPath, what: str) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        self.error(at, f"{what} must be an object", "structure")
        return {}

    def items(self, parent: dict[str, Any], key: str, at: JsonPath) -> list[tuple[JsonPath, Any]]:
        value = parent.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(at + (key,), f"'{key}' must be a list", "structure")
            return []
        return [(at + (key, index), item) for index, item in enumerate(value)]

    def text(self, parent: dict[str, Any], key: str, at: JsonPath, required: bool = False) -> str:
        value = parent.get(key)
        if value is None:
            if required:
                self.error(at, f"missing required field '{key}'", "structure")
            return ""
        if not isinstance(value, str):
            self.error(at + (key,), f"'{key}' must be a string", "structure")
            return ""
        return value

    def unique(self, keyed: list[tuple[str, Location]], what: str) -> None:
        """Report the second and later uses of a key that must be unique within its list."""
        seen: set[str] = set()
        for key, where in keyed:
            if key in seen:
                self.diags.error(where, f"duplicate {what} {key}; each must be unique", "duplicate")
            seen.add(key)

    def subtree_locations(self, value: Any, at: JsonPath) -> dict[JsonPath, Location]:
        found: dict[JsonPath, Location] = {}
        pending: list[tuple[JsonPath, Any]] = [((), value)]
        while pending:
            path, item = pending.pop()
            found[path] = self.doc.loc(at + path)
            if isinstance(item, dict):
                pending.extend((path + (k,), v) for k, v in item.items())
            elif isinstance(item, list):
                pending.extend((path + (i,), v) for i, v in enumerate(item))
        return found
