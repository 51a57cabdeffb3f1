"""Checks of steps against their OpenAPI operation: literal body parts, response pointers, status codes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jsonschema

from ..diagnostics import Diagnostics
from ..expressions import Compare, Literal, Ref, ResponseRef, StatusCode, is_expression
from ..model.nodes import ApiOperation, Step
from .walk import in_value, parsed_condition

_HOLE = object()  # stands for a value computed at run time


def _op(operation: ApiOperation) -> str:
    return repr(operation.operation_id or f"{operation.method} {operation.path}")


def _skeleton(value: Any) -> Any:
    """The payload with every runtime expression (whole or embedded) replaced by a hole."""
    if isinstance(value, str):
        return _HOLE if (is_expression(value) or "{$" in value) else value
    if isinstance(value, dict):
        return {key: _skeleton(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_skeleton(item) for item in value]
    return value


def _has_hole(value: Any) -> bool:
    if value is _HOLE:
        return True
    if isinstance(value, dict):
        return any(_has_hole(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_hole(item) for item in value)
    return False


def _pointer(path: tuple[str | int, ...]) -> str:
    return (
        "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path) if path else "/"
    )


def _violations(schema: dict[str, Any], payload: Any) -> list[jsonschema.ValidationError]:
    """The payload's violations of ``schema``; none when the validator cannot apply a schema that is not
    valid JSON Schema (the OpenAPI description's own findings report it)."""
    try:
        return list(jsonschema.Draft202012Validator(schema).iter_errors(payload))
    except Exception:
        if _is_valid_schema(schema):
            raise
        return []


def _is_valid_schema(schema: dict[str, Any]) -> bool:
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError:
        return False
    return True


def check_body(step: Step, operation: ApiOperation, diagnostics: Diagnostics) -> None:
    body = step.request_body
    if body is None or not body.has_payload:
        return
    media = body.content_type or next(iter(operation.request_content), None)
    schema = operation.request_content.get(media or "") if media else None
    if not isinstance(schema, dict) or not schema or "json" not in (media or ""):
        return
    payload = _skeleton(body.payload)
    if payload is _HOLE:
        return
    replaced = [r.target for r in body.replacements]
    for error in _violations(schema, payload):
        path = tuple(error.absolute_path)
        pointer = _pointer(path)
        if error.validator == "required" or _has_hole(error.instance) or error.instance is None:
            continue
        if any(
            pointer == t or pointer.startswith(t.rstrip("/") + "/") or t in ("", "/")
            for t in replaced
        ):
            continue
        diagnostics.error(
            body.locate(path),
            f"request body {pointer}: {error.message} (the request schema of operation {_op(operation)})",
            "request-body",
        )


def may_contain(schema: Any, tokens: list[str]) -> bool:
    """Whether a value of ``schema`` may have a node at ``tokens``; objects listing properties are closed."""
    if not isinstance(schema, Mapping) or not schema or not tokens:
        return True
    for key in ("allOf", "anyOf", "oneOf"):
        members = schema.get(key)
        if isinstance(members, list) and any(may_contain(m, tokens) for m in members):
            return True
    token, rest = tokens[0], tokens[1:]
    properties = schema.get("properties")
    if isinstance(properties, Mapping) and token in properties:
        return may_contain(properties[token], rest)
    if "items" in schema and token.isdigit():
        return may_contain(schema["items"], rest)
    extra = schema.get("additionalProperties")
    if extra is True or "patternProperties" in schema:
        return True
    if isinstance(extra, Mapping) and extra:
        return may_contain(extra, rest)
    if isinstance(properties, Mapping) or any(k in schema for k in ("allOf", "anyOf", "oneOf")):
        return False
    return schema.get("type") not in ("string", "integer", "number", "boolean", "null")


def check_response_pointers(step: Step, operation: ApiOperation, diagnostics: Diagnostics) -> None:
    schemas = [s for s in operation.responses.values() if isinstance(s, Mapping) and s]
    if not schemas:
        return
    for output in step.outputs:
        for expr in in_value(output.expression):
            if isinstance(expr, ResponseRef) and expr.part == "body" and expr.pointer:
                tokens = [
                    t.replace("~1", "/").replace("~0", "~") for t in expr.pointer[1:].split("/")
                ]
                if not any(may_contain(schema, tokens) for schema in schemas):
                    diagnostics.warning(
                        output.where,
                        f"output {output.name!r}: $response.body#{expr.pointer} cannot exist in any documented "
                        f"response of operation {_op(operation)}",
                        "response-pointer",
                    )


def check_status_codes(step: Step, operation: ApiOperation, diagnostics: Diagnostics) -> None:
    documented = {key.upper() for key in operation.responses}
    if not documented or "DEFAULT" in documented:
        return
    for criterion in step.success_criteria:
        if criterion.type != "simple":
            continue
        parsed = parsed_condition(criterion.condition)
        for node in _compares(parsed):
            sides = (node.left, node.right)
            if any(isinstance(s, Ref) and isinstance(s.expr, StatusCode) for s in sides):
                for side in sides:
                    if (
                        isinstance(side, Literal)
                        and isinstance(side.value, int)
                        and not isinstance(side.value, bool)
                    ):
                        code = str(side.value)
                        if code not in documented and f"{code[0]}XX" not in documented:
                            diagnostics.warning(
                                criterion.where,
                                f"operation {_op(operation)} documents no {code} response "
                                f"(documented: {', '.join(sorted(documented))})",
                                "status-code",
                            )


def _compares(node: Any) -> list[Compare]:
    if isinstance(node, Compare):
        return [node]
    found: list[Compare] = []
    for child in getattr(node, "operands", ()) or (
        (node.operand,) if hasattr(node, "operand") else ()
    ):
        found.extend(_compares(child))
    return found


def check_operations(steps: list[Step], diagnostics: Diagnostics) -> None:
    for step in steps:
        if step.operation is not None:
            check_body(step, step.operation, diagnostics)
            check_response_pointers(step, step.operation, diagnostics)
            check_status_codes(step, step.operation, diagnostics)
