"""Arazzo 1.0.1 runtime expressions: a hand-written parser producing a small frozen AST.

The ABNF of the specification ("Runtime Expressions") leaves ``name = *( CHAR )`` open, so the
structure inside names follows the rest of the specification:

* step ids, workflow ids and source description names (``[A-Za-z0-9_-]+``) end at the first ``.``;
* output names and component names use the keys the specification requires (``[A-Za-z0-9.\\-_]+``);
* header names are ``token`` characters (RFC 9110), as in the ABNF;
* query/path parameter names, input names and source description fields are any visible ASCII
  character except ``#``, ``{`` and ``}``;
* ``#`` starts a JSON pointer wherever the specification's examples use one (bodies, inputs,
  outputs, step and workflow values, components). The pointer is kept as written (still escaped).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, replace
from typing import Callable, Literal, Union


class ExpressionError(ValueError):
    """A malformed expression or condition; ``offset`` is the 0-based index of the problem in the text."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset

    def shifted(self, delta: int) -> ExpressionError:
        """The same error with its offset moved by ``delta`` (for text embedded in a larger string)."""
        return ExpressionError(self.message, self.offset + delta)

    def __repr__(self) -> str:
        return f"ExpressionError({self.message!r}, {self.offset!r})"


@dataclass(frozen=True)
class Url:
    """``$url``"""


@dataclass(frozen=True)
class Method:
    """``$method``"""


@dataclass(frozen=True)
class StatusCode:
    """``$statusCode``"""


@dataclass(frozen=True)
class RequestRef:
    """``$request.header.<token>``, ``$request.query.<name>``, ``$request.path.<name>``, ``$request.body[#ptr]``"""

    part: Literal["header", "query", "path", "body"]
    name: str
    pointer: str


@dataclass(frozen=True)
class ResponseRef:
    """``$response.header.<token>`` or ``$response.body[#ptr]``"""

    part: Literal["header", "body"]
    name: str
    pointer: str


@dataclass(frozen=True)
class InputsRef:
    """``$inputs.<name>[#ptr]``"""

    name: str
    pointer: str


@dataclass(frozen=True)
class OutputsRef:
    """``$outputs.<name>[#ptr]``"""

    name: str
    pointer: str


@dataclass(frozen=True)
class StepsRef:
    """``$steps.<stepId>.outputs.<name>[#ptr]``"""

    step_id: str
    name: str
    pointer: str


@dataclass(frozen=True)
class WorkflowsRef:
    """``$workflows.<workflowId>.inputs.<name>[#ptr]`` or ``$workflows.<workflowId>.outputs.<name>[#ptr]``"""

    workflow_id: str
    kind: Literal["inputs", "outputs"]
    name: str
    pointer: str


@dataclass(frozen=True)
class SourceDescriptionRef:
    """``$sourceDescriptions.<name>.url`` or ``$sourceDescriptions.<name>.<operationId|workflowId>``"""

    name: str
    field: str


@dataclass(frozen=True)
class ComponentsRef:
    """``$components.<kind>.<name>[#ptr]`` (kind: inputs, parameters, successActions, failureActions)"""

    kind: str
    name: str
    pointer: str


_Fixed = Union[Url, Method, StatusCode, RequestRef, ResponseRef]
_Named = Union[InputsRef, OutputsRef, StepsRef, WorkflowsRef, SourceDescriptionRef, ComponentsRef]
RuntimeExpr = Union[_Fixed, _Named]

COMPONENT_KINDS = ("inputs", "parameters", "successActions", "failureActions")

_FORMS = (
    "$url, $method, $statusCode, $request.header.<name>, $request.query.<name>, "
    "$request.path.<name>, $request.body[#/pointer], $response.header.<name>, "
    "$response.body[#/pointer], $inputs.<name>, $outputs.<name>, $steps.<stepId>.outputs.<name>, "
    "$workflows.<workflowId>.inputs.<name>, $workflows.<workflowId>.outputs.<name>, "
    "$sourceDescriptions.<name>.url, $sourceDescriptions.<name>.<operationId>, "
    "$components.<kind>.<name>"
)
_ROOTS: tuple[str, ...] = (
    "url",
    "method",
    "statusCode",
    "request",
    "response",
    "inputs",
    "outputs",
    "steps",
)
_ROOTS += ("workflows", "sourceDescriptions", "components")

