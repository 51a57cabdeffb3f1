"""Criterion conditions: the ``simple`` grammar, JSONPath/XPath/regex checks, and compiled code."""

from __future__ import annotations

import ast
from typing import Any

import jsonpath_rfc9535
import pytest

from generator.expressions import (
    And,
    Compare,
    Condition,
    ExpressionError,
    InputsRef,
    Literal,
    Not,
    Or,
    Ref,
    ResponseRef,
    StatusCode,
    StepsRef,
    check_jsonpath,
    check_regex,
    check_xpath,
    parse_condition,
    split_query_comparison,
)
from generator.codegen.compile import (
    compile_condition as compile_condition_node,
    compile_query_criterion as compile_query_criterion_node,
    source,
)


def compile_condition(*args: Any) -> str:
    """The compiled code as text (:func:`generator.codegen.compile.source`)."""
    return source(compile_condition_node(*args))


def compile_query_criterion(kind: str, query: str, context: str, version: str) -> str:
    """The compiled criterion as text (the context given as code text, parsed to its node)."""
    return source(
        compile_query_criterion_node(kind, query, ast.parse(context, mode="eval").body, version)
    )


SC = Ref(StatusCode())


def body(pointer: str = "") -> Ref:
    return Ref(ResponseRef("body", "", pointer))


def inp(name: str) -> Ref:
    return Ref(InputsRef(name, ""))


PARSED: list[tuple[str, Condition]] = [
    ("$statusCode == 200", Compare("==", SC, Literal(200))),
    ("$statusCode==200", Compare("==", SC, Literal(200))),
    ("  $statusCode\t!=\n404  ", Compare("!=", SC, Literal(404))),
    ("$statusCode < 300", Compare("<", SC, Literal(300))),
    ("$statusCode <= 300", Compare("<=", SC, Literal(300))),
    ("$statusCode > 1.5", Compare(">", SC, Literal(1.5))),
    ("$statusCode >= -1e3", Compare(">=", SC, Literal(-1000.0))),
    (
        "$response.body#/existingCustomerNotEligible == false",
        Compare("==", body("/existingCustomerNotEligible"), Literal(False)),
    ),
    (
        "$response.body#/redirectAuthToken != null",
        Compare("!=", body("/redirectAuthToken"), Literal(None)),
    ),
    (
        "$steps.check.outputs.required == true",
        Compare("==", Ref(StepsRef("check", "required", "")), Literal(True)),
    ),
    (
        "$statusCode == 200 || $statusCode == 201",
        Or((Compare("==", SC, Literal(200)), Compare("==", SC, Literal(201)))),
    ),
    # precedence: && binds tighter than ||, ! tighter than &&, and ! applies to a whole comparison
    ("$inputs.a || $inputs.b && $inputs.c", Or((inp("a"), And((inp("b"), inp("c")))))),
    ("$inputs.a && $inputs.b || $inputs.c", Or((And((inp("a"), inp("b"))), inp("c")))),
    ("!$inputs.a && $inputs.b", And((Not(inp("a")), inp("b")))),
    ("!$inputs.a == 1", Not(Compare("==", inp("a"), Literal(1)))),
    ("!!$inputs.a", Not(Not(inp("a")))),
    ("($inputs.a || $inputs.b) && $inputs.c", And((Or((inp("a"), inp("b"))), inp("c")))),
    ("$inputs.a || $inputs.b || $inputs.c", Or((inp("a"), inp("b"), inp("c")))),
    ("(($inputs.a))", inp("a")),
    ("($inputs.a == 1) == true", Compare("==", Compare("==", inp("a"), Literal(1)), Literal(True))),
    # braces group like parentheses (the specification writes "{$statusCode == 401}")
    ("{$statusCode == 401}", Compare("==", SC, Literal(401))),
    ("{$statusCode} == 401", Compare("==", SC, Literal(401))),
    # strings
    ("$inputs.s == 'it''s'", Compare("==", inp("s"), Literal("it's"))),
    ("$inputs.s == ''", Compare("==", inp("s"), Literal(""))),
    ("$inputs.s == ''''", Compare("==", inp("s"), Literal("'"))),
    ('$inputs.s == "say ""hi"""', Compare("==", inp("s"), Literal('say "hi"'))),
    ("$inputs.s == 'a\\b'", Compare("==", inp("s"), Literal("a\\b"))),
    ("$inputs.s == 'x == y && (z)'", Compare("==", inp("s"), Literal("x == y && (z)"))),
    ("'$inputs.s' == $inputs.s", Compare("==", Literal("$inputs.s"), inp("s"))),
    # numbers and keywords
    ("0 == 007", Compare("==", Literal(0), Literal(7))),
    ("-2.5E-3 < 1.0e+2", Compare("<", Literal(-0.0025), Literal(100.0))),
    ("true", Literal(True)),
    ("null == null", Compare("==", Literal(None), Literal(None))),
    ("$response.body#/a~1b == 1", Compare("==", body("/a~1b"), Literal(1))),
    # the Criterion Object's '.' (property) and '[]' (index) operators read into a value
    ("$response.body.data != null", Compare("!=", body("/data"), Literal(None))),
    ("$response.body.items[0].id == 3", Compare("==", body("/items/0/id"), Literal(3))),
    ("$response.body#/a.b[1] == 3", Compare("==", body("/a.b[1]"), Literal(3))),
    ("$response.body#/a[1] == 3", Compare("==", body("/a[1]"), Literal(3))),
    (
        "$steps.Search Stations_0.outputs.id == 3",
        Compare("==", Ref(StepsRef("Search Stations_0", "id", "")), Literal(3)),
    ),
]


