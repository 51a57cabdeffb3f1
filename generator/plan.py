"""The model → what the module template renders: names, types and compiled code, all decided here."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .diagnostics import Diagnostics
from .expressions import ExpressionError, is_expression, parse_expression
from .expressions import InputsRef, ResponseRef, StatusCode, StepsRef, WorkflowsRef
from .literals import py_literal
from .model import ApiOperation, Document, Workflow
from .names import Scope, snake
from .schema_types import AnyType, LiteralType, Name, TypedDictDef, TypeMapper, TypeNode
from .schema_types import optional, schema_at, walk
from .stepcode import StepCompiler, StepPlan

# Parameters: `client` is the contract's; `rt` is the runtime module the function body calls.
PARAMETER_RESERVED = frozenset({"client", "rt"})
# Module level: the imports, and the builtins the module's code and type expressions use (a workflow
# function named `list` or `classmethod` would otherwise shadow them when the module is imported).
MODULE_RESERVED = frozenset(
    {"rt", "annotations", "dataclass", "Any", "Literal", "NotRequired", "Required", "TypedDict"}
    | {"bool", "classmethod", "dict", "float", "int", "list", "str", "tuple"}
)


@dataclass(frozen=True)
class InputPlan:
    name: str
    key: str
    type: TypeNode
    default: str | None
    required: bool
    description: str


@dataclass(frozen=True)
class FieldPlan:
    name: str
    key: str
    type: TypeNode
    description: str


@dataclass(frozen=True)
class WorkflowPlan:
    workflow_id: str
    function: str
    async_function: str
    result_class: str
    summary: str
    description: str
    inputs: tuple[InputPlan, ...]
    fields: tuple[FieldPlan, ...]
    steps: tuple[StepPlan, ...]
    outputs: str | None
    inputs_schema: str | None
    depends_on: tuple[str | tuple[str, str], ...]
    success_actions: tuple[str, ...]
    failure_actions: tuple[str, ...]

    @property
    def doc(self) -> str:
        """Summary, description and one line per input, for the function's docstring."""
        parts = [self.summary or f"Run workflow {self.workflow_id}.", self.description]
        args = [f"{i.name}: {i.description}".rstrip(": ") for i in self.inputs]
        if args:
            parts.append("Args:\n" + "\n".join("    " + arg.replace("\n", " ") for arg in args))
        return "\n\n".join(part.strip() for part in parts if part and part.strip())


@dataclass(frozen=True)
class OperationPlan:
    var: str
    code: str


@dataclass(frozen=True)
class ImportedPlan:
    """The registry of a document reached through 'arazzo' source descriptions (no public functions)."""

    var: str
    name: str  # the document's module name, the scope of its source names in Client(servers=...)
    workflows: tuple[WorkflowPlan, ...]
    sources: tuple[tuple[str, str], ...]
    imports: tuple[tuple[str, str], ...]  # (arazzo source name, registry variable)


@dataclass(frozen=True)
class ModulePlan:
    name: str
    header: str
    title: str
    summary: str
    description: str
    typed_dicts: tuple[TypedDictDef, ...]
    operations: tuple[OperationPlan, ...]
    sources: tuple[tuple[str, str], ...]
    workflows: tuple[WorkflowPlan, ...]
    imported: tuple[ImportedPlan, ...]
    imports: tuple[
        tuple[str, str], ...
    ]  # the entry document's (arazzo source name, registry variable)
    typing_names: tuple[str, ...]

    @property
    def docstring_text(self) -> str:
        parts = [self.title, self.summary, self.description]
        return "\n\n".join(part.strip() for part in parts if part and part.strip())


def module_name(file_name: str) -> str:
    stem = re.sub(r"\.(ya?ml|json)$", "", file_name, flags=re.IGNORECASE)
    return snake(re.sub(r"\.arazzo$", "", stem, flags=re.IGNORECASE))