_ALNUM = frozenset(string.ascii_letters + string.digits)
_TCHAR = _ALNUM | frozenset("!#$%&'*+-.^_`|~")
_KEY = _ALNUM | frozenset(".-_")
_ID = _ALNUM | frozenset("-_")
_FREE = frozenset(chr(c) for c in range(0x21, 0x7F)) - frozenset("#{}")
_STEP_ID_STOP = frozenset(".#{}")
# Output names: the ABNF's name is *( CHAR ); names that break the Outputs pattern still occur
# ('Employee object', 'items[0].id') and are read to the end, or to '#'.
_OUTPUT = frozenset(chr(c) for c in range(0x20, 0x7F)) - frozenset("#{}")

_CLASS_TEXT = {
    _TCHAR: "letters, digits and !#$%&'*+-.^_`|~",
    _KEY: "letters, digits, '.', '-' and '_'",
    _ID: "letters, digits, '-' and '_'",
    _FREE: "visible ASCII characters other than '#', '{' and '}'",
    _OUTPUT: "ASCII characters other than '#', '{' and '}'",
}


def _show(ch: str) -> str:
    return repr(ch) if ch.isprintable() and ch != " " else f"U+{ord(ch):04X}"


class _Cursor:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def fail(self, message: str, offset: int | None = None) -> ExpressionError:
        return ExpressionError(message, self.pos if offset is None else offset)

    def read(self, chars: frozenset[str], what: str) -> str:
        start = self.pos
        while not self.at_end() and self.peek() in chars:
            self.pos += 1
        if self.pos == start:
            found = "end of expression" if self.at_end() else _show(self.peek())
            raise self.fail(f"expected {what} ({_CLASS_TEXT[chars]}), found {found}")
        return self.text[start : self.pos]

    def expect(self, literal: str, message: str) -> None:
        if not self.text.startswith(literal, self.pos):
            raise self.fail(message)
        self.pos += len(literal)

    def word(self, choices: tuple[str, ...], context: str) -> str:
        start = self.pos
        while not self.at_end() and self.peek() in _ALNUM:
            self.pos += 1
        found = self.text[start : self.pos]
        if found in choices:
            return found
        listed = (
            repr(choices[0])
            if len(choices) == 1
            else "one of " + ", ".join(repr(c) for c in choices)
        )
        shown = (
            repr(found) if found else ("end of expression" if self.at_end() else _show(self.peek()))
        )
        raise self.fail(f"expected {listed} after {context}, found {shown}", start)

    def end(self, what: str, chars: frozenset[str] | None = None, pointer_ok: bool = False) -> None:
        if self.at_end():
            return
        ch = self.peek()
        if ch == "#" and not pointer_ok:
            hint = f"; {what} cannot be followed by a JSON pointer"
        elif ch in ".[" and pointer_ok:
            hint = "; to reach into the value use a JSON pointer after '#', e.g. '#/items/0/id'"
        elif chars is not None:
            hint = f"; {what} may contain only {_CLASS_TEXT[chars]}"
        else:
            hint = ""
        raise self.fail(f"unexpected {_show(ch)} after {what}{hint}")

    def pointer(self, what: str, chars: frozenset[str] | None) -> str:
        """An optional ``#`` JSON pointer running to the end of the text."""
        if self.at_end():
            return ""
        if self.peek() != "#":
            self.end(what, chars, pointer_ok=True)
        self.pos += 1
        start = self.pos
        pointer = self.text[start:]
        _check_pointer(pointer, start)
        self.pos = len(self.text)
        return pointer


def _check_pointer(pointer: str, offset: int) -> None:
    if pointer and not pointer.startswith("/"):
        raise ExpressionError(
            f"a JSON pointer after '#' must be empty or start with '/', found {_show(pointer[0])}",
            offset,
        )
    for i, ch in enumerate(pointer):
        if ch == "~" and pointer[i + 1 : i + 2] not in ("0", "1"):
            message = "in a JSON pointer '~' must be followed by '0' (for '~') or '1' (for '/')"
            raise ExpressionError(message, offset + i)


def unescape_pointer(pointer: str) -> list[str]:
    """Split a JSON pointer (RFC 6901) into its unescaped reference tokens."""
    if not pointer:
        return []
    _check_pointer(pointer, 0)
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer[1:].split("/")]