@pytest.mark.parametrize(("text", "expected"), PARSED, ids=[t for t, _ in PARSED])
def test_parse_condition(text: str, expected: Condition) -> None:
    assert parse_condition(text) == expected


def test_ref_remembers_its_offset() -> None:
    node = parse_condition("1 == $inputs.x")
    assert isinstance(node, Compare) and isinstance(node.right, Ref)
    assert node.right.offset == 5


ERRORS: list[tuple[str, int, str]] = [
    ("", 0, "empty condition"),
    ("   ", 0, "empty condition"),
    ("$statusCode = 200", 12, "use '=='"),
    ("$inputs.a & $inputs.b", 10, "use '&&'"),
    ("$inputs.a | $inputs.b", 10, "use '||'"),
    ("foo == 1", 0, "unexpected word 'foo'"),
    ("$statusCode == OK", 15, "strings must be quoted ('OK')"),
    ("True", 0, "write true instead of True"),
    ("$statusCode == NULL", 15, "write null instead of NULL"),
    ("$statusCode == 'abc", 15, "string opened by ' is not closed"),
    ('$statusCode == "abc', 15, 'string opened by " is not closed'),
    ("$statusCode == 200OK", 15, "malformed number '200OK'"),
    ("$statusCode == 1.", 15, "malformed number"),
    ("$statusCode == -x", 15, "'-' must be followed by a number"),
    ("1 == 2 == 3", 7, "comparisons cannot be chained"),
    ("$statusCode 200", 12, "expected an operator before '200'"),
    ("$statusCode == 200 (1)", 19, "expected an operator before '('"),
    ("($statusCode == 200", 19, "expected ')' to close the '(' at offset 0"),
    ("{$statusCode == 200)", 19, "expected '}' to close the '{' at offset 0"),
    ("$statusCode == 200)", 18, "unexpected ')'"),
    ("== 200", 0, "expected a value"),
    ("$statusCode ==", 14, "expected a value"),
    ("$statusCode == 200 &&", 21, "expected a value"),
    ("!", 1, "expected a value"),
    ("()", 1, "expected a value"),
    ("$statusCode == 200 # x", 19, "unexpected character '#'"),
    ("$foo == 1", 1, "unknown runtime expression '$foo'"),
    ("1 == $steps.x.y", 14, "expected 'outputs'"),
    ("$statusCode.x == 1", 11, "unexpected '.' after $statusCode"),
    ("$[?@.a] == 1", 1, "JSONPath"),
]


@pytest.mark.parametrize(
    ("text", "offset", "message"), ERRORS, ids=[t or "<empty>" for t, _, _ in ERRORS]
)
def test_parse_condition_errors(text: str, offset: int, message: str) -> None:
    with pytest.raises(ExpressionError) as info:
        parse_condition(text)
    assert message in info.value.message
    assert info.value.offset == offset


@pytest.mark.parametrize(
    "text", ["(" * 500 + "true" + ")" * 500, "!" * 500 + "true", "{" * 500 + "true" + "}" * 500]
)
def test_deep_nesting_is_an_error_not_a_crash(text: str) -> None:
    with pytest.raises(ExpressionError, match="nested more than"):
        parse_condition(text)


