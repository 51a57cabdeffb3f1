"""JSON Schema → Python types as a small tree of nodes, with TypedDicts for objects that declare properties.

Nothing here handles type *text*: unions are flattened and de-duplicated on nodes (literal values compared
with their types), and :func:`type_expr` turns a node into an ``ast`` expression (literal values as
constants, names as checked identifiers) that :func:`generator.pycode.render` alone turns into source.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from . import pycode
from .names import Scope
from .pycode import Identifier

_SIMPLE = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "null": "None"}

LiteralValue = str | int | bool | None


class TypeNode:
    """A Python type expression as data; :func:`render_type` is the only way it becomes source text."""

    __slots__ = ()


@dataclass(frozen=True)
class AnyType(TypeNode):
    """``Any``: absorbs every other member of a union."""


@dataclass(frozen=True)
class Name(TypeNode):
    """A builtin or typing name such as ``str`` or ``None`` (checked to be an identifier when rendered)."""

    name: str


@dataclass(frozen=True, eq=False)
class LiteralType(TypeNode):
    """``Literal[...]`` holding the values themselves, de-duplicated with ``1``, ``True`` kept apart."""

    values: tuple[LiteralValue, ...]

    def __post_init__(self) -> None:
        unique: dict[tuple[str, LiteralValue], LiteralValue] = {}
        for value in self.values:
            if value is not None and not isinstance(value, (str, int, bool)):
                raise TypeError(f"{type(value).__name__} values cannot be Literal members")
            unique.setdefault(_value_key(value), value)
        object.__setattr__(self, "values", tuple(unique.values()))

    def _key(self) -> tuple[tuple[str, LiteralValue], ...]:
        return tuple(_value_key(value) for value in self.values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LiteralType) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())


@dataclass(frozen=True)
class Union(TypeNode):
    """``A | B``: build it with :func:`union`, which flattens and de-duplicates the members."""

    members: tuple[TypeNode, ...]


@dataclass(frozen=True)
class Generic(TypeNode):
    """``base[arg, ...]`` for a builtin or typing ``base`` (``list``, ``dict``, ``Required``)."""

    base: str
    args: tuple[TypeNode, ...]


@dataclass(frozen=True)
class TypedDictRef(TypeNode):
    """A TypedDict defined in the same module, by its (already sanitised) class name."""

    name: str


def _value_key(value: LiteralValue) -> tuple[str, LiteralValue]:
    return (type(value).__name__, value)


def union(members: Iterable[TypeNode]) -> TypeNode:
    """The union of ``members``: nested unions flattened, equal members once, ``Any`` absorbing."""
    unique: list[TypeNode] = []
    for member in members:
        for part in member.members if isinstance(member, Union) else (member,):
            if isinstance(part, AnyType):
                return part
            if part not in unique:
                unique.append(part)
    if not unique:
        return AnyType()
    return unique[0] if len(unique) == 1 else Union(tuple(unique))


def optional(node: TypeNode) -> TypeNode:
    return union([node, Name("None")])


def _named(text: str) -> ast.expr:
    if text == "None":
        return pycode.constant(None)
    return pycode.name(Identifier(text))


def type_expr(node: TypeNode) -> ast.expr:
    """The type as an ``ast`` expression: values as constants, names checked identifiers."""
    if isinstance(node, AnyType):
        return pycode.fixed("Any")
    if isinstance(node, (Name, TypedDictRef)):
        return _named(node.name)
    if isinstance(node, LiteralType):
        return pycode.subscript(
            pycode.fixed("Literal"), *(pycode.literal(value) for value in node.values)
        )
    if isinstance(node, Union):
        return pycode.union([type_expr(member) for member in node.members])
    if isinstance(node, Generic):
        return pycode.subscript(_named(node.base), *(type_expr(arg) for arg in node.args))
    raise TypeError(f"not a type node: {node!r}")


def render_type(node: TypeNode) -> str:
    """The type as source text, through :func:`generator.pycode.render`."""
    return pycode.render(type_expr(node))


def walk(node: TypeNode) -> Iterator[TypeNode]:
    """``node`` and every node inside it."""
    yield node
    children: tuple[TypeNode, ...] = ()
    if isinstance(node, Union):
        children = node.members
    elif isinstance(node, Generic):
        children = node.args
    for child in children:
        yield from walk(child)


@dataclass(frozen=True)
class TypedDictField:
    key: str
    type: TypeNode
    required: bool

    @property
    def annotation(self) -> TypeNode:
        return Generic("Required" if self.required else "NotRequired", (self.type,))


@dataclass(frozen=True)
class TypedDictDef:
    name: str
    fields: tuple[TypedDictField, ...]
    description: str


class TypeMapper:
    """Maps schemas to type nodes; TypedDict definitions collect in ``defs`` under unique names."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.defs: list[TypedDictDef] = []
        self._seen: dict[str, TypedDictRef] = {}

    def type_of(self, schema: Any, hint: str) -> TypeNode:
        if not isinstance(schema, Mapping) or not schema:
            return AnyType()
        if "const" in schema:
            return self._literal([schema["const"]])
        if "enum" in schema and isinstance(schema["enum"], list):
            return self._literal(schema["enum"])
        nullable: list[TypeNode] = [Name("None")] if schema.get("nullable") is True else []
        for key in ("oneOf", "anyOf"):
            if isinstance(schema.get(key), list):
                members = [self.type_of(member, hint) for member in schema[key]]
                return union(members + nullable)
        if isinstance(schema.get("allOf"), list) and len(schema["allOf"]) == 1:
            return self.type_of(schema["allOf"][0], hint)
        kinds = schema.get("type")
        if isinstance(kinds, list):
            types = [self._one(dict(schema, type=kind), hint) for kind in kinds]
            return union(types + nullable)
        if kinds is None and "properties" in schema:
            kinds = "object"
        if not isinstance(kinds, str):
            return AnyType()
        return union([self._one(schema, hint)] + nullable)

    def _literal(self, values: list[Any]) -> TypeNode:
        if not values or not all(
            value is None or isinstance(value, (str, int, bool)) for value in values
        ):
            return AnyType()
        present = tuple(value for value in values if value is not None)
        parts: list[TypeNode] = [LiteralType(present)] if present else []
        return union(parts + ([Name("None")] if None in values else []))

    def _one(self, schema: Mapping[str, Any], hint: str) -> TypeNode:
        kind = schema.get("type")
        if kind in _SIMPLE:
            return Name(_SIMPLE[str(kind)])
        if kind == "array":
            return Generic("list", (self.type_of(schema.get("items"), hint + " item"),))
        if kind == "object":
            properties = schema.get("properties")
            if isinstance(properties, Mapping) and properties:
                return self._typed_dict(schema, properties, hint)
            extra = schema.get("additionalProperties")
            value: TypeNode = AnyType()
            if isinstance(extra, Mapping) and extra:
                value = self.type_of(extra, hint + " value")
            return Generic("dict", (Name("str"), value))
        return AnyType()

    def _typed_dict(
        self, schema: Mapping[str, Any], properties: Mapping[str, Any], hint: str
    ) -> TypedDictRef:
        key = json.dumps(_canonical(schema), default=repr)
        if key in self._seen:
            return self._seen[key]
        ref = TypedDictRef(self.scope.pascal(hint))
        self._seen[key] = ref
        raw_required = schema.get("required")
        required: list[Any] = raw_required if isinstance(raw_required, list) else []
        fields = tuple(
            TypedDictField(str(prop), self.type_of(sub, f"{hint} {prop}"), prop in required)
            for prop, sub in properties.items()
        )
        description = schema.get("description")
        self.defs.append(
            TypedDictDef(ref.name, fields, description if isinstance(description, str) else "")
        )
        return ref


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
