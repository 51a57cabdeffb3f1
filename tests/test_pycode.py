"""generator.pycode: checked identifiers, exact literals, and the one render function."""

from __future__ import annotations

import ast
from typing import Any

import pytest

from generator.codegen import pycode
from generator.codegen.names import Scope
from generator.codegen.pycode import Identifier, LiteralError, literal, render


@pytest.mark.parametrize(
    "text", ["class", "None", "True", "", "1x", "a-b", "a b", "é", "x\n", "a.b", "__import__('os')"]
)
def test_identifier_refuses_keywords_and_non_identifiers(text: str) -> None:
    with pytest.raises(ValueError):
        Identifier(text)


@pytest.mark.parametrize("text", ["x", "_", "type", "match", "_2", "CompleteStatusResult"])
def test_identifier_accepts_names_and_soft_keywords(text: str) -> None:
    assert Identifier(text) == text


def test_name_takes_only_identifiers() -> None:
    with pytest.raises(TypeError):
        pycode.name("x")  # type: ignore[arg-type]
    assert render(pycode.name(Identifier("x"))) == "x"


NASTY = [
    "",
    "'",
    '"',
    '"""',
    "'''",
    "\\",
    "\\'",
    "\n\r\t\x00\x1b",
    "\u2028\u2029\x85",
    "é中😀",
    "{$inputs.x}",
    "'); import os; os.system('touch PWNED') #",
    '"""; import os #',
    "a" * 5000,
]


@pytest.mark.parametrize("value", NASTY)
def test_literal_round_trips_nasty_strings(value: str) -> None:
    text = render(literal(value))
    assert ast.literal_eval(text) == value
    assert isinstance(ast.parse(text, mode="eval").body, ast.Constant)


@pytest.mark.parametrize(
    "value",
    [
        {"a": [1, 2.5, None, True, False, {"b": ("x",)}], "": {}, "c": []},
        [[[[]]]],
        (1,),
        (),
        10**300,
        -(10**300),
        -1,
        1e-300,
        2.0**-1074,
        1.7976931348623157e308,
        {"k": NASTY},
    ],
)
def test_literal_round_trips_nested_values(value: Any) -> None:
    text = render(literal(value))
    assert ast.literal_eval(text) == value
    assert type(ast.literal_eval(text)) is type(value)


def test_negative_zero_keeps_its_sign() -> None:
    text = render(literal(-0.0))
    assert str(ast.literal_eval(text)) == "-0.0"
    assert str(ast.literal_eval(render(literal([-0.0, {"z": -0.0}])))) == "[-0.0, {'z': -0.0}]"


def test_bool_stays_bool_and_ints_stay_ints() -> None:
    assert render(literal([True, 1, 1.0])) == "[True, 1, 1.0]"


@pytest.mark.parametrize(
    "value",
    [
        float("inf"),
        float("-inf"),
        float("nan"),
        {1: "x"},
        {None: 1},
        {"a": [float("nan")]},
        {1, 2},
        b"x",
        object(),
    ],
)
def test_literal_errors(value: Any) -> None:
    with pytest.raises(LiteralError):
        literal(value)


def test_scope_names_are_identifiers_and_distinct() -> None:
    scope = Scope(frozenset({"client"}))
    names = [
        scope.snake(text) for text in ["import", "import", "client", "1st", "a-b", "ä", "", "__"]
    ]
    assert all(isinstance(name, Identifier) for name in names)
    assert len(set(names)) == len(names)
    assert names[:3] == ["import_", "import_2", "client_"]
    assert scope.constant("updateStatus") == "_UPDATE_STATUS"
    assert scope.constant("update-status") == "_UPDATE_STATUS_2"


def test_boolean_operators_parenthesise_only_where_needed() -> None:
    a, b, c = (pycode.name(Identifier(x)) for x in "abc")
    assert render(pycode.both([pycode.either([a, b]), c])) == "(a or b) and c"
    assert render(pycode.either([pycode.both([a, b]), pycode.negate(c)])) == "a and b or not c"
    assert render(pycode.negate(pycode.both([a, b]))) == "not (a and b)"
