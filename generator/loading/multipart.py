"""How each part of a ``multipart/form-data`` request body is sent: the OpenAPI Encoding Object and its defaults.

OpenAPI 3.0.3 and 3.1 give a part's ``Content-Type`` from its Encoding Object's ``contentType``, else from the
property's schema: binary strings (``format: binary``/``base64`` in 3.0, ``contentEncoding`` or
``contentMediaType`` in 3.1) are ``application/octet-stream`` (or the ``contentMediaType``), objects and arrays
``application/json``, other values ``text/plain``, which is also what a part without a ``Content-Type`` means
(RFC 7578), so those parts are sent without one. An Encoding Object's ``headers`` are Header Objects, which
describe a header rather than give it a value: a header is sent when its schema fixes one (``const``, a single
``enum`` value, or ``default``). ``Content-Type`` among them is ignored, as the specification says.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Parts = dict[str, dict[str, Any]]


def _default_type(schema: Any) -> str | None:
    if not isinstance(schema, Mapping):
        return None
    if isinstance(schema.get("contentMediaType"), str):
        return str(schema["contentMediaType"])
    if "contentEncoding" in schema or schema.get("format") in ("binary", "base64", "byte"):
        return "application/octet-stream"
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "object" in kinds or (kind is None and "properties" in schema):
        return "application/json"
    if "array" in kinds:
        inner = _default_type(schema.get("items"))
        return inner if inner is not None else "application/json"
    return None


def _header_value(header: Any) -> str | None:
    schema = header.get("schema") if isinstance(header, Mapping) else None
    if not isinstance(schema, Mapping):
        return None
    if "const" in schema:
        value = schema["const"]
    elif isinstance(schema.get("enum"), list) and len(schema["enum"]) == 1:
        value = schema["enum"][0]
    elif "default" in schema:
        value = schema["default"]
    else:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return (
        value if isinstance(value, str) else str(value) if isinstance(value, (int, float)) else None
    )


def part_encodings(schema: Any, encoding: Any) -> Parts:
    """``{property: {"content_type": str, "headers": {name: value}}}`` for every part that needs either."""
    properties = schema.get("properties") if isinstance(schema, Mapping) else None
    names = list(properties) if isinstance(properties, Mapping) else []
    encodings = encoding if isinstance(encoding, Mapping) else {}
    names += [name for name in encodings if name not in names]
    parts: Parts = {}
    for name in names:
        entry = encodings.get(name)
        entry = entry if isinstance(entry, Mapping) else {}
        content_type = entry.get("contentType")
        if isinstance(content_type, str) and content_type.strip():
            content_type = content_type.split(",")[0].strip()  # a list of types: send the first
        else:
            sub = properties.get(name) if isinstance(properties, Mapping) else None
            content_type = _default_type(sub)
        headers: dict[str, str] = {}
        raw_headers = entry.get("headers")
        for header, spec in (raw_headers if isinstance(raw_headers, Mapping) else {}).items():
            value = _header_value(spec)
            if value is not None and str(header).lower() != "content-type":
                headers[str(header)] = value
        if content_type or headers:
            parts[str(name)] = {"content_type": content_type, "headers": headers}
    return parts