# --- compiled conditions --------------------------------------------------------------------------


class FakeContext:
    def __init__(
        self, status: int = 200, body: Any = None, inputs: dict[str, Any] | None = None
    ) -> None:
        self.status = status
        self.body = body
        self.input_values = inputs or {}

    def status_code(self) -> int:
        return self.status

    def response_body(self, pointer: str = "") -> Any:
        value = self.body
        for token in pointer.split("/")[1:] if pointer else []:
            value = value[int(token)] if isinstance(value, list) else (value or {}).get(token)
        return value

    def input(self, name: str, pointer: str = "") -> Any:
        assert pointer == ""
        return self.input_values.get(name)

    def step(self, step_id: str, name: str, pointer: str = "") -> Any:
        return {"check": {"required": True}}.get(step_id, {}).get(name)


def _fold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


class FakeRuntime:
    @staticmethod
    def eq(a: Any, b: Any) -> bool:
        return bool(_fold(a) == _fold(b))

    @staticmethod
    def ne(a: Any, b: Any) -> bool:
        return not FakeRuntime.eq(a, b)

    @staticmethod
    def lt(a: Any, b: Any) -> bool:
        try:
            return bool(_fold(a) < _fold(b))
        except TypeError:
            return False

    @staticmethod
    def le(a: Any, b: Any) -> bool:
        return FakeRuntime.lt(a, b) or FakeRuntime.eq(a, b)

    @staticmethod
    def gt(a: Any, b: Any) -> bool:
        return FakeRuntime.lt(b, a)

    @staticmethod
    def ge(a: Any, b: Any) -> bool:
        return FakeRuntime.le(b, a)

    @staticmethod
    def truthy(value: Any) -> bool:
        return bool(value)

    @staticmethod
    def jsonpath_any(context: Any, query: str) -> bool:
        return bool(jsonpath_rfc9535.find(query, context))

    @staticmethod
    def jsonpath_value(context: Any, query: str) -> Any:
        nodes = jsonpath_rfc9535.find(query, context)
        return nodes[0].value if nodes else None


ALLOWED_ATTRS = {
    "status_code",
    "response_body",
    "input",
    "step",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "truthy",
    "jsonpath_any",
    "jsonpath_value",
    "xpath_any",
}


def assert_safe(code: str) -> ast.Expression:
    tree = ast.parse(code, mode="eval")
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            assert node.id in ("c", "rt", "True", "False"), ast.dump(node)
        elif isinstance(node, ast.Attribute):
            assert isinstance(node.value, ast.Name) and node.attr in ALLOWED_ATTRS, ast.dump(node)
        elif isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Attribute) and not node.keywords, ast.dump(node)
        else:
            assert isinstance(
                node,
                (
                    ast.Expression,
                    ast.Constant,
                    ast.Load,
                    ast.BoolOp,
                    ast.And,
                    ast.Or,
                    ast.UnaryOp,
                    ast.Not,
                ),
            ), ast.dump(node)
    return tree


def run(code: str, ctx: FakeContext) -> Any:
    assert_safe(code)
    return eval(
        compile(code, "<generated>", "eval"), {"__builtins__": {}}, {"c": ctx, "rt": FakeRuntime}
    )  # noqa: S307


EVALUATED: list[tuple[str, FakeContext, bool]] = [
    ("$statusCode == 200", FakeContext(200), True),
    ("$statusCode == 200", FakeContext(404), False),
    ("$statusCode == 200 || $statusCode == 201", FakeContext(201), True),
    ("$statusCode >= 200 && $statusCode < 300", FakeContext(299), True),
    ("$statusCode >= 200 && $statusCode < 300", FakeContext(300), False),
    ("!($statusCode == 200)", FakeContext(500), True),
    ("!$statusCode == 200", FakeContext(200), False),
    (
        "$response.body#/redirectAuthToken != null",
        FakeContext(body={"redirectAuthToken": "t"}),
        True,
    ),
    ("$response.body#/redirectAuthToken == null", FakeContext(body={}), True),
    (
        "$response.body#/existingCustomerNotEligible == false",
        FakeContext(body={"existingCustomerNotEligible": False}),
        True,
    ),
    ("$response.body#/status == 'OK'", FakeContext(body={"status": "ok"}), True),
    ("$response.body#/items/1 == 'it''s'", FakeContext(body={"items": ["x", "IT'S"]}), True),
    ("$response.body#/ready", FakeContext(body={"ready": True}), True),
    ("$response.body#/ready", FakeContext(body={"ready": False}), False),
    ("$response.body#/ready || $inputs.force", FakeContext(body={}, inputs={"force": 1}), True),
    ("true && !false", FakeContext(), True),
    ("null", FakeContext(), False),
    ("'x'", FakeContext(), True),
    ("$steps.check.outputs.required == true", FakeContext(), True),
    ("$response.body.items[1].id == 3", FakeContext(body={"items": [{}, {"id": 3}]}), True),
    ("$response.body.data != null", FakeContext(body={"data": None}), False),
    ("($statusCode == 200) == false", FakeContext(500), True),
    ("{$statusCode == 401}", FakeContext(401), True),
]


