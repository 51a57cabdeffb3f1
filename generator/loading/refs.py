"""JSON references inside and across loaded documents, and schema inlining for generated code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .positioned import MAX_DEPTH, JsonPath, Positioned

DocLoader = Callable[[Path], Positioned | None]
# Loads the file a ``$ref`` names, reporting a file that cannot be loaded at the ``$ref`` node (the
# document and path given) that names it.
Referring = Callable[[Path, Positioned, JsonPath], Positioned | None]
MAX_INLINED = 10_000  # objects and arrays in one inlined schema


class RefError(Exception):
    """``unloaded``: the reference names a file that cannot be loaded (reported as a load problem)."""

    def __init__(self, message: str, at: JsonPath, unloaded: bool = False) -> None:
        super().__init__(message)
        self.at = at
        self.unloaded = unloaded


def split_pointer(fragment: str) -> JsonPath:
    if fragment in ("", "/"):
        return ()
    if not fragment.startswith("/"):
        raise ValueError(f"JSON pointer {fragment!r} must start with '/'")
    parts: list[str | int] = []
    for raw in fragment[1:].split("/"):
        parts.append(unquote(raw).replace("~1", "/").replace("~0", "~"))
    return tuple(parts)


# Maps whose keys are names chosen by the author (a schema property may well be called ``x-id``).
_NAME_MAPS = frozenset(
    ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "mapping")
)


def free_form(parent: JsonPath, key: str | int, value: Any) -> bool:
    """Whether the member ``key`` of the object at ``parent`` holds free-form data in which a ``$ref`` is
    just a value: an ``x-`` extension, an ``example``, a schema's ``examples`` list or an Example Object's
    ``value``; such references are never followed."""
    if not isinstance(key, str):
        return False
    if key.startswith("x-"):
        in_names = bool(parent) and parent[-1] in _NAME_MAPS
        in_components = len(parent) == 2 and parent[0] == "components"
        return not (in_names or in_components)
    if key == "example" or (key == "examples" and isinstance(value, list)):
        return not (parent and parent[-1] in _NAME_MAPS)
    return key == "value" and len(parent) >= 2 and parent[-2] == "examples"


def references(value: Any, at: JsonPath = ()) -> list[tuple[JsonPath, str]]:
    """Every ``$ref`` that ``value`` (found at ``at``) holds outside free-form data: the path of the object
    holding it, and the reference."""
    found: list[tuple[JsonPath, str]] = []
    pending: list[tuple[JsonPath, Any]] = [(at, value)]
    while pending:
        here, item = pending.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str):
                found.append((here, ref))
            pending.extend(
                (here + (k,), v)
                for k, v in item.items()
                if k != "$ref" and not free_form(here, k, v)
            )
        elif isinstance(item, list):
            pending.extend((here + (i,), v) for i, v in enumerate(item))
    return found


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
    doc: Positioned,
    ref: str,
    load: DocLoader,
    at: JsonPath,
    referring: Referring | None = None,
) -> tuple[Positioned, JsonPath, Any]:
    """Follow one ``$ref`` (held by the object at ``at``) from ``doc``: the target document, its path
    there, and its value. With ``referring``, a file that cannot be loaded is reported at the ``$ref``.
    """
    file_part, _, fragment = ref.partition("#")
    target = doc
    if file_part:
        if file_part.startswith(("http://", "https://")):
            raise RefError(f"remote reference {ref!r} is not fetched", at)
        file = doc.file.parent / unquote(file_part)
        loaded = referring(file, doc, at + ("$ref",)) if referring else load(file)
        if loaded is None:
            raise RefError(
                f"reference {ref!r}: file {file_part!r} cannot be loaded", at, unloaded=True
            )
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


def locate(doc: Positioned, path: JsonPath, load: DocLoader) -> tuple[Positioned, JsonPath]:
    """Where a logical path (one that walks through ``$ref``s, as a validator sees the document) really
    is: the document and path of its deepest node, the ``$ref`` node itself when its target is broken.
    """
    here: JsonPath = ()
    value = doc.data
    for index, part in enumerate(path):
        if isinstance(value, dict) and isinstance(value.get("$ref"), str) and part != "$ref":
            try:
                doc, here, value = deref(doc, value, load, here)
            except RefError:
                return doc, here + ("$ref",)
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
            value = value[part]
        else:
            return doc, here + tuple(path[index:])
        here += (part,)
    return doc, here


def broken_refs(
    doc: Positioned, load: DocLoader, referring: Referring | None = None
) -> list[tuple[Positioned, JsonPath, str]]:
    """Every ``$ref`` in ``doc``, and in the files its references load, that does not resolve: the
    document and path of its ``$ref`` node and why. A reference to a file that cannot be loaded is left
    to ``referring``, which reports the file's own problem at that node."""
    found: list[tuple[Positioned, JsonPath, str]] = []
    pending = [doc]
    seen = {doc.file}
    while pending:
        current = pending.pop(0)
        for at, ref in sorted(references(current.data), key=lambda r: [str(p) for p in r[0]]):
            try:
                target, _, _ = resolve_ref(current, ref, load, at, referring)
                deref(
                    current, {"$ref": ref}, load, at
                )  # a chain of $refs that comes back to itself
            except RefError as exc:
                if not (exc.unloaded and referring is not None):
                    why = str(exc)
                    if why == "circular reference":
                        why = f"reference {ref!r} is circular: its chain of $refs never reaches a value"
                    found.append((current, at + ("$ref",), why))
                continue
            if target.file not in seen:
                seen.add(target.file)
                pending.append(target)
    return found


def inline(
    doc: Positioned,
    value: Any,
    load: DocLoader,
    at: JsonPath = (),
    tolerant: bool = False,
    referring: Referring | None = None,
) -> Any:
    """A copy of ``value`` with every ``$ref`` replaced by its target; a recursive schema becomes ``{}``,
    and so do the objects (``[]`` the arrays) of a reference chain nested deeper than ``MAX_DEPTH``
    levels or expanding beyond ``MAX_INLINED`` values: no constraint rather than a stack overflow.
    """
    return _Inliner(load, tolerant, referring).inline(doc, value, at, frozenset(), 0)


class _Inliner:
    """``tolerant``: an unresolvable reference becomes ``{}`` (reported elsewhere) instead of RefError."""

    def __init__(
        self, load: DocLoader, tolerant: bool = False, referring: Referring | None = None
    ) -> None:
        self.load = load
        self.tolerant = tolerant
        self.referring = referring
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
                    target, path, found = resolve_ref(doc, ref, self.load, at, self.referring)
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
            return {
                k: (v if free_form(at, k, v) else self.inline(doc, v, at + (k,), active, depth + 1))
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self.inline(doc, v, at + (i,), active, depth + 1) for i, v in enumerate(value)]
        return value
