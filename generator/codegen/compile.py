"""Compile parsed expressions and conditions to Python ``ast`` expressions.

The generated code is an expression evaluated where a context object named ``c`` and the runtime module
imported as ``rt`` are in scope. Every value taken from the Arazzo document (names, pointers, literals,
queries) enters the tree as a constant (:func:`generator.pycode.literal`), and typed input fields by the
names the sanitiser gave them, so document text only ever appears inside string (or number) constants.
:func:`generator.pycode.render` (or :func:`source` here) turns a tree into text.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from generator.codegen import pycode
from generator.expressions.conditions import (
    And,
    Compare,
    Condition,
    Literal,
    Not,
    Or,
    Ref,
    parse_condition,
)
from generator.expressions.query_checks import check_xpath, split_query_comparison
from generator.expressions.cursor import ExpressionError, unescape_pointer
from generator.expressions.runtime_expr import (
    ComponentsRef,
    InputsRef,
    MessageRef,
    Method,
    OutputsRef,
    RequestRef,
    ResponseRef,
    RuntimeExpr,
    SelfRef,
    SourceDescriptionRef,
    StatusCode,
    StepsRef,
    Url,
    WorkflowsRef,
    parse_expression,
)
from generator.expressions.template_expr import is_expression, template_spans
from generator.codegen.pycode import Identifier, LiteralError

__all__ = [
    "Components",
    "InputField",
    "InputFields",
    "compile_condition",
    "compile_expression",
    "compile_query_criterion",
    "compile_value",
    "source",
]

Components = Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class InputField:
    """A declared input of the workflow being compiled: its field on the typed inputs object, and whether
    it always holds a value (required, or filled with the schema's default); else None means absent.
    """

    name: Identifier
    required: bool


# input name (as in the document) -> its field; None: the workflow has no typed inputs object
InputFields = Mapping[str, InputField]

_COMPARE_FUNCS = {
    "==": "rt.eq",
    "!=": "rt.ne",
    "<": "rt.lt",
    "<=": "rt.le",
    ">": "rt.gt",
    ">=": "rt.ge",
}
_REQUEST_FUNCS = {
    "header": "c.request_header",
    "query": "c.request_query",
    "path": "c.request_path",
}
_INDEX = re.compile(r"0|[1-9][0-9]*")


def source(node: ast.AST) -> str:
    """The text of compiled code (for messages and tests): :func:`generator.pycode.render`."""
    return pycode.render(node)


def _literal(value: Any) -> ast.expr:
    try:
        return pycode.literal(value)
    except LiteralError as err:
        raise ExpressionError(str(err), 0) from None


def _plain(value: Any) -> Any:
    """Turn mappings and sequences of a loaded document into the dicts and lists :func:`literal` takes."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _resolve_component(ref: ComponentsRef, components: Components | None) -> Any:
    label = f"$components.{ref.kind}.{ref.name}"
    group = None if components is None else components.get(ref.kind)
    if not isinstance(group, Mapping) or ref.name not in group:
        raise ExpressionError(f"{label} is not defined in the components of this document", 0)
    value = group[ref.name]
    walked = ""
    for token in unescape_pointer(ref.pointer):
        walked += "/" + token.replace("~", "~0").replace("/", "~1")
        if isinstance(value, Mapping) and token in value:
            value = value[token]
        elif (
            isinstance(value, (list, tuple)) and _INDEX.fullmatch(token) and int(token) < len(value)
        ):
            value = value[int(token)]
        else:
            raise ExpressionError(f"JSON pointer {walked!r} does not resolve inside {label}", 0)
    return _plain(value)


def _call(function: str, *args: str, pointer: str = "") -> ast.expr:
    """``function(args..., pointer)`` with the pointer left out when empty (the context's default)."""
    parts = [_literal(arg) for arg in args] + ([_literal(pointer)] if pointer else [])
    return pycode.call(function, *parts)


def _input(expr: InputsRef, inputs: InputFields | None) -> ast.expr:
    """A typed field of ``c.inputs`` (``rt.given`` for an optional one: None is absent), else ``c.input``."""
    field = None if inputs is None else inputs.get(expr.name)
    if field is None:
        return _call("c.input", expr.name, pointer=expr.pointer)
    value: ast.expr = pycode.attr(pycode.fixed("c.inputs"), field.name)
    if not field.required:
        value = pycode.call("rt.given", value)
    if expr.pointer:
        value = pycode.call("rt.at", value, _literal(expr.pointer))
    return value


def compile_expression(
    expr: RuntimeExpr,
    components: Components | None = None,
    inputs: InputFields | None = None,
    *,
    self_uri: str | None = None,
) -> ast.expr:
    """An expression evaluating ``expr`` against the context ``c``.

    ``$components...`` references are resolved now (from ``components``) and become literals;
    ``$sourceDescriptions.<name>.url`` becomes ``c.source_url(name)``; ``$inputs.x`` reads the typed
    field ``c.inputs.x`` when ``inputs`` declares ``x``, else ``c.input("x")``. ``$self`` (Arazzo 1.1)
    becomes the literal ``self_uri``, the document's base URI; without one it is an ``unsupported`` error,
    as is ``$message`` (no message steps yet).
    """
    if isinstance(expr, SelfRef):
        if self_uri is None:
            raise ExpressionError(
                "$self is not supported yet here: the document's base URI is not known",
                0,
                "unsupported",
            )
        return _literal(self_uri)
    if isinstance(expr, MessageRef):
        raise ExpressionError(
            "$message is only available in AsyncAPI message steps (not supported yet)",
            0,
            "unsupported",
        )
    if isinstance(expr, Url):
        return pycode.call("c.url")
    if isinstance(expr, Method):
        return pycode.call("c.method")
    if isinstance(expr, StatusCode):
        return pycode.call("c.status_code")
    if isinstance(expr, RequestRef):
        if expr.part == "body":
            return _call("c.request_body", pointer=expr.pointer)
        return pycode.call(_REQUEST_FUNCS[expr.part], _literal(expr.name))
    if isinstance(expr, ResponseRef):
        if expr.part == "body":
            return _call("c.response_body", pointer=expr.pointer)
        return pycode.call("c.response_header", _literal(expr.name))
    if isinstance(expr, InputsRef):
        return _input(expr, inputs)
    if isinstance(expr, OutputsRef):
        return _call("c.outputs", expr.name, pointer=expr.pointer)
    if isinstance(expr, StepsRef):
        return _call("c.step", expr.step_id, expr.name, pointer=expr.pointer)
    if isinstance(expr, WorkflowsRef):
        return _call("c.workflow", expr.workflow_id, expr.kind, expr.name, pointer=expr.pointer)
    if isinstance(expr, SourceDescriptionRef):
        if expr.field != "url":
            raise ExpressionError(
                f"$sourceDescriptions.{expr.name}.{expr.field} names an operation or workflow; "
                "only .url is a value (write $sourceDescriptions.<name>.url)",
                0,
            )
        return pycode.call("c.source_url", _literal(expr.name))
    if isinstance(expr, ComponentsRef):
        return _literal(_resolve_component(expr, components))
    raise ExpressionError(f"not a runtime expression: {type(expr).__name__}", 0)


@dataclass(frozen=True)
class _Scope:
    """What compiling a document's strings needs: its components, the workflow's typed inputs, the
    runtime-expression grammar of its version and its base URI (for ``$self``)."""

    components: Components | None
    inputs: InputFields | None
    version: str
    self_uri: str | None

    def expression(self, expr: RuntimeExpr) -> ast.expr:
        return compile_expression(expr, self.components, self.inputs, self_uri=self.self_uri)


def _compile_string(text: str, scope: _Scope) -> ast.expr:
    if is_expression(text):
        return scope.expression(parse_expression(text, version=scope.version))
    if "{$" not in text:
        return _literal(text)
    spans = template_spans(text, version=scope.version)
    parts: list[ast.expr] = []
    for offset, part in spans:
        if isinstance(part, str):
            parts.append(_literal(part))
            continue
        try:
            parts.append(scope.expression(part))
        except ExpressionError as err:
            raise err.shifted(offset + 1) from None
    if len(spans) == 1 and not isinstance(spans[0][1], str):
        return parts[0]  # the string is exactly "{$expr}": keep the value's type
    return pycode.call("rt.text", *parts)


def _at(path: str, err: ExpressionError) -> ExpressionError:
    message = f"at {path!r}: {err.message}" if path else err.message
    return ExpressionError(message, err.offset, err.rule)


def _compile_value(value: Any, scope: _Scope, path: str) -> ast.expr:
    if isinstance(value, str):
        try:
            return _compile_string(value, scope)
        except ExpressionError as err:
            raise _at(path, err) from None
    if isinstance(value, Mapping):
        items = []
        for key, item in value.items():
            try:
                key_code = _literal(key)
            except ExpressionError as err:
                raise _at(path, ExpressionError(f"object key {err.message}", 0)) from None
            escaped = str(key).replace("~", "~0").replace("/", "~1")
            items.append((key_code, _compile_value(item, scope, f"{path}/{escaped}")))
        return pycode.dict_of(items)
    if isinstance(value, (list, tuple)):
        return pycode.list_of(
            _compile_value(item, scope, f"{path}/{i}") for i, item in enumerate(value)
        )
    try:
        return pycode.literal(value)
    except LiteralError as err:
        raise _at(path, ExpressionError(str(err), 0)) from None


def compile_value(
    value: Any,
    components: Components | None = None,
    inputs: InputFields | None = None,
    *,
    version: str = "1.0",
    self_uri: str | None = None,
) -> ast.expr:
    """An expression building a JSON-like value (a payload, a parameter value) at run time.

    A string that is a whole runtime expression (``$inputs.x``) or exactly one embedded expression
    (``{$inputs.x}``) becomes that expression's value, type preserved; a string with embedded
    expressions among text becomes ``rt.text(...)``; everything else is a literal. Nested errors
    name the JSON pointer of the offending string; the offset is within that string. ``version`` is
    the runtime-expression grammar (``"1.0"`` or ``"1.1"``), ``self_uri`` the value of ``$self``.
    """
    return _compile_value(value, _Scope(components, inputs, version, self_uri), "")


def _operand(node: Condition, scope: _Scope) -> ast.expr:
    if isinstance(node, Literal):
        return _literal(node.value)
    if isinstance(node, Ref):
        try:
            return scope.expression(node.expr)
        except ExpressionError as err:
            raise err.shifted(node.offset) from None
    return _boolean(node, scope)


def _boolean(node: Condition, scope: _Scope) -> ast.expr:
    if isinstance(node, Or):
        return pycode.either([_boolean(item, scope) for item in node.operands])
    if isinstance(node, And):
        return pycode.both([_boolean(item, scope) for item in node.operands])
    if isinstance(node, Not):
        return pycode.negate(_boolean(node.operand, scope))
    if isinstance(node, Compare):
        left = _operand(node.left, scope)
        right = _operand(node.right, scope)
        return pycode.call(_COMPARE_FUNCS[node.op], left, right)
    if isinstance(node, Literal) and isinstance(node.value, bool):
        return pycode.constant(node.value)
    return pycode.call("rt.truthy", _operand(node, scope))


def compile_condition(
    text: str,
    components: Components | None = None,
    inputs: InputFields | None = None,
    *,
    version: str = "1.0",
    self_uri: str | None = None,
) -> ast.expr:
    """A boolean expression for a ``simple`` criterion condition (``version``: the expression grammar)."""
    scope = _Scope(components, inputs, version, self_uri)
    return _boolean(parse_condition(text, version=version), scope)


def compile_query_criterion(
    kind: str, query_text: str, context: ast.expr, version: str
) -> ast.expr:
    """A boolean expression for a ``jsonpath`` or ``xpath`` criterion applied to ``context``.

    ``context`` is what :func:`compile_expression` made of the criterion's context.
    A JSONPath query followed by a comparison (``$.data.id != null``) compares the query's value.
    """
    if kind == "jsonpath":
        query, op, literal = split_query_comparison(query_text)
        if op is None:
            return pycode.call("rt.jsonpath_any", context, _literal(query))
        selected = pycode.call("rt.jsonpath_value", context, _literal(query))
        return pycode.call(_COMPARE_FUNCS[op], selected, _literal(literal))
    if kind == "xpath":
        check_xpath(query_text, version)
        return pycode.call("rt.xpath_any", context, _literal(query_text), _literal(version))
    raise ExpressionError(f"unknown criterion type {kind!r}; expected 'jsonpath' or 'xpath'", 0)
