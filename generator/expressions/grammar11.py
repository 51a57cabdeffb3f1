"""Arazzo 1.1.0 runtime expressions: the ABNF of the 1.1.0 text ("Runtime Expressions"), read exactly.

Differences from the 1.0.1 grammar (:mod:`generator.expressions.runtime_expr`), each one exercised both
ways by ``tests/test_expressions_11.py``:

1. ``$self`` is a new expression (:class:`SelfRef`): the document's base URI.
2. ``$message.`` is a new root (:class:`MessageRef`): ``$message.header.<token>`` and
   ``$message.payload[#pointer]``, the message of an AsyncAPI step.
3. Step ids, workflow ids and source description names are ``identifier-strict``
   (``[A-Za-z0-9_-]+``): 1.0 read a step id up to the next ``.``, so ``$steps.my step.outputs.x``
   is a 1.0 expression and a 1.1 error.
4. Input names, output names (``$inputs``, ``$outputs``, ``$steps``, ``$workflows``) and component names are
   ``identifier`` (``[A-Za-z0-9.\\-_]+``): 1.0 took any visible character in input names and any
   character but ``#{}`` in step and workflow output names (``$steps.s.outputs.Employee object``).
5. ``$components.`` names only ``parameters``, ``successActions`` or ``failureActions`` (no ``inputs``),
   and a component reference takes no JSON pointer.
6. Query and path parameter names and the ``<reference>`` of ``$sourceDescriptions.<name>.<reference>``
   are ``CHAR`` of RFC 7159 without ``{`` and ``}``: any character from U+0020 on (space and ``#``
   included) except ``"``, ``\\``, ``{`` and ``}``, plus the JSON escapes ``\\" \\\\ \\/ \\b \\f \\n \\r
   \\t \\uXXXX``, which are decoded. 1.0 took visible ASCII without ``#{}`` and no escapes.
7. A JSON pointer may not contain ``{`` or ``}`` (1.0's pointer took them).

Where the ABNF is looser than the rest of the text, the same choices as for 1.0 apply: a query or path
parameter name is not empty (``name = *( CHAR )`` would allow it, but no parameter has an empty name), a
response has only ``header`` and ``body``, a request has no ``payload`` and a message only ``header`` and
``payload`` (the ABNF's shared ``source`` rule allows every part after every root; the text defines these).
"""

from __future__ import annotations

from typing import Callable, Literal

from generator.expressions.cursor import ALNUM, CLASS_TEXT, ID, KEY, TCHAR, Cursor, show
from generator.expressions.nodes import (
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
)

STRICT = ID  # identifier-strict: [A-Za-z0-9_-]+
IDENTIFIER = KEY  # identifier: [A-Za-z0-9.\-_]+
COMPONENT_TYPES_11 = ("parameters", "successActions", "failureActions")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_HEX = frozenset("0123456789abcdefABCDEF")

_REQUEST_PARTS: dict[str, Literal["header", "query", "path", "body"]] = {
    "header": "header",
    "query": "query",
    "path": "path",
    "body": "body",
}
FORMS_11 = (
    "$url, $method, $statusCode, $self, $request.header.<name>, $request.query.<name>, "
    "$request.path.<name>, $request.body[#/pointer], $response.header.<name>, "
    "$response.body[#/pointer], $message.header.<name>, $message.payload[#/pointer], "
    "$inputs.<name>, $outputs.<name>, $steps.<stepId>.outputs.<name>, "
    "$workflows.<workflowId>.inputs.<name>, $workflows.<workflowId>.outputs.<name>, "
    "$sourceDescriptions.<name>.url, $sourceDescriptions.<name>.<operationId>, "
    "$components.<parameters|successActions|failureActions>.<name>"
)
_ROOTS = (
    "url",
    "method",
    "statusCode",
    "self",
    "request",
    "response",
    "message",
    "inputs",
    "outputs",
    "steps",
    "workflows",
    "sourceDescriptions",
    "components",
)


def parse_expression_11(text: str) -> RuntimeExpr:
    """Parse a whole Arazzo 1.1 runtime expression; raise :class:`ExpressionError`."""
    cur = Cursor(text)
    if not text.startswith("$"):
        raise cur.fail(
            f"a runtime expression starts with '$'; allowed forms (Arazzo 1.1): {FORMS_11}"
        )
    cur.pos = 1
    if cur.peek() in (".", "["):
        raise cur.fail(
            "'$' followed by '.' or '[' is a JSONPath query, not a runtime expression "
            f"(use a criterion of type jsonpath); allowed forms (Arazzo 1.1): {FORMS_11}"
        )
    start = cur.pos
    while not cur.at_end() and cur.peek() in ALNUM:
        cur.pos += 1
    root = text[start : cur.pos]
    if root not in _ROOTS:
        near = [r for r in _ROOTS if r.lower() == root.lower()]
        hint = f"; did you mean '${near[0]}' (names are case-sensitive)?" if near else ""
        shown = f"'${root}'" if root else "'$' alone"
        raise cur.fail(
            f"unknown runtime expression {shown}{hint}; allowed forms (Arazzo 1.1): {FORMS_11}",
            start,
        )
    fixed: dict[str, RuntimeExpr] = {
        "url": Url(),
        "method": Method(),
        "statusCode": StatusCode(),
        "self": SelfRef(),
    }
    if root in fixed:
        cur.end(f"${root}")
        return fixed[root]
    cur.expect(".", f"expected '.' after '${root}'; allowed forms (Arazzo 1.1): {FORMS_11}")
    return _PARSERS[root](cur)


