"""JSON Schema → Python type expressions, with TypedDicts for objects that declare properties."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .literals import py_literal
from .names import Scope

_SIMPLE = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "null": "None"}


@dataclass(frozen=True)
class TypedDictField:
    key: str
    type: str
    required: bool


@dataclass(frozen=True)
class TypedDictDef:
    name: str
    fields: tuple[TypedDictField, ...]
    description: str


def _union(types: list[str]) -> str:
    unique: list[str] = []
    for item in types:
        for part in item.split(" | "):
            if part not in unique:
                unique.append(part)
    if "Any" in unique:
        return "Any"
    return " | ".join(unique) if unique else "Any"


def optional(type_expr: str) -> str:
    return type_expr if type_expr == "Any" else _union([type_expr, "None"])


class TypeMapper:
    """Maps schemas to type expressions; TypedDict definitions collect in ``defs`` under unique names."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.defs: list[TypedDictDef] = []
        self._seen: dict[str, str] = {}

    def type_of(self, schema: Any, hint: str) -> str:
        if not isinstance(schema, Mapping) or not schema:
            return "Any"
        if "const" in schema:
            return self._literal([schema["const"]])
        if "enum" in schema and isinstance(schema["enum"], list):
            return self._literal(schema["enum"])
        nullable = schema.get("nullable") is True
        for key in ("oneOf", "anyOf"):
            if isinstance(schema.get(key), list):
                members = [self.type_of(member, hint) for member in schema[key]]
                return _union(members + (["None"] if nullable else []))
        if isinstance(schema.get("allOf"), list) and len(schema["allOf"]) == 1:
            return self.type_of(schema["allOf"][0], hint)
        kinds = schema.get("type")
        if isinstance(kinds, list):
            types = [self._one(dict(schema, type=kind), hint) for kind in kinds]
            return _union(types + (["None"] if nullable else []))
        if kinds is None and "properties" in schema:
            kinds = "object"
        if not isinstance(kinds, str):
            return "Any"
        found = self._one(schema, hint)
        return optional(found) if nullable else found

    def _literal(self, values: list[Any]) -> str:
        if not values or not all(
            value is None or isinstance(value, (str, int, bool)) for value in values
        ):
            return "Any"
        literals = [py_literal(value) for value in values if value is not None]
        parts = [f"Literal[{', '.join(literals)}]"] if literals else []
        return _union(parts + (["None"] if None in values else []))

    def _one(self, schema: Mapping[str, Any], hint: str) -> str:
        kind = schema.get("type")
        if kind in _SIMPLE:
            return _SIMPLE[str(kind)]
        if kind == "array":
            return f"list[{self.type_of(schema.get('items'), hint + ' item')}]"
        if kind == "object":
            properties = schema.get("properties")
            if isinstance(properties, Mapping) and properties:
                return self._typed_dict(schema, properties, hint)
            extra = schema.get("additionalProperties")
            if isinstance(extra, Mapping) and extra:
                return f"dict[str, {self.type_of(extra, hint + ' value')}]"
            return "dict[str, Any]"
        return "Any"

    def _typed_dict(
        self, schema: Mapping[str, Any], properties: Mapping[str, Any], hint: str
    ) -> str:
        key = py_literal(_canonical(schema))
        if key in self._seen:
            return self._seen[key]
        name = self.scope.pascal(hint)
        self._seen[key] = name
        raw_required = schema.get("required")
        required: list[Any] = raw_required if isinstance(raw_required, list) else []
        fields = tuple(
            TypedDictField(str(prop), self.type_of(sub, f"{hint} {prop}"), prop in required)
            for prop, sub in properties.items()
        )
        description = schema.get("description")
        self.defs.append(
            TypedDictDef(name, fields, description if isinstance(description, str) else "")
        )
        return name


def _canonical(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _canonical(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    return value


def schema_at(schema: Any, pointer: str) -> Any:
    """The sub-schema a JSON pointer into a value of ``schema`` reaches; None when it cannot exist."""
    current = schema
    if not pointer:
        return current
    for raw in pointer.lstrip("/").split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if not isinstance(current, Mapping):
            return None
        if isinstance(current.get("allOf"), list):
            found = [schema_at(part, "/" + raw) for part in current["allOf"]]
            current = next((item for item in found if item is not None), None)
            continue
        properties = current.get("properties")
        if isinstance(properties, Mapping) and token in properties:
            current = properties[token]
        elif current.get("type") == "array" or "items" in current:
            if not token.isdigit():
                return None
            current = current.get("items", {})
        elif isinstance(current.get("additionalProperties"), Mapping):
            current = current["additionalProperties"]
        else:
            return None
    return current
