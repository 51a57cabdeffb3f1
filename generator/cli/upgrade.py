"""``arazzo-codegen upgrade``: rewrite Arazzo 1.0.x documents as 1.1.0, in place.

Only the files named (or found in the folders named) change; source descriptions they reference are
not followed. What must change is made with positioned edits to the file's text (the machinery of
``fix``), so comments, order, quoting and layout stay byte for byte elsewhere: the ``arazzo``
version, and an empty ``successCriteria`` list (1.1 requires at least one criterion; an empty list
and no list both mean "no assertions"). Whatever 1.1 reads differently and that cannot be rewritten
with the same meaning is listed as ``needs a person``. Every file is checked before any is written;
each is written atomically (a temporary file beside it, then a rename).
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..diagnostics import Diagnostics, Location, one_line
from ..loading.positioned import JsonPath, LoadError, Positioned, parse_positioned, read_limited
from ..model.dialect_edits import Edit, apply_edits, node_at
from ..pipeline import discover
from .fix import fix_text

RULE = "upgrade"
TARGET_VERSION = "1.1.0"
_V10 = re.compile(r"1\.0\.\d+")
_V11 = re.compile(r"1\.1\.\d+")
_STRICT_ID = re.compile(r"[A-Za-z0-9_\-]+")  # 1.1 identifier-strict: step, workflow, source names
_IDENTIFIER = re.compile(r"[A-Za-z0-9.\-_]+")  # 1.1 identifier: input and output names
_QUERY_TYPES = ("regex", "jsonpath", "xpath")
_JSON_TYPE = re.compile(r"application/(.+\+)?json\b|[^;]*\+json\b", re.IGNORECASE)
_XML_TYPE = re.compile(r"(application|text)/(.+\+)?xml\b|[^;]*\+xml\b", re.IGNORECASE)


@dataclass
class _Plan:
    file: Path
    shown: str
    text: str = ""
    new_text: str = ""
    changes: list[tuple[Location, str]] = field(default_factory=list)
    manual: list[tuple[Location, str]] = field(default_factory=list)


class _Unsafe(Exception):
    """A change that cannot be made in the text without touching anything else."""


def _members(value: Any) -> Iterator[tuple[int | str, Any]]:
    if isinstance(value, dict):
        yield from value.items()
    elif isinstance(value, list):
        yield from enumerate(value)


def _criteria_lists(data: dict[str, Any]) -> Iterator[tuple[JsonPath, Any]]:
    """Every list of Criterion Objects in the document, with its path."""

    def actions(at: JsonPath, listed: Any) -> Iterator[tuple[JsonPath, Any]]:
        for i, action in _members(listed):
            if isinstance(action, dict):
                yield at + (i, "criteria"), action.get("criteria")

    for w, workflow in _members(data.get("workflows")):
        if not isinstance(workflow, dict):
            continue
        wat: JsonPath = ("workflows", w)
        yield from actions(wat + ("successActions",), workflow.get("successActions"))
        yield from actions(wat + ("failureActions",), workflow.get("failureActions"))
        for s, step in _members(workflow.get("steps")):
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
    if isinstance(value, dict) and {"context", "selector", "type"} <= value.keys():
        yield at
    for key, member in _members(value):
        yield from _selector_like(member, at + (key,))


def _literal_values(data: dict[str, Any]) -> Iterator[tuple[JsonPath, Any]]:
    """Parameter values, request payloads and replacement values (any depth is 1.1's)."""

    def parameters(at: JsonPath, listed: Any) -> Iterator[tuple[JsonPath, Any]]:
        for i, parameter in _members(listed):
            if isinstance(parameter, dict) and "value" in parameter:
                yield at + (i, "value"), parameter["value"]

    components = data.get("components")
    if isinstance(components, dict) and isinstance(components.get("parameters"), dict):
        for name, parameter in components["parameters"].items():
            if isinstance(parameter, dict) and "value" in parameter:
                yield ("components", "parameters", name, "value"), parameter["value"]
    for w, workflow in _members(data.get("workflows")):
        if not isinstance(workflow, dict):
            continue
        yield from parameters(("workflows", w, "parameters"), workflow.get("parameters"))
        for s, step in _members(workflow.get("steps")):
            if not isinstance(step, dict):
                continue
            sat: JsonPath = ("workflows", w, "steps", s)
            yield from parameters(sat + ("parameters",), step.get("parameters"))
            body = step.get("requestBody")
            if isinstance(body, dict):
                if "payload" in body:
                    yield sat + ("requestBody", "payload"), body["payload"]
                for r, replacement in _members(body.get("replacements")):
                    if isinstance(replacement, dict) and "value" in replacement:
                        yield sat + ("requestBody", "replacements", r, "value"), replacement[
                            "value"
                        ]


def _replacements(doc: Positioned, plan: _Plan) -> list[Edit]:
    """1.1 reads a replacement ``target`` by the payload's media type (JSON Pointer for JSON, XPath
    for XML, nothing said for others); 1.0 (this product) read it as a JSON Pointer into a JSON
    payload whatever the media type. A replacement into an object or array payload whose media type
    is not JSON gains ``targetSelectorType: jsonpointer``; one into a text payload of a media type
    that is neither JSON nor XML needs a person to pick."""
    edits: list[Edit] = []
    for w, workflow in _members(doc.data.get("workflows")):
        for s, step in _members(workflow.get("steps") if isinstance(workflow, dict) else None):
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
            for r, replacement in _members(body["replacements"]):
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
        for w, wf in _members(data.get("workflows"))
        if isinstance(wf, dict)
    ]
    components = data.get("components")
    if isinstance(components, dict):
        schemas += [(("components", "inputs", n), v) for n, v in _members(components.get("inputs"))]
    for at, schema in schemas:
        properties = schema.get("properties") if isinstance(schema, dict) else None
        for name in properties if isinstance(properties, dict) else ():
            yield at + ("properties", name), str(name)
    for w, workflow in _members(data.get("workflows")):
        if not isinstance(workflow, dict):
            continue
        owners: list[tuple[JsonPath, Any]] = [(("workflows", w), workflow)]
        owners += [(("workflows", w, "steps", s), st) for s, st in _members(workflow.get("steps"))]
        for at, owner in owners:
            outputs = owner.get("outputs") if isinstance(owner, dict) else None
            for name in outputs if isinstance(outputs, dict) else ():
                yield at + ("outputs", name), str(name)


