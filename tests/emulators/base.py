"""A real loopback HTTP server that checks every request against an OpenAPI description.

An emulator subclass names its OpenAPI document (``spec_path``) and implements
:meth:`Emulator.handle`. The base class does the rest:

* serves HTTP/1.1 on ``127.0.0.1`` on a free port, from a daemon thread
  (``with SomeEmulator() as emu: emu.url`` -> ``"http://127.0.0.1:PORT"``);
* validates every request with openapi-core (path, method, parameters, security,
  body schema) against the project's own OpenAPI document, whose servers are
  re-pointed at the emulator (the path part of the first server URL is kept).
  A request that does not conform is answered ``400`` with a JSON description and
  recorded in :attr:`Emulator.spec_violations`; the handler never sees it;
* validates every response the handler produces against the same document and
  records a mismatch in :attr:`Emulator.spec_violations` too (the emulator must
  behave as the document says);
* logs every request in :attr:`Emulator.requests`;
* lets tests inject behaviour: :meth:`Emulator.force` queues canned responses
  (consumed one per request, before the handler runs), :meth:`Emulator.force_drop`
  queues a dropped connection, and :meth:`Emulator.skip_validation` lets the next
  requests through without validation (to exercise a documented server answer to
  a request the OpenAPI document forbids).

Leaving the ``with`` block without an exception in flight calls
:meth:`Emulator.assert_no_violations`, so a pytest fixture written as::

    @pytest.fixture
    def highlight():
        with HighlightEmulator() as emu:
            yield emu

fails the test (at teardown) when a request broke the OpenAPI document. A test that
provokes violations on purpose takes them with :meth:`Emulator.take_violations`.
"""

from __future__ import annotations

import copy
import functools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Mapping, Self
from urllib.parse import parse_qs, urlsplit

import yaml
from openapi_spec_validator import validate as validate_spec
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

__all__ = [
    "Emulator",
    "Reply",
    "Request",
    "RecordedRequest",
    "SpecViolationError",
    "SPECS_DIR",
    "json_body",
]

#: The project's ``specs/`` folder.
SPECS_DIR = Path(__file__).resolve().parents[2] / "specs"


class SpecViolationError(AssertionError):
    """Raised by :meth:`Emulator.assert_no_violations`."""


@dataclass(frozen=True)
class Request:
    """An incoming request, as handlers see it."""

    method: str  #: upper case
    path: str  #: without the query string
    query: dict[str, list[str]]
    headers: Headers  #: case-insensitive
    raw_body: bytes
    body: Any  #: parsed JSON when the body is JSON, else the decoded text (None when empty)

    def header(self, name: str, default: str | None = None) -> str | None:
        value = self.headers.get(name)
        return default if value is None else value

    @property
    def bearer_token(self) -> str | None:
        """The token of an ``Authorization: Bearer <token>`` header, else None."""
        value = self.header("Authorization")
        if value is None:
            return None
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return token.strip()


@dataclass(frozen=True)
class RecordedRequest:
    """One entry of :attr:`Emulator.requests`."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  #: header names lower-cased
    body: Any
    raw_body: bytes
    validated: bool  #: False when :meth:`Emulator.skip_validation` let it through
    violations: tuple[str, ...]  #: request violations found (empty when valid)
    status: int | None = None  #: status answered (None for a dropped connection)


@dataclass
class Reply:
    """What a handler answers. ``body`` is JSON-encoded unless it is ``bytes``/``str``."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> tuple[bytes, dict[str, str]]:
        headers = dict(self.headers)
        if self.body is None:
            data = b""
        elif isinstance(self.body, bytes):
            data = self.body
        elif isinstance(self.body, str):
            data = self.body.encode("utf-8")
            headers.setdefault("Content-Type", "text/plain; charset=utf-8")
        else:
            data = json.dumps(self.body).encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        return data, headers


@dataclass
class _Forced:
    reply: Reply | None  #: None: drop the connection without answering
    delay: float


