"""The Arazzo 1.1 runtime-expression grammar beside 1.0's: each difference both ways, the new nodes
($self, $message), templates and conditions in either grammar, and their compilation."""

from __future__ import annotations

from types import SimpleNamespace
from pathlib import Path
from typing import Any, cast

import pytest

from generator.checks.walk import document_grammar, in_condition, in_value, parsed_condition
from generator.codegen.compile import compile_condition, compile_expression, compile_value, source
from generator.codegen.stepcode import StepCompiler, document_uri
from generator.diagnostics import Diagnostics, Location
from generator.model.nodes import Document
from generator.expressions import (
    Compare,
    ComponentsRef,
    ExpressionError,
    InputsRef,
    Literal,
    MessageRef,
    Method,
    OutputsRef,
    Ref,
    RequestRef,
    ResponseRef,
    SelfRef,
    SourceDescriptionRef,
    StatusCode,
    StepsRef,
    Url,
    WorkflowsRef,
    grammar_version,
    parse_condition,
    parse_expression,
    parse_template,
)
from generator.expressions.template_expr import expression_text

# Read the same way by both grammars.
SAME = [
    ("$url", Url()),
    ("$method", Method()),
    ("$statusCode", StatusCode()),
    ("$request.header.X-Request-Id", RequestRef("header", "X-Request-Id", "")),
    ("$request.query.page", RequestRef("query", "page", "")),
    ("$request.path.id", RequestRef("path", "id", "")),
    ("$request.body#/user/uuid", RequestRef("body", "", "/user/uuid")),
    ("$response.header.Server", ResponseRef("header", "Server", "")),
    ("$response.body", ResponseRef("body", "", "")),
    ("$response.body#/items/0/id", ResponseRef("body", "", "/items/0/id")),
    ("$response.body#/a~1b~0c", ResponseRef("body", "", "/a~1b~0c")),
    ("$inputs.user.name", InputsRef("user.name", "")),
    ("$inputs.user#/name", InputsRef("user", "/name")),
    ("$outputs.bar", OutputsRef("bar", "")),
    ("$steps.get-pet_1.outputs.pets#/0/id", StepsRef("get-pet_1", "pets", "/0/id")),
    ("$workflows.foo.inputs.username", WorkflowsRef("foo", "inputs", "username", "")),
    ("$workflows.foo.outputs.mapped#/name", WorkflowsRef("foo", "outputs", "mapped", "/name")),
    ("$sourceDescriptions.petstore.url", SourceDescriptionRef("petstore", "url")),
    ("$sourceDescriptions.petstore.getPetById", SourceDescriptionRef("petstore", "getPetById")),
    ("$components.parameters.foo", ComponentsRef("parameters", "foo", "")),
    ("$components.successActions.bar", ComponentsRef("successActions", "bar", "")),
    ("$components.failureActions.baz", ComponentsRef("failureActions", "baz", "")),
]

