"""Emulator of Highlight's public GraphQL ingestion endpoint (``POST https://pub.highlight.io/``).

The GraphQL documents are executed by graphql-core over ``highlight.graphql``: the
five mutations the seed workflows send, with the argument types they declare.
Like a real GraphQL server, documents that do not parse or validate, variables
of the wrong type and resolver failures (an unknown session secure id, an
unknown project when ``projects`` is given) are answered HTTP 200 with an
``errors`` array and the failing field null.

State for assertions (all keyed by session secure id unless said otherwise):

* ``sessions``: ``dict[str, HighlightSession]``: sessions minted by initializeSession
  (or :meth:`HighlightEmulator.open_session`), in creation order;
* ``track_properties``: ``dict[str, list[Any]]``: ``properties_object`` values of addTrackProperties;
* ``payloads``: ``dict[str, list[HighlightPayload]]``: pushPayload calls;
* ``backend_setups``: ``list[BackendSetup]``: markBackendSetup calls;
* ``backend_errors``: ``dict[str, list[dict]]``: pushBackendPayload errors by project id.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from graphql import GraphQLError, StringValueNode

from .base import (
    SPECS_DIR,
    Emulator,
    Reply,
    Request,
    any_scalar,
    execute_graphql,
    load_graphql_schema,
)

__all__ = ["HighlightEmulator", "HighlightSession", "HighlightPayload", "BackendSetup"]

SDL_PATH = Path(__file__).with_name("highlight.graphql")
_ALPHABET = string.ascii_letters + string.digits


@dataclass
class HighlightSession:
    secure_id: str
    project_id: str
    organization_verbose_id: str
    enable_strict_privacy: bool = False
    client_version: str = ""
    firstload_version: str = ""
    client_config: str = ""
    environment: str = ""
    client_id: str = ""


@dataclass
class HighlightPayload:
    payload_id: str | None
    events: list[Any]
    messages: str
    errors: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class BackendSetup:
    project_id: str
    session_secure_id: str | None
    type: str


def _parse_timestamp(value: Any) -> str:
    if not isinstance(value, str):
        raise GraphQLError(f"Timestamp must be an RFC 3339 string, got {value!r}")
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise GraphQLError(f"Timestamp must be an RFC 3339 string, got {value!r}") from None
    return value


def _parse_timestamp_literal(node: Any, variables: Any = None) -> str:
    if not isinstance(node, StringValueNode):
        raise GraphQLError("Timestamp must be an RFC 3339 string")
    return _parse_timestamp(node.value)


def _build_schema() -> Any:
    schema = load_graphql_schema(
        SDL_PATH,
        {
            "Any": any_scalar(),
            "Timestamp": {
                "serialize": lambda value: value,
                "parse_value": _parse_timestamp,
                "parse_literal": _parse_timestamp_literal,
            },
        },
    )
    fields = schema.mutation_type.fields
    fields["initializeSession"].resolve = (
        lambda _root, info, **args: info.context._initialize_session(**args)
    )
    fields["addTrackProperties"].resolve = (
        lambda _root, info, **args: info.context._add_track_properties(**args)
    )
    fields["pushPayload"].resolve = lambda _root, info, **args: info.context._push_payload(**args)
    fields["markBackendSetup"].resolve = (
        lambda _root, info, **args: info.context._mark_backend_setup(**args)
    )
    fields["pushBackendPayload"].resolve = (
        lambda _root, info, **args: info.context._push_backend_payload(**args)
    )
    schema.query_type.fields["ignore"].resolve = lambda _root, _info: True
    return schema


_SCHEMA = _build_schema()


class HighlightEmulator(Emulator):
    """``HighlightEmulator(projects=None)``.

    ``projects``: project verbose ids the emulator knows. When given, initializeSession,
    markBackendSetup and pushBackendPayload for any other project fail with a GraphQL
    error; when None (the default) every project id is accepted.
    """

    spec_path = SPECS_DIR / "highlight" / "openapi" / "highlight-session-ingestion-api-openapi.yml"
    schema = _SCHEMA

    def __init__(self, projects: Iterable[str] | None = None) -> None:
        super().__init__()
        self.projects: set[str] | None = set(projects) if projects is not None else None
        self.sessions: dict[str, HighlightSession] = {}
        self.track_properties: dict[str, list[Any]] = {}
        self.payloads: dict[str, list[HighlightPayload]] = {}
        self.backend_setups: list[BackendSetup] = []
        self.backend_errors: dict[str, list[dict[str, Any]]] = {}

    # ------------------------------------------------------------------ helpers for tests

    def open_session(self, project_id: str = "1", **client: Any) -> str:
        """Mint a session directly (as initializeSession would) and return its secure id."""
        with self.lock:
            return self._initialize_session(organization_verbose_id=project_id, **client)[
                "secure_id"
            ]

    def events(self, secure_id: str) -> list[Any]:
        """Every rrweb event pushed for a session, in order."""
        with self.lock:
            return [
                event for payload in self.payloads.get(secure_id, []) for event in payload.events
            ]

    # ------------------------------------------------------------------ HTTP

    def handle(self, request: Request) -> Reply:
        return execute_graphql(self.schema, request, self)

    # ------------------------------------------------------------------ resolvers

    def _check_project(self, project_id: str) -> None:
        if self.projects is not None and project_id not in self.projects:
            raise GraphQLError(f"project not found: {project_id}")

    def _session(self, secure_id: str) -> HighlightSession:
        session = self.sessions.get(secure_id)
        if session is None:
            raise GraphQLError(f"session not found: {secure_id}")
        return session

    def _initialize_session(self, organization_verbose_id: str, **client: Any) -> dict[str, str]:
        self._check_project(organization_verbose_id)
        secure_id = "".join(secrets.choice(_ALPHABET) for _ in range(28))
        while secure_id in self.sessions:  # pragma: no cover - astronomically unlikely
            secure_id = "".join(secrets.choice(_ALPHABET) for _ in range(28))
        self.sessions[secure_id] = HighlightSession(
            secure_id=secure_id,
            project_id=organization_verbose_id,
            organization_verbose_id=organization_verbose_id,
            **client,
        )
        self.track_properties[secure_id] = []
        self.payloads[secure_id] = []
        return {"secure_id": secure_id, "project_id": organization_verbose_id}

    def _add_track_properties(self, session_secure_id: str, properties_object: Any = None) -> None:
        self._session(session_secure_id)
        self.track_properties[session_secure_id].append(properties_object)
        return None

    def _push_payload(
        self,
        session_secure_id: str,
        events: dict[str, Any],
        messages: str,
        errors: list[Any],
        payload_id: str | None = None,
    ) -> int:
        self._session(session_secure_id)
        stored = list(events.get("events") or [])
        self.payloads[session_secure_id].append(
            HighlightPayload(
                payload_id=payload_id,
                events=stored,
                messages=messages,
                errors=[dict(e) for e in errors if e is not None],
            )
        )
        return len(stored)

    def _mark_backend_setup(
        self, type: str, project_id: str | None = None, session_secure_id: str | None = None
    ) -> str:
        if session_secure_id is not None:
            session = self._session(session_secure_id)
            project_id = project_id if project_id is not None else session.project_id
        if project_id is None:
            raise GraphQLError("markBackendSetup needs a project_id or a session_secure_id")
        self._check_project(project_id)
        self.backend_setups.append(BackendSetup(project_id, session_secure_id, type))
        return project_id

    def _push_backend_payload(self, project_id: str, errors: list[Any]) -> None:
        self._check_project(project_id)
        self.backend_errors.setdefault(project_id, []).extend(
            dict(e) for e in errors if e is not None
        )
        return None
