"""Unit tests of the pure parts: names, escaping, runtime value helpers and parameter serialization."""

from __future__ import annotations

import ast
import random

import pytest

from generator.codegen.literals import LiteralError, py_literal
from generator.codegen.names import Scope, pascal, snake
from generator.codegen.render import docstring
from generator.runtime import values
from generator.runtime.params import (
    ParamStyle,
    serialize_cookie,
    serialize_header,
    serialize_path,
    serialize_query,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("petId", "pet_id"),
        ("HTTPServer", "http_server"),
        ("v2Token", "v2_token"),
        ("backend-session-payload", "backend_session_payload"),
        ("", "_"),
        ("---", "_"),
        ("2fa", "_2fa"),
        ("import", "import_"),
        ("class", "class_"),
        ("type", "type"),
        ("match", "match"),
        ("x-sirius-status-id", "x_sirius_status_id"),
        ("getHTTP2Server", "get_http2_server"),
    ],
)
def test_snake(text: str, expected: str) -> None:
    assert snake(text) == expected


def test_pascal_and_scopes() -> None:
    assert pascal("HTTPServer") == "HttpServer"
    assert pascal("backend-session-payload") == "BackendSessionPayload"
    params = Scope(frozenset({"client"}))
    assert [
        params.snake(n) for n in ("import", "import", "client", "Client", "petId", "pet_id")
    ] == [
        "import_",
        "import_2",
        "client_",
        "client_2",
        "pet_id",
        "pet_id_2",
    ]
    fields = Scope(frozenset({"trace"}))
    assert fields.snake("trace") == "trace_"


def test_docstring_round_trips_any_text() -> None:
    rng = random.Random(7)
    alphabet = ['"', "'", "\\", "\n", "\t", "\r", "{", "}", "a", " ", "é", "\x00", "\u2028", "#"]
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        literal = docstring(text, indent="")
        value = ast.literal_eval(literal)
        lines = text.replace("\r\n", "\n").replace("\r", "\n").strip(" \t\n").split("\n")
        normalised = "\n".join(line.rstrip(" \t") for line in lines)
        assert value == normalised, (text, literal)


def test_py_literal_round_trips_and_rejects_non_json() -> None:
    value = {"a'\"": [1, 2.5, None, True, "x\n\\"], "": {"nested": []}}
    assert ast.literal_eval(py_literal(value)) == value
    with pytest.raises(LiteralError):
        py_literal(float("inf"))
    with pytest.raises(LiteralError):
        py_literal({1: "x"})


def test_comparisons_are_case_insensitive_and_typed() -> None:
    assert values.eq("ABC", "abc") and values.ne("abc", "abd")
    assert values.eq("5", 5) and values.lt(2, "10") and not values.lt("b", 1)
    assert values.eq(values.MISSING, None) and not values.eq(True, 1)
    assert values.ge(3, 3) and values.gt("B", "a") and not values.lt(None, 1)


def test_pointer_prune_replace_text() -> None:
    doc = {"a/b": {"~x": [10, 20]}}
    assert values.pointer(doc, "/a~1b/~0x/1") == 20
    assert values.pointer(doc, "/missing") is values.MISSING
    assert values.pointer([1], "/01") is values.MISSING
    assert values.prune({"a": values.MISSING, "b": [values.MISSING, 1]}) == {"b": [None, 1]}
    assert values.replace({"a": [1, 2]}, (("/a/1", 9), ("/b", "x"), ("/a/-", 3))) == {
        "a": [1, 9, 3],
        "b": "x",
    }
    assert values.text("id=", 5, " ok=", True, " none=", None) == "id=5 ok=true none="


def test_parameter_styles() -> None:
    assert serialize_path([1, 2], ParamStyle("path", "id")) == "1,2"
    assert serialize_path("a/b c", ParamStyle("path", "id")) == "a%2Fb%20c"
    assert serialize_path([1, 2], ParamStyle("path", "id", "label", True)) == ".1.2"
    assert serialize_path({"a": 1}, ParamStyle("path", "id", "matrix", False)) == ";id=a,1"
    assert serialize_query([1, 2], ParamStyle("query", "t")) == [("t", "1"), ("t", "2")]
    assert serialize_query([1, 2], ParamStyle("query", "t", "form", False)) == [("t", "1,2")]
    assert serialize_query([1, 2], ParamStyle("query", "t", "pipeDelimited", False)) == [
        ("t", "1|2")
    ]
    assert serialize_query({"a": 1, "b": "x"}, ParamStyle("query", "f", "deepObject", True)) == [
        ("f[a]", "1"),
        ("f[b]", "x"),
    ]
    assert serialize_header({"a": 1}, ParamStyle("header", "h", "", True)) == "a=1"
    assert serialize_cookie(True, ParamStyle("cookie", "c")) == [("c", "true")]


def test_jsonpath_and_xpath_helpers() -> None:
    body = {"data": {"items": [{"id": 1}, {"id": 2}]}}
    assert values.jsonpath_any(body, "$.data.items[?@.id == 2]")
    assert values.jsonpath_value(body, "$.data.items[0].id") == 1
    assert values.jsonpath_value(body, "$.nothing") is None
    xml = "<pets><pet name='rex'/></pets>"
    assert values.xpath_any(xml, "//pet[@name='rex']", "xpath-10")
    assert not values.xpath_any(xml, "//cat", "xpath-30")
    assert values.regex(404, r"^4\d\d$") and not values.regex(values.MISSING, ".*")