def _operation_code(op: ApiOperation) -> str:
    params = [
        f"rt.ParamStyle({py_literal(p.location)}, {py_literal(p.name)}, {py_literal(p.style)}, {py_literal(p.explode)})"
        for p in op.parameters
    ]
    security = [
        "("
        + "".join(
            f"rt.SecurityScheme({py_literal(s.name)}, {py_literal(s.type)}, {py_literal(s.scheme)}, "
            f"{py_literal(s.location)}, {py_literal(s.param_name)}), "
            for s in alternative
        )
        + ")"
        for alternative in op.security
    ]
    args = [py_literal(op.source), py_literal(op.method), py_literal(op.path)]
    if params:
        args.append("params=(" + "".join(p + ", " for p in params) + ")")
    if security:
        args.append("security=(" + "".join(s + ", " for s in security) + ")")
    if op.server:
        args.append(f"server={py_literal(op.server)}")
    if op.multipart_parts:
        parts = {
            name: (content_type, dict(headers))
            for name, content_type, headers in op.multipart_parts
        }
        args.append(f"parts={py_literal(parts)}")
    schema = next((v for m, v in op.request_content.items() if "json" in m and v), None)
    if schema:
        args.append(f"request_schema={py_literal(schema)}")
    return f"rt.Operation({', '.join(args)})"


def _sources_code(document: Document) -> tuple[tuple[str, str], ...]:
    return tuple(
        (s.name, f"rt.Source({py_literal(s.name)}, {py_literal(s.url)}, {py_literal(s.server)})")
        for s in document.sources
    )


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


