"""Arazzo versions: which rules a document follows, and where it uses what Arazzo 1.1 brought.

The ``arazzo`` field picks the rules: ``1.1.x`` documents follow 1.1.0, every other document the 1.0.x
rules (which reject versions other than 1.0.x). :func:`features_11` walks a document's raw data and
finds every use of a 1.1 feature, with its path; structure checking uses it to say "this is 1.1" in a 1.0
document, and model building to report the 1.1 features the generator does not honour yet.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .positioned import JsonPath

V10 = "1.0"
V11 = "1.1"
RULES_FILES = {V10: "arazzo_rules.yaml", V11: "arazzo_rules_1_1.yaml"}
_V11 = re.compile(r"^1\.1\.\d+(-.+)?$")
_V10 = re.compile(r"^1\.0\.\d+(-.+)?$")
UPGRADE = "`arazzo-codegen upgrade` rewrites the document as 1.1.0"

# Names of features that generation honours, read by ``model/unsupported.py``.
SELF = "'$self'"
STEP_TIMEOUT = "step 'timeout'"

_STEP_FIELDS = {
    "timeout": STEP_TIMEOUT,
    "dependsOn": "step 'dependsOn'",
    "channelPath": "AsyncAPI step 'channelPath'",
    "action": "AsyncAPI step 'action'",
    "correlationId": "AsyncAPI step 'correlationId'",
}
_ACTION_LISTS = ("onSuccess", "onFailure", "successActions", "failureActions")
_CRITERIA_LISTS = ("successCriteria", "criteria")


def arazzo_version(data: Any) -> str:
    """``"1.1"`` for a document whose ``arazzo`` field is 1.1.x, else ``"1.0"``."""
    value = data.get("arazzo") if isinstance(data, dict) else None
    return V11 if isinstance(value, str) and _V11.match(value) else V10


def declares_10(data: Any) -> bool:
    """Whether the document's ``arazzo`` field is a 1.0.x version (not only "not 1.1.x")."""
    value = data.get("arazzo") if isinstance(data, dict) else None
    return isinstance(value, str) and bool(_V10.match(value))


@dataclass(frozen=True)
class Feature:
    """One use of a 1.1 feature: at ``path`` (a field's key when ``is_key``), named ``what``."""

    path: JsonPath
    what: str
    is_key: bool = False
    # False when a 1.0 document may hold the same value with a 1.0 meaning (an object as a parameter value)
    only_11: bool = True


def features_11(data: Any) -> Iterator[Feature]:
    """Every use of a feature new in Arazzo 1.1 in the document ``data`` (any version), in document order."""
    if not isinstance(data, dict):
        return
    if "$self" in data:
        yield Feature(("$self",), SELF, True)
    for i, source in _entries(data.get("sourceDescriptions")):
        if source.get("type") == "asyncapi":
            yield Feature(("sourceDescriptions", i, "type"), "AsyncAPI source descriptions")
    for i, workflow in _entries(data.get("workflows")):
        at: JsonPath = ("workflows", i)
        yield from _parameters(workflow.get("parameters"), at + ("parameters",))
        yield from _actions(workflow, at)
        yield from _outputs(workflow.get("outputs"), at + ("outputs",))
        for j, step in _entries(workflow.get("steps")):
            yield from _step(step, at + ("steps", j))
    components = data.get("components")
    if isinstance(components, dict):
        for kind in ("parameters", "successActions", "failureActions"):
            group = components.get(kind)
            if not isinstance(group, dict):
                continue
            for name, item in group.items():
                if not isinstance(item, dict):
                    continue
                at = ("components", kind, name)
                if kind == "parameters":
                    yield from _parameter(item, at)
                else:
                    yield from _action(item, at)


def is_selector(value: Any) -> bool:
    """A Selector Object (Arazzo 1.1): a mapping holding its three REQUIRED fields. Any other mapping where
    1.1 allows "Any | {expression} | Selector Object" (parameter, payload and replacement values) is a
    constant."""
    return isinstance(value, dict) and {"context", "selector", "type"} <= value.keys()


def _selectors_in(value: Any, at: JsonPath) -> Iterator[Feature]:
    """The Selector Objects of a payload, at any depth."""
    if is_selector(value):
        yield Feature(at, "Selector Objects", only_11=False)
    elif isinstance(value, dict):
        for key, member in value.items():
            yield from _selectors_in(member, at + (key,))
    elif isinstance(value, list):
        for i, member in enumerate(value):
            yield from _selectors_in(member, at + (i,))


def _entries(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                yield i, item


def _step(step: dict[str, Any], at: JsonPath) -> Iterator[Feature]:
    for name, what in _STEP_FIELDS.items():
        if name in step:
            yield Feature(at + (name,), what, True)
    yield from _parameters(step.get("parameters"), at + ("parameters",))
    body = step.get("requestBody")
    if isinstance(body, dict):
        yield from _selectors_in(body.get("payload"), at + ("requestBody", "payload"))
        for k, replacement in _entries(body.get("replacements")):
            where = at + ("requestBody", "replacements", k)
            if "targetSelectorType" in replacement:
                what = "payload replacement 'targetSelectorType'"
                yield Feature(where + ("targetSelectorType",), what, True)
            if is_selector(replacement.get("value")):
                yield Feature(where + ("value",), "Selector Objects", only_11=False)
    yield from _criteria(step.get("successCriteria"), at + ("successCriteria",))
    yield from _actions(step, at)
    yield from _outputs(step.get("outputs"), at + ("outputs",))


def _parameters(value: Any, at: JsonPath) -> Iterator[Feature]:
    for i, parameter in _entries(value):
        yield from _parameter(parameter, at + (i,))


def _parameter(parameter: dict[str, Any], at: JsonPath) -> Iterator[Feature]:
    if "reference" in parameter:
        return
    if parameter.get("in") == "querystring":
        yield Feature(at + ("in",), "parameter 'in: querystring'")
    if is_selector(parameter.get("value")):
        yield Feature(at + ("value",), "Selector Objects", only_11=False)


def _actions(owner: dict[str, Any], at: JsonPath) -> Iterator[Feature]:
    for name in _ACTION_LISTS:
        for i, action in _entries(owner.get(name)):
            if "reference" not in action:
                yield from _action(action, at + (name, i))


def _action(action: dict[str, Any], at: JsonPath) -> Iterator[Feature]:
    if "parameters" in action:
        yield Feature(at + ("parameters",), "success and failure action 'parameters'", True)
    yield from _criteria(action.get("criteria"), at + ("criteria",))


def _criteria(value: Any, at: JsonPath) -> Iterator[Feature]:
    for i, criterion in _entries(value):
        kind = criterion.get("type")
        if isinstance(kind, dict) and kind.get("version") in ("rfc9535", "xpath-31"):
            what = f"expression type version {kind['version']!r}"
            yield Feature(at + (i, "type", "version"), what)


def _outputs(value: Any, at: JsonPath) -> Iterator[Feature]:
    if isinstance(value, dict):
        for name, output in value.items():
            if isinstance(output, dict):
                yield Feature(at + (name,), "Selector Objects")


def newer_message(feature: Feature, version: Any) -> str:
    """The structure error for a 1.1 feature found in a 1.0 document."""
    return (
        f"{feature.what} is new in Arazzo 1.1 and not allowed in an Arazzo {version} document;"
        f" {UPGRADE}"
    )
