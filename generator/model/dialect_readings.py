"""The recogniser of dialect spellings of runtime expressions and operation paths: the specification's
spelling when a text has exactly one reading, given what its workflow declares (:class:`Scope`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from .dialect_targets import canonical_prefix, operation_path
from ..expressions.cursor import ExpressionError
from ..expressions.runtime_expr import (
    InputsRef,
    RuntimeExpr,
    StepsRef,
    WorkflowsRef,
    parse_expression,
)
from ..expressions.template_expr import accessor_pointer, expression_text, parse_with_accessors


@dataclass(frozen=True)
class Scope:
    """What a workflow declares, for readings that depend on it."""

    inputs: frozenset[str] = frozenset()
    steps: Mapping[str, frozenset[str]] = field(default_factory=dict)
    workflow_outputs: Mapping[str, frozenset[str]] = field(default_factory=dict)
    workflow_inputs: Mapping[str, frozenset[str]] = field(default_factory=dict)
    sources: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Reading:
    text: str
    why: str  # empty: valid 1.0.1 (a condition's property path), read canonically without a warning


_HEADERS = re.compile(r"^\$(request|response)\.headers\.")
_STEP_NO_OUTPUTS = re.compile(r"^\$steps\.([^.#{}]+)\.(?!outputs(?:\.|$))([^#]+)(#.*)?$")


def _declared_base(name: str, declared: frozenset[str]) -> tuple[str, str] | None:
    """``name`` split into a declared name and the pointer its property path reads; None if not so."""
    if name in declared:
        return None
    for cut in range(len(name) - 1, 0, -1):
        if name[cut] in ".[" and name[:cut] in declared:
            pointer = accessor_pointer(name[cut:])
            if pointer is not None:
                return name[:cut], pointer
    return None


def _split_name(expr: RuntimeExpr, scope: Scope) -> RuntimeExpr | None:
    declared: frozenset[str] | None = None
    if not isinstance(expr, (InputsRef, StepsRef, WorkflowsRef)):
        return None
    if isinstance(expr, InputsRef):
        declared = scope.inputs
    elif isinstance(expr, StepsRef):
        declared = scope.steps.get(expr.step_id)
    elif isinstance(expr, WorkflowsRef):
        names = scope.workflow_outputs if expr.kind == "outputs" else scope.workflow_inputs
        declared = names.get(expr.workflow_id)
    if declared is None:
        return None
    found = _declared_base(expr.name, declared)
    if found is None:
        return None
    return replace(expr, name=found[0], pointer=found[1] + expr.pointer)


def canonical(text: str, scope: Scope, in_condition: bool = False) -> Reading | None:
    """The specification's spelling of the runtime expression ``text``, when it is written another way
    that has one reading; None when it is already canonical or cannot be read at all."""
    whys: list[str] = []
    current = text
    hash_at = current.find("#")
    if 0 <= hash_at < len(current) - 1 and current[hash_at + 1] != "/":
        current = current[: hash_at + 1] + "/" + current[hash_at + 1 :]
        whys.append("a JSON pointer starts with '/'")
    prefix = canonical_prefix(current, scope.sources, scope.workflow_outputs)
    if prefix is not None:
        current = prefix[0]
        whys.append(prefix[1])
    headers = _HEADERS.match(current)
    if headers:
        current = f"${headers.group(1)}.header." + current[headers.end() :]
        whys.append(f"headers are read with '${headers.group(1)}.header.<name>'")
    bare = _STEP_NO_OUTPUTS.match(current)
    if bare and bare.group(1) in scope.steps:
        declared = scope.steps[bare.group(1)]
        rest = bare.group(2)
        if rest in declared or _declared_base(rest, declared) is not None:
            current = f"$steps.{bare.group(1)}.outputs.{rest}{bare.group(3) or ''}"
            whys.append("step outputs are read through '.outputs.'")
    path = False
    try:
        expr = parse_expression(current)
    except ExpressionError:
        try:
            expr = parse_with_accessors(current)
        except ExpressionError:
            return None
        path = True
    split = _split_name(expr, scope)
    if split is not None:
        expr, path = split, True
    if path and not in_condition:
        whys.append("a property path after a value is written as a JSON pointer")
    new = expression_text(expr)
    if new == text or not (whys or path):
        return None
    return Reading(new, "; ".join(whys))


def canonical_operation_path(text: str, sources: Mapping[str, str]) -> Reading | None:
    """See :func:`generator.dialect_targets.operation_path`."""
    found = operation_path(text, sources)
    return Reading(*found) if found is not None else None
