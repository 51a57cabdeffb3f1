"""Compiles a step's parts (request, criteria, actions, outputs) into ``ast`` expressions.

:mod:`generator.functions` wraps them into the step's named functions; nothing here handles source text.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from . import pycode
from ..diagnostics import Diagnostics, Location
from ..expressions import ExpressionError, check_regex, is_expression, parse_expression
from .compile import (
    InputFields,
    compile_condition,
    compile_expression,
    compile_query_criterion,
    compile_value,
)
from ..model.nodes import Action, ApiOperation, Criterion, Document, Output, Parameter, Step
from .names import snake

Components = Mapping[str, Mapping[str, Any]]
_IGNORED_HEADERS = ("accept", "content-type", "authorization")


def _replacement_problem(payload: Any, target: str) -> str | None:
    """Why a replacement cannot be applied to a payload, or None (checked through literal parts only)."""
    if not isinstance(payload, (dict, list)):
        return (
            f"replacement target {target!r}: replacements apply to JSON payloads (an object or an array); "
            "XPath targets into XML or text payloads are not supported"
        )
    if target and not target.startswith("/"):
        return (
            f"replacement target {target!r} is not a JSON pointer; XPath targets are not supported"
        )
    current: Any = payload
    tokens = (
        [t.replace("~1", "/").replace("~0", "~") for t in target[1:].split("/")] if target else []
    )
    for token in tokens[:-1]:
        if isinstance(current, str) and is_expression(current):
            return None  # computed at run time: cannot be checked here
        if isinstance(current, dict) and token in current:
            current = current[token]
        elif isinstance(current, list) and token.isdigit() and int(token) < len(current):
            current = current[int(token)]
        else:
            return f"replacement target {target!r} does not point into the payload"
    if (
        tokens
        and not isinstance(current, (dict, list))
        and not (isinstance(current, str) and is_expression(current))
    ):
        return f"replacement target {target!r} does not point into the payload"
    return None


def _op_name(operation: ApiOperation) -> str:
    return repr(operation.operation_id or f"{operation.method} {operation.path}")


@dataclass(frozen=True)
class ActionParts:
    """An action's table arguments (names as keywords) and its criteria, if any."""

    args: tuple[ast.expr, ...]
    keywords: tuple[tuple[str, ast.expr], ...]
    criteria: ast.expr | None


def document_uri(document: Document) -> str | None:
    """The value of ``$self``: the document's declared ``$self`` (resolved), else the URL it was fetched from.
    A ``file:`` URI (a local document without ``$self``, or a relative ``$self`` in one) would put this
    machine's absolute path into the generated code (output must be the same on every machine), so there is
    none: ``$self`` is then an ``unsupported`` error.
    """
    if document.self_uri is not None:  # declared: in the document, so the same on every machine
        return None if urlsplit(document.self_uri).scheme == "file" else document.self_uri
    if urlsplit(document.display_path).scheme in ("http", "https"):
        return document.display_path
    return None


