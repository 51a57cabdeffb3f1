"""What Arazzo 1.1.0 reads differently from 1.0.1, found in a 1.0 document for ``upgrade``: the
replacements whose target reading must be made explicit, empty ``successCriteria``, and every value 1.1
would read with another meaning (a ``needs a person`` note with the reason, at the value's own node).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagnostics import Location
from ..loading.positioned import JsonPath, Positioned
from ..loading.versions import is_selector
from ..model.dialect_edits import Edit

_STRICT_ID = re.compile(r"[A-Za-z0-9_\-]+")  # 1.1 identifier-strict: step, workflow, source names
_IDENTIFIER = re.compile(r"[A-Za-z0-9.\-_]+")  # 1.1 identifier: input and output names
_STEP_OUTPUT = re.compile(r"\$steps\.([A-Za-z0-9_\-]+)\.outputs\b")
_QUERY_TYPES = ("regex", "jsonpath", "xpath")
_JSON_TYPE = re.compile(r"application/(.+\+)?json\b|[^;]*\+json\b", re.IGNORECASE)
_XML_TYPE = re.compile(r"(application|text)/(.+\+)?xml\b|[^;]*\+xml\b", re.IGNORECASE)


@dataclass
class Plan:
    file: Path
    shown: str
    text: str = ""
    new_text: str = ""
    changes: list[tuple[Location, str]] = field(default_factory=list)
    manual: list[tuple[Location, str]] = field(default_factory=list)


def members(value: Any) -> Iterator[tuple[int | str, Any]]:
    if isinstance(value, dict):
        yield from value.items()
    elif isinstance(value, list):
        yield from enumerate(value)


def _criteria_lists(data: dict[str, Any]) -> Iterator[tuple[JsonPath, Any]]:
    """Every list of Criterion Objects in the document, with its path."""

    def actions(at: JsonPath, listed: Any) -> Iterator[tuple[JsonPath, Any]]:
        for i, action in members(listed):
            if isinstance(action, dict):
                yield at + (i, "criteria"), action.get("criteria")

    for w, workflow in members(data.get("workflows")):
        if not isinstance(workflow, dict):
            continue
        wat: JsonPath = ("workflows", w)
        yield from actions(wat + ("successActions",), workflow.get("successActions"))
        yield from actions(wat + ("failureActions",), workflow.get("failureActions"))
        for s, step in members(workflow.get("steps")):
            if isinstance(step, dict):
                sat = wat + ("steps", s)
                yield sat + ("successCriteria",), step.get("successCriteria")
                yield from actions(sat + ("onSuccess",), step.get("onSuccess"))
                yield from actions(sat + ("onFailure",), step.get("onFailure"))
    components = data.get("components")
    if isinstance(components, dict):
        for kind in ("successActions", "failureActions"):
            listed = components.get(kind)
            if isinstance(listed, dict):
                for name, action in listed.items():
                    if isinstance(action, dict):
                        yield ("components", kind, name, "criteria"), action.get("criteria")


def _selector_like(value: Any, at: JsonPath) -> Iterator[JsonPath]:
    """Mappings in a 1.0 literal value that 1.1 reads as a Selector Object."""
    if is_selector(value):
        yield at
    for key, member in members(value):
        yield from _selector_like(member, at + (key,))


def _literal_values(data: dict[str, Any]) -> Iterator[tuple[JsonPath, Any]]:
    """Parameter values, request payloads and replacement values (any depth is 1.1's)."""

    def parameters(at: JsonPath, listed: Any) -> Iterator[tuple[JsonPath, Any]]:
        for i, parameter in members(listed):
            if isinstance(parameter, dict) and "value" in parameter:
                yield at + (i, "value"), parameter["value"]

    components = data.get("components")
    if isinstance(components, dict) and isinstance(components.get("parameters"), dict):
        for name, parameter in components["parameters"].items():
            if isinstance(parameter, dict) and "value" in parameter:
                yield ("components", "parameters", name, "value"), parameter["value"]
    for w, workflow in members(data.get("workflows")):
        if not isinstance(workflow, dict):
            continue
        yield from parameters(("workflows", w, "parameters"), workflow.get("parameters"))
        for s, step in members(workflow.get("steps")):
            if not isinstance(step, dict):
                continue
            sat: JsonPath = ("workflows", w, "steps", s)
            yield from parameters(sat + ("parameters",), step.get("parameters"))
            body = step.get("requestBody")
            if isinstance(body, dict):
                if "payload" in body:
                    yield sat + ("requestBody", "payload"), body["payload"]
                for r, replacement in members(body.get("replacements")):
                    if isinstance(replacement, dict) and "value" in replacement:
                        yield sat + ("requestBody", "replacements", r, "value"), replacement[
                            "value"
                        ]


def replacements(doc: Positioned, plan: Plan) -> list[Edit]:
    """1.1 reads a replacement ``target`` by the payload's media type (JSON Pointer for JSON, XPath
    for XML, nothing said for others); 1.0 (this product) read it as a JSON Pointer into a JSON
    payload whatever the media type. A replacement into an object or array payload whose media type
    is not JSON gains ``targetSelectorType: jsonpointer``; one into a text payload of a media type
    that is neither JSON nor XML needs a person to pick."""
    edits: list[Edit] = []
    for w, workflow in members(doc.data.get("workflows")):
        for s, step in members(workflow.get("steps") if isinstance(workflow, dict) else None):
            body = step.get("requestBody") if isinstance(step, dict) else None
            if not isinstance(body, dict) or not body.get("replacements"):
                continue
            media = body.get("contentType")
            media = media if isinstance(media, str) else None
            if media is not None and _JSON_TYPE.match(media):
                continue
            structured = isinstance(body.get("payload"), (dict, list))
            if not structured and media is not None and _XML_TYPE.match(media):
                continue
            at: JsonPath = ("workflows", w, "steps", s, "requestBody", "replacements")
            for r, replacement in members(body["replacements"]):
                if not isinstance(replacement, dict) or "targetSelectorType" in replacement:
                    continue
                where = at + (r,)
                if structured:
                    edits.append(
                        Edit(
                            str(doc.file),
                            where,
                            "add-key",
                            doc.loc(where),
                            "targetSelectorType",
                            new="targetSelectorType",
                            value="jsonpointer",
                        )
                    )
                    plan.changes.append(
                        (
                            doc.loc(where),
                            "add targetSelectorType: jsonpointer (1.1 reads the target by the "
                            f"payload's media type, {media or 'none'} here; 1.0 read a JSON Pointer)",
                        )
                    )
                elif "target" in replacement:
                    plan.manual.append(
                        (
                            doc.loc(where + ("target",)),
                            "1.1 reads a replacement target as a JSON Pointer only in a JSON payload "
                            "and as an XPath only in an XML one; with "
                            + (f"content type {media!r}" if media else "no contentType")
                            + " add targetSelectorType (jsonpointer or xpath)",
                        )
                    )
    return edits


def _input_names(data: dict[str, Any]) -> Iterator[tuple[JsonPath, str]]:
    """The names of every workflow's (and component's) inputs, and of every step and workflow output."""
    schemas: list[tuple[JsonPath, Any]] = [
        (("workflows", w, "inputs"), wf.get("inputs"))
        for w, wf in members(data.get("workflows"))
        if isinstance(wf, dict)
    ]
    components = data.get("components")
    if isinstance(components, dict):
        schemas += [(("components", "inputs", n), v) for n, v in members(components.get("inputs"))]
    for at, schema in schemas:
        properties = schema.get("properties") if isinstance(schema, dict) else None
        for name in properties if isinstance(properties, dict) else ():
            yield at + ("properties", name), str(name)
    for w, workflow in members(data.get("workflows")):
        if not isinstance(workflow, dict):
            continue
        owners: list[tuple[JsonPath, Any]] = [(("workflows", w), workflow)]
        owners += [(("workflows", w, "steps", s), st) for s, st in members(workflow.get("steps"))]
        for at, owner in owners:
            outputs = owner.get("outputs") if isinstance(owner, dict) else None
            for name in outputs if isinstance(outputs, dict) else ():
                yield at + ("outputs", name), str(name)


def _braced_pointers(value: Any, at: JsonPath) -> Iterator[JsonPath]:
    """Whole runtime expressions whose JSON pointer holds '{' or '}' (1.1's pointer excludes them)."""
    if isinstance(value, str):
        if value.startswith("$") and "#" in value and re.search(r"[{}]", value.split("#", 1)[1]):
            yield at
    for key, member in members(value):
        yield from _braced_pointers(member, at + (key,))


def _strings(value: Any, at: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    if isinstance(value, str):
        yield at, value
    for key, member in members(value):
        yield from _strings(member, at + (key,))


def _forward_references(data: dict[str, Any]) -> Iterator[tuple[JsonPath, str]]:
    """``$steps.<id>.outputs`` read by a step placed before step ``id``, in a workflow without step
    ``dependsOn``: 1.1 recommends an error (a step reads outputs of steps run before it)."""
    for w, workflow in members(data.get("workflows")):
        steps = workflow.get("steps") if isinstance(workflow, dict) else None
        if not isinstance(steps, list) or any(
            isinstance(step, dict) and "dependsOn" in step for step in steps
        ):
            continue
        index = {step.get("stepId"): i for i, step in enumerate(steps) if isinstance(step, dict)}
        for i, step in enumerate(steps):
            for at, text in _strings(step, ("workflows", w, "steps", i)):
                for found in _STEP_OUTPUT.finditer(text):
                    later = index.get(found.group(1))
                    if later is not None and later > i:
                        yield at, found.group(1)


def notes(doc: Positioned, plan: Plan) -> None:
    """What 1.1 reads differently and no text edit can keep: each a ``needs a person`` note."""
    data = doc.data
    for at, criteria in _criteria_lists(data):
        for i, criterion in members(criteria):
            if not isinstance(criterion, dict):
                continue
            kind = criterion.get("type")
            kind = kind.get("type") if isinstance(kind, dict) else kind
            condition = criterion.get("condition")
            if kind in _QUERY_TYPES and isinstance(condition, str) and "{$" in condition:
                plan.manual.append(
                    (
                        doc.loc(at + (i, "condition")),
                        f"1.1 substitutes the '{{$...}}' in this {kind} condition before evaluating "
                        "it, 1.0 read it as literal text; rewrite the condition without it",
                    )
                )
    for at, value in _literal_values(data):
        for where in _selector_like(value, at):
            plan.manual.append(
                (
                    doc.loc(where),
                    "1.1 reads a mapping with 'context', 'selector' and 'type' here as a Selector "
                    "Object, 1.0 as a literal value; 1.1 has no way to write this literal",
                )
            )
    for at, name in _input_names(data):
        if not _IDENTIFIER.fullmatch(name):
            plan.manual.append(
                (
                    doc.key_loc(at),
                    f"1.1 runtime expressions reach an input or output only when its "
                    f"name matches [A-Za-z0-9.-_]+; rename {name!r} and every reference to it",
                )
            )
    for at, later in _forward_references(data):
        plan.manual.append(
            (
                doc.loc(at),
                f"reads the outputs of step {later!r}, placed after this one: 1.1 asks for an "
                "error unless the workflow orders its steps with dependsOn; move the step, or add "
                "dependsOn (which runs the steps in dependency order)",
            )
        )
    for at in _braced_pointers(data, ()):
        plan.manual.append(
            (
                doc.loc(at),
                "a 1.1 runtime expression's JSON pointer cannot hold '{' or '}' (1.0's could); "
                "reach this value another way",
            )
        )
    for kind, listed, key in (
        ("source description name", data.get("sourceDescriptions"), "name"),
        ("workflowId", data.get("workflows"), "workflowId"),
    ):
        for i, item in members(listed):
            named = item.get(key) if isinstance(item, dict) else None
            top = "sourceDescriptions" if key == "name" else "workflows"
            if isinstance(named, str) and not _STRICT_ID.fullmatch(named):
                plan.manual.append(
                    (
                        doc.loc((top, i, key)),
                        f"1.1 runtime expressions reach a {kind} only when it matches "
                        f"[A-Za-z0-9_-]+; rename {named!r} and every reference to it",
                    )
                )
            if key == "workflowId" and isinstance(item, dict):
                for s, step in members(item.get("steps")):
                    step_id = step.get("stepId") if isinstance(step, dict) else None
                    if isinstance(step_id, str) and not _STRICT_ID.fullmatch(step_id):
                        plan.manual.append(
                            (
                                doc.loc(("workflows", i, "steps", s, "stepId")),
                                "1.1 runtime expressions reach a stepId only when it matches "
                                f"[A-Za-z0-9_-]+; rename {step_id!r} and every reference to it",
                            )
                        )


def empty_criteria(data: dict[str, Any]) -> list[JsonPath]:
    found: list[JsonPath] = []
    for w, workflow in members(data.get("workflows")):
        for s, step in members(workflow.get("steps") if isinstance(workflow, dict) else None):
            if isinstance(step, dict) and step.get("successCriteria") == []:
                found.append(("workflows", w, "steps", s, "successCriteria"))
    return found


__all__ = ["Plan", "empty_criteria", "members", "notes", "replacements"]
