"""Spellings real documents use that the specification does not, read where only one reading is possible.

The builder calls :func:`normalise` on every Arazzo document before reading it: each dialect
spelling found becomes a ``dialect`` warning at its node, an :class:`Edit` (kept on the diagnostics for
``fix``) and the canonical value in the document the rest of the generator sees. A property path inside
a ``simple`` condition is valid 1.0.1 (the Criterion Object's ``.`` and ``[]`` operators): it is read the
same way, without a warning or an edit.
"""

import re
from collections.abc import Collection, Iterator
from typing import Any

from ..diagnostics import Diagnostics
from .dialect_edits import RULE, Edit, Normalised, apply_edits, node_at
from .dialect_readings import Reading, Scope, canonical, canonical_operation_path
from .dialect_targets import canonical_target
from .input_schema import declared_names
from ..expressions.conditions import expression_spans
from ..expressions.cursor import ExpressionError
from ..expressions.template_expr import is_expression
from ..loading.positioned import JsonPath, Positioned

_OUTPUT_NAME = re.compile(r"[a-zA-Z0-9.\-_]+")


def _message(old: str, reading: Reading) -> str:
    return f"{old!r} is not the specification's spelling ({reading.why}); read as {reading.text!r}"


class _Finder:
    """Walks one Arazzo document's plain values and collects the edits its dialect spellings need."""

    def __init__(self, doc: Positioned) -> None:
        self.doc = doc
        self.edits: list[Edit] = []
        self.constants: dict[JsonPath, Any] = {}

    def text_edit(self, at: JsonPath, start: int, end: int, old: str, reading: Reading) -> None:
        self.edits.append(
            Edit(
                str(self.doc.file),
                at,
                "text",
                self.doc.loc(at),
                _message(old, reading),
                start,
                end,
                old,
                reading.text,
                warn=bool(reading.why),
            )
        )

    # -- values ----------------------------------------------------------------------------------------
    def string(self, text: str, at: JsonPath, scope: Scope) -> None:
        if is_expression(text):
            reading = canonical(text, scope)
            if reading is not None:
                self.text_edit(at, 0, len(text), text, reading)
            return
        pos = 0
        while (brace := text.find("{$", pos)) >= 0:
            close = text.find("}", brace + 2)
            if close < 0:
                return
            reading = canonical(text[brace + 1 : close], scope)
            if reading is not None:
                self.text_edit(at, brace + 1, close, text[brace + 1 : close], reading)
            pos = close + 1

    def value(self, value: Any, at: JsonPath, scope: Scope) -> None:
        if isinstance(value, str):
            self.string(value, at, scope)
        elif isinstance(value, dict):
            for key, item in value.items():
                self.value(item, at + (key,), scope)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.value(item, at + (index,), scope)

    def condition(self, text: str, at: JsonPath, scope: Scope) -> None:
        try:
            spans = expression_spans(text)
        except ExpressionError:
            return  # reported when the condition is compiled
        for start, end in spans:
            reading = canonical(text[start:end], scope, in_condition=True)
            if reading is not None:
                self.text_edit(at, start, end, text[start:end], reading)

    # -- objects ---------------------------------------------------------------------------------------
    def criteria(self, items: Any, at: JsonPath, scope: Scope) -> None:
        for index, item in _entries(items):
            c_at = at + (index,)
            if isinstance(item.get("context"), str):
                self.string(item["context"], c_at + ("context",), scope)
            if isinstance(item.get("condition"), str) and item.get("type", "simple") == "simple":
                self.condition(item["condition"], c_at + ("condition",), scope)

    def actions(self, items: Any, at: JsonPath, scope: Scope) -> None:
        entries = list(_entries(items))
        names = {item["name"] for _, item in entries if isinstance(item.get("name"), str)}
        for index, item in entries:
            a_at = at + (index,)
            self.target(item.get("workflowId"), a_at + ("workflowId",), scope.sources)
            if "name" not in item and "reference" not in item and "type" in item:
                name = f"{at[-1]}-{index + 1}"
                while name in names:
                    name += "-"
                names.add(name)
                self.edits.append(
                    Edit(
                        str(self.doc.file),
                        a_at,
                        "add-key",
                        self.doc.loc(a_at),
                        f"an action has a required 'name'; this one is named {name!r} after its position",
                        new="name",
                        value=name,
                    )
                )
            self.criteria(item.get("criteria"), a_at + ("criteria",), scope)

    def parameters(self, items: Any, at: JsonPath, scope: Scope) -> None:
        for index, item in _entries(items):
            if "value" in item:
                self.value(item["value"], at + (index, "value"), scope)

    def outputs(self, outputs: Any, at: JsonPath, scope: Scope) -> None:
        if not isinstance(outputs, dict):
            return
        for name, value in outputs.items():
            o_at = at + (name,)
            if not _OUTPUT_NAME.fullmatch(name):
                self.edits.append(
                    Edit(
                        str(self.doc.file),
                        o_at,
                        "manual",
                        self.doc.key_loc(o_at),
                        f"output name {name!r} does not match ^[a-zA-Z0-9.\\-_]+$ (a MUST of the "
                        "specification); accepted as written (rename it and every reference to it)",
                    )
                )
            if isinstance(value, str) and is_expression(value):
                self.string(value, o_at, scope)
            elif isinstance(value, str) and re.fullmatch(r"\{\$[^{}]*\}", value):
                inner = value[1:-1]
                reading = canonical(inner, scope) or Reading(inner, "")
                why = "an output is a runtime expression, not a '{$...}' template"
                why = f"{why}; {reading.why}" if reading.why else why
                self.text_edit(o_at, 0, len(value), value, Reading(reading.text, why))
            elif not (isinstance(value, str) and "{$" in value):
                self.constants[o_at] = value
                self.edits.append(
                    Edit(
                        str(self.doc.file),
                        o_at,
                        "manual",
                        self.doc.loc(o_at),
                        f"output {name!r} is the constant {value!r}, not a runtime expression; "
                        "kept as a constant",
                    )
                )

    def target(self, value: Any, at: JsonPath, sources: Collection[str]) -> None:
        """An ``operationId``, ``workflowId`` or ``dependsOn`` entry naming a source another way."""
        found = canonical_target(value, sources) if isinstance(value, str) else None
        if found is not None and isinstance(value, str):
            self.text_edit(at, 0, len(value), value, Reading(*found))

    def step(
        self, step: dict[str, Any], at: JsonPath, scope: Scope, sources: dict[str, str]
    ) -> None:
        for key in ("operationId", "workflowId"):
            self.target(step.get(key), at + (key,), sources)
        path = step.get("operationPath")
        if isinstance(path, str):
            reading = canonical_operation_path(path, sources)
            if reading is not None:
                self.text_edit(at + ("operationPath",), 0, len(path), path, reading)
        self.parameters(step.get("parameters"), at + ("parameters",), scope)
        body = step.get("requestBody")
        if isinstance(body, dict):
            b_at = at + ("requestBody",)
            if "payload" in body:
                self.value(body["payload"], b_at + ("payload",), scope)
            for index, item in _entries(body.get("replacements")):
                if "value" in item:
                    self.value(item["value"], b_at + ("replacements", index, "value"), scope)
        self.criteria(step.get("successCriteria"), at + ("successCriteria",), scope)
        self.actions(step.get("onSuccess"), at + ("onSuccess",), scope)
        self.actions(step.get("onFailure"), at + ("onFailure",), scope)
        self.outputs(step.get("outputs"), at + ("outputs",), scope)

    def document(self) -> None:
        root = self.doc.data
        if not isinstance(root, dict):
            return
        if "$schema" in root:
            self.edits.append(
                Edit(
                    str(self.doc.file),
                    ("$schema",),
                    "remove-key",
                    self.doc.key_loc(("$schema",)),
                    "'$schema' is not a field of an Arazzo document; ignored",
                )
            )
        sources = {
            item["name"]: item["url"]
            for _, item in _entries(root.get("sourceDescriptions"))
            if isinstance(item.get("name"), str) and isinstance(item.get("url"), str)
        }
        found = root.get("components")
        components: dict[str, Any] = found if isinstance(found, dict) else {}
        workflows = list(_entries(root.get("workflows")))
        outputs = {
            wf["workflowId"]: _keys(wf.get("outputs"))
            for _, wf in workflows
            if isinstance(wf.get("workflowId"), str)
        }
        inputs = {
            wf["workflowId"]: _input_names(wf.get("inputs"), components)
            for _, wf in workflows
            if isinstance(wf.get("workflowId"), str)
        }
        for index, wf in workflows:
            at: JsonPath = ("workflows", index)
            steps = list(_entries(wf.get("steps")))
            scope = Scope(
                inputs=_input_names(wf.get("inputs"), components),
                steps={
                    s["stepId"]: _keys(s.get("outputs"))
                    for _, s in steps
                    if isinstance(s.get("stepId"), str)
                },
                workflow_outputs=outputs,
                workflow_inputs=inputs,
                sources=frozenset(sources),
            )
            depends_on = wf.get("dependsOn")
            for d_index, depends in enumerate(depends_on if isinstance(depends_on, list) else []):
                self.target(depends, at + ("dependsOn", d_index), sources)
            self.parameters(wf.get("parameters"), at + ("parameters",), scope)
            self.actions(wf.get("successActions"), at + ("successActions",), scope)
            self.actions(wf.get("failureActions"), at + ("failureActions",), scope)
            self.outputs(wf.get("outputs"), at + ("outputs",), scope)
            for s_index, step in steps:
                self.step(step, at + ("steps", s_index), scope, sources)