class StepCompiler:
    def __init__(
        self,
        diagnostics: Diagnostics,
        components: Components,
        *,
        version: str = "1.0",
        self_uri: str | None = None,
    ) -> None:
        self.diags = diagnostics
        self.components = components
        self.inputs: InputFields | None = None  # the typed inputs of the workflow being compiled
        self.version = version  # the document's runtime-expression grammar
        self.self_uri = self_uri  # what $self compiles to

    def _fail(self, where: Location, what: str, error: ExpressionError) -> ast.expr:
        self.diags.error(
            where, f"{what}: {error.message} (at character {error.offset + 1})", error.rule
        )
        return pycode.constant(None)

    def expression(self, text: str, where: Location, what: str) -> ast.expr:
        if not isinstance(text, str) or not is_expression(text):
            self.diags.error(
                where,
                f"{what} must be a runtime expression such as $response.body#/id, not {text!r}",
                "expression",
            )
            return pycode.constant(None)
        try:
            return compile_expression(
                parse_expression(text, version=self.version),
                self.components,
                self.inputs,
                self_uri=self.self_uri,
            )
        except ExpressionError as error:
            return self._fail(where, what, error)

    def value(self, value: Any, where: Location, what: str) -> ast.expr:
        try:
            return compile_value(
                value, self.components, self.inputs, version=self.version, self_uri=self.self_uri
            )
        except ExpressionError as error:
            return self._fail(where, what, error)

    def criterion(self, criterion: Criterion) -> ast.expr:
        where = criterion.where
        try:
            if criterion.type == "simple":
                return compile_condition(
                    criterion.condition,
                    self.components,
                    self.inputs,
                    version=self.version,
                    self_uri=self.self_uri,
                )
            context = self.expression(criterion.context or "", where, "criterion context")
            if criterion.type == "regex":
                check_regex(criterion.condition)
                return pycode.call("rt.regex", context, pycode.literal(criterion.condition))
            version = criterion.version or ("xpath-30" if criterion.type == "xpath" else "")
            return compile_query_criterion(criterion.type, criterion.condition, context, version)
        except ExpressionError as error:
            return self._fail(where, f"{criterion.type} condition {criterion.condition!r}", error)

    def check(self, criteria: tuple[Criterion, ...]) -> ast.expr | None:
        """Every criterion holds: ``a and b`` (parentheses only where the operators need them)."""
        if not criteria:
            return None
        return pycode.both([self.criterion(criterion) for criterion in criteria])

    def action(self, action: Action) -> ActionParts:
        args = (pycode.literal(action.name), pycode.literal(action.type))
        keywords: list[tuple[str, ast.expr]] = []
        if action.step_id is not None:
            keywords.append(("step_id", pycode.literal(action.step_id)))
        if action.workflow_id is not None:
            keywords.append(("workflow_id", pycode.literal(action.workflow_id)))
        if action.workflow_source is not None:
            keywords.append(("workflow_source", pycode.literal(action.workflow_source)))
        if action.type == "retry":
            if action.retry_after is not None:
                keywords.append(("retry_after", pycode.literal(action.retry_after)))
            keywords.append(("retry_limit", pycode.literal(action.retry_limit)))
        return ActionParts(args, tuple(keywords), self.check(action.criteria))

    def outputs(self, outputs: tuple[Output, ...]) -> ast.expr | None:
        if not outputs:
            return None
        return pycode.dict_of(
            (
                pycode.literal(o.name),
                (
                    self.value(o.constant, o.where, f"output {o.name!r}")
                    if o.is_constant
                    else self.expression(o.expression, o.where, f"output {o.name!r}")
                ),
            )
            for o in outputs
        )

    def parameters(self, step: Step) -> list[ast.expr]:
        result: list[ast.expr] = []
        given: set[tuple[str, str]] = set()
        for parameter in step.parameters:
            target = self._target(parameter, step)
            if target is None:
                continue
            given.add(target)
            code = self.value(
                parameter.value,
                parameter.value_where or parameter.where,
                f"parameter {parameter.name!r}",
            )
            result.append(
                pycode.tuple_of([pycode.literal(target[1]), pycode.literal(target[0]), code])
            )
        if step.operation is not None:
            for api in step.operation.parameters:
                if api.required and (api.name, api.location) not in given:
                    self.diags.error(
                        step.where,
                        f"step {step.step_id!r}: required {api.location} parameter {api.name!r} of operation "
                        f"{step.operation.operation_id or step.operation.path!r} is not supplied; "
                        f"add a parameter with name: {api.name} and in: {api.location}",
                        "required-parameter",
                    )
        return result

    def _target(self, parameter: Parameter, step: Step) -> tuple[str, str] | None:
        """The (name, in) a step parameter feeds: as written, or the operation's near-miss (with a warning)."""
        operation = step.operation
        if operation is None:
            return parameter.name, parameter.location or ""
        candidates = [p for p in operation.parameters if parameter.location in (None, p.location)]
        exact = [p for p in candidates if p.name == parameter.name]
        if len(exact) == 1 or (exact and parameter.location is not None):
            return exact[0].name, exact[0].location
        near = [p for p in candidates if snake(p.name) == snake(parameter.name)]
        if len(near) == 1:
            self.diags.warning(
                parameter.where,
                f"parameter {parameter.name!r} is not declared by operation {_op_name(operation)}; "
                f"using its {near[0].location} parameter {near[0].name!r}",
                "undeclared-parameter",
            )
            return near[0].name, near[0].location
        if parameter.location is None:
            self.diags.error(
                parameter.where,
                f"parameter {parameter.name!r} needs 'in' (path, query, header or cookie): "
                f"operation {_op_name(operation)} does not declare it",
                "structure",
            )
            return None
        if not (parameter.location == "header" and parameter.name.lower() in _IGNORED_HEADERS):
            self.diags.warning(
                parameter.where,
                f"{parameter.location} parameter {parameter.name!r} is not declared by operation "
                f"{_op_name(operation)}; it is sent as written",
                "undeclared-parameter",
            )
        return parameter.name, parameter.location

    def request(self, step: Step) -> ast.expr | None:
        """``rt.request(...)``: the step's parameters and body, or None when it sends neither."""
        params = self.parameters(step)
        args: list[ast.expr] = []
        keywords: dict[str, ast.expr] = {}
        if params:
            args.append(pycode.tuple_of(params))
        body = step.request_body
        if body is not None and step.workflow_id is not None:
            self.diags.error(
                body.where,
                f"step {step.step_id!r} runs workflow {step.workflow_id!r}, which takes no request body; "
                "pass the values as parameters (they become the workflow's inputs)",
                "unsupported",
            )
        if body is not None and step.operation is not None:
            payload = (
                self.value(body.payload, body.where, "request body")
                if body.has_payload
                else pycode.constant(None)
            )
            if body.replacements:
                pairs: list[ast.expr] = []
                for replacement in body.replacements:
                    problem = _replacement_problem(body.payload, replacement.target)
                    if problem is not None:
                        self.diags.error(replacement.where, problem, "unsupported")
                        continue
                    value = self.value(
                        replacement.value,
                        replacement.value_where or replacement.where,
                        "replacement value",
                    )
                    pairs.append(pycode.tuple_of([pycode.literal(replacement.target), value]))
                payload = pycode.call("rt.replace", payload, pycode.tuple_of(pairs))
            keywords["body"] = payload
            content_type = body.content_type or next(iter(step.operation.request_content), None)
            keywords["content_type"] = pycode.literal(content_type)
        if not args and not keywords:
            return None
        return pycode.call("rt.request", *args, **keywords)