def _braced_pointers(value: Any, at: JsonPath) -> Iterator[JsonPath]:
    """Whole runtime expressions whose JSON pointer holds '{' or '}' (1.1's pointer excludes them)."""
    if isinstance(value, str):
        if value.startswith("$") and "#" in value and re.search(r"[{}]", value.split("#", 1)[1]):
            yield at
    for key, member in _members(value):
        yield from _braced_pointers(member, at + (key,))


def _notes(doc: Positioned, plan: _Plan) -> None:
    """What 1.1 reads differently and no text edit can keep: each a ``needs a person`` note."""
    data = doc.data
    for at, criteria in _criteria_lists(data):
        for i, criterion in _members(criteria):
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
        for i, item in _members(listed):
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
                for s, step in _members(item.get("steps")):
                    step_id = step.get("stepId") if isinstance(step, dict) else None
                    if isinstance(step_id, str) and not _STRICT_ID.fullmatch(step_id):
                        plan.manual.append(
                            (
                                doc.loc(("workflows", i, "steps", s, "stepId")),
                                "1.1 runtime expressions reach a stepId only when it matches "
                                f"[A-Za-z0-9_-]+; rename {step_id!r} and every reference to it",
                            )
                        )


def _empty_criteria(data: dict[str, Any]) -> list[JsonPath]:
    found: list[JsonPath] = []
    for w, workflow in _members(data.get("workflows")):
        for s, step in _members(workflow.get("steps") if isinstance(workflow, dict) else None):
            if isinstance(step, dict) and step.get("successCriteria") == []:
                found.append(("workflows", w, "steps", s, "successCriteria"))
    return found


