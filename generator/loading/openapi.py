"""OpenAPI descriptions: validation with openapi-spec-validator and operations with references resolved."""

from __future__ import annotations

import re
from typing import Any

from jsonschema.exceptions import best_match
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

from ..diagnostics import Diagnostics
from ..model import ApiOperation, ApiParameter, ApiSecurityScheme
from .positioned import JsonPath, Positioned
from .refs import DocLoader, RefError, broken_refs, deref, inline

_IGNORED_HEADERS = ("accept", "content-type", "authorization")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def validate_openapi(doc: Positioned, diagnostics: Diagnostics, load: DocLoader) -> bool:
    """Report openapi-spec-validator's findings at the offending node; True when the document is an OpenAPI
    3.0/3.1 description whose operations can be indexed (even with findings, so references still resolve).
    """
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("openapi"), str):
        diagnostics.error(
            doc.loc(),
            "not an OpenAPI 3.x description (no 'openapi' version field)",
            "openapi-valid",
        )
        return False
    version = data["openapi"]
    if not re.match(r"3\.[01]\.", version):
        diagnostics.error(
            doc.loc(("openapi",)),
            f"OpenAPI {version} is not supported (3.0 or 3.1)",
            "openapi-valid",
        )
        return False
    broken = broken_refs(doc, load)
    for where, why in broken:
        diagnostics.error(doc.loc(where), f"invalid OpenAPI description: {why}", "openapi-ref")
    if broken:
        return True  # the validator would stop at the first one; operations are still indexed
    validator_class = (
        OpenAPIV30SpecValidator if version.startswith("3.0") else OpenAPIV31SpecValidator
    )
    try:
        errors = list(validator_class(data, base_uri=doc.file.resolve().as_uri()).iter_errors())
    except Exception as exc:  # the validator itself may fail on unresolvable references
        diagnostics.error(
            doc.loc(), f"OpenAPI description cannot be validated: {exc}", "openapi-valid"
        )
        return False
    for error in errors:
        if getattr(error, "context", None):
            # "not valid under any of the given schemas": report the most relevant branch instead.
            error = best_match(error.context) or error
        at: JsonPath = tuple(getattr(error, "absolute_path", ()) or ())
        message = getattr(error, "message", str(error)).splitlines()[0]
        diagnostics.error(doc.loc(at), f"invalid OpenAPI description: {message}", "openapi-valid")
    return True


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
            _, _, scheme = deref(
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


def _parameter(doc: Positioned, raw: Any, at: JsonPath, load: DocLoader) -> ApiParameter | None:
    target, path, value = deref(doc, raw, load, at)
    if not isinstance(value, dict) or "name" not in value or "in" not in value:
        return None
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


def operations(
    doc: Positioned, source: str, load: DocLoader, diagnostics: Diagnostics
) -> tuple[ApiOperation, ...]:
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
                body_doc, body_at, body = deref(
                    item_doc, op.get("requestBody") or {}, load, at + ("requestBody",)
                )
                request = _content_schemas(
                    body_doc, body.get("content"), body_at + ("content",), load
                )
                responses: dict[str, Any] = {}
                for status, raw_response in (op.get("responses") or {}).items():
                    r_doc, r_at, response = deref(
                        item_doc, raw_response, load, at + ("responses", str(status))
                    )
                    if isinstance(response, dict):
                        content = _content_schemas(
                            r_doc, response.get("content"), r_at + ("content",), load
                        )
                        json_schema = next((s for m, s in content.items() if "json" in m), None)
                        responses[str(status)] = json_schema if json_schema is not None else {}
                security = op["security"] if "security" in op else data.get("security")
                found.append(
                    ApiOperation(
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
                    )
                )
        except RefError:
            continue  # a path item behind a broken $ref: validate_openapi reported it at its node
    return tuple(found)