def parse_expression(text: str) -> RuntimeExpr:
    """Parse a whole runtime expression such as ``$response.body#/id``; raise :class:`ExpressionError`."""
    cur = _Cursor(text)
    if not text.startswith("$"):
        raise cur.fail(f"a runtime expression starts with '$'; allowed forms: {_FORMS}")
    cur.pos = 1
    if cur.peek() in (".", "["):
        raise cur.fail(
            "'$' followed by '.' or '[' is a JSONPath query, not a runtime expression "
            f"(use a criterion of type jsonpath); allowed forms: {_FORMS}"
        )
    start = cur.pos
    while not cur.at_end() and cur.peek() in _ALNUM:
        cur.pos += 1
    root = text[start : cur.pos]
    if root not in _ROOTS:
        near = [r for r in _ROOTS if r.lower() == root.lower()]
        hint = f"; did you mean '${near[0]}' (names are case-sensitive)?" if near else ""
        shown = f"'${root}'" if root else "'$' alone"
        raise cur.fail(f"unknown runtime expression {shown}{hint}; allowed forms: {_FORMS}", start)
    if root in ("url", "method", "statusCode"):
        cur.end(f"${root}")
        return Url() if root == "url" else Method() if root == "method" else StatusCode()
    cur.expect(".", f"expected '.' after '${root}'; allowed forms: {_FORMS}")
    return _PARSERS[root](cur)


def _parse_request(cur: _Cursor) -> RuntimeExpr:
    part = cur.word(("header", "query", "path", "body"), "'$request.'")
    if part == "body":
        return RequestRef("body", "", cur.pointer("$request.body", None))
    cur.expect(".", f"expected '.' and a name after '$request.{part}'")
    if part == "header":
        name = cur.read(_TCHAR, "a header name")
        cur.end("a header name", _TCHAR)
        return RequestRef("header", name, "")
    name = cur.read(_FREE, f"a {part} parameter name")
    cur.end(f"a {part} parameter name", _FREE)
    return RequestRef("query" if part == "query" else "path", name, "")


def _parse_response(cur: _Cursor) -> RuntimeExpr:
    part = cur.word(("header", "body"), "'$response.' (a response has only headers and a body)")
    if part == "body":
        return ResponseRef("body", "", cur.pointer("$response.body", None))
    cur.expect(".", "expected '.' and a name after '$response.header'")
    name = cur.read(_TCHAR, "a header name")
    cur.end("a header name", _TCHAR)
    return ResponseRef("header", name, "")


def _parse_inputs(cur: _Cursor) -> RuntimeExpr:
    name = cur.read(_FREE, "an input name")
    return InputsRef(name, cur.pointer("an input name", _FREE))


def _parse_outputs(cur: _Cursor) -> RuntimeExpr:
    name = cur.read(_KEY, "an output name")
    return OutputsRef(name, cur.pointer("an output name", _KEY))


def _parse_steps(cur: _Cursor) -> RuntimeExpr:
    # The ABNF's ``name = *( CHAR )``: a step id runs to the next '.' (the stepId pattern is a SHOULD,
    # so ids such as 'Search Stations_0' occur and are referenced as written).
    start = cur.pos
    while not cur.at_end() and cur.peek() not in _STEP_ID_STOP:
        cur.pos += 1
    step_id = cur.text[start : cur.pos]
    if not step_id:
        found = "end of expression" if cur.at_end() else _show(cur.peek())
        raise cur.fail(f"expected a step id, found {found}")
    cur.expect(
        ".",
        f"expected '.outputs.<name>' after '$steps.{step_id}'",
    )
    cur.word(("outputs",), f"'$steps.{step_id}.' (only step outputs can be referenced)")
    cur.expect(".", f"expected '.' and an output name after '$steps.{step_id}.outputs'")
    name = cur.read(_OUTPUT, "an output name")
    return StepsRef(step_id, name, cur.pointer("an output name", _OUTPUT))


def _parse_workflows(cur: _Cursor) -> RuntimeExpr:
    workflow_id = cur.read(_ID, "a workflow id")
    cur.expect(
        ".",
        f"expected '.inputs.<name>' or '.outputs.<name>' after '$workflows.{workflow_id}' "
        f"(workflow ids may contain only {_CLASS_TEXT[_ID]})",
    )
    kind = cur.word(("inputs", "outputs"), f"'$workflows.{workflow_id}.'")
    cur.expect(".", f"expected '.' and a name after '$workflows.{workflow_id}.{kind}'")
    chars = _FREE if kind == "inputs" else _OUTPUT
    name = cur.read(chars, "an input name" if kind == "inputs" else "an output name")
    pointer = cur.pointer("a name", chars)
    return WorkflowsRef(workflow_id, "inputs" if kind == "inputs" else "outputs", name, pointer)


