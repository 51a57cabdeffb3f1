"""openapi-spec-validator's findings as data: each at the node it concerns, with its most relevant reason."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from jsonschema.exceptions import ValidationError
from jsonschema_path import SchemaPath
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
from openapi_spec_validator.validation.keywords import KeywordValidator

from ..diagnostics import Location
from .positioned import JsonPath, Positioned
from .refs import DocLoader, locate


@dataclass(frozen=True)
class Finding:
    """A problem in an OpenAPI description: where it is shown, and the node it concerns (``file``, ``at``),
    which decides whether an operation a workflow uses is touched by it."""

    location: Location
    file: str
    at: JsonPath
    message: str
    rule: str


def finding(doc: Positioned, at: JsonPath, message: str, rule: str) -> Finding:
    return Finding(doc.loc(at), str(doc.file), at, message, rule)


_AT = "_arazzo_codegen_at"  # the document path a keyword validator's error concerns


def _located(base: type[KeywordValidator]) -> type[KeywordValidator]:
    """``base`` whose errors remember the node it was validating (the first SchemaPath argument), plus the
    error's own path below it; the innermost validator sets it, as nested calls go through this one too.
    """

    def call(self: Any, *args: Any, **kwargs: Any) -> Iterator[ValidationError]:
        node = next((a for a in args if isinstance(a, SchemaPath)), None)
        for error in base.__call__(self, *args, **kwargs):
            if node is not None and _AT not in error.__dict__:
                below = tuple(getattr(error, "absolute_path", ()) or ())
                error.__dict__[_AT] = tuple(node.parts) + below
            yield error

    return type(f"Located{base.__name__}", (base,), {"__call__": call})


class _Located30(OpenAPIV30SpecValidator):
    keyword_validators = {
        k: _located(v) for k, v in OpenAPIV30SpecValidator.keyword_validators.items()
    }


class _Located31(OpenAPIV31SpecValidator):
    keyword_validators = {
        k: _located(v) for k, v in OpenAPIV31SpecValidator.keyword_validators.items()
    }


def _is_ref_required(error: ValidationError) -> bool:
    value = error.validator_value
    return error.validator == "required" and isinstance(value, list) and "$ref" in value


def relevant(error: ValidationError) -> list[ValidationError]:
    """The errors that explain ``error``: for "not valid under any of the given schemas", the deepest
    branch that is not the Reference Object's ("'$ref' is a required property" hides the real reason),
    every error of that branch, each explained in turn."""
    context = list(error.context or ())
    if not context:
        return [error]
    branches: dict[Any, list[ValidationError]] = {}
    for sub in context:
        key = sub.relative_schema_path[0] if sub.relative_schema_path else None
        branches.setdefault(key, []).append(sub)
    candidates = [errs for errs in branches.values() if not all(map(_is_ref_required, errs))]
    if not candidates:
        return [error]
    chosen = max(candidates, key=lambda errs: max(len(e.absolute_path) for e in errs))
    if all(len(e.absolute_path) <= len(error.absolute_path) for e in chosen) and len(chosen) > 1:
        return [error]  # several shallow alternatives: the summary says more than any one of them
    return [found for sub in chosen for found in relevant(sub)]


def validator_findings(
    doc: Positioned, version: str, load: DocLoader, structure_only: bool = False
) -> list[Finding]:
    """Every finding of openapi-spec-validator for ``doc``, at the offending node. ``structure_only``: only
    the pass over the document as written (the other one follows references, which it cannot when some
    are broken)."""
    validator_class = _Located30 if version.startswith("3.0") else _Located31
    validator = validator_class(doc.data, base_uri=doc.file.resolve().as_uri())
    found: list[Finding] = []
    for error in validator.schema_validator.iter_errors(doc.data):
        for reason in relevant(error):
            found.append(_finding(doc, tuple(reason.absolute_path), reason, load))
    if structure_only:
        return found
    first = {item.location for item in found}
    for error in validator.root_validator(validator.schema_path):
        path = error.__dict__.get(_AT, ())
        for reason in relevant(error) if isinstance(error, ValidationError) else [error]:
            below = tuple(getattr(reason, "absolute_path", ()) or ())
            at = path + below[len(tuple(getattr(error, "absolute_path", ()) or ())) :]
            item = _finding(doc, at, reason, load)
            if item.location not in first:  # both passes check schemas: one finding per node
                found.append(item)
    return found


def _finding(doc: Positioned, logical: JsonPath, error: Any, load: DocLoader) -> Finding:
    target, at = locate(doc, logical, load)
    message = getattr(error, "message", str(error)).splitlines()[0]
    return finding(target, at, f"invalid OpenAPI description: {message}", "openapi-valid")
