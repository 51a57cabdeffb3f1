"""Words for structure diagnostics: what each object and value of an Arazzo document is called."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

from .positioned import JsonPath

# what one entry of each list (or each value of each components map) is called
ENTRY_KINDS = {
    "sourceDescriptions": "source description",
    "workflows": "workflow",
    "steps": "step",
    "parameters": "parameter",
    "successCriteria": "criterion",
    "criteria": "criterion",
    "onSuccess": "success action",
    "successActions": "success action",
    "onFailure": "failure action",
    "failureActions": "failure action",
    "replacements": "payload replacement",
    "inputs": "input schema",
}
FIELD_KINDS = {"info": "info", "components": "components", "requestBody": "request body"}
FIELD_KINDS |= {"value": "Selector Object", "outputs": "outputs"}
TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "object": "an object",
    "array": "a list",
    "null": "null",
}
DEPENDS_ON = r"^((?!\$).+|\$workflows\.[^.]+\.steps\.[^.]+|\$sourceDescriptions\.[^.]+\.[^.]+\.steps\.[^.]+)$"
PATTERN_WORDS = {
    r"^1\.0\.\d+(-.+)?$": "an Arazzo version string 1.0.x or 1.1.x such as '1.1.0'",
    r"^[^#]*$": "a URI reference without a fragment ('#...')",
    DEPENDS_ON: "a local stepId, $workflows.<workflowId>.steps.<stepId>"
    " or $sourceDescriptions.<name>.<workflowId>.steps.<stepId>",
    r"^[A-Za-z0-9_\-]+$": "a name made of letters, digits, '_' and '-' only",
    r"^[a-zA-Z0-9\.\-_]+$": "a name made of letters, digits, '.', '-' and '_' only",
}


def kind_of(path: JsonPath, instance: Any = None) -> str:
    """What the object at ``path`` is, in words ("step", "criterion", ...)."""
    if not path:
        return "Arazzo document"
    if "inputs" in path[1:3] and path[0] in ("workflows", "components"):
        return "input schema"
    last, parent = path[-1], path[-2] if len(path) > 1 else None
    kind: str | None = None
    if isinstance(last, int) and isinstance(parent, str):
        kind = ENTRY_KINDS.get(parent)
    elif len(path) == 3 and path[0] == "components" and isinstance(parent, str):
        kind = ENTRY_KINDS.get(parent)
    elif last == "type" and len(path) > 1 and kind_of(path[:-1]) == "criterion":
        kind = "criterion expression type"
    elif parent == "outputs" and isinstance(instance, dict):
        kind = "Selector Object"
    elif isinstance(last, str):
        kind = FIELD_KINDS.get(last)
    if isinstance(instance, dict) and "reference" in instance and isinstance(last, int):
        if kind in ("parameter", "success action", "failure action"):
            return "reusable object"
    return kind or (f"'{last}'" if isinstance(last, str) else "entry")


def subject(path: JsonPath) -> str:
    """How a message names the value at ``path``."""
    if not path:
        return "the document"
    last = path[-1]
    parent = path[-2] if len(path) > 1 else None
    if isinstance(last, int):
        return f"each entry of '{parent}'" if isinstance(parent, str) else "each entry"
    if parent == "outputs":
        return f"output '{last}'"
    if len(path) == 3 and path[0] == "components":
        return f"component '{last}'"
    return f"'{last}'"


def describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    return "an object" if value else "an empty object"


def found(value: Any) -> str:
    return f"found {describe(value)}"


def article(noun: str) -> str:
    return ("an " if noun[:1] in "aeiouAEIOU" else "a ") + noun


def words(values: Iterable[Any]) -> str:
    return ", ".join(value if isinstance(value, str) else describe(value) for value in values)


def suggest(word: Any, choices: Sequence[str]) -> str | None:
    if not isinstance(word, str):
        return None
    for choice in choices:
        if choice.lower() == word.lower():
            return choice
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return close[0] if close else None


def value_at(data: Any, path: JsonPath) -> Any:
    for part in path:
        if isinstance(data, dict) and isinstance(part, str):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data