@pytest.mark.parametrize(("text", "ctx", "expected"), EVALUATED, ids=[t for t, _, _ in EVALUATED])
def test_compiled_condition_evaluates(text: str, ctx: FakeContext, expected: bool) -> None:
    assert run(compile_condition(text), ctx) is expected


def test_compiled_condition_shape() -> None:
    assert compile_condition("$statusCode == 200") == "rt.eq(c.status_code(), 200)"
    assert compile_condition("!$inputs.a && true") == "not rt.truthy(c.input('a')) and True"
    assert compile_condition("$inputs.a || null") == "rt.truthy(c.input('a')) or rt.truthy(None)"
    # parentheses only where the operators need them
    assert (
        compile_condition("($statusCode == 200 || $statusCode == 201) && !($inputs.a && $inputs.b)")
        == "(rt.eq(c.status_code(), 200) or rt.eq(c.status_code(), 201)) and "
        "(not (rt.truthy(c.input('a')) and rt.truthy(c.input('b'))))"
    )


def test_compile_condition_errors_point_into_the_condition() -> None:
    with pytest.raises(ExpressionError) as info:
        compile_condition("$statusCode == 200 && $sourceDescriptions.api.getPet")
    assert "only .url is a value" in info.value.message
    assert info.value.offset == 22
    with pytest.raises(ExpressionError) as info:
        compile_condition("$components.parameters.nope == 1", {"parameters": {}})
    assert info.value.offset == 0 and "is not defined" in info.value.message


def test_compile_condition_resolves_components() -> None:
    code = compile_condition(
        "$statusCode == $components.parameters.ok#/value", {"parameters": {"ok": {"value": 204}}}
    )
    assert code == "rt.eq(c.status_code(), 204)"


HOSTILE = [
    "'''",
    '"""',
    "\\",
    "\\'",
    "a\nb",
    "{{ x }}",
    "'); __import__('os'); ('",
    '")or("',
    "\u2028\x00",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_strings_stay_constants(text: str) -> None:
    quoted = "'" + text.replace("'", "''") + "'"
    code = compile_condition(f"$response.body#/x == {quoted} || {quoted} != $inputs.y")
    tree = assert_safe(code)
    constants = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]
    assert constants.count(text) == 2
    assert run(code, FakeContext(body={"x": text.upper()}, inputs={"y": text})) is True


def test_hostile_pointer_stays_constant() -> None:
    code = compile_condition("$response.body#/'''\"\"\"\\{{x}} == 1")
    tree = assert_safe(code)
    assert "/'''\"\"\"\\{{x}}" in [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]


# --- jsonpath / xpath / regex ---------------------------------------------------------------------

SPLITS: list[tuple[str, tuple[str, str | None, Any]]] = [
    (
        "$.data.initializeSession.secure_id != null",
        ("$.data.initializeSession.secure_id", "!=", None),
    ),
    ("$[?count(@.pets) > 0]", ("$[?count(@.pets) > 0]", None, None)),
    ("$[?@.access_token != null]", ("$[?@.access_token != null]", None, None)),
    ("$.status == 'it''s'", ("$.status", "==", "it's")),
    ('$.status == "ok"', ("$.status", "==", "ok")),
    ("$.count >= 2", ("$.count", ">=", 2)),
    ("$.ratio < -1.5e1  ", ("$.ratio", "<", -15.0)),
    ("$.flag == true", ("$.flag", "==", True)),
    ("$[?@.a == 1] == false", ("$[?@.a == 1]", "==", False)),
    ("$['a == 1'] > 2", ("$['a == 1']", ">", 2)),
    ("$..book[0].title", ("$..book[0].title", None, None)),
]


