"""Runtime expressions: parsing, templates, and compilation to Python source."""

from __future__ import annotations

import ast
from typing import Any

import pytest

from generator.expressions import (
    ComponentsRef,
    ExpressionError,
    InputsRef,
    Method,
    OutputsRef,
    RequestRef,
    ResponseRef,
    RuntimeExpr,
    SourceDescriptionRef,
    StatusCode,
    StepsRef,
    Url,
    WorkflowsRef,
    is_expression,
    parse_expression,
    parse_template,
)
from generator.codegen.compile import (
    compile_expression as compile_expression_node,
    compile_value as compile_value_node,
    source,
)


def compile_expression(*args: Any) -> str:
    """The compiled code as text (:func:`generator.codegen.compile.source`)."""
    return source(compile_expression_node(*args))


def compile_value(*args: Any) -> str:
    """The compiled code as text (:func:`generator.codegen.compile.source`)."""
    return source(compile_value_node(*args))


# --- parsing --------------------------------------------------------------------------------------

VALID: list[tuple[str, RuntimeExpr]] = [
    # the examples table of the specification
    ("$method", Method()),
    ("$request.header.accept", RequestRef("header", "accept", "")),
    ("$request.path.id", RequestRef("path", "id", "")),
    ("$request.body#/user/uuid", RequestRef("body", "", "/user/uuid")),
    ("$url", Url()),
    ("$response.body#/status", ResponseRef("body", "", "/status")),
    ("$response.header.Server", ResponseRef("header", "Server", "")),
    ("$inputs.username", InputsRef("username", "")),
    ("$workflows.foo.inputs.username", WorkflowsRef("foo", "inputs", "username", "")),
    ("$steps.someStepId.outputs.pets", StepsRef("someStepId", "pets", "")),
    ("$steps.someStepId.outputs.pets#/0/id", StepsRef("someStepId", "pets", "/0/id")),
    ("$outputs.bar", OutputsRef("bar", "")),
    ("$workflows.foo.outputs.bar", WorkflowsRef("foo", "outputs", "bar", "")),
    (
        "$workflows.foo.outputs.mappedResponse#/name",
        WorkflowsRef("foo", "outputs", "mappedResponse", "/name"),
    ),
    ("$components.parameters.foo", ComponentsRef("parameters", "foo", "")),
    # the rest of the specification's text and examples
    ("$statusCode", StatusCode()),
    ("$sourceDescriptions.petstore.url", SourceDescriptionRef("petstore", "url")),
    (
        "$sourceDescriptions.petStoreDescription.loginUser",
        SourceDescriptionRef("petStoreDescription", "loginUser"),
    ),
    ("$sourceDescriptions.auth-api.PAR", SourceDescriptionRef("auth-api", "PAR")),
    ("$components.successActions.notify", ComponentsRef("successActions", "notify", "")),
    (
        "$components.inputs.pagination#/properties",
        ComponentsRef("inputs", "pagination", "/properties"),
    ),
    ("$components.failureActions.retry-it", ComponentsRef("failureActions", "retry-it", "")),
    ("$response.header.X-Expires-After", ResponseRef("header", "X-Expires-After", "")),
    ("$response.body", ResponseRef("body", "", "")),
    ("$request.body", RequestRef("body", "", "")),
    ("$request.query.page[size]", RequestRef("query", "page[size]", "")),
    ("$steps.browser-authorize.outputs.code", StepsRef("browser-authorize", "code", "")),
    ("$steps.s_1.outputs.a.b-c_d", StepsRef("s_1", "a.b-c_d", "")),
    # the stepId pattern is a SHOULD and the ABNF's name is *( CHAR ): ids with spaces are referenced as written
    ("$steps.a b.outputs.c", StepsRef("a b", "c", "")),
    ("$steps.Search Stations_0.outputs.id", StepsRef("Search Stations_0", "id", "")),
    ("$inputs.customer#/firstName", InputsRef("customer", "/firstName")),
    ("$inputs.PARrequestBody", InputsRef("PARrequestBody", "")),
    ("$response.body#/paths/~1pet~1{id}/a~0b", ResponseRef("body", "", "/paths/~1pet~1{id}/a~0b")),
    ("$response.body#", ResponseRef("body", "", "")),
    ("$response.body#/", ResponseRef("body", "", "/")),
    ("$request.header.X-Token#1", RequestRef("header", "X-Token#1", "")),  # '#' is a tchar
]


