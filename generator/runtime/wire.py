"""Turning a step's compiled request into an httpx.Request: servers, parameters, body, credentials."""

from __future__ import annotations

import base64
import importlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from .context import Exchange
from .errors import ArazzoError
from .params import (
    cookie_text,
    encode_query,
    scalar_text,
    serialize_cookie,
    serialize_header,
    serialize_path,
    serialize_query,
)
from .spec import Operation, Registry, Request, SecurityScheme
from .values import MISSING, prune
from .vault import MASK, Secret, mask_text, secret_forms

__all__ = ["MASK", "Credential", "Prepared", "Settings", "authorize", "build", "secret_forms"]


@dataclass(frozen=True)
class Settings:
    """A client's configuration as the driver sees it; ``credentials`` never leave this object in text."""

    base_url: str | None = None
    servers: Mapping[str, str] = field(default_factory=dict)
    credentials: Mapping[str, Secret] = field(default_factory=dict, repr=False)
    headers: Mapping[str, str] = field(default_factory=dict)
    timeout: float = 30.0
    max_steps: int = 1000
    validate_requests: bool = False
    max_retry_after: float = 120.0
    max_body_size: int = 100 * 1024 * 1024

    @property
    def vault(self) -> tuple[Secret, ...]:
        return tuple(self.credentials.values())


@dataclass(frozen=True)
class Credential:
    """One credential to apply to a request at the moment it is sent (``where``: header, query, cookie)."""

    where: str
    name: str
    secret: Secret
    scheme: str = ""  # "Bearer" or "Basic" for an Authorization header


@dataclass(frozen=True)
class Prepared:
    """A request without its credentials, and the credentials :func:`authorize` adds to it."""

    request: httpx.Request
    credentials: tuple[Credential, ...] = ()


def authorize(prepared: Prepared) -> httpx.Request:
    """The request as sent, credentials applied. Call it only in the frame that sends the request."""
    request = prepared.request
    if not prepared.credentials:
        return request
    headers = httpx.Headers(request.headers)
    url = request.url
    cookies: list[str] = []
    for credential in prepared.credentials:
        value = credential.secret.reveal()
        if credential.where == "query":
            url = _with_query(url, [(quote(credential.name, safe=""), quote(value, safe=""))])
        elif credential.where == "cookie":
            cookies.append(f"{credential.name}={cookie_text(value)}")
        elif credential.scheme == "Basic":
            token = base64.b64encode(value.encode("utf-8", "surrogatepass")).decode("ascii")
            headers[credential.name] = f"Basic {token}"
        elif credential.scheme:
            headers[credential.name] = f"{credential.scheme} {value}"
        else:
            headers[credential.name] = value
        del value
    if cookies:
        existing = headers.get("Cookie")
        headers["Cookie"] = "; ".join(([existing] if existing else []) + cookies)
    return httpx.Request(
        request.method,
        url,
        headers=headers,
        content=request.content,
        extensions=dict(request.extensions),
    )


def server_url(
    settings: Settings, registry: Registry, source_name: str, own: str | None = None
) -> str:
    """``Client(servers=...)`` for the source (``"<module>.<name>"``, the source of the document ``registry``
    holds, before the bare name), else ``base_url``, else the operation's own server (OpenAPI operation or
    path-item ``servers``), else the description's first server."""
    qualified = f"{registry.name}.{source_name}"
    if registry.name and qualified in settings.servers:
        return settings.servers[qualified]
    if source_name in settings.servers:
        return settings.servers[source_name]
    if settings.base_url is not None:
        return settings.base_url
    if own and own.startswith(("http://", "https://")):
        return own
    source = registry.source(source_name)
    if source is None or not source.server or not source.server.startswith(("http://", "https://")):
        of = f" of module {registry.name!r}" if registry.name else ""
        raise ArazzoError(
            f"no server URL for source description {source_name!r}{of}: "
            "pass Client(base_url=...) or Client(servers={...})"
        )
    return source.server


