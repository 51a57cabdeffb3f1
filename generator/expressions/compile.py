"""Compile parsed expressions and conditions to Python source.

The generated code is a single Python expression evaluated where a context object named ``c`` and
the runtime module imported as ``rt`` are in scope. Every value taken from the Arazzo document
(names, pointers, literals, queries) enters the code through :func:`generator.literals.py_literal`,
so document text only ever appears inside string (or number) constants.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from generator.expressions.conditions import (
    And,
    Compare,
    Condition,
    Literal,
    Not,
    Or,
    Ref,
    check_xpath,
    parse_condition,
    split_query_comparison,
)
from generator.expressions.runtime_expr import (
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
    template_spans,
    unescape_pointer,
)
from generator.literals import LiteralError, py_literal

__all__ = [
    "Components",
    "compile_condition",
    "compile_expression",
    "compile_query_criterion",
    "compile_value",
]

Components = Mapping[str, Mapping[str, Any]]

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


def _literal(value: Any) -> str:
    try:
        return py_literal(value)
    except LiteralError as err:
        raise ExpressionError(str(err), 0) from None


def _plain(value: Any) -> Any:
    """Turn mappings and sequences of a loaded document into the dicts and lists :func:`py_literal` takes."""
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


def _call(function: str, *args: str, pointer: str = "") -> str:
    """``function(args..., pointer)`` with the pointer left out when empty (the context's default)."""
    parts = [_literal(arg) for arg in args] + ([_literal(pointer)] if pointer else [])
    return f"{function}({', '.join(parts)})"


def compile_expression(expr: RuntimeExpr, components: Components | None = None) -> str:
    """Python source evaluating ``expr`` against the context ``c``.

    ``$components...`` references are resolved now (from ``components``) and become literals;
    ``$sourceDescriptions.<name>.url`` becomes ``c.source_url(name)``.
    """
    if isinstance(expr, Url):
        return "c.url()"
    if isinstance(expr, Method):
        return "c.method()"
    if isinstance(expr, StatusCode):
        return "c.status_code()"
    if isinstance(expr, RequestRef):
        if expr.part == "body":
            return _call("c.request_body", pointer=expr.pointer)
        return f"{_REQUEST_FUNCS[expr.part]}({_literal(expr.name)})"
    if isinstance(expr, ResponseRef):
        if expr.part == "body":
            return _call("c.response_body", pointer=expr.pointer)
        return f"c.response_header({_literal(expr.name)})"
    if isinstance(expr, InputsRef):
        return _call("c.inputs", expr.name, pointer=expr.pointer)
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
        return f"c.source_url({_literal(expr.name)})"
    if isinstance(expr, ComponentsRef):
        return _literal(_resolve_component(expr, components))
    raise ExpressionError(f"not a runtime expression: {type(expr).__name__}", 0)


def _compile_string(text: str, components: Components | None) -> str:
    if is_expression(text):
        return compile_expression(parse_expression(text), components)
    if "{$" not in text:
        return _literal(text)
    spans = template_spans(text)
    codes: list[str] = []
    for offset, part in spans:
        if isinstance(part, str):
            codes.append(_literal(part))
            continue
        try:
            codes.append(compile_expression(part, components))
        except ExpressionError as err:
            raise err.shifted(offset + 1) from None
    if len(spans) == 1 and not isinstance(spans[0][1], str):
        return codes[0]  # the string is exactly "{$expr}": keep the value's type
    return "rt.text(" + ", ".join(codes) + ")"


def _at(path: str, err: ExpressionError) -> ExpressionError:
    return ExpressionError(f"at {path!r}: {err.message}" if path else err.message, err.offset)


def _compile_value(value: Any, components: Components | None, path: str) -> str:
    if isinstance(value, str):
        try:
            return _compile_string(value, components)
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
            items.append(f"{key_code}: {_compile_value(item, components, f'{path}/{escaped}')}")
        return "{" + ", ".join(items) + "}"
    if isinstance(value, (list, tuple)):
        return (
            "["
            + ", ".join(
                _compile_value(item, components, f"{path}/{i}") for i, item in enumerate(value)
            )
            + "]"
        )
    try:
        return py_literal(value)
    except LiteralError as err:
        raise _at(path, ExpressionError(str(err), 0)) from None


def compile_value(value: Any, components: Components | None = None) -> str:
    """Python source building a JSON-like value (a payload, a parameter value) at run time.

    A string that is a whole runtime expression (``$inputs.x``) or exactly one embedded expression
    (``{$inputs.x}``) becomes that expression's value, type preserved; a string with embedded
    expressions among text becomes ``rt.text(...)``; everything else is a literal. Nested errors
    name the JSON pointer of the offending string; the offset is within that string.
    """
    return _compile_value(value, components, "")


def _operand(node: Condition, components: Components | None) -> str:
    if isinstance(node, Literal):
        return _literal(node.value)
    if isinstance(node, Ref):
        try:
            return compile_expression(node.expr, components)
        except ExpressionError as err:
            raise err.shifted(node.offset) from None
    return _boolean(node, components)


def _boolean(node: Condition, components: Components | None) -> str:
    if isinstance(node, Or):
        return "(" + " or ".join(_boolean(item, components) for item in node.operands) + ")"
    if isinstance(node, And):
        return "(" + " and ".join(_boolean(item, components) for item in node.operands) + ")"
    if isinstance(node, Not):
        return f"(not {_boolean(node.operand, components)})"
    if isinstance(node, Compare):
        left = _operand(node.left, components)
        right = _operand(node.right, components)
        return f"{_COMPARE_FUNCS[node.op]}({left}, {right})"
    if isinstance(node, Literal) and isinstance(node.value, bool):
        return "True" if node.value else "False"
    return f"rt.truthy({_operand(node, components)})"


def compile_condition(text: str, components: Components | None = None) -> str:
    """A boolean Python expression for a ``simple`` criterion condition."""
    return _boolean(parse_condition(text), components)


def compile_query_criterion(kind: str, query_text: str, context_code: str, version: str) -> str:
    """A boolean Python expression for a ``jsonpath`` or ``xpath`` criterion applied to ``context_code``.

    ``context_code`` is code produced by :func:`compile_expression` for the criterion's context.
    A JSONPath query followed by a comparison (``$.data.id != null``) compares the query's value.
    """
    if kind == "jsonpath":
        query, op, literal = split_query_comparison(query_text)
        if op is None:
            return f"rt.jsonpath_any({context_code}, {_literal(query)})"
        return f"{_COMPARE_FUNCS[op]}(rt.jsonpath_value({context_code}, {_literal(query)}), {_literal(literal)})"
    if kind == "xpath":
        check_xpath(query_text, version)
        return f"rt.xpath_any({context_code}, {_literal(query_text)}, {_literal(version)})"
    raise ExpressionError(f"unknown criterion type {kind!r}; expected 'jsonpath' or 'xpath'", 0)