@pytest.mark.parametrize(("text", "expected"), VALID, ids=[t for t, _ in VALID])
def test_parse_valid(text: str, expected: RuntimeExpr) -> None:
    assert parse_expression(text) == expected
    assert is_expression(text)


INVALID: list[tuple[str, int, str]] = [
    ("", 0, "starts with '$'"),
    ("inputs.x", 0, "starts with '$'"),
    ("$", 1, "'$' alone"),
    ("$foo", 1, "unknown runtime expression '$foo'"),
    ("$StatusCode", 1, "did you mean '$statusCode'"),
    ("$statusCodes", 1, "unknown runtime expression"),
    ("$statusCode.x", 11, "unexpected '.' after $statusCode"),
    ("$url#/a", 4, "cannot be followed by a JSON pointer"),
    ("$.data.id", 1, "JSONPath"),
    ("$[0]", 1, "JSONPath"),
    ("$request", 8, "expected '.' after '$request'"),
    ("$request.cookie.x", 9, "expected one of 'header', 'query', 'path', 'body'"),
    ("$request.header.", 16, "expected a header name"),
    ("$request.header.a b", 17, "a header name may contain only"),
    ("$request.header.a/b", 17, "a header name may contain only"),
    ("$request.query.x#/a", 16, "cannot be followed by a JSON pointer"),
    ("$request.bodyx", 9, "found 'bodyx'"),
    ("$response.query.x", 10, "a response has only headers and a body"),
    ("$response.body.status", 14, "use a JSON pointer"),
    ("$response.body#status", 15, "must be empty or start with '/'"),
    ("$response.body#/a~2", 17, "'~' must be followed by '0'"),
    ("$response.body#/a~", 17, "'~' must be followed by '0'"),
    ("$inputs.", 8, "expected an input name"),
    ("$inputs.a{b}", 9, "unexpected '{'"),
    ("$outputs.pets[0]", 13, "use a JSON pointer"),
    ("$steps.x", 8, "expected '.outputs.<name>'"),
    ("$steps.x.y", 9, "expected 'outputs'"),
    ("$steps.retrieve.finalizedPaymentPlan", 16, "expected 'outputs'"),
    ("$steps.x.outputs", 16, "expected '.' and an output name"),
    ("$steps.x.outputs.", 17, "expected an output name"),
    ("$workflows.w.steps.x", 13, "expected one of 'inputs', 'outputs'"),
    ("$sourceDescriptions.api", 23, "expected '.url' or '.<operationId>'"),
    ("$sourceDescriptions.api.", 24, "expected 'url', an operationId"),
    ("$components.schemas.x", 12, "expected one of 'inputs', 'parameters'"),
    ("$components.parameters", 22, "expected '.' and a component name"),
    ("$components.parameters.a b", 24, "a component name may contain only"),
]


@pytest.mark.parametrize(
    ("text", "offset", "message"), INVALID, ids=[t or "<empty>" for t, _, _ in INVALID]
)
def test_parse_invalid(text: str, offset: int, message: str) -> None:
    with pytest.raises(ExpressionError) as info:
        parse_expression(text)
    assert message in info.value.message
    assert info.value.offset == offset


def test_unknown_root_lists_allowed_forms() -> None:
    with pytest.raises(ExpressionError) as info:
        parse_expression("$foo.bar")
    for form in (
        "$url",
        "$statusCode",
        "$steps.<stepId>.outputs.<name>",
        "$components.<kind>.<name>",
    ):
        assert form in info.value.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$inputs.x", True),
        ("$x", True),
        ("$", False),
        ("$.a", False),
        ("$[0]", False),
        ("$5.00", False),
        ("a$inputs.x", False),
        ("{$inputs.x}", False),
        ("", False),
    ],
)
def test_is_expression(text: str, expected: bool) -> None:
    assert is_expression(text) is expected


# --- templates ------------------------------------------------------------------------------------

TEMPLATES: list[tuple[str, tuple[str | RuntimeExpr, ...]]] = [
    ("Bearer {$inputs.token}", ("Bearer ", InputsRef("token", ""))),
    ("plain text", ("plain text",)),
    ("", ()),
    ("{$inputs.x}", (InputsRef("x", ""),)),
    ("{$inputs.a}{$inputs.b}", (InputsRef("a", ""), InputsRef("b", ""))),
    (
        "{$sourceDescriptions.petStoreDescription.url}#/paths/~1pet~1findByStatus/get",
        (SourceDescriptionRef("petStoreDescription", "url"), "#/paths/~1pet~1findByStatus/get"),
    ),
    (
        "client_id={$inputs.clientId}&code{$steps.browser-authorize.outputs.code}&scope=$inputs.scope}",
        (
            "client_id=",
            InputsRef("clientId", ""),
            "&code",
            StepsRef("browser-authorize", "code", ""),
            "&scope=$inputs.scope}",
        ),
    ),
    ('{"petId": "{$inputs.pet_id}"}', ('{"petId": "', InputsRef("pet_id", ""), '"}')),
    ("{{$inputs.x}}", ("{", InputsRef("x", ""), "}")),
    ("{{ $inputs.x }}", ("{{ $inputs.x }}",)),
    ("<id>{$response.body#/a/b}</id>", ("<id>", ResponseRef("body", "", "/a/b"), "</id>")),
]