def _entries(items: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield index, item


def _keys(value: Any) -> frozenset[str]:
    return frozenset(value) if isinstance(value, dict) else frozenset()


def _input_names(schema: Any, components: dict[str, Any]) -> frozenset[str]:
    """The inputs a workflow declares, through ``$ref``s to '#/components/inputs/<name>' and ``allOf``."""
    found = components.get("inputs")
    inputs: dict[str, Any] = found if isinstance(found, dict) else {}

    def resolve(ref: str) -> Any:
        prefix = "#/components/inputs/"
        return inputs.get(ref[len(prefix) :]) if ref.startswith(prefix) else None

    return declared_names(schema, resolve)


def normalise(doc: Positioned, diagnostics: Diagnostics) -> Positioned:
    """``doc`` with its dialect spellings read canonically; each is a ``dialect`` warning and an edit."""
    finder = _Finder(doc)
    finder.document()
    if not finder.edits:
        return doc
    for edit in finder.edits:
        if edit.warn:
            diagnostics.warning(edit.location, edit.message, RULE)
            diagnostics.edits.append(edit)
    data = apply_edits(doc.data, finder.edits)
    for at in finder.constants:  # the model takes the constant from ``constants``
        node_at(data, at[:-1])[at[-1]] = "$constant"
    return Normalised(
        path=doc.path,
        file=doc.file,
        data=data,
        positions=doc.positions,
        duplicate_keys=doc.duplicate_keys,
        key_positions=doc.key_positions,
        constants=finder.constants,
    )