class _OpenAPIRequest:
    """The openapi-core ``Request`` protocol over a :class:`Request`."""

    def __init__(self, host_url: str, request: Request) -> None:
        self.host_url = host_url
        self.path = request.path
        self.method = request.method.lower()
        self.body = request.raw_body
        self.content_type = (request.header("Content-Type") or "").lower()
        cookies: dict[str, str] = {}
        for part in (request.header("Cookie") or "").split(";"):
            name, sep, value = part.strip().partition("=")
            if sep:
                cookies[name] = value
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(
                [(k, v) for k, values in request.query.items() for v in values]
            ),
            header=Headers(list(request.headers.items())),
            cookie=ImmutableMultiDict(cookies),
        )


class _OpenAPIResponse:
    """The openapi-core ``Response`` protocol over an encoded :class:`Reply`."""

    def __init__(self, status: int, data: bytes, headers: Mapping[str, str]) -> None:
        self.status_code = status
        self.data = data
        self.headers = Headers(list(headers.items()))
        self.content_type = (self.headers.get("Content-Type") or "").lower()


def _describe(error: BaseException) -> str:
    """A readable description of an openapi-core validation error."""
    head = str(error)
    cause = error.__cause__
    if cause is not None and str(cause) and head.endswith(": " + str(cause)):
        head = head[: -len(": " + str(cause))]
    parts = [head]
    seen = {id(error)}
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        schema_errors = getattr(cause, "schema_errors", None)
        if schema_errors:
            for schema_error in schema_errors:
                where = "/".join(str(p) for p in getattr(schema_error, "absolute_path", ()))
                message = getattr(schema_error, "message", str(schema_error))
                parts.append(f"at /{where}: {message}" if where else message)
            break
        text = str(cause)
        if text and text not in parts:
            parts.append(text)
        cause = cause.__cause__
    return "; ".join(parts)


def _server_path(url: str, variables: Mapping[str, Any] | None) -> str:
    """The path part of an OpenAPI server URL, its variables replaced by their defaults."""
    for name, spec in (variables or {}).items():
        url = url.replace("{" + name + "}", str(spec.get("default", "")))
    path = urlsplit(url).path if "://" in url else url
    return path.rstrip("/")


