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
    is_expression,
    parse_condition,
    parse_expression,
    parse_template,
)


def in_value(value: Any) -> Iterator[RuntimeExpr]:
    """Every well-formed expression in a payload value (malformed ones are reported by compilation)."""
    if isinstance(value, str):
        try:
            if is_expression(value):
                yield parse_expression(value)
            elif "{$" in value:
                yield from (part for part in parse_template(value) if not isinstance(part, str))
        except ExpressionError:
            return
    elif isinstance(value, dict):
        for item in value.values():
            yield from in_value(item)
    elif isinstance(value, list):
        for item in value:
            yield from in_value(item)


def in_value_at(
    value: Any, at: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], RuntimeExpr]]:
    """``in_value`` with the path of the member holding each expression."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from in_value_at(item, at + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from in_value_at(item, at + (index,))
    else:
        yield from ((at, expr) for expr in in_value(value))


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


def parsed_condition(text: str) -> Condition | None:
    try:
        return parse_condition(text)
    except ExpressionError:
        return None
