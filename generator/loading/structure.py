"""Structural validation of an Arazzo document against our rules (``arazzo_rules.yaml`` for 1.0.x,
``arazzo_rules_1_1.yaml`` for 1.1.x; the document's ``arazzo`` field picks them).

Every JSON Schema error becomes one diagnostic (rule ``structure``) at the line and column of the offending
node, with a message that says what is wrong and how to fix it.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from ..diagnostics import Diagnostics
from .positioned import JsonPath, Positioned
from .structure_words import (
    TYPE_WORDS as _TYPE_WORDS,
    PATTERN_WORDS as _PATTERN_WORDS,
    kind_of as _kind,
    subject as _subject,
    describe as _describe,
    found as _found,
    article as _article,
    words as _words,
    suggest as _suggest,
    value_at as _value_at,
)
from .versions import RULES_FILES, V10, arazzo_version, declares_10, features_11, newer_message

RULE = "structure"

Finding = tuple[JsonPath, str]

_SHAPE = ("type", "enum", "const")  # a value of the wrong kind altogether
_ROOT = "an Arazzo document must be an object with arazzo, info, sourceDescriptions and workflows"
# `version` beside a string criterion `type` (the published schema accepts it for jsonpath and xpath only)
_LOOSE_VERSION = (
    "'version' is only allowed in a criterion whose type is jsonpath or xpath;"
    " write the type as {type: jsonpath|xpath, version: ...} or remove 'version'"
)


@functools.cache
def rules(version: str = V10) -> dict[str, Any]:
    """Our JSON Schema for Arazzo ``version`` ("1.0" or "1.1") documents, shipped inside the package."""
    text = resources.files(__package__).joinpath(RULES_FILES[version]).read_text(encoding="utf-8")
    loaded = yaml.safe_load(text)
    assert isinstance(loaded, dict)
    return loaded


@functools.cache
def validator(version: str = V10) -> Draft202012Validator:
    """A validator for our rules for Arazzo ``version`` (built once)."""
    return Draft202012Validator(rules(version))


def check_structure(doc: Positioned, diagnostics: Diagnostics) -> bool:
    """Report every structural problem of ``doc``; True when there is none. A 1.1 feature in a 1.0
    document is one error at that feature that names the version (not the rules' errors about it).
    """
    ok, version = True, arazzo_version(doc.data)
    newer = [f for f in features_11(doc.data) if f.only_11] if declares_10(doc.data) else []
    for feature in newer:
        where = doc.key_loc(feature.path) if feature.is_key else doc.loc(feature.path)
        diagnostics.error(where, newer_message(feature, doc.data.get("arazzo")), RULE)
        ok = False
    for error in validator(version).iter_errors(doc.data):
        for at, message in explain(error, doc):
            if any(at[: len(f.path)] == f.path for f in newer):
                continue
            names_key = message.startswith(("unknown field", "name '"))
            diagnostics.error(doc.key_loc(at) if names_key else doc.loc(at), message, RULE)
            ok = False
    return ok


def explain(error: ValidationError, doc: Positioned) -> list[Finding]:
    """One or more (path, message) findings for a jsonschema error."""
    path: JsonPath = tuple(error.absolute_path)
    if "dependentSchemas" in error.absolute_schema_path and path[-1:] != ("version",):
        criterion = path[:-1] if path[-1:] == ("type",) else path
        return [(criterion + ("version",), _LOOSE_VERSION)]
    handler = _HANDLERS.get(str(error.validator), _generic)
    return handler(error, path, doc)


# --- handlers -------------------------------------------------------------------------------------


def _want(error: ValidationError) -> Any:
    return error.validator_value


def _required(error: ValidationError, path: JsonPath, doc: Positioned) -> list[Finding]:
    instance = error.instance
    kind = _kind(path, instance)
    found: list[Finding] = []
    for name in _want(error):
        if not isinstance(instance, dict) or name in instance:
            continue
        message = f"missing required field '{name}' in {kind}"
        if kind == "parameter" and name == "in":
            message += (
                " (a step that calls an operation must say where each parameter goes:"
                " path, query, header or cookie)"
            )
        found.append((path, message))
    return found


def _unknown(error: ValidationError, path: JsonPath, doc: Positioned) -> list[Finding]:
    instance, schema = error.instance, error.schema
    if not isinstance(instance, dict) or not isinstance(schema, dict):
        return _generic(error, path, doc)
    allowed = list(schema.get("properties", {}))
    patterns = list(schema.get("patternProperties", {}))
    extensions = "^x-" in patterns
    names = [p for p in patterns if p != "^x-"]
    found: list[Finding] = []
    for key in instance:
        if key in allowed or any(re.search(p, key) for p in patterns):
            continue
        at = path + (key,)
        if not allowed and names:
            where = f"'{path[-1]}'" if path else "the document"
            rule = _PATTERN_WORDS.get(names[0], f"a name matching {names[0]}")
            found.append((at, f"name '{key}' in {where} must be {rule.removeprefix('a name ')}"))
            continue
        message = f"unknown field '{key}' in {_kind(path, instance)}"
        guess = _suggest(key, allowed)
        if extensions and key[:2].lower() == "x-":
            message += f"; extension fields must start with a lowercase x- (write 'x-{key[2:]}')"
            found.append((at, message))
            continue
        if guess is not None:
            message += f"; did you mean '{guess}'?"
        else:
            message += f"; allowed fields are {_words(allowed)}"
        message += (
            " (extension fields must start with x-)"
            if extensions
            else " (this object cannot have other fields)"
        )
        found.append((at, message))
    return found


def _type(error: ValidationError, path: JsonPath, doc: Positioned) -> list[Finding]:
    expected = _want(error)
    types = [expected] if isinstance(expected, str) else list(expected)
    wanted = " or ".join(_TYPE_WORDS.get(t, t) for t in types)
    instance = error.instance
    if not path:
        return [(path, f"{_ROOT} ({_found(instance)})")]
    found = _describe(instance)
    pattern = error.schema.get("pattern") if isinstance(error.schema, dict) else None
    if pattern in _PATTERN_WORDS:
        wanted = _PATTERN_WORDS[pattern]
    elif types == ["string"] and not isinstance(instance, (dict, list, str)):
        found += "; put the value in quotes to make it a string"
    return [(path, f"{_subject(path)} must be {wanted} (found {found})")]


def _enum(error: ValidationError, path: JsonPath, doc: Positioned) -> list[Finding]:
    """``enum`` and ``const``: the value must be one of a fixed few."""
    allowed = [_want(error)] if error.validator == "const" else list(_want(error))
    what = _words(allowed) if len(allowed) == 1 else "one of " + _words(allowed)
    value, owner = error.instance, _kind(path[:-1]) if path else ""
    if path[-1:] == ("version",) and owner in ("criterion", "criterion expression type"):
        kind = _value_at(doc.data, path[:-1] + ("type",))
        return [(path, f"'version' for type {_words([kind])} must be {what} ({_found(value)})")]
    message = f"{_subject(path)} must be {what}"
    if path[-1:] == ("type",) and owner == "criterion":
        message += ", or an expression type object {type: jsonpath|xpath, version: ...}"
    message += f" ({_found(value)})"
    guess = _suggest(value, [a for a in allowed if isinstance(a, str)])
    if guess is not None and guess != value:
        message += f"; did you mean '{guess}'?"
    return [(path, message)]


def _pattern(error: ValidationError, path: JsonPath, doc: Positioned) -> list[Finding]:
    pattern = str(_want(error))
    rule = _PATTERN_WORDS.get(pattern, f"a string matching {pattern}")
    return [(path, f"{_subject(path)} must be {rule} ({_found(error.instance)})")]


def _min_items(error: ValidationError, path: JsonPath, doc: Positioned) -> list[Finding]:
    count = int(_want(error))
    entries = "one entry" if count == 1 else f"{count} entries"
    return [(path, f"{_subject(path)} must have at least {entries} ({_found(error.instance)})")]


def _same(a: Any, b: Any) -> bool:
    """JSON equality as JSON Schema sees it (true is not 1, 1 is 1.0)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return False
    return bool(a == b)


def _unique(error: ValidationError, path: JsonPath, doc: Positioned) -> list[Finding]:
    items = error.instance if isinstance(error.instance, list) else []
    found: list[Finding] = []
    for later in range(len(items)):
        for earlier in range(later):
            if _same(items[earlier], items[later]):
                line = doc.loc(path + (earlier,)).line
                name = _subject(path + (later,)).removeprefix("each entry of ")
                message = (
                    f"duplicate entry in {name}: the same as the one on line {line}; remove one"
                )
                found.append((path + (later,), message))
                break
    return found or _generic(error, path, doc)


def _minimum(error: ValidationError, path: JsonPath, doc: Positioned) -> list[Finding]:
    limit = _describe(_want(error))
    return [(path, f"{_subject(path)} must be {limit} or more ({_found(error.instance)})")]


def _dependent(error: ValidationError, path: JsonPath, doc: Positioned) -> list[Finding]:
    instance = error.instance
    kind = _kind(path, instance)
    found: list[Finding] = []
    if not isinstance(instance, dict):
        return found
    for field, needs in _want(error).items():
        for name in needs:
            if field in instance and name not in instance:
                message = f"{_article(kind)} with '{field}' must also have '{name}'"
                if (kind, name) == ("criterion", "context"):
                    message += (
                        " (the runtime expression the condition applies to, e.g. $response.body)"
                    )
                found.append((path, message))
    return found


def _one_of(error: ValidationError, path: JsonPath, doc: Positioned) -> list[Finding]:
    branches = _want(error)
    fields = [b["required"][0] for b in branches if isinstance(b, dict) and list(b) == ["required"]]
    instance = error.instance
    if len(fields) == len(branches) and isinstance(instance, dict):
        present = [name for name in fields if name in instance]
        kind = _kind(path, instance)
        if kind != "step":
            kind = f"{instance.get('type')} {kind}"
        message = f"{_article(kind)} must name exactly one of {_words(fields)}"
        if not present:
            return [(path, message + " (found none)")]
        return [(path + (present[1],), message + f" (found {' and '.join(present)}; keep one)")]
    return _any_of(error, path, doc)


def _any_of(error: ValidationError, path: JsonPath, doc: Positioned) -> list[Finding]:
    """Explain the errors of the alternative that came closest (its type fits, it got deepest)."""
    if not error.context:
        return [(path, f"{_subject(path)} matches more than one allowed form; make it match one")]
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)

    def closeness(subs: list[ValidationError]) -> tuple[bool, int]:
        shallow = any(not sub.relative_path and sub.validator in _SHAPE for sub in subs)
        return (not shallow, max(len(sub.relative_path) for sub in subs))

    closest = max(branches.values(), key=closeness)
    if closeness(closest)[0]:
        return [finding for sub in closest for finding in explain(sub, doc)]
    return explain(best_match(error.context), doc)


def _forbidden(error: ValidationError, path: JsonPath, doc: Positioned) -> list[Finding]:
    """``action`` or ``correlationId`` (the only ``false`` schemas) in a step that is not an AsyncAPI step."""
    step = _value_at(doc.data, path)
    names = [k for k in ("action", "correlationId") if isinstance(step, dict) and k in step]
    names = [k for k in names if _same(step[k], error.instance)] or names[:1] or ["this field"]
    message = "'{}' is only allowed in a step that calls an AsyncAPI operation (operationId or channelPath)"
    return [(path + (names[0],), message.format(names[0]))]


def _generic(error: ValidationError, path: JsonPath, doc: Positioned) -> list[Finding]:
    return [(path, f"{_subject(path)} is not valid: {error.message}")]


_HANDLERS = {
    "required": _required,
    "additionalProperties": _unknown,
    "type": _type,
    "enum": _enum,
    "const": _enum,
    "pattern": _pattern,
    "minItems": _min_items,
    "uniqueItems": _unique,
    "minimum": _minimum,
    "dependentRequired": _dependent,
    "oneOf": _one_of,
    "anyOf": _any_of,
    "None": _forbidden,
}