@functools.lru_cache(maxsize=None)
def _load_spec(path: Path) -> dict[str, Any]:
    """The parsed OpenAPI document, validated with openapi-spec-validator (cached: do not mutate)."""
    with path.open("r", encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise ValueError(f"{path} is not an OpenAPI document")
    validate_spec(data, base_uri=path.as_uri())
    return data


class Emulator:
    """Base class of the test emulators. Subclasses set :attr:`spec_path` and override :meth:`handle`."""

    #: The OpenAPI document requests are validated against.
    spec_path: Path
    #: Validate the handler's responses against the document as well.
    validate_responses: bool = True

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.spec_violations: list[str] = []
        self.lock = threading.RLock()
        self._forced: deque[_Forced] = deque()
        self._skip_validation = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._openapi: OpenAPI | None = None
        self._host_url = ""
        self.url = ""

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        if self._server is not None:
            raise RuntimeError(f"{type(self).__name__} is already running")
        server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        server.daemon_threads = True
        port = server.server_address[1]
        self._host_url = f"http://127.0.0.1:{port}"
        self.url = self._host_url
        spec = copy.deepcopy(_load_spec(self.spec_path))
        self._repoint_servers(spec)
        # the document is checked with openapi-spec-validator once per process (by _load_spec)
        self._openapi = OpenAPI.from_dict(
            spec,
            # None skips the check (OpenAPI.check_spec tests for it); openapi-core's annotation leaves None out
            config=Config(spec_validator_cls=None),  # type: ignore[arg-type]
            base_uri=self.spec_path.as_uri(),
        )
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{type(self).__name__}@{port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.stop()
        if exc_type is None:
            self.assert_no_violations()

    def _repoint_servers(self, spec: dict[str, Any]) -> None:
        """Point every ``servers`` list of the document at this emulator, keeping the path part."""

        def repoint(servers: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
            if not servers:
                return [{"url": self.url}]
            first = servers[0]
            return [{"url": self.url + _server_path(first["url"], first.get("variables"))}]

        spec["servers"] = repoint(spec.get("servers"))
        for path_item in (spec.get("paths") or {}).values():
            if not isinstance(path_item, dict):
                continue
            if "servers" in path_item:
                path_item["servers"] = repoint(path_item["servers"])
            for operation in path_item.values():
                if isinstance(operation, dict) and "servers" in operation:
                    operation["servers"] = repoint(operation["servers"])

    # ------------------------------------------------------------------ test controls

    def force(
        self,
        status: int,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        *,
        delay: float = 0.0,
        times: int = 1,
    ) -> None:
        """Queue a canned response for the next ``times`` valid requests (FIFO with other forced responses).

        The request is still validated and logged; the handler does not run, so no
        emulator state changes. ``delay`` seconds are waited before answering.
        """
        with self.lock:
            for _ in range(times):
                self._forced.append(_Forced(Reply(status, body, dict(headers or {})), delay))

    def force_drop(self, *, delay: float = 0.0, times: int = 1) -> None:
        """Queue closing the connection without answering (a transport error for the client)."""
        with self.lock:
            for _ in range(times):
                self._forced.append(_Forced(None, delay))

    def skip_validation(self, count: int = 1) -> None:
        """Let the next ``count`` requests reach the handler without OpenAPI request validation."""
        with self.lock:
            self._skip_validation += count

    @property
    def pending_forced(self) -> int:
        with self.lock:
            return len(self._forced)

    def take_violations(self) -> list[str]:
        """Return and clear the recorded violations."""
        with self.lock:
            taken = list(self.spec_violations)
            self.spec_violations.clear()
            return taken

    def assert_no_violations(self) -> None:
        with self.lock:
            violations = list(self.spec_violations)
        if violations:
            raise SpecViolationError(
                f"{type(self).__name__}: {len(violations)} request(s) or response(s) broke "
                f"{self.spec_path.name}:\n  - " + "\n  - ".join(violations)
            )

    def requests_to(self, path: str, method: str = "POST") -> list[RecordedRequest]:
        with self.lock:
            return [r for r in self.requests if r.path == path and r.method == method.upper()]

    # ------------------------------------------------------------------ subclass API

    def handle(self, request: Request) -> Reply:
        """Answer a request that passed validation. Runs under :attr:`lock`."""
        raise NotImplementedError

    # ------------------------------------------------------------------ internals

    def _validate_request(self, request: Request) -> list[str]:
        assert self._openapi is not None
        target = f"{request.method} {request.path}"
        return [
            f"request {target}: {_describe(error)}"
            for error in self._openapi.iter_request_errors(_OpenAPIRequest(self._host_url, request))
        ]

    def _validate_response(
        self, request: Request, status: int, data: bytes, headers: Mapping[str, str]
    ) -> list[str]:
        assert self._openapi is not None
        target = f"{request.method} {request.path}"
        errors = self._openapi.iter_response_errors(
            _OpenAPIRequest(self._host_url, request), _OpenAPIResponse(status, data, headers)
        )
        return [
            f"response {status} to {target} (emulator bug): {_describe(error)}" for error in errors
        ]

    def _serve(self, request: Request) -> tuple[_Forced | None, Reply | None]:
        """Validate, log and answer a request: (the forced entry used or None, the reply or None to drop)."""
        reply: Reply | None
        with self.lock:
            validated = self._skip_validation == 0
            if not validated:
                self._skip_validation -= 1
            violations = self._validate_request(request) if validated else []
            forced = self._forced.popleft() if not violations and self._forced else None
            if violations:
                self.spec_violations.extend(violations)
                reply = Reply(
                    400,
                    {
                        "error": "request does not conform to the OpenAPI description",
                        "spec": self.spec_path.name,
                        "violations": violations,
                    },
                )
            elif forced is not None:
                reply = forced.reply
            else:
                try:
                    reply = self.handle(request)
                except Exception as error:  # an emulator bug: report it loudly
                    message = f"emulator error on {request.method} {request.path}: {error!r}"
                    self.spec_violations.append(message)
                    reply = Reply(500, {"error": message})
                else:
                    if self.validate_responses:
                        data, headers = reply.encode()
                        self.spec_violations.extend(
                            self._validate_response(request, reply.status, data, headers)
                        )
            self.requests.append(
                RecordedRequest(
                    method=request.method,
                    path=request.path,
                    query=request.query,
                    headers={k.lower(): v for k, v in request.headers.items()},
                    body=request.body,
                    raw_body=request.raw_body,
                    validated=validated,
                    violations=tuple(violations),
                    status=reply.status if reply is not None else None,
                )
            )
            return forced, reply


def _parse_body(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    if "json" in content_type.lower() or not content_type:
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _make_handler(emulator: Emulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # answers are written in pieces: no delayed-ACK stalls
        server_version = "ArazzoTestEmulator/1.0"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _read_body(self) -> bytes:
            if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                chunks = []
                while True:
                    size_line = self.rfile.readline().strip()
                    size = int(size_line.split(b";")[0] or b"0", 16)
                    if size == 0:
                        while self.rfile.readline().strip():  # trailers
                            pass
                        break
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
                return b"".join(chunks)
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _dispatch(self) -> None:
            split = urlsplit(self.path)
            raw = self._read_body()
            headers = Headers(list(self.headers.items()))
            request = Request(
                method=self.command.upper(),
                path=split.path or "/",
                query=parse_qs(split.query, keep_blank_values=True),
                headers=headers,
                raw_body=raw,
                body=_parse_body(raw, headers.get("Content-Type") or ""),
            )
            forced, reply = emulator._serve(request)
            if forced is not None and forced.delay:
                time.sleep(forced.delay)
            if reply is None:  # forced drop
                self.close_connection = True
                try:
                    self.connection.shutdown(2)
                except OSError:
                    pass
                return
            data, extra = reply.encode()
            self.send_response(reply.status)
            for name, value in extra.items():
                if name.lower() != "content-length":
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_TRACE = (
            _dispatch
        )

    return Handler


def json_body(request: Request) -> dict[str, Any]:
    """The request body when it is a JSON object, else an empty dict."""
    return request.body if isinstance(request.body, dict) else {}


# ---------------------------------------------------------------------- GraphQL helpers


def load_graphql_schema(
    sdl_path: Path, scalars: Mapping[str, Mapping[str, Any]] | None = None
) -> Any:
    """Build a graphql-core schema from an SDL file; ``scalars`` maps a scalar name to
    ``serialize`` / ``parse_value`` / ``parse_literal`` functions to install on it."""
    from graphql import build_schema

    schema = build_schema(sdl_path.read_text(encoding="utf-8"))
    for name, functions in (scalars or {}).items():
        scalar = schema.type_map[name]
        for attribute, function in functions.items():
            setattr(scalar, attribute, function)
    return schema


def any_scalar() -> dict[str, Any]:
    """Functions of a JSON pass-through scalar (``scalar Any``)."""
    from graphql import value_from_ast_untyped

    def identity(value: Any) -> Any:
        return value

    return {
        "serialize": identity,
        "parse_value": identity,
        "parse_literal": lambda node, variables=None: value_from_ast_untyped(node, variables),
    }


def execute_graphql(schema: Any, request: Request, context: Any) -> Reply:
    """Run a GraphQL-over-HTTP request; answers 200 with ``{data, errors}`` like a GraphQL server,
    also for documents that do not parse or validate (``data`` is then null)."""
    from graphql import graphql_sync

    body = json_body(request)
    query = body.get("query")
    if not isinstance(query, str):
        return Reply(
            400, {"data": None, "errors": [{"message": "the request has no GraphQL query"}]}
        )
    variables = body.get("variables")
    operation_name = body.get("operationName")
    result = graphql_sync(
        schema,
        query,
        variable_values=variables if isinstance(variables, dict) else None,
        operation_name=operation_name if isinstance(operation_name, str) else None,
        context_value=context,
    )
    return Reply(200, result.formatted)