def _parse_source_descriptions(cur: _Cursor) -> RuntimeExpr:
    name = cur.read(_ID, "a source description name")
    cur.expect(
        ".",
        f"expected '.url' or '.<operationId>' after '$sourceDescriptions.{name}' "
        f"(source description names may contain only {_CLASS_TEXT[_ID]})",
    )
    field = cur.read(_FREE, "'url', an operationId or a workflowId")
    cur.end("a source description field", _FREE)
    return SourceDescriptionRef(name, field)


def _parse_components(cur: _Cursor) -> RuntimeExpr:
    kind = cur.word(COMPONENT_KINDS, "'$components.'")
    cur.expect(".", f"expected '.' and a component name after '$components.{kind}'")
    name = cur.read(_KEY, "a component name")
    return ComponentsRef(kind, name, cur.pointer("a component name", _KEY))


_PARSERS: dict[str, Callable[[_Cursor], RuntimeExpr]] = {
    "request": _parse_request,
    "response": _parse_response,
    "inputs": _parse_inputs,
    "outputs": _parse_outputs,
    "steps": _parse_steps,
    "workflows": _parse_workflows,
    "sourceDescriptions": _parse_source_descriptions,
    "components": _parse_components,
}

_EXPRESSION_START = re.compile(r"\$[A-Za-z]")


def is_expression(text: str) -> bool:
    """True when the whole string is meant as a runtime expression: ``$`` followed by a letter.

    The string may still be malformed; :func:`parse_expression` reports that.
    """
    return _EXPRESSION_START.match(text) is not None


def template_spans(text: str) -> tuple[tuple[int, str | RuntimeExpr], ...]:
    """Like :func:`parse_template`, each part paired with its offset in ``text`` (an expression's ``{``)."""
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
            expr = parse_expression(text[brace + 1 : close])
        except ExpressionError as err:
            raise err.shifted(brace + 1) from None
        if brace > literal_start:
            parts.append((literal_start, text[literal_start:brace]))
        parts.append((brace, expr))
        pos = literal_start = close + 1
    if literal_start < len(text):
        parts.append((literal_start, text[literal_start:]))
    return tuple(parts)


def parse_template(text: str) -> tuple[str | RuntimeExpr, ...]:
    """Split a string with embedded ``{$...}`` expressions into literal strings and expressions.

    ``"Bearer {$inputs.token}"`` gives ``("Bearer ", InputsRef("token", ""))``. Text outside
    ``{$...}`` (including lone braces) is literal; empty literal parts are omitted.
    """
    return tuple(part for _, part in template_spans(text))


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


def with_pointer(expr: RuntimeExpr, pointer: str) -> RuntimeExpr | None:
    """``expr`` reaching further into its value by ``pointer``; None for values that are not JSON."""
    if isinstance(expr, (RequestRef, ResponseRef)):
        return replace(expr, pointer=expr.pointer + pointer) if expr.part == "body" else None
    if isinstance(expr, (InputsRef, OutputsRef, StepsRef, WorkflowsRef, ComponentsRef)):
        return replace(expr, pointer=expr.pointer + pointer)
    return None


def parse_with_accessors(text: str) -> RuntimeExpr:
    """:func:`parse_expression`, also reading a property path after a value as a JSON pointer.

    ``$response.body.items[0].id`` is ``$response.body#/items/0/id``: the ``.`` and ``[n]`` operators
    of the ``simple`` condition grammar (Criterion Object), applied to the longest prefix that is a value.
    """
    try:
        return parse_expression(text)
    except ExpressionError as first:
        for cut in range(len(text) - 1, 0, -1):
            if text[cut] not in ".[":
                continue
            pointer = accessor_pointer(text[cut:])
            if pointer is None:
                continue
            try:
                extended = with_pointer(parse_expression(text[:cut]), pointer)
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
    if isinstance(expr, SourceDescriptionRef):
        return f"$sourceDescriptions.{expr.name}.{expr.field}"
    tail = f"#{expr.pointer}" if expr.pointer else ""
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