def _remove_members(text: str, is_json: bool, paths: list[JsonPath]) -> str:
    """``text`` without the members at ``paths`` (each ``key: []`` alone on its line, or a JSON member)."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    spans: list[tuple[int, int]] = []
    for at in paths:
        node: Any = root
        key: Any = None
        for step in at:
            if isinstance(node, yaml.MappingNode):
                pairs = [(k, v) for k, v in node.value if getattr(k, "value", None) == step]
                if not pairs:
                    raise _Unsafe("the document's shape changed")
                key, node = pairs[-1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                key, node = None, node.value[step]
            else:
                raise _Unsafe("the document's shape changed")
        start, end = key.start_mark.index, node.end_mark.index
        if is_json:
            after = re.compile(r"\s*,\s*").match(text, end)
            before = re.compile(r",\s*$").search(text, 0, start)
            if after:
                spans.append((start, after.end()))
            elif before:
                spans.append((before.start(), end))
            else:
                raise _Unsafe("the only member of its object")
            continue
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end + 1
        rest = text[end:line_end].strip()
        if text[line_start:start].strip() or (rest and not rest.startswith("#")):
            raise _Unsafe("more text on the line")
        spans.append((line_start, line_end))
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + text[end:]
    return text


def _rewrite(body: str, doc: Positioned, edits: list[Edit], removals: list[JsonPath]) -> str:
    """``body`` with ``edits`` made and the members at ``removals`` gone, read back to check."""
    try:
        new_body, _ = fix_text(body, doc.file, edits)
        new_body = _remove_members(new_body, doc.file.suffix.lower() == ".json", removals)
        expected = apply_edits(doc.data, edits)
        for at in removals:
            node_at(expected, at[:-1]).pop(at[-1])
        if parse_positioned(new_body, doc.file, doc.path).data != expected:
            raise _Unsafe("the rewritten text would not read back as intended")
    except (ValueError, LoadError, yaml.YAMLError) as exc:
        raise _Unsafe(str(exc)) from None
    return new_body


def _plan_file(file: Path, shown: str, diagnostics: Diagnostics) -> _Plan | None:
    plan = _Plan(file, shown)
    try:
        raw = read_limited(file, shown)
        try:
            plan.text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            diagnostics.error(Location(shown), f"not UTF-8 text ({exc.reason})", "input")
            return None
        body = plan.text.removeprefix("\ufeff")
        doc = parse_positioned(body, file, shown)
    except LoadError as exc:
        diagnostics.error(exc.location, exc.message, "input")
        return None
    data = doc.data
    version = data.get("arazzo") if isinstance(data, dict) else None
    if not isinstance(version, str):
        diagnostics.error(
            doc.loc(("arazzo",) if isinstance(data, dict) else ()),
            "not an Arazzo document: 'arazzo' must be a version string such as '1.0.1'",
            "structure",
        )
        return None
    plan.new_text = plan.text
    if _V11.fullmatch(version):
        return plan
    if not _V10.fullmatch(version):
        diagnostics.error(
            doc.loc(("arazzo",)),
            f"cannot upgrade Arazzo {version!r}: only 1.0.x documents are rewritten as 1.1.0",
            "structure",
        )
        return None
    version_edit = Edit(
        str(file),
        ("arazzo",),
        "text",
        doc.loc(("arazzo",)),
        "version",
        0,
        len(version),
        version,
        TARGET_VERSION,
    )
    removals = _empty_criteria(data)
    plan.changes.append((doc.loc(("arazzo",)), f"rewrite arazzo {version!r} as {TARGET_VERSION!r}"))
    edits = [version_edit] + _replacements(doc, plan)
    try:
        new_body = _rewrite(body, doc, edits, removals)
    except _Unsafe as exc:  # the version alone, and each other change left to a person
        for at in removals:
            plan.manual.append((doc.key_loc(at), f"remove this empty successCriteria ({exc})"))
        plan.changes = [c for c in plan.changes if c[0] == version_edit.location]
        plan.manual.extend(
            (e.location, f"add {e.new}: {e.value} ({exc})") for e in edits if e is not version_edit
        )
        removals = []
        try:
            new_body = _rewrite(body, doc, [version_edit], [])
        except _Unsafe as again:
            diagnostics.error(doc.loc(), f"cannot rewrite safely ({again}); nothing changed", RULE)
            return None
    plan.new_text = plan.text[: len(plan.text) - len(body)] + new_body
    for at in removals:
        plan.changes.append(
            (doc.key_loc(at), "remove the empty successCriteria (1.1 requires at least one)")
        )
    _notes(doc, plan)
    return plan


def _write_all(plans: list[_Plan]) -> None:
    """Each changed file replaced atomically; all temporary files are written before any rename."""
    staged: list[tuple[str, _Plan]] = []
    try:
        for plan in plans:
            handle, temp = tempfile.mkstemp(
                prefix=f".{plan.file.name}.", suffix=".upgrade", dir=plan.file.parent
            )
            staged.append((temp, plan))
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                out.write(plan.new_text)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temp, os.stat(plan.file).st_mode & 0o7777)
        for temp, plan in staged:
            os.replace(temp, plan.file)
    finally:
        for temp, _ in staged:
            if os.path.lexists(temp):
                os.unlink(temp)


def upgrade_command(specs: list[str], check: bool) -> int:
    diagnostics = Diagnostics()
    entries = discover(specs, diagnostics)
    plans = [_plan_file(entry.file, entry.shown, diagnostics) for entry in entries]
    if diagnostics.has_errors:
        for item in diagnostics.sorted():
            print(item, file=sys.stderr)
        return 1
    ready = [plan for plan in plans if plan is not None]
    changed = [plan for plan in ready if plan.new_text != plan.text]
    if not check and changed:
        try:
            _write_all(changed)
        except OSError as exc:
            print(f"arazzo-codegen upgrade: cannot write: {exc}; nothing changed", file=sys.stderr)
            return 1
    prefix = "would " if check else ""
    for plan in ready:
        for location, change in sorted(plan.changes):
            print(one_line(f"{location}: {prefix}{change} [{RULE}]"))
        for location, reason in sorted(plan.manual):
            print(one_line(f"{location}: needs a person: {reason} [{RULE}]"))
    manual = any(plan.manual for plan in ready)
    return 1 if manual or (check and changed) else 0


__all__ = ["upgrade_command"]
