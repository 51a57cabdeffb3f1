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

from typing import Callable

from generator.expressions.cursor import (
    ALNUM,
    CLASS_TEXT,
    FREE,
    ID,
    KEY,
    OUTPUT,
    STEP_ID_STOP,
    TCHAR,
    Cursor,
    show,
)
from generator.expressions.grammar11 import parse_expression_11
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

__all__ = [
    "COMPONENT_KINDS",
    "GRAMMARS",
    "ComponentsRef",
    "InputsRef",
    "MessageRef",
    "Method",
    "OutputsRef",
    "RequestRef",
    "ResponseRef",
    "RuntimeExpr",
    "SelfRef",
    "SourceDescriptionRef",
    "StatusCode",
    "StepsRef",
    "Url",
    "WorkflowsRef",
    "grammar_version",
    "parse_expression",
]


GRAMMARS = ("1.0", "1.1")
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


def grammar_version(version: str) -> str:
    """``"1.0"`` or ``"1.1"`` for a grammar name or a document's ``arazzo`` version (``"1.1.0"``)."""
    for known in GRAMMARS:
        if version == known or version.startswith(known + "."):
            return known
    raise ValueError(f"unknown runtime-expression grammar {version!r}; expected one of {GRAMMARS}")


def parse_expression(text: str, *, version: str = "1.0") -> RuntimeExpr:
    """Parse a whole runtime expression such as ``$response.body#/id``; raise :class:`ExpressionError`.

    ``version`` picks the grammar: ``"1.0"`` (Arazzo 1.0.x documents, the default) or ``"1.1"``
    (Arazzo 1.1.x documents, :mod:`generator.expressions.grammar11`).
    """
    if grammar_version(version) == "1.1":
        return parse_expression_11(text)
    return _parse_10(text)


def _parse_10(text: str) -> RuntimeExpr:
    cur = Cursor(text)
    if not text.startswith("$"):
        raise cur.fail(f"a runtime expression starts with '$'; allowed forms: {_FORMS}")
    cur.pos = 1
    if cur.peek() in (".", "["):
        raise cur.fail(
            "'$' followed by '.' or '[' is a JSONPath query, not a runtime expression "
            f"(use a criterion of type jsonpath); allowed forms: {_FORMS}"
        )
    start = cur.pos
    while not cur.at_end() and cur.peek() in ALNUM:
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


def _parse_request(cur: Cursor) -> RuntimeExpr:
    part = cur.word(("header", "query", "path", "body"), "'$request.'")
    if part == "body":
        return RequestRef("body", "", cur.pointer("$request.body", None))
    cur.expect(".", f"expected '.' and a name after '$request.{part}'")
    if part == "header":
        name = cur.read(TCHAR, "a header name")
        cur.end("a header name", TCHAR)
        return RequestRef("header", name, "")
    name = cur.read(FREE, f"a {part} parameter name")
    cur.end(f"a {part} parameter name", FREE)
    return RequestRef("query" if part == "query" else "path", name, "")


def _parse_response(cur: Cursor) -> RuntimeExpr:
    part = cur.word(("header", "body"), "'$response.' (a response has only headers and a body)")
    if part == "body":
        return ResponseRef("body", "", cur.pointer("$response.body", None))
    cur.expect(".", "expected '.' and a name after '$response.header'")
    name = cur.read(TCHAR, "a header name")
    cur.end("a header name", TCHAR)
    return ResponseRef("header", name, "")


def _parse_inputs(cur: Cursor) -> RuntimeExpr:
    name = cur.read(FREE, "an input name")
    return InputsRef(name, cur.pointer("an input name", FREE))


def _parse_outputs(cur: Cursor) -> RuntimeExpr:
    name = cur.read(KEY, "an output name")
    return OutputsRef(name, cur.pointer("an output name", KEY))


def _parse_steps(cur: Cursor) -> RuntimeExpr:
    # The ABNF's ``name = *( CHAR )``: a step id runs to the next '.' (the stepId pattern is a SHOULD,
    # so ids such as 'Search Stations_0' occur and are referenced as written).
    start = cur.pos
    while not cur.at_end() and cur.peek() not in STEP_ID_STOP:
        cur.pos += 1
    step_id = cur.text[start : cur.pos]
    if not step_id:
        found = "end of expression" if cur.at_end() else show(cur.peek())
        raise cur.fail(f"expected a step id, found {found}")
    cur.expect(
        ".",
        f"expected '.outputs.<name>' after '$steps.{step_id}'",
    )
    cur.word(("outputs",), f"'$steps.{step_id}.' (only step outputs can be referenced)")
    cur.expect(".", f"expected '.' and an output name after '$steps.{step_id}.outputs'")
    name = cur.read(OUTPUT, "an output name")
    return StepsRef(step_id, name, cur.pointer("an output name", OUTPUT))


def _parse_workflows(cur: Cursor) -> RuntimeExpr:
    workflow_id = cur.read(ID, "a workflow id")
    cur.expect(
        ".",
        f"expected '.inputs.<name>' or '.outputs.<name>' after '$workflows.{workflow_id}' "
        f"(workflow ids may contain only {CLASS_TEXT[ID]})",
    )
    kind = cur.word(("inputs", "outputs"), f"'$workflows.{workflow_id}.'")
    cur.expect(".", f"expected '.' and a name after '$workflows.{workflow_id}.{kind}'")
    chars = FREE if kind == "inputs" else OUTPUT
    name = cur.read(chars, "an input name" if kind == "inputs" else "an output name")
    pointer = cur.pointer("a name", chars)
    return WorkflowsRef(workflow_id, "inputs" if kind == "inputs" else "outputs", name, pointer)


def _parse_source_descriptions(cur: Cursor) -> RuntimeExpr:
    name = cur.read(ID, "a source description name")
    cur.expect(
        ".",
        f"expected '.url' or '.<operationId>' after '$sourceDescriptions.{name}' "
        f"(source description names may contain only {CLASS_TEXT[ID]})",
    )
    field = cur.read(FREE, "'url', an operationId or a workflowId")
    cur.end("a source description field", FREE)
    return SourceDescriptionRef(name, field)


def _parse_components(cur: Cursor) -> RuntimeExpr:
    kind = cur.word(COMPONENT_KINDS, "'$components.'")
    cur.expect(".", f"expected '.' and a component name after '$components.{kind}'")
    name = cur.read(KEY, "a component name")
    return ComponentsRef(kind, name, cur.pointer("a component name", KEY))


_PARSERS: dict[str, Callable[[Cursor], RuntimeExpr]] = {
    "request": _parse_request,
    "response": _parse_response,
    "inputs": _parse_inputs,
    "outputs": _parse_outputs,
    "steps": _parse_steps,
    "workflows": _parse_workflows,
    "sourceDescriptions": _parse_source_descriptions,
    "components": _parse_components,
}
