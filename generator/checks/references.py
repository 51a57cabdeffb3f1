"""Reference checks on the model: inputs, step and workflow outputs, goto targets, sources, cycles."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..diagnostics import Diagnostics, Location
from ..expressions import (
    InputsRef,
    MessageRef,
    RuntimeExpr,
    SelfRef,
    SourceDescriptionRef,
    StepsRef,
    WorkflowsRef,
)
from ..model.nodes import Action, Document, Step, Workflow
from .walk import document_grammar, in_condition, in_value, in_value_at, parsed_condition

RULE = "reference"


def _hint(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _inputs(workflow: Workflow) -> set[str]:
    properties = (workflow.inputs_schema or {}).get("properties")
    return set(properties) if isinstance(properties, dict) else set()


def _step_expressions(step: Step, version: str) -> Iterator[tuple[RuntimeExpr, Location]]:
    for parameter in step.parameters:
        where = parameter.value_where or parameter.where
        yield from ((e, where) for e in in_value(parameter.value, version))
    if step.request_body is not None:
        body = step.request_body
        yield from ((e, body.locate(path)) for path, e in in_value_at(body.payload, (), version))
        for replacement in body.replacements:
            where = replacement.value_where or replacement.where
            yield from ((e, where) for e in in_value(replacement.value, version))
    for criterion in step.success_criteria + tuple(
        c for action in step.on_success + step.on_failure for c in action.criteria
    ):
        yield from _criterion_expressions(
            criterion.type,
            criterion.condition,
            criterion.context,
            criterion.where,
            criterion.context_where or criterion.where,
            version,
        )
    for output in step.outputs:
        yield from ((e, output.where) for e in in_value(output.expression, version))


def _criterion_expressions(
    kind: str,
    condition: str,
    context: str | None,
    where: Location,
    context_where: Location,
    version: str,
) -> Iterator[tuple[RuntimeExpr, Location]]:
    if kind == "simple":
        parsed = parsed_condition(condition, version)
        if parsed is not None:
            yield from ((e, where) for e in in_condition(parsed))
    elif context is not None:
        yield from ((e, context_where) for e in in_value(context, version))


@dataclass
class _Scope:
    document: Document
    workflows: dict[str, Workflow]  # every workflowId the document can reach, for hints
    diags: Diagnostics

    @property
    def version(self) -> str:
        """The document's runtime-expression grammar."""
        return document_grammar(self.document)

    def check(self) -> None:
        for workflow in self.document.workflows:
            self.workflow(workflow)
        self.cycles()

    def workflow(self, workflow: Workflow) -> None:
        index: dict[str, int] = {}
        for i, step in enumerate(workflow.steps):
            index.setdefault(step.step_id, i)
        loops = any(action.type == "goto" for action in _all_actions(workflow))
        for position, step in enumerate(workflow.steps):
            for expr, where in _step_expressions(step, self.version):
                self.expression(expr, where, workflow, index, position, loops)
            for action in step.on_success + step.on_failure:
                self.action(action, workflow, index)
        for action in workflow.success_actions + workflow.failure_actions:
            self.action(action, workflow, index)
        for output in workflow.outputs:
            for expr in in_value(output.expression, self.version):
                self.expression(expr, output.where, workflow, index, len(workflow.steps), loops)

    def action(self, action: Action, workflow: Workflow, index: dict[str, int]) -> None:
        if action.step_id is not None and action.step_id not in index:
            self.diags.error(
                action.target_where or action.where,
                f"action {action.name!r} names step {action.step_id!r}, which workflow "
                f"{workflow.workflow_id!r} does not have{_hint(action.step_id, index)}",
                RULE,
            )

    def expression(
        self,
        expr: RuntimeExpr,
        where: Location,
        workflow: Workflow,
        index: dict[str, int],
        position: int,
        loops: bool,
    ) -> None:
        if isinstance(expr, InputsRef):
            names = _inputs(workflow)
            if expr.name not in names:
                self.diags.error(
                    where,
                    f"$inputs.{expr.name}: workflow {workflow.workflow_id!r} declares no input "
                    f"{expr.name!r}{_hint(expr.name, names)}",
                    RULE,
                )
        elif isinstance(expr, StepsRef):
            if expr.step_id not in index:
                self.diags.error(
                    where,
                    f"$steps.{expr.step_id}: workflow {workflow.workflow_id!r} has no step "
                    f"{expr.step_id!r}{_hint(expr.step_id, index)}",
                    RULE,
                )
                return
            target = workflow.steps[index[expr.step_id]]
            declared = {output.name for output in target.outputs}
            if expr.name not in declared:
                self.diags.error(
                    where,
                    f"$steps.{expr.step_id}.outputs.{expr.name}: step {expr.step_id!r} declares no output "
                    f"{expr.name!r}{_hint(expr.name, declared)}",
                    RULE,
                )
            elif index[expr.step_id] >= position and not loops:
                self.diags.warning(
                    where,
                    f"$steps.{expr.step_id}.outputs.{expr.name} is read before step {expr.step_id!r} "
                    "runs; it resolves to nothing here",
                    RULE,
                )
        elif isinstance(expr, WorkflowsRef):
            found = self.document.find_workflow(expr.workflow_id)
            other = None if found is None else found[1]
            if other is None and self.document.unloaded:
                return  # it may be in a source that could not be loaded (reported where it fails)
            if other is None:
                self.diags.error(
                    where,
                    f"$workflows.{expr.workflow_id}: no such workflow{_hint(expr.workflow_id, self.workflows)}",
                    RULE,
                )
                return
            holders = [
                name
                for name, doc in self.document.arazzo_sources()
                if self.document.own_workflow(expr.workflow_id) is None
                and doc.find_workflow(expr.workflow_id) is not None
            ]
            if len(holders) > 1:
                self.diags.error(
                    where,
                    f"$workflows.{expr.workflow_id}: workflow {expr.workflow_id!r} is defined by the "
                    f"arazzo sources {' and '.join(repr(name) for name in holders)}; read the outputs "
                    "of the one you mean through the step that runs it ($steps.<stepId>.outputs...)",
                    "duplicate",
                )
            names = _inputs(other) if expr.kind == "inputs" else {o.name for o in other.outputs}
            if expr.name not in names:
                self.diags.error(
                    where,
                    f"$workflows.{expr.workflow_id}.{expr.kind}.{expr.name}: workflow "
                    f"{expr.workflow_id!r} declares no {expr.kind[:-1]} {expr.name!r}{_hint(expr.name, names)}",
                    RULE,
                )
        elif isinstance(expr, (SelfRef, MessageRef)):
            return  # no name to resolve: the document itself, the step's message (compilation reports it)
        elif isinstance(expr, SourceDescriptionRef):
            names = {source.name for source in self.document.sources}
            names.update(self.document.unloaded)
            if expr.name not in names:
                self.diags.error(
                    where,
                    f"$sourceDescriptions.{expr.name}: no source description named {expr.name!r}"
                    f"{_hint(expr.name, names)}",
                    RULE,
                )

    def cycles(self) -> None:
        """Workflows that call or depend on each other in a cycle, each workflow known by (document file,
        workflowId): a workflow calling a same-named workflow of another document is no cycle."""
        documents = _documents(self.document)
        edges: dict[_Node, list[_Node]] = {}
        where: dict[_Node, Workflow] = {}
        for doc in documents.values():
            for wf in doc.workflows:
                node = (doc.file, wf.workflow_id)
                if node in edges:
                    continue  # a duplicate workflowId, reported as such
                refs = [_depends_ref(d) for d in wf.depends_on] + [
                    (s.workflow_id, s.workflow_source) for s in wf.steps if s.workflow_id
                ]
                targets = [doc.find_workflow(workflow_id, source) for workflow_id, source in refs]
                edges[node] = [(t[0].file, t[1].workflow_id) for t in targets if t is not None]
                where[node] = wf

        def label(node: _Node) -> str:
            if node[0] == self.document.file:
                return node[1]
            return f"{node[1]} ({documents[node[0]].display_path})"

        state: dict[_Node, int] = {}

        def visit(node: _Node, path: list[_Node]) -> None:
            state[node] = 1
            for target in edges.get(node, []):
                if state.get(target) == 1:
                    cycle = (
                        path[path.index(target) :] + [target] if target in path else [node, target]
                    )
                    self.diags.error(
                        where[cycle[0]].where,
                        "workflows depend on each other in a cycle: "
                        + " -> ".join(label(n) for n in cycle),
                        "cycle",
                    )
                elif state.get(target) is None and target in edges:
                    visit(target, path + [target])
            state[node] = 2

        for node in edges:
            if node not in state:
                visit(node, [node])