# Every difference, both ways: (text, what 1.0 reads, what 1.1 reads); a str is an error's message part.
DIFFERENT: list[tuple[str, Any, Any]] = [
    # 1. $self
    ("$self", "unknown runtime expression '$self'", SelfRef()),
    # 2. $message
    (
        "$message.header.X-Id",
        "unknown runtime expression '$message'",
        MessageRef("header", "X-Id", ""),
    ),
    ("$message.payload", "unknown runtime expression", MessageRef("payload", "", "")),
    (
        "$message.payload#/status",
        "unknown runtime expression",
        MessageRef("payload", "", "/status"),
    ),
    # 3. identifier-strict step ids (1.0 reads to the next '.')
    ("$steps.Find it_0.outputs.x", StepsRef("Find it_0", "x", ""), "step id may contain only"),
    ("$steps.a:b.outputs.x", StepsRef("a:b", "x", ""), "step id may contain only"),
    # 4. identifier names
    ("$steps.s.outputs.Employee object", StepsRef("s", "Employee object", ""), "unexpected U+0020"),
    ("$inputs.a:b", InputsRef("a:b", ""), "unexpected ':' after an input name"),
    ("$outputs.a b", "unexpected U+0020", "unexpected U+0020"),
    ("$workflows.w.outputs.a b", WorkflowsRef("w", "outputs", "a b", ""), "unexpected U+0020"),
    ("$workflows.w.inputs.a@b", WorkflowsRef("w", "inputs", "a@b", ""), "unexpected '@'"),
    # 5. components: no inputs, no pointer
    ("$components.inputs.pet", ComponentsRef("inputs", "pet", ""), "found 'inputs'"),
    (
        "$components.parameters.p#/value",
        ComponentsRef("parameters", "p", "/value"),
        "cannot be followed by a JSON pointer",
    ),
    # 6. CHAR names: spaces, '#', JSON escapes; no raw '"'
    ("$request.query.a b", "unexpected U+0020", RequestRef("query", "a b", "")),
    ("$request.path.a#b", "cannot be followed by a JSON pointer", RequestRef("path", "a#b", "")),
    ('$request.query.a\\"b', RequestRef("query", 'a\\"b', ""), RequestRef("query", 'a"b', "")),
    (
        "$request.query.caf\\u00e9",
        RequestRef("query", "caf\\u00e9", ""),
        RequestRef("query", "café", ""),
    ),
    ('$request.query.a"b', RequestRef("query", 'a"b', ""), "names exclude"),
    ("$request.query.a\\qb", RequestRef("query", "a\\qb", ""), "starts a JSON escape"),
    ("$sourceDescriptions.s.get pet", "unexpected U+0020", SourceDescriptionRef("s", "get pet")),
    (
        "$sourceDescriptions.s.a\\/b",
        SourceDescriptionRef("s", "a\\/b"),
        SourceDescriptionRef("s", "a/b"),
    ),
    # 7. no braces in pointers
    (
        "$response.body#/a{b",
        ResponseRef("body", "", "/a{b"),
        "'{' is not allowed in a JSON pointer",
    ),
    ("$inputs.x#/}", InputsRef("x", "/}"), "'}' is not allowed in a JSON pointer"),
]

# Malformed in 1.1: (text, offset, message part).
INVALID_11 = [
    ("self", 0, "starts with '$'"),
    ("$Self", 1, "did you mean '$self'"),
    ("$self.x", 5, "unexpected '.' after $self"),
    ("$self#/a", 5, "cannot be followed by a JSON pointer"),
    ("$message", 8, "expected '.' after '$message'"),
    ("$message.body", 9, "a message has only headers and a payload"),
    ("$message.query.a", 9, "found 'query'"),
    ("$message.header.", 16, "expected a header name"),
    ("$message.header.a b", 17, "unexpected U+0020"),
    ("$message.payload/a", 16, "unexpected '/'"),
    ("$message.payload#a", 17, "must be empty or start with '/'"),
    ("$request.payload", 9, "a payload belongs to $message"),
    ("$response.payload#/a", 10, "a response has only headers and a body"),
    ("$request.query.", 15, "expected a query parameter name"),
    ("$request.query.a\\u12", 16, "starts a JSON escape"),
    ("$request.query.a\tb", 16, "names exclude"),
    ("$steps..outputs.x", 7, "expected a step id"),
    ("$steps.a.b.outputs.x", 9, "found 'b'"),
    ("$workflows.w x.inputs.a", 12, "workflow id may contain only"),
    ("$sourceDescriptions.s.", 22, "expected 'url', an operationId"),
    ("$sourceDescriptions.s x.url", 21, "source description name may contain only"),
    ("$components.parameters.", 23, "expected a component name"),
    ("$inputs.", 8, "expected an input name"),
    ("$outputs.x#/~2", 12, "'~' must be followed by '0'"),
    ("$.store.book", 1, "JSONPath query"),
]


@pytest.mark.parametrize(("text", "expected"), SAME)
@pytest.mark.parametrize("version", ["1.0", "1.1", "1.0.1", "1.1.0"])
def test_both_grammars_read_the_common_forms_alike(text: str, expected: Any, version: str) -> None:
    assert parse_expression(text, version=version) == expected


def _read(text: str, version: str) -> Any:
    try:
        return parse_expression(text, version=version)
    except ExpressionError as error:
        return error


@pytest.mark.parametrize(("text", "in_10", "in_11"), DIFFERENT)
def test_each_difference_both_ways(text: str, in_10: Any, in_11: Any) -> None:
    for version, expected in (("1.0", in_10), ("1.1", in_11)):
        got = _read(text, version)
        if isinstance(expected, str):
            assert isinstance(got, ExpressionError), (version, got)
            assert expected in got.message, (version, got.message)
        else:
            assert got == expected, version
    assert repr(_read(text, "1.0")) == repr(_read(text, "1.0.1"))  # the default grammar is 1.0
    default = _read(text, "1.0")
    assert repr(default) == repr(_read_default(text))


