"""The types of workflow and step outputs: from the OpenAPI response schema an output's expression reads,
the inputs schema, or the outputs of steps and workflows typed before it; else ``Any``."""

from __future__ import annotations

from ..expressions import (
    ExpressionError,
    InputsRef,
    ResponseRef,
    SelfRef,
    StatusCode,
    StepsRef,
    WorkflowsRef,
)
from ..expressions import is_expression, parse_expression
from ..model.nodes import ApiOperation, Workflow
from .schema_types import AnyType, Name, TypeMapper, TypeNode, schema_at


class OutputTypes:
    """Output types by ``workflowId/stepId`` (a step's) or ``workflowId`` (a workflow's), by output name."""

    def __init__(self, types: TypeMapper) -> None:
        self.types = types
        self.output_types: dict[str, dict[str, TypeNode]] = {}

    def output_type(
        self,
        wf: Workflow,
        text: str,
        step_ops: dict[str, ApiOperation | None],
        version: str = "1.0",
    ) -> TypeNode:
        if not is_expression(text):
            return AnyType()
        try:
            expr = parse_expression(text, version=version)
        except ExpressionError:
            return AnyType()
        if isinstance(expr, StatusCode):
            return Name("int")
        if isinstance(expr, SelfRef):
            return Name("str")
        if isinstance(expr, ResponseRef) and expr.part == "header":
            return Name("str")
        if isinstance(expr, InputsRef):
            prop = ((wf.inputs_schema or {}).get("properties") or {}).get(expr.name)
            return self.types.type_of(
                schema_at(prop, expr.pointer), f"{wf.workflow_id} {expr.name}"
            )
        if isinstance(expr, StepsRef):
            found = self.output_types.get(f"{wf.workflow_id}/{expr.step_id}", {}).get(
                expr.name, AnyType()
            )
            return found if not expr.pointer else AnyType()
        if isinstance(expr, WorkflowsRef) and expr.kind == "outputs" and not expr.pointer:
            return self.output_types.get(expr.workflow_id, {}).get(expr.name, AnyType())
        return AnyType()

    def response_type(self, op: ApiOperation | None, pointer: str, hint: str) -> TypeNode:
        if op is None:
            return AnyType()
        found = [
            schema_at(schema, pointer)
            for status, schema in op.responses.items()
            if status.startswith("2") or status.upper() == "2XX"
        ]
        types = {self.types.type_of(s, hint) for s in found if s is not None}
        return types.pop() if len(types) == 1 else AnyType()
