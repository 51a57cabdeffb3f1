"""Spec text inside JSON Schemas that become Python types never becomes code.

Type expressions are built as a tree of nodes whose literal values are Python values, and rendered in one
place through ``py_literal``; each test here plants text that would run (``touch PWNED``) if any of it
reached generated source outside a string constant, imports the generated module, evaluates every
annotation (``typing.get_type_hints``), and checks that no file appeared and the types hold the exact values.
"""

from __future__ import annotations

import ast
import typing
from pathlib import Path
from typing import Any, Literal, NotRequired, Required

import pytest

from generator.codegen.schema_types import (
    AnyType,
    Generic,
    LiteralType,
    Name,
    TypedDictRef,
    TypeMapper,
    TypeNode,
    optional,
    render_type,
    union,
)
from generator.codegen.names import Scope
from inline import arazzo, openapi
from generation import Generate

EVIL = '__import__("os").system("touch PWNED")'
EVIL_SQ = "__import__('os').system('touch PWNED')"
# The issue's value, and the variants that defeated the old text split / de-duplication.
SIMPLE = f'a" | {EVIL} | "b'
SIMPLE_SQ = f"a' | {EVIL_SQ} | 'b"
# Three enum members whose repr()s, split at " | " and de-duplicated as text, left a call outside quotes.
DEDUP = ['"] | y', "'] | x", f"'] | {EVIL_SQ} | Literal['"]
BRACKETS = f"']] | {EVIL_SQ} | list[['"
CONTROL = "tab\there\x00nul\x1b esc \u2028 line sep\\"


def _api(response_schema: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"description": "ok"}
    if response_schema is not None:
        response["content"] = {"application/json": {"schema": response_schema}}
    return openapi({"/ping": {"get": {"operationId": "ping", "responses": {"200": response}}}})


def _flow(
    inputs: dict[str, Any] | None = None,
    outputs: dict[str, str] | None = None,
    step_outputs: dict[str, str] | None = None,
) -> dict[str, Any]:
    step: dict[str, Any] = {"stepId": "s", "operationId": "ping"}
    if step_outputs:
        step["outputs"] = step_outputs
    workflow: dict[str, Any] = {"workflowId": "w", "steps": [step]}
    if inputs is not None:
        workflow["inputs"] = {"type": "object", "properties": inputs}
    if outputs:
        workflow["outputs"] = outputs
    return arazzo([workflow])


def _safe(gen: Any) -> None:
    """The module imported; now evaluate every annotation too, then check nothing ran."""
    hints = {
        "function": typing.get_type_hints(gen.w, include_extras=True),
        "result": typing.get_type_hints(gen.WResult, include_extras=True),
    }
    for module in gen.modules.values():
        for value in vars(module).values():
            if typing.is_typeddict(value):
                typing.get_type_hints(value, include_extras=True)
    assert not (Path.cwd() / "PWNED").exists()
    assert not (gen.root.parent.parent / "PWNED").exists()
    source = (gen.root / "flows.py").read_text(encoding="utf-8")
    stripped = ast.unparse(_blank_strings(ast.parse(source)))
    assert "__import__" not in stripped and "system" not in stripped
    gen.hints = hints


def _blank_strings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = ""
    return tree


def _run(generate: Generate, doc: dict[str, Any], api: dict[str, Any] | None = None) -> Any:
    gen = generate({"flows.arazzo.yaml": doc, "api.openapi.yaml": api or _api()})
    _safe(gen)
    return gen


def _typed_dict(hint: Any) -> Any:
    """The TypedDict inside ``X | None``."""
    found = [arg for arg in typing.get_args(hint) if typing.is_typeddict(arg)]
    return found[0] if found else hint


@pytest.mark.parametrize("value", [SIMPLE, SIMPLE_SQ, BRACKETS, CONTROL])
def test_enum_value_of_an_input_is_a_literal_value(generate: Generate, value: str) -> None:
    gen = _run(generate, _flow({"mode": {"type": "string", "enum": [value, "plain"]}}))
    assert gen.hints["function"]["mode"] == Literal[value, "plain"] | None


def test_const_of_an_input_is_a_literal_value(generate: Generate) -> None:
    gen = _run(generate, _flow({"mode": {"const": SIMPLE}}))
    assert gen.hints["function"]["mode"] == Literal[SIMPLE] | None


def test_union_deduplication_is_done_on_values_not_text(generate: Generate) -> None:
    members = [{"enum": [value]} for value in DEDUP]
    inputs = {"o": {"type": "object", "required": ["k"], "properties": {"k": {"oneOf": members}}}}
    gen = _run(generate, _flow(inputs))
    td = _typed_dict(gen.hints["function"]["o"])
    assert (
        td.__annotations__["k"]
        == Required[Literal[DEDUP[0]] | Literal[DEDUP[1]] | Literal[DEDUP[2]]]
    )


