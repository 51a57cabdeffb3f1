"""The model → what the module template places: names, types and code as ``ast`` nodes, all decided here.

A module reads top to bottom: the public API (TypedDicts; per workflow its inputs class, result class,
function and coroutine twin), then per workflow each step's functions and the workflow's own, then the
long-literal constants, then the tables (operations, workflows, registries) that refer to all of them.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import api, pycode, tables
from .api import ClassPlan, FieldPlan, InputPlan
from .constants import Constants
from ..diagnostics import Diagnostics
from .compile import InputField
from .functions import FunctionBuilder, Section
from ..model.nodes import ApiOperation, Document, Workflow
from .output_types import OutputTypes
from .names import Scope, pascal, snake
from .pycode import Identifier
from .schema_types import TypeMapper, TypeNode, optional
from .stepcode import StepCompiler, document_uri
from ..checks.walk import document_grammar

# Parameters: `client` is the contract's; `rt` is the runtime module the function body calls.
PARAMETER_RESERVED = frozenset({"client", "rt"})
# Module level: the imports, and the builtins the module's code and type expressions use (a workflow
# function named `list` or `classmethod` would otherwise shadow them when the module is imported).
MODULE_RESERVED = frozenset(
    {
        "rt",
        "annotations",
        "dataclass",
        "field",
        "_field",
        "Mapping",
        "Any",
        "Literal",
        "NotRequired",
    }
    | {
        "Required",
        "TypedDict",
        "bool",
        "classmethod",
        "dict",
        "float",
        "int",
        "list",
        "str",
        "tuple",
    }
)


@dataclass(frozen=True)
class WorkflowPlan:
    """A workflow's public surface: its classes, and its function and coroutine twin."""

    workflow_id: str
    function: Identifier
    async_function: Identifier
    result_class: Identifier
    summary: str
    description: str
    inputs: tuple[InputPlan, ...]
    inputs_class: ClassPlan | None
    result: ClassPlan
    params: ast.arguments
    async_params: ast.arguments
    body: ast.stmt
    async_body: ast.stmt

    @property
    def doc(self) -> str:
        """Summary, description and one line per input, for the function's docstring."""
        parts = [self.summary or f"Run workflow {self.workflow_id}.", self.description]
        args = [f"{i.name}: {i.description}".rstrip(": ") for i in self.inputs]
        if args:
            parts.append("Args:\n" + "\n".join("    " + arg.replace("\n", " ") for arg in args))
        return "\n\n".join(part.strip() for part in parts if part and part.strip())


@dataclass(frozen=True)
class ModulePlan:
    name: str
    header: str
    title: str
    summary: str
    description: str
    imports: tuple[tuple[ast.stmt, ...], ...]  # groups, a blank line between them
    typed_dicts: tuple[ast.stmt, ...]
    workflows: tuple[WorkflowPlan, ...]
    private_classes: tuple[ClassPlan, ...]  # typed inputs of workflows of imported documents
    sections: tuple[Section, ...]
    constants: tuple[ast.stmt, ...]
    tables: tuple[ast.stmt, ...]

    @property
    def docstring_text(self) -> str:
        parts = [self.title, self.summary, self.description]
        return "\n\n".join(part.strip() for part in parts if part and part.strip())


def module_name(file_name: str) -> str:
    stem = re.sub(r"\.(ya?ml|json)$", "", file_name, flags=re.IGNORECASE)
    return snake(re.sub(r"\.arazzo$", "", stem, flags=re.IGNORECASE))


def document_module(document: Document) -> str:
    """The module name of a document: the scope of its source names in ``Client(servers=...)``."""
    return module_name(document.display_path.replace("\\", "/").rsplit("/", 1)[-1])


def _imports(document: Document) -> list[Document]:
    """Every document reachable through 'arazzo' source descriptions, once each (by file), each after the
    documents it imports (loading refuses import cycles)."""
    seen = {document.file}
    found: list[Document] = []

    def visit(doc: Document) -> None:
        for _, child in doc.arazzo_sources():
            if child.file not in seen:
                seen.add(child.file)
                visit(child)
                found.append(child)

    visit(document)
    return found


def _properties(wf: Workflow) -> Mapping[str, Any]:
    schema = wf.inputs_schema or {}
    properties = schema.get("properties")
    return properties if isinstance(properties, Mapping) else {}


def shown_path(document: Document, base: Path | None) -> str:
    """A document's path as module headers show it: relative to the output folder's parent."""
    if base is None or "://" in document.file:
        return document.display_path
    return Path(os.path.relpath(Path(document.file).resolve(), base)).as_posix()


@dataclass(frozen=True)
class _Public:
    function: Identifier
    twin: Identifier
    result: Identifier


