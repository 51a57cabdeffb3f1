"""Workflow inputs declared through ``allOf`` (often an ``allOf`` of ``$ref``s to ``components/inputs``).

``allOf: [A, B]`` accepts exactly the values that both A and B accept, so the properties either declares are
inputs of the workflow. :func:`merged_inputs` lifts them, with their ``required`` names, to the top level of
the (already inlined) schema and keeps the ``allOf`` itself: the schema accepts the same values as before,
and everything that reads an inputs schema's top-level ``properties`` (``$inputs.x`` checks, the generated
function's parameters, defaults, inputs matched by name) sees every declared input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

_MAX_DEPTH = 20  # nested allOf levels looked into (inlined schemas are already bounded)


def _collect(
    schema: Mapping[str, Any],
    properties: dict[str, list[Any]],
    required: list[str],
    depth: int,
) -> None:
    found = schema.get("properties")
    if isinstance(found, Mapping):
        for name, sub in found.items():
            declared = properties.setdefault(str(name), [])
            if sub not in declared:
                declared.append(sub)
    names = schema.get("required")
    if isinstance(names, list):
        required.extend(n for n in names if isinstance(n, str) and n not in required)
    members = schema.get("allOf")
    if isinstance(members, list) and depth < _MAX_DEPTH:
        for member in members:
            if isinstance(member, Mapping):
                _collect(member, properties, required, depth + 1)


def merged_inputs(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with the properties and required names of its ``allOf`` members (at any depth) also
    at its top level; a property declared differently in several places must satisfy each declaration
    (``allOf`` of them). A schema without ``allOf`` is returned as it is."""
    if not isinstance(schema.get("allOf"), list):
        return schema
    properties: dict[str, list[Any]] = {}
    required: list[str] = []
    _collect(schema, properties, required, 0)
    merged = dict(schema)
    if properties:
        merged["properties"] = {
            name: found[0] if len(found) == 1 else {"allOf": found}
            for name, found in properties.items()
        }
    if required:
        merged["required"] = required
    return merged


def declared_names(schema: Any, resolve: Callable[[str], Any], depth: int = 0) -> frozenset[str]:
    """The input names a not yet inlined inputs schema declares; ``resolve(ref)`` gives the schema a
    ``$ref`` names (or None). Follows ``$ref`` and ``allOf`` a bounded number of levels."""
    if not isinstance(schema, Mapping) or depth > _MAX_DEPTH:
        return frozenset()
    names: set[str] = set()
    ref = schema.get("$ref")
    if isinstance(ref, str):
        names |= declared_names(resolve(ref), resolve, depth + 1)
    found = schema.get("properties")
    if isinstance(found, Mapping):
        names.update(str(name) for name in found)
    members = schema.get("allOf")
    if isinstance(members, list):
        for member in members:
            names |= declared_names(member, resolve, depth + 1)
    return frozenset(names)
