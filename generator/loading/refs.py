"""JSON references inside and across loaded documents, and schema inlining for generated code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .positioned import MAX_DEPTH, JsonPath, Positioned

DocLoader = Callable[[Path], Positioned | None]
MAX_INLINED = 10_000  # objects and arrays in one inlined schema


class RefError(Exception):
    def __init__(self, message: str, at: JsonPath) -> None:
        super().__init__(message)
        self.at = at


def split_pointer(fragment: str) -> JsonPath:
    if fragment in ("", "/"):
        return ()
    if not fragment.startswith("/"):
        raise ValueError(f"JSON pointer {fragment!r} must start with '/'")
    parts: list[str | int] = []
    for raw in fragment[1:].split("/"):
        parts.append(unquote(raw).replace("~1", "/").replace("~0", "~"))
    return tuple(parts)


def walk(data: Any, path: JsonPath) -> Any:
    current = data
    for part in path:
        if isinstance(current, dict) and isinstance(part, str) and part in current:
            current = current[part]
        elif isinstance(current, list) and str(part).isdigit() and int(part) < len(current):
            current = current[int(part)]
            continue
        else:
            raise KeyError(part)
    return current


def resolve_ref(
    doc: Positioned, ref: str, load: DocLoader, at: JsonPath
) -> tuple[Positioned, JsonPath, Any]:
    """Follow one ``$ref`` from ``doc``: the target document, its path there, and its value."""
    file_part, _, fragment = ref.partition("#")
    target = doc
    if file_part:
        if file_part.startswith(("http://", "https://")):
            raise RefError(f"remote reference {ref!r} is not fetched", at)
        loaded = load(doc.file.parent / unquote(file_part))
        if loaded is None:
            raise RefError(f"reference {ref!r}: file {file_part!r} cannot be loaded", at)
        target = loaded
    try:
        path = split_pointer(fragment)
        return target, path, walk(target.data, path)
    except (KeyError, ValueError):
        raise RefError(f"reference {ref!r} does not resolve", at) from None


def deref(
    doc: Positioned, value: Any, load: DocLoader, at: JsonPath = ()
) -> tuple[Positioned, JsonPath, Any]:
    """Follow ``$ref`` chains until a value that is not a reference."""
    seen: set[tuple[str, JsonPath]] = set()
    while isinstance(value, dict) and isinstance(value.get("$ref"), str):
        doc, at, value = resolve_ref(doc, value["$ref"], load, at)
        key = (str(doc.file), at)
        if key in seen:
            raise RefError("circular reference", at)
        seen.add(key)
    return doc, at, value


def broken_refs(doc: Positioned, load: DocLoader) -> list[tuple[JsonPath, str]]:
    """Every ``$ref`` in ``doc`` that does not resolve: the path of its ``$ref`` node and why."""
    found: list[tuple[JsonPath, str]] = []
    pending: list[tuple[JsonPath, Any]] = [((), doc.data)]
    while pending:
        at, value = pending.pop()
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str):
                try:
                    resolve_ref(doc, ref, load, at)
                except RefError as exc:
                    found.append((at + ("$ref",), str(exc)))
            pending.extend((at + (k,), v) for k, v in value.items() if k != "$ref")
        elif isinstance(value, list):
            pending.extend((at + (i,), v) for i, v in enumerate(value))
    return sorted(found, key=lambda item: [str(part) for part in item[0]])


def inline(
    doc: Positioned, value: Any, load: DocLoader, at: JsonPath = (), tolerant: bool = False
) -> Any:
    """A copy of ``value`` with every ``$ref`` replaced by its target; a recursive schema becomes ``{}``,
    and so do the objects (``[]`` the arrays) of a reference chain nested deeper than ``MAX_DEPTH``
    levels or expanding beyond ``MAX_INLINED`` values: no constraint rather than a stack overflow.
    """
    return _Inliner(load, tolerant).inline(doc, value, at, frozenset(), 0)


class _Inliner:
    """``tolerant``: an unresolvable reference becomes ``{}`` (reported elsewhere) instead of RefError."""

    def __init__(self, load: DocLoader, tolerant: bool = False) -> None:
        self.load = load
        self.tolerant = tolerant
        self.left = MAX_INLINED

    def inline(
        self,
        doc: Positioned,
        value: Any,
        at: JsonPath,
        active: frozenset[tuple[str, JsonPath]],
        depth: int,
    ) -> Any:
        if isinstance(value, (dict, list)):
            self.left -= 1
            if depth > MAX_DEPTH or self.left < 0:
                return {} if isinstance(value, dict) else []
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str):
                try:
                    target, path, found = resolve_ref(doc, ref, self.load, at)
                except RefError:
                    if not self.tolerant:
                        raise
                    return {}
                key = (str(target.file), path)
                if key in active:
                    return {}
                resolved = self.inline(target, found, path, active | {key}, depth)
                siblings = {k: v for k, v in value.items() if k != "$ref"}
                if siblings and isinstance(resolved, dict):
                    rest = self.inline(doc, siblings, at, active, depth + 2)
                    return {"allOf": [resolved, rest]}
                return resolved
            return {k: self.inline(doc, v, at + (k,), active, depth + 1) for k, v in value.items()}
        if isinstance(value, list):
            return [self.inline(doc, v, at + (i,), active, depth + 1) for i, v in enumerate(value)]
        return value
