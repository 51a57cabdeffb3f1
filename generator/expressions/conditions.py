"""Criterion conditions: the ``simple`` grammar, parsed to a small frozen AST.

Grammar of ``simple`` conditions (Arazzo 1.0.1 and 1.1.0, Criterion Object; ``version`` picks the
runtime-expression grammar of the ``$`` values)::

    expr    := or
    or      := and ( '||' and )*
    and     := unary ( '&&' unary )*
    unary   := '!' unary | compare
    compare := primary ( ('=='|'!='|'<'|'<='|'>'|'>=') primary )?
    primary := '(' expr ')' | '{' expr '}' | NUMBER | 'true' | 'false' | 'null' | STRING | RUNTIME_EXPR

``{ ... }`` groups like parentheses, so the specification's own ``{$statusCode == 401}`` parses.
STRING is single-quoted with ``''`` for a quote; double-quoted strings (``""`` for a quote) are
accepted as well. Backslashes have no special meaning inside strings.
"""

from __future__ import annotations

import math
import re
from functools import partial
import typing
from dataclasses import dataclass, field
from typing import Callable, Union

from generator.expressions.cursor import ExpressionError
from generator.expressions.runtime_expr import RuntimeExpr, Url
from generator.expressions.template_expr import parse_with_accessors

CompareOp = typing.Literal["==", "!=", "<", "<=", ">", ">="]
LiteralValue = Union[None, bool, int, float, str]

MAX_DEPTH = 64


@dataclass(frozen=True)
class Or:
    operands: tuple[Condition, ...]


@dataclass(frozen=True)
class And:
    operands: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    operand: Condition


@dataclass(frozen=True)
class Compare:
    op: CompareOp
    left: Condition
    right: Condition


@dataclass(frozen=True)
class Literal:
    value: LiteralValue


@dataclass(frozen=True)
class Ref:
    expr: RuntimeExpr
    offset: int = field(
        default=0, compare=False
    )  # where the expression starts in the condition text


Condition = Union[Or, And, Not, Compare, Literal, Ref]

_COMPARE_OPS: tuple[CompareOp, ...] = ("==", "!=", "<=", ">=", "<", ">")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_REF_STOP = frozenset("=!<>&|()")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
KEYWORDS: dict[str, LiteralValue] = {"true": True, "false": False, "null": None}
_PAIRS = {"(": ")", "{": "}"}
_SPACED_STEP = re.compile(r"\$steps\.[^.#{}$=!<>&|()'\"\s]*\s[^.#{}$=!<>&|()'\"]*\.outputs\.")


@dataclass(frozen=True)
class _Token:
    kind: str  # "op", "(", ")", "{", "}", "value", "end"
    text: str
    offset: int
    node: Condition | None = None


def literal_number(text: str, offset: int) -> int | float:
    if re.fullmatch(r"-?[0-9]+", text):
        return int(text)
    value = float(text)
    if not math.isfinite(value):
        raise ExpressionError(f"number {text} is out of range", offset)
    return value


def _quoted(text: str, start: int) -> tuple[str, int]:
    """Read a string quoted by ``text[start]`` with the quote doubled inside; return (value, end)."""
    quote = text[start]
    pos = start + 1
    chunks: list[str] = []
    while True:
        close = text.find(quote, pos)
        if close < 0:
            message = f"string opened by {quote} is not closed (write {quote}{quote} for a {quote} inside it)"
            raise ExpressionError(message, start)
        chunks.append(text[pos:close])
        if text.startswith(quote, close + 1):
            chunks.append(quote)
            pos = close + 2
            continue
        return "".join(chunks), close + 1


