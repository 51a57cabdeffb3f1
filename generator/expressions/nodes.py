"""The runtime-expression tree: one frozen dataclass per form (both grammars, 1.0.1 and 1.1.0)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Union


@dataclass(frozen=True)
class Url:
    """``$url``"""


@dataclass(frozen=True)
class Method:
    """``$method``"""


@dataclass(frozen=True)
class StatusCode:
    """``$statusCode``"""


@dataclass(frozen=True)
class RequestRef:
    """``$request.header.<token>``, ``$request.query.<name>``, ``$request.path.<name>``, ``$request.body[#ptr]``"""

    part: Literal["header", "query", "path", "body"]
    name: str
    pointer: str


@dataclass(frozen=True)
class ResponseRef:
    """``$response.header.<token>`` or ``$response.body[#ptr]``"""

    part: Literal["header", "body"]
    name: str
    pointer: str


@dataclass(frozen=True)
class InputsRef:
    """``$inputs.<name>[#ptr]``"""

    name: str
    pointer: str


@dataclass(frozen=True)
class OutputsRef:
    """``$outputs.<name>[#ptr]``"""

    name: str
    pointer: str


@dataclass(frozen=True)
class StepsRef:
    """``$steps.<stepId>.outputs.<name>[#ptr]``"""

    step_id: str
    name: str
    pointer: str


@dataclass(frozen=True)
class WorkflowsRef:
    """``$workflows.<workflowId>.inputs.<name>[#ptr]`` or ``$workflows.<workflowId>.outputs.<name>[#ptr]``"""

    workflow_id: str
    kind: Literal["inputs", "outputs"]
    name: str
    pointer: str


@dataclass(frozen=True)
class SourceDescriptionRef:
    """``$sourceDescriptions.<name>.url`` or ``$sourceDescriptions.<name>.<operationId|workflowId>``"""

    name: str
    field: str


@dataclass(frozen=True)
class ComponentsRef:
    """``$components.<kind>.<name>[#ptr]`` (kind: inputs, parameters, successActions, failureActions)"""

    kind: str
    name: str
    pointer: str


@dataclass(frozen=True)
class SelfRef:
    """``$self`` (Arazzo 1.1): the document's base URI."""


@dataclass(frozen=True)
class MessageRef:
    """``$message.header.<token>`` or ``$message.payload[#ptr]`` (Arazzo 1.1, AsyncAPI message steps)"""

    part: Literal["header", "payload"]
    name: str
    pointer: str


_Fixed = Union[Url, Method, StatusCode, RequestRef, ResponseRef, SelfRef, MessageRef]
_Named = Union[InputsRef, OutputsRef, StepsRef, WorkflowsRef, SourceDescriptionRef, ComponentsRef]
RuntimeExpr = Union[_Fixed, _Named]
