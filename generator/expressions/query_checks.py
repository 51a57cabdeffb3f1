"""Criterion conditions of type ``jsonpath``, ``xpath`` and ``regex``: each checked with its library, and a
JSONPath query's trailing comparison split off."""

from __future__ import annotations

import re
import warnings
from typing import Any

import elementpath
import jsonpath_rfc9535

from generator.expressions.conditions import KEYWORDS, LiteralValue, literal_number
from generator.expressions.cursor import ExpressionError

_TRAILING_OP = re.compile(r"\s(==|!=|<=|>=|<|>)")
_TRAILING_LITERAL = re.compile(
    r"\s*(-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null|'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\")\s*"
)


def _jsonpath_error(query: str) -> ExpressionError | None:
    try:
        jsonpath_rfc9535.compile(query)
    except jsonpath_rfc9535.JSONPathError as err:
        message = str(err.args[0]) if err.args else "syntax error"
        offset = err.token.index if err.token is not None else 0
        return ExpressionError(f"invalid JSONPath query (RFC 9535): {message}", offset)
    except RecursionError:
        return ExpressionError("invalid JSONPath query (RFC 9535): nested too deeply", 0)
    return None


def check_jsonpath(query: str) -> None:
    """Raise :class:`ExpressionError` unless ``query`` is a valid RFC 9535 JSONPath query."""
    error = _jsonpath_error(query)
    if error is not None:
        raise error


def _literal_value(text: str) -> LiteralValue:
    if text in KEYWORDS:
        return KEYWORDS[text]
    if text[0] in "'\"":
        return text[1:-1].replace(text[0] * 2, text[0])
    return literal_number(text, 0)


def split_query_comparison(text: str) -> tuple[str, str | None, Any]:
    """Split ``"$.data.id != null"`` into ``("$.data.id", "!=", None)``; a bare query gives ``(query, None, None)``.

    The comparison is a trailing ``OP LITERAL`` (number, true, false, null or quoted string) preceded by
    whitespace; the query before it must be a valid RFC 9535 query.
    """
    whole_error = _jsonpath_error(text)
    if whole_error is None:
        return text, None, None
    candidate_error: ExpressionError | None = None
    for match in reversed(list(_TRAILING_OP.finditer(text))):
        literal = _TRAILING_LITERAL.fullmatch(text, match.end())
        if literal is None:
            continue
        query = text[: match.start()].rstrip()
        error = _jsonpath_error(query)
        if error is None:
            return query, match.group(1), _literal_value(literal.group(1))
        if candidate_error is None:
            candidate_error = error
    raise candidate_error or whole_error


XPATH_VERSIONS = ("xpath-10", "xpath-20", "xpath-30")


def _xpath_parser(version: str) -> elementpath.XPath1Parser:
    if version == "xpath-10":
        return elementpath.XPath1Parser()
    if version == "xpath-20":
        return elementpath.XPath2Parser()
    if version == "xpath-30":
        from elementpath.xpath30 import XPath30Parser

        return XPath30Parser()
    if version == "":
        from elementpath.xpath31 import XPath31Parser

        return XPath31Parser()
    raise ExpressionError(
        f"unknown XPath version {version!r}; allowed: {', '.join(XPATH_VERSIONS)}", 0
    )


def check_xpath(query: str, version: str) -> None:
    """Raise :class:`ExpressionError` unless ``query`` parses as XPath of ``version`` ("" = XPath 3.1)."""
    parser = _xpath_parser(version)
    try:
        parser.parse(query)
    except elementpath.ElementPathError as err:
        span = getattr(err.token, "span", None)
        offset = span[0] if isinstance(span, tuple) and span and isinstance(span[0], int) else 0
        raise ExpressionError(
            f"invalid XPath ({version or 'xpath-31'}): {err.message}", offset
        ) from None
    except RecursionError:
        raise ExpressionError("invalid XPath: nested too deeply", 0) from None


def check_regex(pattern: str) -> None:
    """Raise :class:`ExpressionError` unless ``pattern`` compiles as a regular expression."""
    try:
        with warnings.catch_warnings():  # "possible nested set" and the like: valid today
            warnings.simplefilter("ignore")
            re.compile(pattern)
    except re.error as err:
        raise ExpressionError(f"invalid regular expression: {err.msg}", err.pos or 0) from None
    except RecursionError:
        raise ExpressionError("invalid regular expression: nested too deeply", 0) from None