def _credentials_for(operation: Operation, settings: Settings) -> tuple[SecurityScheme, ...]:
    """The first security alternative fully covered by the client's credentials.

    An empty alternative (``{}``: authentication optional) is taken only when no other is covered, so a
    client that has a credential sends it.
    """
    covered = [
        alternative
        for alternative in operation.security
        if all(scheme.name in settings.credentials for scheme in alternative)
    ]
    return next((alternative for alternative in covered if alternative), ())


def _encode_body(
    body: Any,
    content_type: str | None,
    parts: Mapping[str, tuple[str | None, Mapping[str, str]]] | None = None,
) -> dict[str, Any]:
    media = (content_type or "application/json").split(";")[0].strip().lower()
    headers = {"Content-Type": content_type or "application/json"}
    if media == "application/json" or media.endswith("+json"):
        # A string payload is the JSON text itself (often a template), not a JSON string to encode.
        text = body if isinstance(body, str) else json.dumps(body)
        return {"content": text.encode("utf-8"), "headers": headers}
    if media == "application/x-www-form-urlencoded" and isinstance(body, Mapping):
        pairs = [(str(k), _form_value(v)) for k, v in body.items()]
        return {"content": urlencode(pairs).encode("utf-8"), "headers": headers}
    if media == "multipart/form-data" and isinstance(body, Mapping):
        files = {str(k): _part(str(k), v, (parts or {}).get(str(k))) for k, v in body.items()}
        return {"files": files, "headers": {}}
    if isinstance(body, bytes):
        return {"content": body, "headers": headers}
    text = body if isinstance(body, str) else json.dumps(body)
    return {"content": text.encode("utf-8"), "headers": headers}


def request_problems(operation: Operation, body: Any) -> list[str]:
    """How a JSON request body violates the operation's request schema, one message per problem."""
    if operation.request_schema is None or body is MISSING:
        return []
    validator = _jsonschema().Draft202012Validator(operation.request_schema)
    problems = []
    for error in sorted(validator.iter_errors(body), key=lambda e: list(map(str, e.absolute_path))):
        where = "/" + "/".join(str(part) for part in error.absolute_path)
        problems.append(f"request body {where}: {error.message}")
    return problems


def _jsonschema() -> Any:
    return importlib.import_module("jsonschema")


def _as_sent(body: Any) -> Any:
    """The body ``$request.body`` reads: JSON text is parsed so pointers reach into it."""
    if isinstance(body, str):
        try:
            return json.loads(body)
        except ValueError:
            return body
    return body


def _part(
    name: str, value: Any, encoding: tuple[str | None, Mapping[str, str]] | None
) -> tuple[str | None, bytes, str | None, dict[str, str]]:
    """One multipart part: (file name, content, Content-Type, headers), as httpx takes it. A part sent as
    ``application/octet-stream`` or another non-text, non-JSON type is file content, named after its
    property (RFC 7578 4.2: a file's part SHOULD carry a file name)."""
    content = value if isinstance(value, bytes) else _form_value(value).encode("utf-8")
    content_type, headers = encoding if encoding is not None else (None, {})
    media = (content_type or "").split(";")[0].strip().lower()
    is_file = bool(media) and not (
        media.startswith("text/") or media == "application/json" or media.endswith("+json")
    )
    return (name if is_file else None, content, content_type, dict(headers))


def _form_value(value: Any) -> str:
    return json.dumps(value) if isinstance(value, (dict, list)) else scalar_text(value)


def scrub(text: str, settings: Settings) -> str:
    """``text`` with every credential of ``settings`` (in any of its forms) replaced by ``***``."""
    return mask_text(text, settings.vault)


def scrub_value(value: Any, settings: Settings) -> Any:
    """A JSON value with every credential masked in its strings (a response may echo one back)."""
    if isinstance(value, str):
        return scrub(value, settings)
    if isinstance(value, dict):
        return {scrub(str(k), settings): scrub_value(v, settings) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_value(item, settings) for item in value]
    return value


def _with_query(url: httpx.URL, pairs: list[tuple[str, str]]) -> httpx.URL:
    """``url`` with already percent-encoded pairs appended to its query, sent as they are."""
    text = "&".join(f"{name}={value}" for name, value in pairs)
    existing = url.query.decode("ascii")
    return url.copy_with(query=(f"{existing}&{text}" if existing else text).encode("ascii"))


