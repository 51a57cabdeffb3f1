"""The operations of API descriptions as loading reads them: frozen data the model's steps point to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..diagnostics import Location

Json = Any


@dataclass(frozen=True)
class ApiParameter:
    name: str
    location: str
    required: bool = False
    style: str = ""
    explode: bool | None = None
    schema: Mapping[str, Json] = field(default_factory=dict)


@dataclass(frozen=True)
class ApiSecurityScheme:
    name: str
    type: Literal["http", "apiKey"]
    scheme: str = ""
    location: str = ""
    param_name: str = ""


@dataclass(frozen=True)
class ApiOperation:
    """An OpenAPI operation, with every ``$ref`` already resolved and schemas inlined."""

    source: str
    operation_id: str | None
    method: str
    path: str
    parameters: tuple[ApiParameter, ...]
    request_content: Mapping[str, Mapping[str, Json]]
    responses: Mapping[str, Mapping[str, Json]]
    security: tuple[tuple[ApiSecurityScheme, ...], ...]
    location: Location
    server: str | None = (
        None  # the operation's (or its path item's) own server, when it declares one
    )
    # multipart/form-data parts that need a Content-Type or headers: (property, content type, headers)
    multipart_parts: tuple[tuple[str, str | None, tuple[tuple[str, str], ...]], ...] = ()

    def response_schema(self, status: str) -> Mapping[str, Json] | None:
        return self.responses.get(status)