def _pointer(cur: Cursor, what: str, chars: frozenset[str] | None) -> str:
    start = cur.pos + 1
    pointer = cur.pointer(what, chars)
    for i, ch in enumerate(pointer):
        if ch in "{}":
            raise cur.fail(
                f"{show(ch)} is not allowed in a JSON pointer (Arazzo 1.1 pointers exclude '{{' and '}}')",
                start + i,
            )
    return pointer


def _chars(cur: Cursor, what: str) -> str:
    """``1*CHAR`` to the end of the expression, JSON escapes decoded."""
    out: list[str] = []
    while not cur.at_end():
        ch = cur.peek()
        if ch == "\\":
            code = cur.text[cur.pos + 1 : cur.pos + 2]
            if code in _ESCAPES:
                out.append(_ESCAPES[code])
                cur.pos += 2
                continue
            digits = cur.text[cur.pos + 2 : cur.pos + 6]
            if code == "u" and len(digits) == 4 and all(d in _HEX for d in digits):
                out.append(chr(int(digits, 16)))
                cur.pos += 6
                continue
            raise cur.fail(
                f"in {what} '\\' starts a JSON escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)"
            )
        if ch in '"{}' or ord(ch) < 0x20:
            raise cur.fail(
                f"unexpected {show(ch)} in {what}; Arazzo 1.1 names exclude '{{', '}}', control "
                "characters and '\"' (write '\\\"')"
            )
        out.append(ch)
        cur.pos += 1
    if not out:
        raise cur.fail(f"expected {what}, found end of expression")
    return "".join(out)


def _parse_source(cur: Cursor, root: str, parts: tuple[str, ...], why: str) -> tuple[str, str, str]:
    part = cur.word(parts, f"'${root}.' ({why})")
    if part in ("body", "payload"):
        return part, "", _pointer(cur, f"${root}.{part}", None)
    cur.expect(".", f"expected '.' and a name after '${root}.{part}'")
    if part == "header":
        name = cur.read(TCHAR, "a header name")
        cur.end("a header name", TCHAR)
        return part, name, ""
    return part, _chars(cur, f"a {part} parameter name"), ""


def _parse_request(cur: Cursor) -> RuntimeExpr:
    part, name, pointer = _parse_source(
        cur, "request", ("header", "query", "path", "body"), "a payload belongs to $message"
    )
    return RequestRef(_REQUEST_PARTS[part], name, pointer)


def _parse_response(cur: Cursor) -> RuntimeExpr:
    part, name, pointer = _parse_source(
        cur, "response", ("header", "body"), "a response has only headers and a body"
    )
    return ResponseRef("body" if part == "body" else "header", name, pointer)


def _parse_message(cur: Cursor) -> RuntimeExpr:
    part, name, pointer = _parse_source(
        cur, "message", ("header", "payload"), "a message has only headers and a payload"
    )
    return MessageRef("payload" if part == "payload" else "header", name, pointer)


def _identifier(cur: Cursor, what: str) -> tuple[str, str]:
    name = cur.read(IDENTIFIER, what)
    return name, _pointer(cur, what, IDENTIFIER)


def _parse_inputs(cur: Cursor) -> RuntimeExpr:
    return InputsRef(*_identifier(cur, "an input name"))


def _parse_outputs(cur: Cursor) -> RuntimeExpr:
    return OutputsRef(*_identifier(cur, "an output name"))


def _strict(cur: Cursor, what: str, after: str) -> str:
    name = cur.read(STRICT, f"a {what}")
    cur.expect(
        ".",
        f"expected {after} after '{cur.text[: cur.pos]}' "
        f"(an Arazzo 1.1 {what} may contain only {CLASS_TEXT[STRICT]})",
    )
    return name


def _parse_steps(cur: Cursor) -> RuntimeExpr:
    step_id = _strict(cur, "step id", "'.outputs.<name>'")
    cur.word(("outputs",), f"'$steps.{step_id}.' (only step outputs can be referenced)")
    cur.expect(".", f"expected '.' and an output name after '$steps.{step_id}.outputs'")
    return StepsRef(step_id, *_identifier(cur, "an output name"))


def _parse_workflows(cur: Cursor) -> RuntimeExpr:
    workflow_id = _strict(cur, "workflow id", "'.inputs.<name>' or '.outputs.<name>'")
    kind = cur.word(("inputs", "outputs"), f"'$workflows.{workflow_id}.'")
    cur.expect(".", f"expected '.' and a name after '$workflows.{workflow_id}.{kind}'")
    what = "an input name" if kind == "inputs" else "an output name"
    name, pointer = _identifier(cur, what)
    return WorkflowsRef(workflow_id, "inputs" if kind == "inputs" else "outputs", name, pointer)


def _parse_source_descriptions(cur: Cursor) -> RuntimeExpr:
    name = _strict(cur, "source description name", "'.url' or '.<operationId>'")
    return SourceDescriptionRef(name, _chars(cur, "'url', an operationId or a workflowId"))


def _parse_components(cur: Cursor) -> RuntimeExpr:
    kind = cur.word(
        COMPONENT_TYPES_11,
        "'$components.' (Arazzo 1.1 inputs are reached by $ref, not expressions)",
    )
    cur.expect(".", f"expected '.' and a component name after '$components.{kind}'")
    name = cur.read(IDENTIFIER, "a component name")
    cur.end("an Arazzo 1.1 component name", IDENTIFIER)
    return ComponentsRef(kind, name, "")


_PARSERS: dict[str, Callable[[Cursor], RuntimeExpr]] = {
    "request": _parse_request,
    "response": _parse_response,
    "message": _parse_message,
    "inputs": _parse_inputs,
    "outputs": _parse_outputs,
    "steps": _parse_steps,
    "workflows": _parse_workflows,
    "sourceDescriptions": _parse_source_descriptions,
    "components": _parse_components,
}