class Planner:
    def __init__(
        self, document: Document, header: str, diagnostics: Diagnostics, base: Path | None = None
    ) -> None:
        self.doc = document
        self.header = header
        self.diags = diagnostics
        self.base = base
        self.scope = Scope(MODULE_RESERVED)
        self.types = TypeMapper(self.scope)
        self.constants = Constants(self.scope)
        self.operation_vars: dict[int, Identifier] = {}
        self.operations: list[ast.stmt] = []
        self.typer = OutputTypes(self.types)
        self.sections: list[Section] = []
        self.input_classes: dict[int, Identifier] = {}

    def plan(self) -> ModulePlan:
        scope = self.scope
        registry = scope.claim("_REGISTRY")
        imported = _imports(self.doc)
        registry_vars = {self.doc.file: registry}
        for index, doc in enumerate(imported):
            registry_vars[doc.file] = scope.claim(f"_IMPORTED_{index}")
        # Contract names first (functions, then result classes), then inputs classes, then the rest.
        named = []
        for wf in self.doc.workflows:  # document order: a function, then its twin
            function = scope.snake(wf.workflow_id)
            named.append((wf, function, scope.claim(function + "_async")))
        publics = [
            _Public(function, twin, scope.pascal(wf.workflow_id + " result"))
            for wf, function, twin in named
        ]
        for wf in self.doc.workflows:
            if _properties(wf):
                self.input_classes[id(wf)] = scope.pascal(wf.workflow_id + " inputs")
        for doc in imported:
            for wf in doc.workflows:
                if _properties(wf):
                    self.input_classes[id(wf)] = scope.claim(
                        "_" + pascal(wf.workflow_id + " inputs")
                    )
        workflows = []
        own_tables: list[ast.stmt] = []
        own_vars = []
        for wf, public in zip(self.doc.workflows, publics):
            plan, var, table = self.workflow(self.doc, wf, public)
            assert plan is not None
            workflows.append(plan)
            own_tables.append(table)
            own_vars.append((wf.workflow_id, var))
        private: list[ClassPlan] = []
        imported_tables: list[ast.stmt] = []
        for doc in imported:
            doc_vars = []
            for wf in doc.workflows:
                _, var, table = self.workflow(doc, wf, None)
                imported_tables.append(table)
                doc_vars.append((wf.workflow_id, var))
                plans = self.inputs(wf, wf.workflow_id + " input")
                if id(wf) in self.input_classes:
                    private.append(
                        api.inputs_class(self.input_classes[id(wf)], wf.workflow_id, plans, scope)
                    )
            imported_tables.append(
                tables.registry(
                    registry_vars[doc.file],
                    document_module(doc),
                    doc_vars,
                    doc,
                    self.links(doc, registry_vars),
                )
            )
        own_tables.append(
            tables.registry(
                registry,
                document_module(self.doc),
                own_vars,
                self.doc,
                self.links(self.doc, registry_vars),
            )
        )
        typed_dicts = [api.typed_dict(d) for d in self.types.defs]
        table_nodes = self.operations + imported_tables + own_tables
        public_nodes: list[ast.AST] = [*typed_dicts, *self.constants.statements, *table_nodes]
        for plan in workflows:
            public_nodes += [plan.params, plan.async_params, *plan.result.fields]
            public_nodes += plan.inputs_class.fields if plan.inputs_class else []
        public_nodes += [f for c in private for f in c.fields]
        public_nodes += [f for section in self.sections for f in section.functions]
        return ModulePlan(
            name=document_module(self.doc),
            header=self.header,
            title=self.doc.title,
            summary=self.doc.summary,
            description=self.doc.description,
            imports=tuple(tuple(group) for group in api.imports(public_nodes)),
            typed_dicts=tuple(typed_dicts),
            workflows=tuple(workflows),
            private_classes=tuple(private),
            sections=tuple(self.sections),
            constants=tuple(self.constants.statements),
            tables=tuple(table_nodes),
        )

    def links(
        self, doc: Document, registry_vars: Mapping[str, Identifier]
    ) -> list[tuple[str, Identifier]]:
        return [
            (name, registry_vars[child.file])
            for name, child in doc.arazzo_sources()
            if child.file in registry_vars
        ]

    def operation_var(self, op: ApiOperation | None) -> ast.expr | None:
        if op is None:
            return None
        key = id(op)
        if key not in self.operation_vars:
            var = self.scope.constant(op.operation_id or f"{op.method} {op.path}")
            self.operation_vars[key] = var
            self.operations.append(pycode.assign(var, tables.operation(op, self.constants)))
        return pycode.name(self.operation_vars[key])

    def inputs(self, wf: Workflow, hint: str) -> tuple[InputPlan, ...]:
        schema = wf.inputs_schema or {}
        required = schema.get("required") if isinstance(schema.get("required"), list) else []
        scope = Scope(PARAMETER_RESERVED)
        plans = []
        for key, prop in _properties(wf).items():
            name = scope.snake(key)
            prop = prop if isinstance(prop, Mapping) else {}
            type_expr = self.types.type_of(prop, f"{hint} {key}")
            is_required = key in (required or [])
            has_default = "default" in prop and not is_required
            if not is_required and not has_default:
                type_expr = optional(type_expr)
            description = (
                prop.get("description") if isinstance(prop.get("description"), str) else ""
            )
            plans.append(
                InputPlan(
                    name,
                    key,
                    type_expr,
                    is_required,
                    description or "",
                    has_default,
                    prop.get("default") if has_default else None,
                )
            )
        plans.sort(key=lambda p: not p.required)
        return tuple(plans)

    def workflow(
        self, doc: Document, wf: Workflow, public: _Public | None
    ) -> tuple[WorkflowPlan | None, Identifier, ast.stmt]:
        """The workflow's functions (into sections), its public plan, and its table."""
        class_name = self.input_classes.get(id(wf))
        inputs = self.inputs(wf, wf.workflow_id + " input") if public or class_name else ()
        compiler = StepCompiler(
            self.diags,
            doc.components,
            version=document_grammar(doc),
            self_uri=document_uri(doc),
        )
        if class_name is not None:
            compiler.inputs = {
                p.key: InputField(p.name, p.required or p.has_default) for p in inputs
            }
        inputs_type: ast.expr = pycode.name(class_name) if class_name else pycode.constant(None)
        context = pycode.subscript(pycode.fixed("rt.Context"), inputs_type)
        builder = FunctionBuilder(
            self.scope, compiler, self.constants, context, shown_path(doc, self.base)
        )
        step_ops = {s.step_id: s.operation for s in wf.steps}
        steps = []
        for step in wf.steps:
            types: dict[str, TypeNode] = {}
            for output in step.outputs if public else ():
                text = output.expression
                if isinstance(text, str) and text.startswith("$response.body"):
                    pointer = text.partition("#")[2]
                    types[output.name] = self.typer.response_type(
                        step.operation, pointer, f"{step.step_id} {output.name}"
                    )
                else:
                    types[output.name] = self.typer.output_type(
                        wf, text, step_ops, compiler.version
                    )
            self.typer.output_types[f"{wf.workflow_id}/{step.step_id}"] = types
            steps.append(builder.step(step, self.operation_var(step.operation)))
        conversions: list[ast.stmt] = []
        keywords: dict[str, ast.expr] = {}
        if class_name is not None:
            build = self.scope.claim("_" + snake(wf.workflow_id + " inputs"))
            values = self.scope.claim("_" + snake(wf.workflow_id + " input values"))
            conversions = [
                api.inputs_from_values(build, class_name, inputs),
                api.values_of_inputs(values, class_name, inputs),
            ]
            keywords["inputs"] = pycode.name(build)
            keywords["input_values"] = pycode.name(values)
        keywords = {**builder.workflow(wf, conversions), **keywords}
        self.sections += builder.sections
        if wf.inputs_schema:
            keywords["inputs_schema"] = self.constants.name(
                wf.inputs_schema, wf.workflow_id + " inputs schema"
            )
        if wf.depends_on:
            keywords["depends_on"] = tables.depends_on(wf.depends_on)
        field_scope = Scope(frozenset({"trace"}))
        fields = []
        wf_types: dict[str, TypeNode] = {}
        for output in wf.outputs if public else ():
            type_expr = self.typer.output_type(wf, output.expression, step_ops, compiler.version)
            wf_types[output.name] = type_expr
            fields.append(
                FieldPlan(field_scope.snake(output.name), output.name, optional(type_expr))
            )
        self.typer.output_types[wf.workflow_id] = wf_types
        var = self.scope.constant(wf.workflow_id)
        result: ast.expr = pycode.fixed("Any")
        plan = None
        if public is not None:
            result = pycode.name(public.result)
            keywords["result"] = result
            plan = WorkflowPlan(
                workflow_id=wf.workflow_id,
                function=public.function,
                async_function=public.twin,
                result_class=public.result,
                summary=wf.summary,
                description=wf.description,
                inputs=inputs,
                inputs_class=(
                    api.inputs_class(class_name, wf.workflow_id, inputs, self.scope)
                    if class_name
                    else None
                ),
                result=api.result_class(public.result, wf.workflow_id, fields),
                params=api.signature(inputs, "rt.Client"),
                async_params=api.signature(inputs, "rt.AsyncClient"),
                body=api.run_call(var, class_name, inputs, is_async=False),
                async_body=api.run_call(var, class_name, inputs, is_async=True),
            )
        table = tables.workflow(var, wf.workflow_id, (inputs_type, result), steps, keywords)
        return plan, var, table