def _read_default(text: str) -> Any:
    try:
        return parse_expression(text)
    except ExpressionError as error:
        return error


@pytest.mark.parametrize(("text", "offset", "part"), INVALID_11)
def test_malformed_11_expressions_say_where_and_why(text: str, offset: int, part: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_expression(text, version="1.1")
    assert part in caught.value.message
    assert caught.value.offset == offset


def test_1_1_messages_list_the_1_1_forms() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_expression("$nope", version="1.1")
    assert "(Arazzo 1.1)" in caught.value.message and "$message.payload" in caught.value.message
    with pytest.raises(ExpressionError) as caught:
        parse_expression("$nope")
    assert "$message" not in caught.value.message and "$self" not in caught.value.message


@pytest.mark.parametrize(
    "expr",
    [SelfRef(), MessageRef("header", "X-Id", ""), MessageRef("payload", "", "/a~1b/0")]
    + [expr for _, expr in SAME],
)
def test_expression_text_round_trips_in_1_1(expr: Any) -> None:
    assert parse_expression(expression_text(expr), version="1.1") == expr


def test_grammar_version_names() -> None:
    assert grammar_version("1.0") == "1.0" and grammar_version("1.0.1") == "1.0"
    assert grammar_version("1.1") == "1.1" and grammar_version("1.1.0") == "1.1"
    for bad in ("2.0", "1.10", "1", ""):
        with pytest.raises(ValueError):
            grammar_version(bad)


def test_new_nodes_are_frozen_values() -> None:
    assert SelfRef() == SelfRef() and hash(SelfRef()) == hash(SelfRef())
    ref = MessageRef("payload", "", "/a")
    with pytest.raises(AttributeError):
        ref.pointer = "/b"  # type: ignore[misc]


# --- templates and conditions -----------------------------------------------------------------------


def test_templates_use_the_grammar_asked_for() -> None:
    text = "{$self}#/workflows/{$steps.a.outputs.id}"
    assert parse_template(text, version="1.1") == (
        SelfRef(),
        "#/workflows/",
        StepsRef("a", "id", ""),
    )
    with pytest.raises(ExpressionError) as caught:
        parse_template(text)
    assert caught.value.offset == 2 and "'$self'" in caught.value.message  # at the root's name
    # a lone brace stays literal text in both grammars (payload strings carrying JSON)
    json_text = '{"id": "{$inputs.id}"}'
    assert parse_template(json_text, version="1.1") == parse_template(json_text)
    # the 1.1 ABNF's CHAR excludes '}', so a template ends an expression there in both
    assert parse_template("{$request.query.a b}", version="1.1") == (
        RequestRef("query", "a b", ""),
    )
    with pytest.raises(ExpressionError):
        parse_template("{$request.query.a b}")


def test_conditions_use_the_grammar_asked_for() -> None:
    parsed = parse_condition("$message.header.kind == 'created'", version="1.1")
    assert parsed == Compare("==", Ref(MessageRef("header", "kind", ""), 0), Literal("created"))
    with pytest.raises(ExpressionError) as caught:
        parse_condition("$statusCode == 200 && $message.payload#/ok")
    assert caught.value.offset == 23  # at the root's name
    # property paths read into a message payload as into a body
    accessed = parse_condition("$message.payload.items[0].id == 1", version="1.1")
    assert isinstance(accessed, Compare) and accessed.left == Ref(
        MessageRef("payload", "", "/items/0/id"), 0
    )
    # but not into a 1.1 component (its references take no pointer), as they do in 1.0
    assert parse_condition("$components.parameters.p[0] == 1") == Compare(
        "==", Ref(ComponentsRef("parameters", "p", "/0"), 0), Literal(1)
    )
    with pytest.raises(ExpressionError):
        parse_condition("$components.parameters.p[0] == 1", version="1.1")
    # a spaced step id: 1.0 reads it, 1.1 does not
    assert parse_condition("$steps.Find it.outputs.n > 0") == Compare(
        ">", Ref(StepsRef("Find it", "n", ""), 0), Literal(0)
    )
    with pytest.raises(ExpressionError):
        parse_condition("$steps.Find it.outputs.n > 0", version="1.1")


def test_the_walks_read_the_grammar_asked_for() -> None:
    value = {"a": "$self", "b": ["x {$message.header.k} y"], "c": "$steps.Find it.outputs.n"}
    assert list(in_value(value, "1.1")) == [SelfRef(), MessageRef("header", "k", "")]
    assert list(in_value(value)) == [StepsRef("Find it", "n", "")]
    condition = parsed_condition("$self != null", "1.1")
    assert condition is not None and list(in_condition(condition)) == [SelfRef()]
    assert parsed_condition("$self != null") is None


# --- compilation -------------------------------------------------------------------------------------


def test_self_compiles_to_the_base_uri_when_known() -> None:
    uri = "https://example.com/flows/pets.arazzo.yaml"
    assert source(compile_expression(SelfRef(), self_uri=uri)) == repr(uri)
    code = source(compile_value({"ref": "{$self}#/workflows/0"}, version="1.1", self_uri=uri))
    assert code == "{'ref': rt.text(" + repr(uri) + ", '#/workflows/0')}"
    code = source(compile_condition("$self == 'x'", version="1.1", self_uri=uri))
    assert code == f"rt.eq({uri!r}, 'x')"


def test_self_without_a_base_uri_and_message_are_unsupported_errors() -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(SelfRef())
    assert caught.value.rule == "unsupported" and "base URI" in caught.value.message
    with pytest.raises(ExpressionError) as caught:
        compile_value({"x": ["a {$message.payload#/id}"]}, version="1.1", self_uri="file:///a")
    error = caught.value
    assert error.rule == "unsupported"
    assert "$message is only available in AsyncAPI message steps" in error.message
    assert "'/x/0'" in error.message and error.offset == 3  # the '$' after 'a {'
    with pytest.raises(ExpressionError) as caught:
        compile_condition("$statusCode == 200 && $message.header.k", version="1.1")
    assert caught.value.rule == "unsupported" and caught.value.offset == 22


def test_step_compiler_reports_located_diagnostics_with_their_rule() -> None:
    diags = Diagnostics()
    where = Location("flow.arazzo.yaml", 12, 9)
    compiler = StepCompiler(diags, {}, version="1.1", self_uri=None)
    compiler.value("$message.payload", where, "parameter 'id'")
    compiler.value("$self", where, "parameter 'base'")
    compiler.value("$steps.a b.outputs.x", where, "parameter 'x'")
    shown = [str(d) for d in diags.sorted()]
    assert shown == sorted(shown) and len(shown) == 3
    rules = sorted((d.rule, d.message.split(":")[0]) for d in diags.items)
    assert rules == [
        ("expression", "parameter 'x'"),
        ("unsupported", "parameter 'base'"),
        ("unsupported", "parameter 'id'"),
    ]
    assert all(d.location == where and d.level == "error" for d in diags.items)
    # 1.0 (the default) reads the same texts with its own grammar
    diags10 = Diagnostics()
    StepCompiler(diags10, {}).value("$steps.a b.outputs.x", where, "parameter 'x'")
    assert diags10.items == []


def test_a_document_s_grammar_is_its_arazzo_version() -> None:
    assert document_grammar(cast(Document, SimpleNamespace(arazzo_version="1.1"))) == "1.1"
    assert document_grammar(cast(Document, SimpleNamespace(arazzo_version="1.0"))) == "1.0"


def test_the_base_uri_is_where_the_generator_read_the_document(tmp_path: Path) -> None:
    fetched = SimpleNamespace(
        display_path="https://example.com/a/flow.yaml",
        file=str(tmp_path / "cache" / "x.yaml"),
        self_uri=None,
    )
    assert document_uri(cast(Document, fetched)) == "https://example.com/a/flow.yaml"
    # a local file's URI is this machine's absolute path: no portable value, so $self is unsupported there
    local = SimpleNamespace(
        display_path="flows/my flow.yaml", file=str(tmp_path / "my flow.yaml"), self_uri=None
    )
    assert document_uri(cast(Document, local)) is None
    # a declared $self (resolved) wins over where the document was read, unless it is a file: URI
    declared = SimpleNamespace(**{**vars(fetched), "self_uri": "https://example.org/flows/"})
    assert document_uri(cast(Document, declared)) == "https://example.org/flows/"
    on_disk = SimpleNamespace(**{**vars(local), "self_uri": (tmp_path / "flows").as_uri() + "/"})
    assert document_uri(cast(Document, on_disk)) is None
