"""The public surface of a generated module as ``ast`` nodes: inputs and result classes, the workflow
functions' signatures and bodies, TypedDicts, the conversions between typed inputs and input values, and
the import block (from the names the module's nodes use)."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from . import pycode
from .names import Scope, snake
from .pycode import Identifier
from .schema_types import TypedDictDef, TypeNode, type_expr

_MUTABLE = (dict, list)


@dataclass(frozen=True)
class InputPlan:
    name: Identifier
    key: str
    type: TypeNode
    required: bool
    description: str
    has_default: bool = False  # optional inputs without one default to None (absent)
    default: Any = None


@dataclass(frozen=True)
class FieldPlan:
    name: Identifier
    key: str
    type: TypeNode


@dataclass(frozen=True)
class ClassPlan:
    """A frozen dataclass: its name, docstring text and field declarations."""

    name: Identifier
    doc: str
    fields: tuple[ast.stmt, ...]
    helpers: tuple[
        ast.stmt, ...
    ] = ()  # module-level functions the class body uses (default factories)


def _default(plan: InputPlan) -> ast.expr | None:
    if plan.required:
        return None
    return pycode.literal(plan.default) if plan.has_default else pycode.constant(None)


def inputs_class(
    name: Identifier, workflow_id: str, inputs: Sequence[InputPlan], scope: Scope
) -> ClassPlan:
    """The typed inputs of a workflow: its function's parameters as fields, with the same defaults
    (a mutable default through ``field(default_factory=...)``: ``dict``/``list`` for an empty one, else a
    typed function returning the value, so the type checker checks the default against the field's type).
    """
    fields: list[ast.stmt] = []
    helpers: list[ast.stmt] = []
    # A field named `field` with a default would shadow the import inside the class body: use the alias.
    factory_name = (
        "_field" if any(p.name == "field" and not p.required for p in inputs) else "field"
    )
    for plan in inputs:
        default = _default(plan)
        if plan.has_default and isinstance(plan.default, _MUTABLE):
            if plan.default:
                maker = scope.claim("_" + snake(f"{workflow_id} {plan.key} default"))
                helpers.append(
                    pycode.function(
                        maker,
                        pycode.arguments(),
                        type_expr(plan.type),
                        [pycode.returns(pycode.literal(plan.default))],
                    )
                )
                factory: ast.expr = pycode.name(maker)
            else:  # {} or []: the type itself makes a new empty one
                factory = pycode.fixed(type(plan.default).__name__)
            default = pycode.call(factory_name, default_factory=factory)
        fields.append(pycode.declare(plan.name, type_expr(plan.type), default))
    return ClassPlan(name, f"Inputs of workflow {workflow_id!r}.", tuple(fields), tuple(helpers))


def result_class(name: Identifier, workflow_id: str, fields: Sequence[FieldPlan]) -> ClassPlan:
    declared: list[ast.stmt] = [pycode.declare(f.name, type_expr(f.type)) for f in fields]
    trace = pycode.subscript(
        pycode.fixed("tuple"), pycode.fixed("rt.StepRecord"), ast.Constant(...)
    )
    declared.append(pycode.declare(Identifier("trace"), trace))
    return ClassPlan(
        name,
        f"Outputs of workflow {workflow_id!r}, and the trace of the requests it made.",
        tuple(declared),
    )


VALUES = Identifier("values")
INPUTS = Identifier("inputs")


def inputs_from_values(
    ident: Identifier, class_name: Identifier, inputs: Sequence[InputPlan]
) -> ast.stmt:
    """``def _x_inputs(values) -> XInputs``: the typed inputs from validated input values (defaults filled)."""
    values = pycode.name(VALUES)
    arguments = {
        str(plan.name): (
            pycode.subscript(values, pycode.literal(plan.key))
            if plan.required or plan.has_default  # validation filled the default in
            else pycode.call(pycode.attr(values, "get"), pycode.literal(plan.key))
        )
        for plan in inputs
    }
    mapping = pycode.subscript(pycode.fixed("Mapping"), pycode.fixed("str"), pycode.fixed("Any"))
    params = pycode.arguments([pycode.param(VALUES, mapping)])
    body = pycode.returns(pycode.call(pycode.name(class_name), **arguments))
    return pycode.function(ident, params, pycode.name(class_name), [body])


def values_of_inputs(
    ident: Identifier, class_name: Identifier, inputs: Sequence[InputPlan]
) -> ast.stmt:
    """``def _x_input_values(inputs) -> dict[str, Any]``: the input values by name, for validation."""
    typed = pycode.name(INPUTS)
    values = pycode.dict_of(
        (pycode.literal(plan.key), pycode.attr(typed, plan.name)) for plan in inputs
    )
    params = pycode.arguments([pycode.param(INPUTS, pycode.name(class_name))])
    returns = pycode.subscript(pycode.fixed("dict"), pycode.fixed("str"), pycode.fixed("Any"))
    return pycode.function(ident, params, returns, [pycode.returns(values)])


def signature(inputs: Sequence[InputPlan], client_type: str) -> ast.arguments:
    """``*, <inputs>, client: <client_type> | None = None``."""
    keyword_only = [
        (pycode.param(plan.name, type_expr(plan.type)), _default(plan)) for plan in inputs
    ]
    client = pycode.union([pycode.fixed(client_type), pycode.constant(None)])
    keyword_only.append((pycode.param(Identifier("client"), client), pycode.constant(None)))
    return pycode.arguments(keyword_only=keyword_only)


def run_call(
    workflow_var: Identifier,
    class_name: Identifier | None,
    inputs: Sequence[InputPlan],
    is_async: bool,
) -> ast.stmt:
    """``return rt.run(_REGISTRY, _WORKFLOW, XInputs(...), client)`` (awaited ``rt.run_async``)."""
    typed: ast.expr = pycode.constant(None)
    if class_name is not None:
        typed = pycode.call(
            pycode.name(class_name), **{str(p.name): pycode.name(p.name) for p in inputs}
        )
    call: ast.expr = pycode.call(
        "rt.run_async" if is_async else "rt.run",
        pycode.name(Identifier("_REGISTRY")),
        pycode.name(workflow_var),
        typed,
        pycode.name(Identifier("client")),
    )
    return pycode.returns(pycode.await_(call) if is_async else call)


def typed_dict(definition: TypedDictDef) -> ast.stmt:
    """``Name = TypedDict("Name", {"key": Required[T], ...})`` (keys need not be identifiers)."""
    ident = Identifier(definition.name)
    members = pycode.dict_of(
        (pycode.literal(f.key), type_expr(f.annotation)) for f in definition.fields
    )
    return pycode.assign(ident, pycode.call("TypedDict", pycode.literal(definition.name), members))


_IMPORTABLE = {
    "collections.abc": ("Mapping",),
    "dataclasses": ("dataclass", "field"),
    "typing": ("Any", "Literal", "NotRequired", "Required", "TypedDict"),
}


def imports(nodes: Iterable[ast.AST]) -> list[list[ast.stmt]]:
    """The module's import groups: ``__future__``, the standard library names its nodes use, the runtime."""
    used = {"dataclass"} | {
        node.id
        for top in nodes
        for node in ast.walk(top)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }
    future: list[ast.stmt] = [
        ast.ImportFrom(module="__future__", names=[ast.alias(name="annotations")], level=0)
    ]
    standard: list[ast.stmt] = []
    for module, names in _IMPORTABLE.items():
        wanted = [ast.alias(name=name) for name in names if name in used]
        if module == "dataclasses" and "_field" in used:
            wanted.append(ast.alias(name="field", asname="_field"))
        if wanted:
            standard.append(ast.ImportFrom(module=module, names=wanted, level=0))
    runtime: list[ast.stmt] = [
        ast.ImportFrom(module=None, names=[ast.alias(name="_runtime", asname="rt")], level=1)
    ]
    return [future, standard, runtime]
