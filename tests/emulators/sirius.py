"""Emulator of Sirius' public GraphQL API (``POST /api/public/graphql``), executing ``sirius.graphql``.

* A bearer token that is not one of ``tokens`` is answered HTTP 401 with a GraphQL-shaped
  JSON body (a missing ``Authorization`` header breaks the OpenAPI security requirement
  and is answered 400 by the harness unless validation is skipped).
* ``updateStatus`` fails with a GraphQL error (HTTP 200, ``data.updateStatus`` null) for
  an unknown status id (``NOT_FOUND``), a status already completed (a final state),
  ``status: completed`` without a conclusion, or a conclusion without ``status: completed``
  (``BAD_USER_INPUT``).

State for assertions:

* ``statuses``: ``dict[str, SiriusStatus]`` by id (``status``, ``conclusion``, ``output``);
* ``updates``: ``list[SiriusUpdate]``: accepted updateStatus calls, in order.
"""

from __future__ import annotations

import uuid as uuid_module
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from graphql import GraphQLError

from .base import SPECS_DIR, Emulator, Reply, Request, execute_graphql, load_graphql_schema

__all__ = ["SiriusEmulator", "SiriusStatus", "SiriusUpdate"]

SDL_PATH = Path(__file__).with_name("sirius.graphql")


@dataclass
class SiriusStatus:
    id: str
    status: str = "queued"
    conclusion: str | None = None
    output: dict[str, Any] | None = None

    def as_graphql(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "conclusion": self.conclusion,
            "output": self.output,
        }


@dataclass(frozen=True)
class SiriusUpdate:
    token: str
    input: dict[str, Any]


def _build_schema() -> Any:
    schema = load_graphql_schema(SDL_PATH)
    schema.mutation_type.fields["updateStatus"].resolve = (
        lambda _root, info, input: info.context.emulator._update_status(info.context.token, input)
    )
    schema.query_type.fields["status"].resolve = (
        lambda _root, info, id: info.context.emulator._status(id)
    )
    return schema


_SCHEMA = _build_schema()


@dataclass
class _Context:
    emulator: "SiriusEmulator"
    token: str


class SiriusEmulator(Emulator):
    """``SiriusEmulator(tokens=("test-token",), statuses=("status-1",))``.

    ``tokens``: the accepted bearer tokens. ``statuses``: ids of existing statuses, all ``queued``.
    """

    spec_path = SPECS_DIR / "sirius" / "openapi" / "sirius-public-graphql-api-openapi.yml"
    schema = _SCHEMA

    def __init__(
        self, tokens: Iterable[str] = ("test-token",), statuses: Iterable[str] = ("status-1",)
    ) -> None:
        super().__init__()
        self.tokens: set[str] = set(tokens)
        self.statuses: dict[str, SiriusStatus] = {
            status_id: SiriusStatus(status_id) for status_id in statuses
        }
        self.updates: list[SiriusUpdate] = []

    def add_status(self, status_id: str | None = None, status: str = "queued") -> str:
        """Create a status (as an event with a declared action would) and return its id."""
        with self.lock:
            status_id = status_id or str(uuid_module.uuid4())
            self.statuses[status_id] = SiriusStatus(status_id, status)
            return status_id

    def handle(self, request: Request) -> Reply:
        token = request.bearer_token
        if token is None or token not in self.tokens:
            return Reply(
                401,
                {
                    "errors": [
                        {"message": "Invalid API token", "extensions": {"code": "UNAUTHENTICATED"}}
                    ]
                },
            )
        return execute_graphql(self.schema, request, _Context(self, token))

    # ------------------------------------------------------------------ resolvers

    def _status(self, status_id: str) -> dict[str, Any] | None:
        status = self.statuses.get(status_id)
        return status.as_graphql() if status is not None else None

    def _update_status(self, token: str, update: dict[str, Any]) -> dict[str, Any]:
        status = self.statuses.get(update["id"])
        if status is None:
            raise GraphQLError(
                f"Status not found: {update['id']}", extensions={"code": "NOT_FOUND"}
            )
        if status.status == "completed":
            raise GraphQLError(
                f"Status {status.id} is completed, a final state: it cannot be updated",
                extensions={"code": "BAD_USER_INPUT"},
            )
        new_state = update.get("status") or status.status
        conclusion = update.get("conclusion")
        if new_state == "completed" and conclusion is None:
            raise GraphQLError(
                "A completed status needs a conclusion", extensions={"code": "BAD_USER_INPUT"}
            )
        if new_state != "completed" and conclusion is not None:
            raise GraphQLError(
                "A conclusion can only be set with status completed",
                extensions={"code": "BAD_USER_INPUT"},
            )
        status.status = new_state
        status.conclusion = conclusion
        if update.get("output") is not None:
            status.output = {
                "title": update["output"]["title"],
                "summary": update["output"].get("summary"),
            }
        self.updates.append(SiriusUpdate(token=token, input=dict(update)))
        return status.as_graphql()
