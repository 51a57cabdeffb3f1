"""Runtime expressions inside strings: recognising one, ``{$...}`` templates, property paths after a value
read as JSON pointers, and writing an expression back as the specification spells it."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import partial

from generator.expressions.cursor import ExpressionError
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
    grammar_version,
    parse_expression,
)

_EXPRESSION_START = re.compile(r"\$[A-Za-z]")


def is_expression(text: str) -> bool:
    """True when the whole string is meant as a runtime expression: ``$`` followed by a letter.

    The string may still be malformed; :func:`parse_expression` reports that.
    """
    return _EXPRESSION_START.match(text) is not None


def template_spans(text: str, *, version: str = "1.0") -> tuple[tuple[int, str | RuntimeExpr], ...]:
    """Like :func:`parse_template`, each part paired with its offset in ``text`` (an expression's ``{``).

    Both grammars read literal text the same way: the 1.1 ``expression-string`` rule excludes lone ``{``
    and ``}`` from literal text, but payload strings that carry JSON or XML text with embedded expressions
    (``'{"id": "{$inputs.id}"}'``) need them, so a brace that does not open ``{$`` stays literal.
    """
    parts: list[tuple[int, str | RuntimeExpr]] = []
    literal_start = 0
    pos = 0
    while True:
        brace = text.find("{$", pos)
        if brace < 0:
            break
        close = text.find("}", brace + 2)
        if close < 0:
            raise ExpressionError(
                "'{$' starts an embedded runtime expression but no '}' closes it "
                "(write '{$inputs.name}' to embed a value)",
                brace,
            )
        try:
            expr = parse_expression(text[brace + 1 : close], version=version)
        except ExpressionError as err:
            raise err.shifted(brace + 1) from None
        if brace > literal_start:
            parts.append((literal_start, text[literal_start:brace]))
        parts.append((brace, expr))
        pos = literal_start = close + 1
    if literal_start < len(text):
        parts.append((literal_start, text[literal_start:]))
    return tuple(parts)


def parse_template(text: str, *, version: str = "1.0") -> tuple[str | RuntimeExpr, ...]:
    """Split a string with embedded ``{$...}`` expressions into literal strings and expressions.

    ``"Bearer {$inputs.token}"`` gives ``("Bearer ", InputsRef("token", ""))``. Text outside
    ``{$...}`` (including lone braces) is literal; empty literal parts are omitted.
    """
    return tuple(part for _, part in template_spans(text, version=version))


# --- property paths after a value, and writing an expression back as text -------------------------

_ACCESSOR = re.compile(r"\.([^.\[\]#{}\s]+)|\[(0|[1-9][0-9]*)\]")


def accessor_pointer(text: str) -> str | None:
    """``'.a.b[0]'`` → ``'/a/b/0'`` (tokens escaped per RFC 6901); None unless ``text`` is only accessors."""
    tokens: list[str] = []
    pos = 0
    while pos < len(text):
        match = _ACCESSOR.match(text, pos)
        if match is None:
            return None
        token = match.group(1) if match.group(1) is not None else match.group(2)
        tokens.append(token.replace("~", "~0").replace("/", "~1"))
        pos = match.end()
    return "".join("/" + token for token in tokens) if tokens else None


def with_pointer(expr: RuntimeExpr, pointer: str, version: str = "1.0") -> RuntimeExpr | None:
    """``expr`` reaching further into its value by ``pointer``; None for values that are not JSON."""
    if isinstance(expr, (RequestRef, ResponseRef)):
        return replace(expr, pointer=expr.pointer + pointer) if expr.part == "body" else None
    if isinstance(expr, MessageRef):
        return replace(expr, pointer=expr.pointer + pointer) if expr.part == "payload" else None
    if isinstance(expr, (InputsRef, OutputsRef, StepsRef, WorkflowsRef, ComponentsRef)):
        if isinstance(expr, ComponentsRef) and grammar_version(version) == "1.1":
            return None  # 1.1 component references take no pointer
        return replace(expr, pointer=expr.pointer + pointer)
    return None


def parse_with_accessors(text: str, *, version: str = "1.0") -> RuntimeExpr:
    """:func:`parse_expression`, also reading a property path after a value as a JSON pointer.

    ``$response.body.items[0].id`` is ``$response.body#/items/0/id``: the ``.`` and ``[n]`` operators
    of the ``simple`` condition grammar (Criterion Object), applied to the longest prefix that is a value.
    """
    parse = partial(parse_expression, version=version)
    try:
        return parse(text)
    except ExpressionError as first:
        for cut in range(len(text) - 1, 0, -1):
            if text[cut] not in ".[":
                continue
            pointer = accessor_pointer(text[cut:])
            if pointer is None:
                continue
            try:
                extended = with_pointer(parse(text[:cut]), pointer, version)
            except ExpressionError:
                continue
            if extended is not None:
                return extended
        raise first


def expression_text(expr: RuntimeExpr) -> str:
    """The specification's spelling of ``expr`` (``parse_expression(expression_text(e)) == e``)."""
    if isinstance(expr, Url):
        return "$url"
    if isinstance(expr, Method):
        return "$method"
    if isinstance(expr, StatusCode):
        return "$statusCode"
    if isinstance(expr, SelfRef):
        return "$self"
    if isinstance(expr, SourceDescriptionRef):
        return f"$sourceDescriptions.{expr.name}.{expr.field}"
    tail = f"#{expr.pointer}" if expr.pointer else ""
    if isinstance(expr, MessageRef):
        return (
            f"$message.payload{tail}" if expr.part == "payload" else f"$message.header.{expr.name}"
        )
    if isinstance(expr, (RequestRef, ResponseRef)):
        root = "$request" if isinstance(expr, RequestRef) else "$response"
        if expr.part == "body":
            return f"{root}.body{tail}"
        return f"{root}.{expr.part}.{expr.name}"
    if isinstance(expr, InputsRef):
        return f"$inputs.{expr.name}{tail}"
    if isinstance(expr, OutputsRef):
        return f"$outputs.{expr.name}{tail}"
    if isinstance(expr, StepsRef):
        return f"$steps.{expr.step_id}.outputs.{expr.name}{tail}"
    if isinstance(expr, WorkflowsRef):
        return f"$workflows.{expr.workflow_id}.{expr.kind}.{expr.name}{tail}"
    return f"$components.{expr.kind}.{expr.name}{tail}"
