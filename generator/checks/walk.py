"""Finding the runtime expressions inside payloads, templates and conditions (for reference checks)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..expressions import (
    And,
    Compare,
    Condition,
    ExpressionError,
    Not,
    Or,
    Ref,
    RuntimeExpr,
    grammar_version,
    is_expression,
    parse_condition,
    parse_expression,
    parse_template,
)
from ..model.nodes import Document


def document_grammar(document: Document) -> str:
    """The runtime-expression grammar of a model document: ``"1.1"`` for an Arazzo 1.1.x document, else
    ``"1.0"`` (its ``arazzo_version``, set by the version dispatch)."""
    return grammar_version(document.arazzo_version)


def in_value(value: Any, version: str = "1.0") -> Iterator[RuntimeExpr]:
    """Every well-formed expression in a payload value (malformed ones are reported by compilation);
    ``version`` is the runtime-expression grammar (``"1.0"`` or ``"1.1"``)."""
    if isinstance(value, str):
        try:
            if is_expression(value):
                yield parse_expression(value, version=version)
            elif "{$" in value:
                parts = parse_template(value, version=version)
                yield from (part for part in parts if not isinstance(part, str))
        except ExpressionError:
            return
    elif isinstance(value, dict):
        for item in value.values():
            yield from in_value(item, version)
    elif isinstance(value, list):
        for item in value:
            yield from in_value(item, version)


def in_value_at(
    value: Any, at: tuple[str | int, ...] = (), version: str = "1.0"
) -> Iterator[tuple[tuple[str | int, ...], RuntimeExpr]]:
    """``in_value`` with the path of the member holding each expression."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from in_value_at(item, at + (key,), version)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from in_value_at(item, at + (index,), version)
    else:
        yield from ((at, expr) for expr in in_value(value, version))


def in_condition(node: Condition) -> Iterator[RuntimeExpr]:
    if isinstance(node, Ref):
        yield node.expr
    elif isinstance(node, (Or, And)):
        for operand in node.operands:
            yield from in_condition(operand)
    elif isinstance(node, Not):
        yield from in_condition(node.operand)
    elif isinstance(node, Compare):
        yield from in_condition(node.left)
        yield from in_condition(node.right)


def parsed_condition(text: str, version: str = "1.0") -> Condition | None:
    try:
        return parse_condition(text, version=version)
    except ExpressionError:
        return None