class Unsendable(Exception):
    """The step's request cannot be built (a path parameter without a value); the step fails."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_TEMPLATE = re.compile(r"\{([^{}/]+)\}")


def build(
    operation: Operation, compiled: Request, settings: Settings, registry: Registry
) -> tuple[Prepared, Exchange, str]:
    """The request to send (credentials still apart), the exchange expressions read, the trace URL.

    ``$url`` is the URL as sent (the contract's rule; kept as a :class:`Secret` when it holds one);
    ``$request.header``, ``$request.query`` and the trace show ``***`` in place of credentials.
    """
    path_values: dict[str, Any] = {}
    query: list[tuple[str, str]] = []
    encoded: list[tuple[str, str]] = []
    cookies: list[tuple[str, str]] = []
    headers = httpx.Headers(dict(settings.headers))
    path = operation.path
    for location, name, value in compiled.params:
        if value is MISSING:
            continue
        spec = operation.param(location, name)
        if location == "path":
            path_values[name] = value
            path = path.replace("{" + name + "}", serialize_path(value, spec))
        elif location == "query":
            query.extend(serialize_query(value, spec))
            encoded.extend(encode_query(value, spec))
        elif location == "header":
            headers[name] = serialize_header(value, spec)
        elif location == "cookie":
            cookies.extend(serialize_cookie(value, spec))
    unfilled = _TEMPLATE.findall(path)
    if unfilled:
        names = ", ".join(repr(name) for name in unfilled)
        raise Unsendable(f"path parameter {names} has no value (not sent: {operation.path})")
    # What $request.* expressions see: the request with every credential shown as ***.
    seen_query, seen_cookies, seen_headers = list(query), list(cookies), httpx.Headers(headers)
    applied: list[Credential] = []
    for scheme in _credentials_for(operation, settings):
        secret = settings.credentials[scheme.name]
        if scheme.type == "http":
            kind = "Basic" if scheme.scheme.lower() == "basic" else "Bearer"
            applied.append(Credential("header", "Authorization", secret, kind))
            seen_headers["Authorization"] = f"{kind} {MASK}"
        elif scheme.location == "query":
            applied.append(Credential("query", scheme.param_name, secret))
            seen_query.append((scheme.param_name, MASK))
        elif scheme.location == "cookie":
            applied.append(Credential("cookie", scheme.param_name, secret))
            seen_cookies.append((scheme.param_name, MASK))
        else:
            applied.append(Credential("header", scheme.param_name, secret))
            seen_headers[scheme.param_name] = MASK
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies)
    if seen_cookies:
        seen_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in seen_cookies)
    joined = join_url(server_url(settings, registry, operation.source, operation.server), path)
    try:
        url = httpx.URL(joined)
    except httpx.InvalidURL as exc:
        raise ArazzoError(
            f"invalid server URL for source description {operation.source!r}: {exc}"
        ) from None
    if encoded:
        url = _with_query(url, encoded)
    shown = url
    secret_query = [(quote(c.name, safe=""), MASK) for c in applied if c.where == "query"]
    if secret_query:
        shown = _with_query(url, secret_query)
    body = prune(compiled.body) if compiled.has_body else MISSING
    options: dict[str, Any] = {}
    if compiled.has_body and body is not MISSING:
        options = _encode_body(body, compiled.content_type, operation.parts)
        for key, value in options.pop("headers").items():
            headers.setdefault(key, value)
            seen_headers.setdefault(key, value)
    request = httpx.Request(operation.method, url, headers=headers, **options)
    request.read()  # a multipart stream becomes bytes, so authorize() can copy the request
    exchange = Exchange(
        operation.method, str(shown), path_values, seen_query, seen_headers, _as_sent(body)
    )
    if secret_query:
        exchange.sent_url = Secret(str(authorize(Prepared(request, tuple(applied))).url))
    return Prepared(request, tuple(applied)), exchange, str(shown)


def join_url(server: str, path: str) -> str:
    """OpenAPI's rule: the path is appended to the server URL (a trailing ``/`` of the server dropped)."""
    return server.rstrip("/") + ("/" + path.lstrip("/") if path else "")
