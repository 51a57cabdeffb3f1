"""OpenAPI descriptions: validation with openapi-spec-validator and operations with references resolved."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostics, one_line
from .api import ApiOperation, ApiParameter, ApiSecurityScheme
from .multipart import part_encodings
from .positioned import JsonPath, Positioned
from .refs import DocLoader, Referring, RefError, broken_refs, deref, inline
from .validation import Finding, finding, validator_findings

_IGNORED_HEADERS = ("accept", "content-type", "authorization")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def validate_openapi(
    doc: Positioned, load: DocLoader, referring: Referring | None = None
) -> tuple[bool, list[Finding]]:
    """openapi-spec-validator's findings and unresolvable ``$ref``s, each at the offending node, and whether
    the document is an OpenAPI 3.0/3.1 description whose operations can be indexed (even with findings:
    whether one matters depends on the operations workflows use)."""
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("openapi"), str):
        at: JsonPath = ("openapi",) if isinstance(data, dict) and "openapi" in data else ()
        why = "not an OpenAPI 3.x description (no 'openapi' version field)"
        return False, [finding(doc, at, why, "openapi-valid")]
    version = data["openapi"]
    if not re.match(r"3\.[01]\.", version):
        why = f"OpenAPI {version} is not supported (3.0 or 3.1)"
        return False, [finding(doc, ("openapi",), why, "openapi-valid")]
    unloaded: list[Path] = []

    def tracking(file: Path, where: Positioned, at: JsonPath) -> Positioned | None:
        loaded = referring(file, where, at) if referring else load(file)
        if loaded is None:
            unloaded.append(file)
        return loaded

    broken = broken_refs(doc, load, tracking)
    found = [
        finding(where, at, f"invalid OpenAPI description: {why}", "openapi-ref")
        for where, at, why in broken
    ]
    try:
        found += validator_findings(doc, version, load, structure_only=bool(broken or unloaded))
    except Exception as exc:  # the validator itself may fail (a reference it cannot follow)
        why = f"OpenAPI description cannot be fully validated: {one_line(str(exc))[:300]}"
        found.append(finding(doc, (), why, "openapi-valid"))
    return True, found


def default_server(doc: Positioned) -> str | None:
    """The first server URL with its variables set to their defaults."""
    return first_server(doc.data.get("servers") if isinstance(doc.data, dict) else None)


def first_server(servers: Any) -> str | None:
    """The first of a ``servers`` list, its variables set to their defaults; None when there is none."""
    if not isinstance(servers, list) or not servers or not isinstance(servers[0], dict):
        return None
    server = servers[0]
    url = str(server.get("url", ""))
    variables = server.get("variables")
    for name, variable in (variables if isinstance(variables, dict) else {}).items():
        if isinstance(variable, dict) and "default" in variable:
            url = url.replace("{" + name + "}", str(variable["default"]))
    return url


def _security(
    doc: Positioned, requirements: Any, load: DocLoader
) -> tuple[tuple[ApiSecurityScheme, ...], ...]:
    schemes = (
        ((doc.data.get("components") or {}).get("securitySchemes") or {})
        if isinstance(doc.data, dict)
        else {}
    )
    alternatives = []
    for requirement in requirements or []:
        if not isinstance(requirement, dict):
            continue
        chosen = []
        for name in requirement:
            _, _, scheme = _soft_deref(
                doc, schemes.get(name), load, ("components", "securitySchemes", name)
            )
            if not isinstance(scheme, dict):
                continue
            kind = scheme.get("type")
            if kind == "http":
                chosen.append(
                    ApiSecurityScheme(name, "http", scheme=str(scheme.get("scheme", "bearer")))
                )
            elif kind == "apiKey":
                location, param = str(scheme.get("in", "header")), str(scheme.get("name", ""))
                chosen.append(
                    ApiSecurityScheme(name, "apiKey", location=location, param_name=param)
                )
            elif kind in ("oauth2", "openIdConnect"):
                # The credential is the access token the application obtained: sent as a bearer token.
                chosen.append(ApiSecurityScheme(name, "http", scheme="bearer"))
            # mutualTLS needs no credential here: the certificate belongs to Client(http=...).
        alternatives.append(tuple(chosen))
    return tuple(alternatives)


def _soft_deref(
    doc: Positioned, value: Any, load: DocLoader, at: JsonPath
) -> tuple[Positioned, JsonPath, Any]:
    """``deref``, with a broken reference read as an empty object (validation reports it at its node)."""
    try:
        return deref(doc, value, load, at)
    except RefError:
        return doc, at, {}


def _parameter(doc: Positioned, raw: Any, at: JsonPath, load: DocLoader) -> ApiParameter | None:
    target, path, value = _soft_deref(doc, raw, load, at)
    if not isinstance(value, dict) or "name" not in value or "in" not in value:
        return None
    if value["in"] not in ("path", "query", "header", "cookie"):
        return None  # not a parameter the operation can take; validation reports it at its node
    if value["in"] == "header" and str(value["name"]).lower() in _IGNORED_HEADERS:
        return None  # OpenAPI: such header parameter definitions SHALL be ignored
    schema = inline(target, value.get("schema") or {}, load, path + ("schema",), tolerant=True)
    explode = value.get("explode")
    return ApiParameter(
        name=str(value["name"]),
        location=str(value["in"]),
        required=bool(value.get("required", False)),
        style=str(value.get("style", "")),
        explode=explode if isinstance(explode, bool) else None,
        schema=schema if isinstance(schema, dict) else {},
    )


def _content_schemas(
    doc: Positioned, content: Any, at: JsonPath, load: DocLoader
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if not isinstance(content, dict):
        return result
    for media, body in content.items():
        schema = body.get("schema") if isinstance(body, dict) else None
        result[str(media)] = (
            inline(doc, schema, load, at + (media, "schema"), tolerant=True)
            if schema is not None
            else {}
        )
    return result


def _multipart_parts(
    doc: Positioned, body: Any, at: JsonPath, load: DocLoader, request: dict[str, Any]
) -> tuple[tuple[str, str | None, tuple[tuple[str, str], ...]], ...]:
    """How the parts of a ``multipart/form-data`` body are sent (:mod:`.multipart`)."""
    content = body.get("content") if isinstance(body, dict) else None
    media = content.get("multipart/form-data") if isinstance(content, dict) else None
    if not isinstance(media, dict):
        return ()
    at = at + ("content", "multipart/form-data", "encoding")
    encoding = inline(doc, media.get("encoding") or {}, load, at, tolerant=True)
    parts = part_encodings(request.get("multipart/form-data"), encoding)
    return tuple(
        (name, part["content_type"], tuple(sorted(part["headers"].items())))
        for name, part in parts.items()
    )


# The nodes an operation is made of (the operation, its path item's parameters and servers, the
# description's servers, the security schemes it names): where a problem matters to a workflow that uses it, keyed by id() of the ApiOperation.
OperationNodes = dict[int, tuple[ApiOperation, tuple[tuple[Positioned, JsonPath], ...]]]


def operations(
    doc: Positioned,
    source: str,
    load: DocLoader,
    diagnostics: Diagnostics,
    nodes: OperationNodes | None = None,
    unreadable: list[JsonPath] | None = None,
) -> tuple[ApiOperation, ...]:
    """The operations of ``doc``; ``unreadable`` receives the paths of path items behind a broken
    ``$ref`` (whose operations cannot be known)."""
    data = doc.data if isinstance(doc.data, dict) else {}
    found: list[ApiOperation] = []
    for path, raw_item in (data.get("paths") or {}).items():
        try:
            item_doc, item_at, item = deref(doc, raw_item, load, ("paths", path))
            if not isinstance(item, dict):
                continue
            shared = [
                p
                for i, raw in enumerate(item.get("parameters") or [])
                if (p := _parameter(item_doc, raw, item_at + ("parameters", i), load))
            ]
            for method in METHODS:
                op = item.get(method)
                if not isinstance(op, dict):
                    continue
                at = item_at + (method,)
                own = [
                    p
                    for i, raw in enumerate(op.get("parameters") or [])
                    if (p := _parameter(item_doc, raw, at + ("parameters", i), load))
                ]
                keys = {(p.name, p.location) for p in own}
                params = tuple([p for p in shared if (p.name, p.location) not in keys] + own)
                body_doc, body_at, body = _soft_deref(
                    item_doc, op.get("requestBody") or {}, load, at + ("requestBody",)
                )
                request = _content_schemas(
                    body_doc, body.get("content"), body_at + ("content",), load
                )
                multipart = _multipart_parts(body_doc, body, body_at, load, request)
                responses: dict[str, Any] = {}
                for status, raw_response in (op.get("responses") or {}).items():
                    r_doc, r_at, response = _soft_deref(
                        item_doc, raw_response, load, at + ("responses", str(status))
                    )
                    if isinstance(response, dict):
                        content = _content_schemas(
                            r_doc, response.get("content"), r_at + ("content",), load
                        )
                        json_schema = next((s for m, s in content.items() if "json" in m), None)
                        responses[str(status)] = json_schema if json_schema is not None else {}
                security = op["security"] if "security" in op else data.get("security")
                operation = ApiOperation(
                    source=source,
                    operation_id=str(op["operationId"]) if "operationId" in op else None,
                    method=method.upper(),
                    path=str(path),
                    parameters=params,
                    request_content=request,
                    responses=responses,
                    security=_security(doc, security, load),
                    location=item_doc.loc(at),
                    server=first_server(op.get("servers")) or first_server(item.get("servers")),
                    multipart_parts=multipart,
                )
                found.append(operation)
                if nodes is not None:
                    schemes = [
                        (doc, ("components", "securitySchemes", str(name)))
                        for requirement in (security if isinstance(security, list) else [])
                        if isinstance(requirement, dict)
                        for name in requirement
                    ]
                    parts = [
                        (item_doc, at),
                        (item_doc, item_at + ("parameters",)),
                        (item_doc, item_at + ("servers",)),
                        (doc, ("servers",)),
                    ] + schemes
                    nodes[id(operation)] = (operation, tuple(parts))
        except (
            RefError
        ):  # a path item behind a broken $ref: validate_openapi reported it at its node
            if unreadable is not None:
                unreadable.append(("paths", path))
    return tuple(found)
