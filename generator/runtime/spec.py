"""The compiled workflow description a generated module hands to the driver: plain frozen data and callables."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from .params import ParamStyle

if TYPE_CHECKING:
    from .context import Context

Check = Callable[["Context[Any]"], bool]
InputsT = TypeVar("InputsT")  # a workflow's typed inputs class (None without one)
R = TypeVar("R")  # a workflow's result class


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
    # multipart/form-data parts that need one: property -> (Content-Type or None, extra part headers)
    parts: Mapping[str, tuple[str | None, Mapping[str, str]]] | None = None

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
    workflow_source: str | None = None  # the 'arazzo' source description that holds ``workflow_id``
    retry_after: float | None = None
    retry_limit: int = 1
    criteria: Check | None = None


def _no_outputs(context: Context[Any]) -> dict[str, Any]:
    return {}


def _no_request(context: Context[Any]) -> Request:
    return Request()


@dataclass(frozen=True)
class Step:
    step_id: str
    operation: Operation | None = None
    workflow_id: str | None = None
    workflow_source: str | None = None  # the 'arazzo' source description that holds ``workflow_id``
    request: Callable[[Context[Any]], Request] = _no_request
    success: Check | None = None
    outputs: Callable[[Context[Any]], dict[str, Any]] = _no_outputs
    on_success: tuple[Action, ...] = ()
    on_failure: tuple[Action, ...] = ()
    # seconds each attempt of the step's request may take (Arazzo 1.1 step ``timeout``), instead of the
    # Client's ``timeout``; None: the Client's
    timeout: float | None = None


@dataclass(frozen=True)
class Workflow(Generic[InputsT, R]):
    """A workflow's steps and tables.

    ``inputs`` builds its typed inputs object (what its step functions read as ``c.inputs``) from the
    validated input values, ``input_values`` gives those values back by name (None: no declared inputs);
    ``result`` builds the public result from the outputs in declaration order and ``trace=`` (None for a
    workflow of an imported document, which has no public function).
    """

    workflow_id: str
    steps: tuple[Step, ...]
    outputs: Callable[[Context[Any]], dict[str, Any]] = _no_outputs
    inputs_schema: Mapping[str, Any] | None = None
    # a workflowId of this document's scope, or (source description name, workflowId) of an imported one
    depends_on: tuple[str | tuple[str, str], ...] = ()
    success_actions: tuple[Action, ...] = ()
    failure_actions: tuple[Action, ...] = ()
    inputs: Callable[[Mapping[str, Any]], InputsT] | None = None
    input_values: Callable[[InputsT], Mapping[str, Any]] | None = None
    result: Callable[..., R] | None = None


@dataclass(frozen=True, eq=False)
class Registry:
    """One document's workflows and source descriptions: the scope its names resolve in.

    ``name`` is the document's module name (``Client(servers={"<name>.<source>": ...})``); ``imports`` are the
    registries of the documents its ``arazzo`` source descriptions name, by the name it gives them. A plain
    workflowId resolves in the document itself first, then in the documents it imports, in order (each
    searched the same way).
    """

    workflows: Mapping[str, Workflow[Any, Any]]
    sources: Mapping[str, Source]
    name: str = ""
    imports: Mapping[str, Registry] = field(default_factory=dict)

    def find(
        self, workflow_id: str, source: str | None = None
    ) -> tuple[Registry, Workflow[Any, Any]]:
        """The workflow a reference names and the registry of the document that defines it."""
        if source is not None:
            owner = self.imports[source]
            return owner, owner.workflows[workflow_id]
        if workflow_id in self.workflows:
            return self, self.workflows[workflow_id]
        for imported in self.imports.values():
            try:
                return imported.find(workflow_id)
            except KeyError:
                continue
        raise KeyError(workflow_id)

    def workflow(self, workflow_id: str) -> Workflow[Any, Any]:
        return self.find(workflow_id)[1]

    def source(self, name: str) -> Source | None:
        """A source description of this document (names are scoped to their document)."""
        return self.sources.get(name)


def workflow_ref(entry: str | tuple[str, str]) -> tuple[str, str | None]:
    """A ``depends_on`` entry as (workflowId, source description name or None)."""
    return (entry, None) if isinstance(entry, str) else (entry[1], entry[0])
