"""The compiled workflow description a generated module hands to the driver: plain frozen data and callables."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .params import ParamStyle

if TYPE_CHECKING:
    from .context import Context

Check = Callable[["Context"], bool]


@dataclass(frozen=True)
class Source:
    """A source description: ``url`` as written in the document, ``server`` the OpenAPI server URL."""

    name: str
    url: str
    server: str | None


@dataclass(frozen=True)
class SecurityScheme:
    name: str
    type: Literal["http", "apiKey"]
    scheme: str = ""
    location: str = ""
    param_name: str = ""


@dataclass(frozen=True)
class Operation:
    source: str
    method: str
    path: str
    params: tuple[ParamStyle, ...] = ()
    security: tuple[tuple[SecurityScheme, ...], ...] = ()
    request_schema: Mapping[str, Any] | None = None
    server: str | None = None

    def param(self, location: str, name: str) -> ParamStyle:
        for spec in self.params:
            if spec.location == location and (
                spec.name == name or (location == "header" and spec.name.lower() == name.lower())
            ):
                return spec
        return ParamStyle(location, name)


@dataclass(frozen=True)
class Request:
    """What a step sends: parameters as (in, name, value) and an optional body."""

    params: tuple[tuple[str, str, Any], ...] = ()
    body: Any = None
    content_type: str | None = None
    has_body: bool = False


def request(
    params: tuple[tuple[str, str, Any], ...] = (),
    *,
    body: Any = None,
    content_type: str | None = None,
) -> Request:
    """A request with a body when ``content_type`` or ``body`` is given."""
    return Request(
        params, body, content_type, has_body=content_type is not None or body is not None
    )


@dataclass(frozen=True)
class Action:
    name: str
    type: Literal["end", "goto", "retry"]
    step_id: str | None = None
    workflow_id: str | None = None
    retry_after: float | None = None
    retry_limit: int = 1
    criteria: Check | None = None


def _no_outputs(context: Context) -> dict[str, Any]:
    return {}


def _no_request(context: Context) -> Request:
    return Request()


@dataclass(frozen=True)
class Step:
    step_id: str
    operation: Operation | None = None
    workflow_id: str | None = None
    request: Callable[[Context], Request] = _no_request
    success: Check | None = None
    outputs: Callable[[Context], dict[str, Any]] = _no_outputs
    on_success: tuple[Action, ...] = ()
    on_failure: tuple[Action, ...] = ()


@dataclass(frozen=True)
class Workflow:
    workflow_id: str
    steps: tuple[Step, ...]
    outputs: Callable[[Context], dict[str, Any]] = _no_outputs
    inputs_schema: Mapping[str, Any] | None = None
    depends_on: tuple[str, ...] = ()
    success_actions: tuple[Action, ...] = ()
    failure_actions: tuple[Action, ...] = ()


@dataclass(frozen=True)
class Registry:
    """Every workflow and source a run can reach, by id and name (including other documents' workflows)."""

    workflows: Mapping[str, Workflow]
    sources: Mapping[str, Source]
    extra: tuple[Registry, ...] = field(default=())

    def workflow(self, workflow_id: str) -> Workflow:
        if workflow_id in self.workflows:
            return self.workflows[workflow_id]
        for other in self.extra:
            try:
                return other.workflow(workflow_id)
            except KeyError:
                continue
        raise KeyError(workflow_id)

    def source(self, name: str) -> Source | None:
        if name in self.sources:
            return self.sources[name]
        for other in self.extra:
            found = other.source(name)
            if found is not None:
                return found
        return None