def _tokenize(text: str, read: Callable[[str], RuntimeExpr] = parse_with_accessors) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    braces = 0
    while pos < len(text):
        ch = text[pos]
        if ch.isspace():
            pos += 1
            continue
        two = text[pos : pos + 2]
        if two in ("==", "!=", "<=", ">=", "&&", "||"):
            tokens.append(_Token("op", two, pos))
            pos += 2
        elif ch in "<>!":
            tokens.append(_Token("op", ch, pos))
            pos += 1
        elif ch in "=&|":
            raise ExpressionError(f"single {ch!r} is not an operator; use {ch * 2!r}", pos)
        elif ch in "(){}":
            braces += {"{": 1, "}": -1}.get(ch, 0)
            tokens.append(_Token(ch, ch, pos))
            pos += 1
        elif ch in "'\"":
            value, end = _quoted(text, pos)
            tokens.append(_Token("value", text[pos:end], pos, Literal(value)))
            pos = end
        elif ch in "0123456789-":
            match = _NUMBER.match(text, pos)
            if match is None:
                raise ExpressionError("'-' must be followed by a number", pos)
            end = match.end()
            if end < len(text) and (text[end].isalnum() or text[end] in "._$"):
                bad = re.match(r"[-\w.$]*", text[pos:])
                raise ExpressionError(
                    f"malformed number {bad.group() if bad else text[pos:end]!r}", pos
                )
            tokens.append(
                _Token("value", match.group(), pos, Literal(literal_number(match.group(), pos)))
            )
            pos = end
        elif ch == "$":
            spaced = _SPACED_STEP.match(
                text, pos
            )  # a stepId with spaces: '$steps.Find it_0.outputs.x'
            end = spaced.end() if spaced else pos
            while end < len(text) and not (
                text[end].isspace() or text[end] in _REF_STOP or (braces > 0 and text[end] == "}")
            ):
                end += 1
            try:
                expr = read(text[pos:end])
            except ExpressionError as err:
                raise err.shifted(pos) from None
            tokens.append(_Token("value", text[pos:end], pos, Ref(expr, pos)))
            pos = end
        elif (word := _WORD.match(text, pos)) is not None:
            name = word.group()
            if name in KEYWORDS:
                tokens.append(_Token("value", name, pos, Literal(KEYWORDS[name])))
            elif name.lower() in KEYWORDS:
                raise ExpressionError(
                    f"literals are lower-case: write {name.lower()} instead of {name}", pos
                )
            else:
                raise ExpressionError(
                    f"unexpected word {name!r}: strings must be quoted ('{name}'), runtime expressions "
                    "start with '$', and the only bare words are true, false and null",
                    pos,
                )
            pos = word.end()
        else:
            raise ExpressionError(f"unexpected character {ch!r} in condition", pos)
    tokens.append(_Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str, version: str) -> None:
        self.tokens = _tokenize(text, partial(parse_with_accessors, version=version))
        self.index = 0
        self.depth = 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def describe(self, token: _Token) -> str:
        return "end of condition" if token.kind == "end" else repr(token.text)

    def nest(self, offset: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(f"condition is nested more than {MAX_DEPTH} levels deep", offset)

    def parse(self) -> Condition:
        if self.peek().kind == "end":
            raise ExpressionError("empty condition", 0)
        node = self.parse_or()
        token = self.peek()
        if token.kind != "end":
            if token.kind == "value" or token.kind in _PAIRS:
                raise ExpressionError(
                    f"expected an operator before {self.describe(token)} "
                    "(==, !=, <, <=, >, >=, &&, ||)",
                    token.offset,
                )
            raise ExpressionError(f"unexpected {self.describe(token)}", token.offset)
        return node

    def parse_or(self) -> Condition:
        items = [self.parse_and()]
        while self.peek().text == "||" and self.peek().kind == "op":
            self.advance()
            items.append(self.parse_and())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def parse_and(self) -> Condition:
        items = [self.parse_unary()]
        while self.peek().text == "&&" and self.peek().kind == "op":
            self.advance()
            items.append(self.parse_unary())
        return items[0] if len(items) == 1 else And(tuple(items))

    def parse_unary(self) -> Condition:
        token = self.peek()
        if token.kind == "op" and token.text == "!":
            self.advance()
            self.nest(token.offset)
            node = Not(self.parse_unary())
            self.depth -= 1
            return node
        return self.parse_compare()

    def parse_compare(self) -> Condition:
        left = self.parse_primary()
        token = self.peek()
        if token.kind != "op" or token.text not in _COMPARE_OPS:
            return left
        self.advance()
        right = self.parse_primary()
        after = self.peek()
        if after.kind == "op" and after.text in _COMPARE_OPS:
            raise ExpressionError(
                f"comparisons cannot be chained; combine them with && or parentheses (found {after.text!r})",
                after.offset,
            )
        op = next(o for o in _COMPARE_OPS if o == token.text)
        return Compare(op, left, right)

    def parse_primary(self) -> Condition:
        token = self.advance()
        if token.kind == "value" and token.node is not None:
            return token.node
        if token.kind in _PAIRS:
            self.nest(token.offset)
            node = self.parse_or()
            self.depth -= 1
            close = self.advance()
            if close.kind != _PAIRS[token.kind]:
                raise ExpressionError(
                    f"expected {_PAIRS[token.kind]!r} to close the {token.kind!r} at offset {token.offset}, "
                    f"found {self.describe(close)}",
                    close.offset,
                )
            return node
        raise ExpressionError(
            "expected a value (a number, a 'quoted string', true, false, null, a $runtime.expression "
            f"or '(') but found {self.describe(token)}",
            token.offset,
        )


def parse_condition(text: str, *, version: str = "1.0") -> Condition:
    """Parse a ``simple`` criterion condition such as ``$statusCode == 200 && $response.body#/ok``.

    A property path after a value (``$response.body.items[0].id``) reads into it (the ``.`` and ``[]``
    operators of the Criterion Object), as the JSON pointer ``#/items/0/id`` would.
    """
    return _Parser(text, version).parse()


def expression_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) of every runtime expression in a ``simple`` condition, malformed ones included.

    Raises :class:`ExpressionError` when the rest of the condition cannot be tokenized.
    """
    spans: list[tuple[int, int]] = []

    def record(chunk: str) -> RuntimeExpr:
        spans.append((0, len(chunk)))
        return Url()

    tokens = _tokenize(text, record)
    starts = [token.offset for token in tokens if isinstance(token.node, Ref)]
    return [(start, start + length) for start, (_, length) in zip(starts, spans)]
