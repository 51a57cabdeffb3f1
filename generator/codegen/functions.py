"""A workflow's named step functions (request, success criteria, outputs, action criteria) and its tables.

Each compiled part becomes a module-private ``def`` taking the context ``c`` (``rt.Context[<inputs class>]``),
named through the module's one sanitiser; the ``rt.Step``/``rt.Action`` table entries refer to them by name.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass, field

from . import pycode
from .constants import Constants
from ..model.nodes import Action, Step, Workflow
from .names import Scope, snake
from .pycode import Identifier
from .stepcode import StepCompiler

CONTEXT = Identifier("c")


@dataclass
class Section:
    """A commented group of module-level functions (one step's, or one workflow's own)."""

    comment: str
    functions: list[ast.stmt] = field(default_factory=list)


def _runs(step: Step) -> str:
    op = step.operation
    if op is not None:
        return f"operation {op.operation_id or f'{op.method.upper()} {op.path}'}"
    return f"workflow {step.workflow_id}"


class FunctionBuilder:
    """Builds the functions of one workflow into sections and returns its table entries."""

    def __init__(
        self,
        scope: Scope,
        compiler: StepCompiler,
        constants: Constants,
        context_type: ast.expr,
        path: str,
    ) -> None:
        self.scope = scope
        self.compiler = compiler
        self.constants = constants
        self.context_type = context_type
        self.path = path
        self.sections: list[Section] = []

    def define(self, section: Section, use: str, returns: ast.expr, value: ast.expr) -> ast.Name:
        ident = self.scope.claim("_" + snake(use))
        params = pycode.arguments([pycode.param(CONTEXT, self.context_type)])
        section.functions.append(pycode.function(ident, params, returns, [pycode.returns(value)]))
        return pycode.name(ident)

    def actions(self, section: Section, owner: str, actions: Sequence[Action]) -> ast.Tuple:
        entries = []
        for action in actions:
            parts = self.compiler.action(action)
            keywords = dict(parts.keywords)
            if parts.criteria is not None:
                keywords["criteria"] = self.define(
                    section, f"{owner} {action.name} applies", pycode.fixed("bool"), parts.criteria
                )
            entries.append(pycode.call("rt.Action", *parts.args, **keywords))
        return pycode.tuple_of(entries)

    def step(self, step: Step, operation: ast.expr | None) -> ast.Call:
        """The step's functions (in a section of their own) and its ``rt.Step`` table entry."""
        section = Section(
            f"Step {step.step_id!r} ({self.path}, line {step.where.line}): {_runs(step)}."
        )
        self.sections.append(section)
        keywords: dict[str, ast.expr] = {}
        if operation is not None:
            keywords["operation"] = operation
        if step.workflow_id is not None:
            keywords["workflow_id"] = pycode.literal(step.workflow_id)
        if step.workflow_source is not None:
            keywords["workflow_source"] = pycode.literal(step.workflow_source)
        request = self.compiler.request(step)
        if request is not None:
            request = self.constants.hoist(request, step.step_id)
            keywords["request"] = self.define(
                section, f"{step.step_id} request", pycode.fixed("rt.Request"), request
            )
        success = self.compiler.check(step.success_criteria)
        if success is not None:
            keywords["success"] = self.define(
                section, f"{step.step_id} succeeded", pycode.fixed("bool"), success
            )
        outputs = self.compiler.outputs(step.outputs)
        if outputs is not None:
            keywords["outputs"] = self.define(
                section, f"{step.step_id} outputs", _OUTPUTS(), outputs
            )
        if step.on_success:
            keywords["on_success"] = self.actions(section, step.step_id, step.on_success)
        if step.on_failure:
            keywords["on_failure"] = self.actions(section, step.step_id, step.on_failure)
        if step.timeout_ms is not None:
            # in seconds, as the Client's timeout
            keywords["timeout"] = pycode.literal(step.timeout_ms / 1000)
        return pycode.call("rt.Step", pycode.literal(step.step_id), **keywords)

    def workflow(self, wf: Workflow, extra: Sequence[ast.stmt] = ()) -> dict[str, ast.expr]:
        """The workflow's own functions (outputs, action criteria, then ``extra``) and table keywords."""
        section = Section(f"Workflow {wf.workflow_id!r} ({self.path}, line {wf.where.line}).")
        keywords: dict[str, ast.expr] = {}
        outputs = self.compiler.outputs(wf.outputs)
        if outputs is not None:
            keywords["outputs"] = self.define(
                section, f"{wf.workflow_id} outputs", _OUTPUTS(), outputs
            )
        if wf.success_actions:
            keywords["success_actions"] = self.actions(section, wf.workflow_id, wf.success_actions)
        if wf.failure_actions:
            keywords["failure_actions"] = self.actions(section, wf.workflow_id, wf.failure_actions)
        section.functions += extra
        if section.functions:
            self.sections.append(section)
        return keywords


def _OUTPUTS() -> ast.expr:
    return pycode.subscript(pycode.fixed("dict"), pycode.fixed("str"), pycode.fixed("Any"))
