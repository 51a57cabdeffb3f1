"""Value helpers that compiled expressions and criteria call: absence, JSON pointers, comparisons, queries."""

from __future__ import annotations

import copy
import functools
import importlib
import json
import math
import re
from typing import Any, Final


class _Missing:
    """The value of an expression that resolves to nothing (distinct from JSON null)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()


def present(value: Any) -> Any:
    """``value`` with MISSING turned into None (for outputs and comparisons)."""
    return None if value is MISSING else value


def pointer(document: Any, path: str) -> Any:
    """Resolve an RFC 6901 JSON pointer; MISSING when any token does not exist."""
    if not path:
        return document
    if document is MISSING or not path.startswith("/"):
        return MISSING
    current = document
    for raw in path[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(current, dict):
            if token not in current:
                return MISSING
            current = current[token]
        elif isinstance(current, list):
            if (
                not token.isdigit()
                or (len(token) > 1 and token[0] == "0")
                or int(token) >= len(current)
            ):
                return MISSING
            current = current[int(token)]
        else:
            return MISSING
    return current


def given(value: Any) -> Any:
    """An optional typed input: None (left out) is absent, so it omits what it feeds."""
    return MISSING if value is None else value


def at(value: Any, path: str) -> Any:
    """The JSON pointer ``path`` inside a value (``$inputs.x#/ptr``); MISSING when it does not exist."""
    return pointer(value, path)


def prune(value: Any) -> Any:
    """Drop object members whose value is MISSING (absent inputs omit what they feed); null in arrays."""
    if isinstance(value, dict):
        return {key: prune(item) for key, item in value.items() if item is not MISSING}
    if isinstance(value, list):
        return [None if item is MISSING else prune(item) for item in value]
    return value


def text(*parts: Any) -> str:
    """Join the parts of a template string; expression values are rendered as JSON scalars would read."""
    return "".join(_as_text(part) for part in parts)


def _as_text(value: Any) -> str:
    if value is MISSING or value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _comparable(left: Any, right: Any) -> tuple[Any, Any] | None:
    """Bring two operands to one kind: numbers (a numeric string beside a number), or case-folded strings."""
    left, right = present(left), present(right)
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold(), right.casefold()
    if isinstance(left, bool) or isinstance(right, bool):
        return (left, right) if isinstance(left, bool) and isinstance(right, bool) else None
    if isinstance(left, (int, float)) or isinstance(right, (int, float)):
        a, b = _number(left), _number(right)
        return None if a is None or b is None else (a, b)
    return None


def eq(left: Any, right: Any) -> bool:
    pair = _comparable(left, right)
    if pair is not None:
        return bool(pair[0] == pair[1])
    a, b = present(left), present(right)
    return type(a) is type(b) and bool(a == b)


def ne(left: Any, right: Any) -> bool:
    return not eq(left, right)


def lt(left: Any, right: Any) -> bool:
    pair = _comparable(left, right)
    return pair is not None and not isinstance(pair[0], bool) and bool(pair[0] < pair[1])


def le(left: Any, right: Any) -> bool:
    return lt(left, right) or (_comparable(left, right) is not None and eq(left, right))


def gt(left: Any, right: Any) -> bool:
    return lt(right, left)


def ge(left: Any, right: Any) -> bool:
    return le(right, left)


def truthy(value: Any) -> bool:
    return bool(present(value))


def regex(value: Any, pattern: str) -> bool:
    """A ``regex`` criterion: the pattern matches somewhere in the context value's text."""
    if value is MISSING:
        return False
    return _regex(pattern).search(_as_text(value)) is not None


@functools.lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@functools.lru_cache(maxsize=256)
def _jsonpath(query: str) -> Any:
    return importlib.import_module("jsonpath_rfc9535").compile(query)


def jsonpath_values(value: Any, query: str) -> list[Any]:
    """The values an RFC 9535 query selects, the query's root being ``value`` itself."""
    if value is MISSING:
        return []
    return [node.value for node in _jsonpath(query).find(value)]


def jsonpath_any(value: Any, query: str) -> bool:
    return bool(jsonpath_values(value, query))


def jsonpath_value(value: Any, query: str) -> Any:
    """The single value a query selects (the first when it selects several), null when it selects none."""
    found = jsonpath_values(value, query)
    return found[0] if found else None


_XPATH_PARSERS = {
    "xpath-10": ("elementpath", "XPath1Parser"),
    "xpath-20": ("elementpath", "XPath2Parser"),
    "xpath-30": ("elementpath.xpath30", "XPath30Parser"),
}


def xpath_any(value: Any, query: str, version: str = "xpath-30") -> bool:
    """An ``xpath`` criterion: the query selects at least one node (or yields true) in the XML text."""
    if value is MISSING or value is None:
        return False
    etree = importlib.import_module("xml.etree.ElementTree")
    elementpath = importlib.import_module("elementpath")
    source = value if isinstance(value, (str, bytes)) else _as_text(value)
    try:
        root = etree.fromstring(source)
    except etree.ParseError:
        return False
    module, name = _XPATH_PARSERS.get(version, ("elementpath.xpath31", "XPath31Parser"))
    parser = getattr(importlib.import_module(module), name)
    return bool(elementpath.select(root, query, parser=parser))


def replace(document: Any, replacements: tuple[tuple[str, Any], ...]) -> Any:
    """A copy of a payload with each JSON-pointer target set to its value (absent values leave it alone)."""
    result = copy.deepcopy(document)
    for target, value in replacements:
        if value is MISSING:
            continue
        tokens = (
            [raw.replace("~1", "/").replace("~0", "~") for raw in target[1:].split("/")]
            if target
            else []
        )
        if not tokens:
            result = value
            continue
        parent = pointer(
            result, "/".join([""] + [t.replace("~", "~0").replace("/", "~1") for t in tokens[:-1]])
        )
        last = tokens[-1]
        if isinstance(parent, dict):
            parent[last] = value
        elif isinstance(parent, list):
            if last == "-":
                parent.append(value)
            elif last.isdigit() and int(last) < len(parent):
                parent[int(last)] = value
    return result