def _all_actions(workflow: Workflow) -> Iterator[Action]:
    yield from workflow.success_actions
    yield from workflow.failure_actions
    for step in workflow.steps:
        yield from step.on_success
        yield from step.on_failure


_Node = tuple[str, str]  # (document file, workflowId)


def _depends_ref(entry: str | tuple[str, str]) -> tuple[str, str | None]:
    return (entry, None) if isinstance(entry, str) else (entry[1], entry[0])


def _documents(document: Document) -> dict[str, Document]:
    """The document and every document it reaches through 'arazzo' source descriptions, by file."""
    found: dict[str, Document] = {}
    pending = [document]
    while pending:
        doc = pending.pop(0)
        if doc.file not in found:
            found[doc.file] = doc
            pending.extend(doc.imported)
    return found


def _reachable(document: Document) -> dict[str, Workflow]:
    found: dict[str, Workflow] = {}
    pending = [document]
    seen: set[str] = set()
    while pending:
        doc = pending.pop(0)
        if doc.file in seen:
            continue
        seen.add(doc.file)
        for workflow in doc.workflows:
            found.setdefault(workflow.workflow_id, workflow)
        pending.extend(doc.imported)
    return found


def check_references(document: Document, diagnostics: Diagnostics) -> None:
    _Scope(document, _reachable(document), diagnostics).check()
