"""The module's tables as ``ast`` statements: operations, workflows and registries, which the driver reads.

They come last in a module because they refer to the step functions and constants defined above them.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence

from . import pycode
from .constants import Constants
from ..model.nodes import ApiOperation, Document
from .pycode import Identifier


def operation(op: ApiOperation, constants: Constants) -> ast.expr:
    """``rt.Operation(source, method, path, params=..., security=..., ...)``; the request schema a constant."""
    keywords: dict[str, ast.expr] = {}
    if op.parameters:
        keywords["params"] = pycode.tuple_of(
            pycode.call(
                "rt.ParamStyle",
                *(pycode.literal(v) for v in (p.location, p.name, p.style, p.explode)),
            )
            for p in op.parameters
        )
    if op.security:
        keywords["security"] = pycode.tuple_of(
            pycode.tuple_of(
                pycode.call(
                    "rt.SecurityScheme",
                    *(
                        pycode.literal(v)
                        for v in (s.name, s.type, s.scheme, s.location, s.param_name)
                    ),
                )
                for s in alternative
            )
            for alternative in op.security
        )
    if op.server:
        keywords["server"] = pycode.literal(op.server)
    if op.multipart_parts:
        parts = {
            name: (content_type, dict(headers))
            for name, content_type, headers in op.multipart_parts
        }
        keywords["parts"] = pycode.literal(parts)
    schema = next((v for m, v in op.request_content.items() if "json" in m and v), None)
    if schema:
        use = f"{op.operation_id or f'{op.method} {op.path}'} request schema"
        keywords["request_schema"] = constants.name(schema, use)
    args = (pycode.literal(op.source), pycode.literal(op.method), pycode.literal(op.path))
    return pycode.call("rt.Operation", *args, **keywords)


def sources(document: Document) -> ast.Dict:
    return pycode.dict_of(
        (
            pycode.literal(s.name),
            pycode.call("rt.Source", *(pycode.literal(v) for v in (s.name, s.url, s.server))),
        )
        for s in document.sources
    )


def workflow(
    var: Identifier,
    workflow_id: str,
    type_args: tuple[ast.expr, ast.expr],
    steps: Sequence[ast.expr],
    keywords: Mapping[str, ast.expr],
) -> ast.stmt:
    """``_WF: rt.Workflow[Inputs, Result] = rt.Workflow("id", steps=(...), ...)``."""
    value = pycode.call(
        "rt.Workflow", pycode.literal(workflow_id), steps=pycode.tuple_of(steps), **keywords
    )
    return pycode.assign(var, value, pycode.subscript(pycode.fixed("rt.Workflow"), *type_args))


def registry(
    var: Identifier,
    name: str,
    workflows: Sequence[tuple[str, Identifier]],
    document: Document,
    imports: Sequence[tuple[str, Identifier]],
) -> ast.stmt:
    keywords: dict[str, ast.expr] = {
        "name": pycode.literal(name),
        "workflows": pycode.dict_of(
            (pycode.literal(workflow_id), pycode.name(ident)) for workflow_id, ident in workflows
        ),
        "sources": sources(document),
    }
    if imports:
        keywords["imports"] = pycode.dict_of(
            (pycode.literal(source), pycode.name(ident)) for source, ident in imports
        )
    return pycode.assign(var, pycode.call("rt.Registry", **keywords))


def depends_on(entries: Sequence[str | tuple[str, str]]) -> ast.expr:
    return pycode.literal(tuple(entries))