@pytest.mark.parametrize(("text", "expected"), TEMPLATES)
def test_parse_template(text: str, expected: tuple[str | RuntimeExpr, ...]) -> None:
    assert parse_template(text) == expected


@pytest.mark.parametrize(
    ("text", "offset", "message"),
    [
        ("abc {$foo}", 6, "unknown runtime expression '$foo'"),
        ("x {$inputs.a", 2, "no '}' closes it"),
        ("{$inputs.a} {$steps.s.x}", 22, "expected 'outputs'"),
        ("{$}", 2, "'$' alone"),
    ],
)
def test_parse_template_errors(text: str, offset: int, message: str) -> None:
    with pytest.raises(ExpressionError) as info:
        parse_template(text)
    assert message in info.value.message
    assert info.value.offset == offset


# --- compilation ----------------------------------------------------------------------------------


def _resolve(value: Any, pointer: str = "") -> Any:
    for token in pointer.split("/")[1:] if pointer else []:
        token = token.replace("~1", "/").replace("~0", "~")
        value = value[int(token)] if isinstance(value, list) else value.get(token)
    return value


class FakeContext:
    """The context API the generated code calls (``c``)."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.req_headers = {"accept": "application/json", "a'b": "quote"}
        self.req_query = {"page[size]": 10}
        self.req_path = {"id": "42"}
        self.req_body: Any = {"user": {"uuid": "u-1"}}
        self.resp_headers = {"Server": "nginx"}
        self.resp_body: Any = {"status": "ok", "pets": [{"id": 7}], "a/b": {"c~d": 1}}
        self.input_values: dict[str, Any] = {
            "username": "ann",
            "token": "t0k",
            "customer": {"firstName": "Ann"},
        }
        self.output_values: dict[str, Any] = {"bar": [1, 2]}
        self.step_values: dict[str, dict[str, Any]] = {"someStepId": {"pets": [{"id": 3}]}}
        self.workflow_values: dict[tuple[str, str], dict[str, Any]] = {
            ("foo", "inputs"): {"username": "bob"},
            ("foo", "outputs"): {"mappedResponse": {"name": "rex"}},
        }

    def url(self) -> str:
        return "https://api.example.com/pets"

    def method(self) -> str:
        return "GET"

    def status_code(self) -> int:
        return 200

    def request_header(self, name: str) -> Any:
        return self.req_headers.get(name)

    def request_query(self, name: str) -> Any:
        return self.req_query.get(name)

    def request_path(self, name: str) -> Any:
        return self.req_path.get(name)

    def request_body(self, pointer: str = "") -> Any:
        return _resolve(self.req_body, pointer)

    def response_header(self, name: str) -> Any:
        return self.resp_headers.get(name)

    def response_body(self, pointer: str = "") -> Any:
        return _resolve(self.resp_body, pointer)

    def input(self, name: str, pointer: str = "") -> Any:
        return _resolve(self.input_values.get(name), pointer)

    def outputs(self, name: str, pointer: str = "") -> Any:
        return _resolve(self.output_values.get(name), pointer)

    def step(self, step_id: str, name: str, pointer: str = "") -> Any:
        self.calls.append(("step", step_id, name, pointer))
        return _resolve(self.step_values[step_id].get(name), pointer)

    def workflow(self, workflow_id: str, kind: str, name: str, pointer: str = "") -> Any:
        return _resolve(self.workflow_values[(workflow_id, kind)].get(name), pointer)

    def source_url(self, name: str) -> str:
        return f"https://{name}.example.com/openapi.yaml"


class FakeRuntime:
    """The runtime module API the generated code calls (``rt``)."""

    @staticmethod
    def text(*parts: Any) -> str:
        return "".join("" if p is None else str(p) for p in parts)


ALLOWED_CALLS = {
    "url",
    "method",
    "status_code",
    "request_header",
    "request_query",
    "request_path",
    "request_body",
    "response_header",
    "response_body",
    "input",
    "outputs",
    "step",
    "workflow",
    "source_url",
    "text",
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
    """Compiled code only names ``c``/``rt``, only calls the runtime API, and holds spec text in constants."""
    tree = ast.parse(code, mode="eval")
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            assert node.id in ("c", "rt") and isinstance(node.ctx, ast.Load), ast.dump(node)
        elif isinstance(node, ast.Attribute):
            assert isinstance(node.value, ast.Name) and node.attr in ALLOWED_CALLS, ast.dump(node)
        elif isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Attribute) and not node.keywords, ast.dump(node)
        else:
            assert isinstance(
                node,
                (
                    ast.Expression,
                    ast.Constant,
                    ast.Dict,
                    ast.List,
                    ast.Tuple,
                    ast.Load,
                    ast.BoolOp,
                    ast.And,
                    ast.Or,
                    ast.UnaryOp,
                    ast.Not,
                    ast.USub,
                ),
            ), ast.dump(node)
    return tree


def string_constants(tree: ast.AST) -> list[str]:
    return [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def run(code: str, ctx: FakeContext | None = None) -> Any:
    assert_safe(code)
    namespace = {"c": ctx or FakeContext(), "rt": FakeRuntime}
    return eval(
        compile(code, "<generated>", "eval"), {"__builtins__": {}}, namespace
    )  # noqa: S307 (test only)


EVALUATED: list[tuple[str, Any]] = [
    ("$method", "GET"),
    ("$url", "https://api.example.com/pets"),
    ("$statusCode", 200),
    ("$request.header.accept", "application/json"),
    ("$request.header.a'b", "quote"),
    ("$request.path.id", "42"),
    ("$request.query.page[size]", 10),
    ("$request.body#/user/uuid", "u-1"),
    ("$request.body", {"user": {"uuid": "u-1"}}),
    ("$response.body#/status", "ok"),
    ("$response.body#/pets/0/id", 7),
    ("$response.body#/a~1b/c~0d", 1),
    ("$response.header.Server", "nginx"),
    ("$inputs.username", "ann"),
    ("$inputs.customer#/firstName", "Ann"),
    ("$outputs.bar", [1, 2]),
    ("$steps.someStepId.outputs.pets", [{"id": 3}]),
    ("$steps.someStepId.outputs.pets#/0/id", 3),
    ("$workflows.foo.inputs.username", "bob"),
    ("$workflows.foo.outputs.mappedResponse#/name", "rex"),
    ("$sourceDescriptions.petstore.url", "https://petstore.example.com/openapi.yaml"),
]


@pytest.mark.parametrize(("text", "expected"), EVALUATED, ids=[t for t, _ in EVALUATED])
def test_compile_expression_evaluates(text: str, expected: Any) -> None:
    assert run(compile_expression(parse_expression(text))) == expected


def test_compile_expression_exact_code() -> None:
    assert compile_expression(StepsRef("s", "o", "/0")) == "c.step('s', 'o', '/0')"
    assert (
        compile_expression(WorkflowsRef("w", "inputs", "n", "")) == "c.workflow('w', 'inputs', 'n')"
    )
    assert compile_expression(RequestRef("body", "", "")) == "c.request_body()"
    assert compile_expression(StatusCode()) == "c.status_code()"


COMPONENTS: dict[str, dict[str, Any]] = {
    "parameters": {
        "page": {"name": "page", "in": "query", "value": 1},
        "list": {"value": ["a", {"b/c": None}]},
    },
    "inputs": {"pagination": {"type": "object", "properties": {"page": {"type": "integer"}}}},
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$components.parameters.page", {"name": "page", "in": "query", "value": 1}),
        ("$components.parameters.page#/value", 1),
        ("$components.parameters.list#/value/1/b~1c", None),
        ("$components.inputs.pagination#/properties/page", {"type": "integer"}),
    ],
)
def test_components_resolve_to_literals(text: str, expected: Any) -> None:
    code = compile_expression(parse_expression(text), COMPONENTS)
    tree = assert_safe(code)
    assert not any(isinstance(n, ast.Call) for n in ast.walk(tree))
    assert run(code) == expected


@pytest.mark.parametrize(
    ("text", "components", "message"),
    [
        ("$components.parameters.nope", COMPONENTS, "is not defined"),
        ("$components.parameters.page", None, "is not defined"),
        ("$components.successActions.page", COMPONENTS, "is not defined"),
        ("$components.parameters.page#/missing", COMPONENTS, "'/missing' does not resolve"),
        ("$components.parameters.list#/value/2", COMPONENTS, "'/value/2' does not resolve"),
        ("$components.parameters.list#/value/01", COMPONENTS, "does not resolve"),
        ("$sourceDescriptions.petstore.getPet", None, "only .url is a value"),
    ],
)
def test_compile_expression_errors(text: str, components: Any, message: str) -> None:
    with pytest.raises(ExpressionError) as info:
        compile_expression(parse_expression(text), components)
    assert message in info.value.message


def test_compile_value_nested() -> None:
    payload = {
        "petId": "{$inputs.username}",
        "auth": "Bearer {$inputs.token}",
        "exact": "$response.body#/pets",
        "list": [
            "$statusCode",
            1.5,
            None,
            True,
            {"deep": ["{$steps.someStepId.outputs.pets#/0/id}!"]},
        ],
        "price": "$5.00",
        "page": "$components.parameters.page#/value",
        "json": '{"a": "{$inputs.username}"}',
    }
    assert run(compile_value(payload, COMPONENTS)) == {
        "petId": "ann",
        "auth": "Bearer t0k",
        "exact": [{"id": 7}],
        "list": [200, 1.5, None, True, {"deep": ["3!"]}],
        "price": "$5.00",
        "page": 1,
        "json": '{"a": "ann"}',
    }


def test_compile_value_keeps_type_of_single_embedded_expression() -> None:
    assert compile_value("{$steps.someStepId.outputs.pets}") == "c.step('someStepId', 'pets')"
    assert run(compile_value(["{$steps.someStepId.outputs.pets}"])) == [[{"id": 3}]]


@pytest.mark.parametrize(
    ("value", "offset", "message"),
    [
        ("$inputs", 7, "expected '.' after '$inputs'"),
        ({"a": [1, "x {$nope}"]}, 4, "at '/a/1': unknown runtime expression '$nope'"),
        (
            {"a/b": "{$sourceDescriptions.s.op}"},
            1,
            "at '/a~1b': $sourceDescriptions.s.op names an operation",
        ),
        ({"x": float("nan")}, 0, "at '/x': number nan has no exact literal"),
        ({"x": object()}, 0, "has no literal"),
    ],
)
def test_compile_value_errors(value: Any, offset: int, message: str) -> None:
    with pytest.raises(ExpressionError) as info:
        compile_value(value)
    assert message in info.value.message
    assert info.value.offset == offset


# --- hostile text stays inside string constants ---------------------------------------------------

HOSTILE = [
    "'",
    '"',
    "'''",
    '"""',
    "\\",
    "\\'",
    "a\nb\r\nc",
    "{{ c.__class__ }}",
    "'); __import__('os').system('x'); ('",
    '"""); rt.eq(1, 1); ("""',
    "\x00\u2028\U0001f600",
    "{",
    "}",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_payload_strings_stay_constants(text: str) -> None:
    value = {text: [text, {"k": text}], "t": text + "{$inputs.username}" + text}
    code = compile_value(value)
    tree = assert_safe(code)
    assert text in string_constants(tree)
    assert run(code) == {text: [text, {"k": text}], "t": f"{text}ann{text}"}