class Planner:
    def __init__(
        self,
        document: Document,
        header: str,
        diagnostics: Diagnostics,
        parent: Planner | None = None,
    ) -> None:
        self.doc = document
        self.header = header
        self.diags = diagnostics
        self.compiler = StepCompiler(diagnostics, document.components)
        self.public = parent is None
        self.registry_vars: dict[str, str] = {}  # document file -> its registry's variable
        if parent is None:
            self.module_scope = Scope(MODULE_RESERVED)
            self.types = TypeMapper(self.module_scope)
            self.operation_vars: dict[int, str] = {}
            self.operations: list[OperationPlan] = []
            self.output_types: dict[str, dict[str, TypeNode]] = {}
        else:
            self.module_scope, self.types = parent.module_scope, parent.types
            self.operation_vars, self.operations = parent.operation_vars, parent.operations
            self.output_types = parent.output_types

    def imported(self) -> tuple[ImportedPlan, ...]:
        """One registry per document reached through 'arazzo' source descriptions, each defined after the
        registries of the documents it imports. Names are scoped to their document: another document's
        workflowIds and source names may repeat this one's."""
        plans = []
        self.registry_vars = {self.doc.file: "_REGISTRY"}
        for index, doc in enumerate(_imports(self.doc)):
            var = f"_IMPORTED_{index}"
            child = Planner(doc, self.header, self.diags, parent=self)
            workflows = tuple(child.workflow(wf, "") for wf in doc.workflows)
            plans.append(
                ImportedPlan(
                    var, document_module(doc), workflows, _sources_code(doc), self.links(doc)
                )
            )
            self.registry_vars[doc.file] = var
        return tuple(plans)

    def links(self, doc: Document) -> tuple[tuple[str, str], ...]:
        return tuple(
            (name, self.registry_vars[child.file])
            for name, child in doc.arazzo_sources()
            if child.file in self.registry_vars
        )

    def plan(self) -> ModulePlan:
        imported = self.imported()
        named = []
        for wf in self.doc.workflows:  # document order: a function, then its twin
            function = self.module_scope.snake(wf.workflow_id)
            named.append((wf, function, self.module_scope.claim(function + "_async")))
        # Result classes are named before any TypedDict, so their contract names always win.
        results = [
            self.module_scope.pascal(wf.workflow_id + " result") for wf in self.doc.workflows
        ]
        workflows = tuple(
            self.workflow(wf, function, twin, result)
            for (wf, function, twin), result in zip(named, results)
        )
        used = (
            [i.type for w in workflows for i in w.inputs]
            + [f.type for w in workflows for f in w.fields]
            + [f.type for d in self.types.defs for f in d.fields]
        )
        literal = any(isinstance(node, LiteralType) for top in used for node in walk(top))
        typing_names = ["Any"] + (["Literal"] if literal else [])
        if self.types.defs:
            typing_names += ["NotRequired", "Required", "TypedDict"]
        return ModulePlan(
            name=document_module(self.doc),
            header=self.header,
            title=self.doc.title,
            summary=self.doc.summary,
            description=self.doc.description,
            typed_dicts=tuple(self.types.defs),
            operations=tuple(self.operations),
            sources=_sources_code(self.doc),
            workflows=workflows,
            imported=imported,
            imports=self.links(self.doc),
            typing_names=tuple(sorted(set(typing_names))),
        )

    def operation_var(self, op: ApiOperation | None) -> str | None:
        if op is None:
            return None
        key = id(op)
        if key not in self.operation_vars:
            var = f"_OP_{len(self.operations)}"
            self.operation_vars[key] = var
            self.operations.append(OperationPlan(var, _operation_code(op)))
        return self.operation_vars[key]

    def inputs(self, wf: Workflow, hint: str) -> tuple[InputPlan, ...]:
        schema = wf.inputs_schema or {}
        properties = (
            schema.get("properties") if isinstance(schema.get("properties"), Mapping) else {}
        )
        required = schema.get("required") if isinstance(schema.get("required"), list) else []
        scope = Scope(PARAMETER_RESERVED)
        plans = []
        for key, prop in (properties or {}).items():
            name = scope.snake(key)
            prop = prop if isinstance(prop, Mapping) else {}
            type_expr = self.types.type_of(prop, f"{hint} {key}")
            default = None
            if "default" in prop and key not in (required or []):
                default = py_literal(prop["default"])
            elif key not in (required or []):
                default = "None"
                type_expr = optional(type_expr)
            description = (
                prop.get("description") if isinstance(prop.get("description"), str) else ""
            )
            plans.append(
                InputPlan(name, key, type_expr, default, key in (required or []), description or "")
            )
        plans.sort(key=lambda p: p.default is not None)
        return tuple(plans)

    def output_type(
        self, wf: Workflow, text: str, step_ops: dict[str, ApiOperation | None]
    ) -> TypeNode:
        if not is_expression(text):
            return AnyType()
        try:
            expr = parse_expression(text)
        except ExpressionError:
            return AnyType()
        if isinstance(expr, StatusCode):
            return Name("int")
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

    def workflow(
        self, wf: Workflow, function: str, twin: str = "", result_class: str = ""
    ) -> WorkflowPlan:
        inputs = self.inputs(wf, wf.workflow_id + " input") if self.public else ()
        step_ops = {s.step_id: s.operation for s in wf.steps}
        steps = []
        for step in wf.steps:
            types: dict[str, TypeNode] = {}
            for output in step.outputs if self.public else ():
                text = output.expression
                if isinstance(text, str) and text.startswith("$response.body"):
                    pointer = text.partition("#")[2]
                    types[output.name] = self.response_type(
                        step.operation, pointer, f"{step.step_id} {output.name}"
                    )
                else:
                    types[output.name] = self.output_type(wf, text, step_ops)
            self.output_types[f"{wf.workflow_id}/{step.step_id}"] = types
            steps.append(self.compiler.step(step, self.operation_var(step.operation)))
        field_scope = Scope(frozenset({"trace"}))
        fields = []
        wf_types: dict[str, TypeNode] = {}
        for output in wf.outputs if self.public else ():
            type_expr = self.output_type(wf, output.expression, step_ops)
            wf_types[output.name] = type_expr
            fields.append(
                FieldPlan(field_scope.snake(output.name), output.name, optional(type_expr), "")
            )
        self.output_types[wf.workflow_id] = wf_types
        return WorkflowPlan(
            workflow_id=wf.workflow_id,
            function=function,
            async_function=twin,
            result_class=result_class,
            summary=wf.summary,
            description=wf.description,
            inputs=inputs,
            fields=tuple(fields),
            steps=tuple(steps),
            outputs=self.compiler.outputs(wf.outputs),
            inputs_schema=py_literal(wf.inputs_schema) if wf.inputs_schema else None,
            depends_on=wf.depends_on,
            success_actions=tuple(self.compiler.action(a).code for a in wf.success_actions),
            failure_actions=tuple(self.compiler.action(a).code for a in wf.failure_actions),
        )