@pytest.mark.parametrize(("text", "expected"), SPLITS)
def test_split_query_comparison(text: str, expected: tuple[str, str | None, Any]) -> None:
    assert split_query_comparison(text) == expected


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("$.a ==", 4),
        ("$.a b", 4),
        ("$.a.. == 1", 5),
        ("$[?@.a == ] == 1", 10),
        ("data.x", 0),
        ("$.a == foo", 4),
    ],
)
def test_split_query_comparison_errors(text: str, offset: int) -> None:
    with pytest.raises(ExpressionError) as info:
        split_query_comparison(text)
    assert info.value.message.startswith("invalid JSONPath query (RFC 9535)")
    assert info.value.offset == offset


def test_check_jsonpath() -> None:
    check_jsonpath("$[?count(@.products) > 0]")
    with pytest.raises(ExpressionError, match="RFC 9535"):
        check_jsonpath("$[?(@.length-1)]")


@pytest.mark.parametrize(
    ("query", "version"),
    [
        ("//a[@b = 1]", "xpath-10"),
        ("/a/b[1]/text()", "xpath-20"),
        ("for $x in //a return $x", "xpath-20"),
        ("let $x := 1 return $x", "xpath-30"),
        ("map{'a': 1}?a", ""),
    ],
)
def test_check_xpath_accepts(query: str, version: str) -> None:
    check_xpath(query, version)


@pytest.mark.parametrize(
    ("query", "version", "offset", "message"),
    [
        ("//a[", "xpath-10", 3, "invalid XPath (xpath-10)"),
        ("for $x in //a return $x", "xpath-10", 4, "invalid XPath (xpath-10)"),
        ("//a", "xpath-99", 0, "unknown XPath version 'xpath-99'"),
    ],
)
def test_check_xpath_rejects(query: str, version: str, offset: int, message: str) -> None:
    with pytest.raises(ExpressionError) as info:
        check_xpath(query, version)
    assert message in info.value.message
    assert info.value.offset == offset


def test_check_regex() -> None:
    check_regex("^200$")
    check_regex("^[A-Z]{3}$")
    with pytest.raises(ExpressionError) as info:
        check_regex("^(200")
    assert "invalid regular expression" in info.value.message and info.value.offset == 1


@pytest.mark.parametrize(
    ("query", "body", "expected"),
    [
        ("$[?count(@.products) > 0]", [{"products": [1]}], True),
        ("$[?count(@.products) > 0]", [{"other": []}], False),
        ("$[?@.access_token != null]", {"x": {"access_token": "t"}}, True),
        (
            "$.data.initializeSession.secure_id != null",
            {"data": {"initializeSession": {"secure_id": "s"}}},
            True,
        ),
        ("$.data.initializeSession.secure_id != null", {"data": {}}, False),
        ("$.status == 'OK'", {"status": "ok"}, True),
        ("$.n > 2", {"n": 3}, True),
    ],
)
def test_compile_jsonpath_criterion(query: str, body: Any, expected: bool) -> None:
    code = compile_query_criterion("jsonpath", query, "c.response_body()", "")
    assert run(code, FakeContext(body=body)) is expected


def test_compile_query_criterion_shapes() -> None:
    ctx = "c.response_body()"
    assert (
        compile_query_criterion("jsonpath", "$.a", ctx, "")
        == "rt.jsonpath_any(c.response_body(), '$.a')"
    )
    assert (
        compile_query_criterion(
            "jsonpath", "$.a != null", ctx, "draft-goessner-dispatch-jsonpath-00"
        )
        == "rt.ne(rt.jsonpath_value(c.response_body(), '$.a'), None)"
    )
    assert (
        compile_query_criterion("xpath", "//a[@b='x''']", ctx, "xpath-30")
        == "rt.xpath_any(c.response_body(), \"//a[@b='x''']\", 'xpath-30')"
    )
    with pytest.raises(ExpressionError, match="unknown criterion type"):
        compile_query_criterion("regex", "^a$", ctx, "")
    with pytest.raises(ExpressionError, match="invalid XPath"):
        compile_query_criterion("xpath", "//a[", ctx, "xpath-10")


def test_hostile_jsonpath_query_stays_constant() -> None:
    query = "$['\\'\\'\\'\"\"\"{{x}}\\n'] == 'a''b'"
    code = compile_query_criterion("jsonpath", query, "c.response_body()", "")
    tree = assert_safe(code)
    constants = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]
    assert "$['\\'\\'\\'\"\"\"{{x}}\\n']" in constants and "a'b" in constants