def test_unclosed_embedded_expression_is_an_error_not_text() -> None:
    with pytest.raises(ExpressionError) as info:
        compile_value({"k": ["} {$inputs.x"]})
    assert info.value.message.startswith("at '/k/0': '{$' starts an embedded runtime expression")
    assert info.value.offset == 2


@pytest.mark.parametrize(
    "text",
    [
        "$response.body#/'''\"\"\"\\\n{{x}}",
        "$request.header.'''",
        '$request.query."""\\',
        "$request.path.');c.x('",
        "$inputs.a'b\"c\\d",
        "$sourceDescriptions.a.url",
        "$response.body#/\r\n\t",
    ],
)
def test_hostile_names_and_pointers_stay_constants(text: str) -> None:
    expr = parse_expression(text)
    code = compile_expression(expr)
    tree = assert_safe(code)
    constants = string_constants(tree)
    for field in ("name", "pointer"):
        part = getattr(expr, field, "")
        if part:
            assert part in constants


def test_hostile_component_value_stays_constant() -> None:
    components = {"parameters": {"p": {"value": "'''\"\"\"\\\n{{}}')"}}}
    code = compile_expression(parse_expression("$components.parameters.p#/value"), components)
    assert string_constants(assert_safe(code)) == ["'''\"\"\"\\\n{{}}')"]