def test_enum_in_a_response_schema_reached_by_a_workflow_output(generate: Generate) -> None:
    kind = {"oneOf": [{"enum": [value]} for value in DEDUP]}
    schema = {"type": "object", "properties": {"kind": kind, "mode": {"enum": [SIMPLE]}}}
    doc = _flow(
        step_outputs={
            "kind": "$response.body#/kind",
            "mode": "$response.body#/mode",
            "body": "$response.body",
        },
        outputs={
            "kind": "$steps.s.outputs.kind",
            "mode": "$steps.s.outputs.mode",
            "body": "$steps.s.outputs.body",
        },
    )
    gen = _run(generate, doc, _api(schema))
    expected: Any = Literal[DEDUP[0]] | Literal[DEDUP[1]] | Literal[DEDUP[2]]
    assert gen.hints["result"]["kind"] == expected | None
    assert gen.hints["result"]["mode"] == Literal[SIMPLE] | None
    body = typing.get_type_hints(_typed_dict(gen.hints["result"]["body"]))
    assert body == {"kind": expected, "mode": Literal[SIMPLE]}


def test_property_names_and_descriptions_stay_values(generate: Generate) -> None:
    keys = [SIMPLE, SIMPLE_SQ, "class", "import", 'k"ey', 'tri"""ple', CONTROL]
    description = f'"""{EVIL}"""\\ and a backslash at the end\\'
    properties = {
        key: {"type": "string", "description": description, "enum": [key]} for key in keys
    }
    inputs = {
        "o": {
            "type": "object",
            "description": description,
            "properties": properties,
            "required": keys[:2],
        }
    }
    gen = _run(generate, _flow(inputs))
    td = _typed_dict(gen.hints["function"]["o"])
    hints = typing.get_type_hints(td, include_extras=True)
    assert list(hints) == keys
    assert hints[SIMPLE] == Required[Literal[SIMPLE]]
    assert hints[CONTROL] == NotRequired[Literal[CONTROL]]
    assert td.__required_keys__ == frozenset(keys[:2])
    assert EVIL in (gen.w.__doc__ or "")


def test_literal_values_of_different_types_stay_distinct(generate: Generate) -> None:
    inputs = {
        "n": {"enum": [1, True, 0, False, "1", None]},
        "u": {"oneOf": [{"enum": [1]}, {"enum": [True]}, {"enum": [1]}, {"type": "null"}]},
    }
    gen = _run(generate, _flow(inputs))
    assert typing.get_args(gen.hints["function"]["n"])[0] == Literal[1, True, 0, False, "1"]
    u = typing.get_args(gen.hints["function"]["u"])
    assert [typing.get_args(arg) for arg in u] == [(1,), (True,), ()]


def test_nested_unions_are_flattened_as_nodes(generate: Generate) -> None:
    # The old text split cut "list[int | None]" at " | " and de-duplicated "None]": a syntax error.
    inputs = {
        "v": {
            "oneOf": [
                {"type": "array", "items": {"type": ["integer", "null"]}},
                {"type": "array", "items": {"type": ["string", "null"]}},
            ]
        }
    }
    gen = _run(generate, _flow(inputs))
    assert gen.hints["function"]["v"] == list[int | None] | list[str | None] | None


# --- the type tree itself ---------------------------------------------------------------------------


def test_render_uses_py_literal_for_every_value() -> None:
    node = union([LiteralType((SIMPLE, 1, True, None)), Name("None")])
    text = render_type(node)
    assert text == f"Literal[{SIMPLE!r}, 1, True, None] | None"
    tree = ast.parse(text, mode="eval").body
    assert (
        isinstance(tree, ast.BinOp)
        and isinstance(tree.left, ast.Subscript)
        and isinstance(tree.left.slice, ast.Tuple)
    )
    assert ast.literal_eval(tree.left.slice.elts[0]) == SIMPLE


def test_union_flattens_and_deduplicates_with_type_aware_equality() -> None:
    one, true = LiteralType((1,)), LiteralType((True,))
    assert one != true and LiteralType((0,)) != LiteralType((False,)) and one == LiteralType((1,))
    assert len({one, true, LiteralType((1,))}) == 2
    nested = union([Name("int"), union([one, Name("None")]), true, one, Name("int")])
    assert render_type(nested) == "int | Literal[1] | None | Literal[True]"
    assert union([Name("int"), AnyType()]) == AnyType()
    assert union([]) == AnyType()
    assert optional(AnyType()) == AnyType()
    assert LiteralType((1, True, 1, "1", True)).values == (1, True, "1")
    with pytest.raises(TypeError):
        LiteralType((1.0,))  # type: ignore[arg-type]  # deliberately a float: typing.Literal takes none (an enum of floats is Any)


@pytest.mark.parametrize("name", ["", "a b", "x) or (y", "import", "a.b", "1x", "__import__('os')"])
def test_names_must_be_identifiers(name: str) -> None:
    with pytest.raises(ValueError):
        render_type(Name(name))
    with pytest.raises(ValueError):
        render_type(TypedDictRef(name))


def test_generic_renders_only_its_checked_base_and_nodes() -> None:
    node: TypeNode = Generic("dict", (Name("str"), Generic("list", (optional(Name("int")),))))
    assert render_type(node) == "dict[str, list[int | None]]"
    with pytest.raises(ValueError):
        render_type(Generic("list[int] | evil", (Name("int"),)))


def test_type_mapper_returns_nodes() -> None:
    mapper = TypeMapper(Scope())
    node = mapper.type_of({"type": "object", "properties": {"a": {"enum": [SIMPLE]}}}, "thing")
    assert node == TypedDictRef("Thing")
    assert mapper.defs[0].fields[0].type == LiteralType((SIMPLE,))
