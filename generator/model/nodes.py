"""The intermediate model: frozen dataclasses built from the documents, the only thing rendering sees."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..diagnostics import Location
from ..loading.api import ApiOperation, ApiParameter, ApiSecurityScheme

Json = Any

__all__ = ["ApiOperation", "ApiParameter", "ApiSecurityScheme"]  # re-exported: steps hold them


@dataclass(frozen=True)
class Source:
    name: str
    url: str
    type: Literal["openapi", "arazzo"]
    server: str | None
    location: Location
    target: str = ""  # the resolved file the url names


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str | None
    value: Json
    where: Location
    value_where: Location | None = None  # the ``value`` node, for diagnostics about the value


@dataclass(frozen=True)
class Replacement:
    target: str
    value: Json
    where: Location
    value_where: Location | None = None


@dataclass(frozen=True)
class RequestBody:
    content_type: str | None
    payload: Json
    has_payload: bool
    replacements: tuple[Replacement, ...]
    where: Location
    payload_at: Mapping[tuple[str | int, ...], Location] = field(default_factory=dict)

    def locate(self, path: tuple[str | int, ...]) -> Location:
        """The location of the deepest payload node on ``path`` (the requestBody when unknown)."""
        for cut in range(len(path), -1, -1):
            if path[:cut] in self.payload_at:
                return self.payload_at[path[:cut]]
        return self.where


@dataclass(frozen=True)
class Criterion:
    condition: str
    type: Literal["simple", "regex", "jsonpath", "xpath"]
    version: str
    context: str | None
    where: Location
    context_where: Location | None = None


@dataclass(frozen=True)
class Action:
    name: str
    type: Literal["end", "goto", "retry"]
    step_id: str | None
    workflow_id: str | None
    retry_after: float | None
    retry_limit: int
    criteria: tuple[Criterion, ...]
    where: Location
    target_where: Location | None = None  # the ``stepId`` or ``workflowId`` node
    workflow_source: str | None = (
        None  # the 'arazzo' source of a $sourceDescriptions.<name>.<id> target
    )


@dataclass(frozen=True)
class Output:
    name: str
    expression: str
    where: Location
    constant: Json = None
    is_constant: bool = False  # a literal value written where an expression belongs (a dialect)


@dataclass(frozen=True)
class Step:
    step_id: str
    description: str
    operation: ApiOperation | None
    workflow_id: str | None
    parameters: tuple[Parameter, ...]
    request_body: RequestBody | None
    success_criteria: tuple[Criterion, ...]
    on_success: tuple[Action, ...]
    on_failure: tuple[Action, ...]
    outputs: tuple[Output, ...]
    where: Location
    workflow_source: str | None = (
        None  # the 'arazzo' source of a $sourceDescriptions.<name>.<id> target
    )
    timeout_ms: int | None = None  # Arazzo 1.1: the bound of each attempt of an HTTP step


@dataclass(frozen=True)
class Workflow:
    workflow_id: str
    summary: str
    description: str
    inputs_schema: Mapping[str, Json] | None
    # a workflowId (resolved in this document, then the documents it imports), or (source name, workflowId)
    # for a $sourceDescriptions.<name>.<workflowId> reference
    depends_on: tuple[str | tuple[str, str], ...]
    steps: tuple[Step, ...]
    success_actions: tuple[Action, ...]
    failure_actions: tuple[Action, ...]
    outputs: tuple[Output, ...]
    where: Location


@dataclass(frozen=True)
class Document:
    """One Arazzo document with what it references."""

    display_path: str
    file: str
    title: str
    summary: str
    description: str
    version: str
    sources: tuple[Source, ...]
    workflows: tuple[Workflow, ...]
    components: Mapping[str, Mapping[str, Json]]
    imported: tuple[Document, ...] = ()
    # the Arazzo rules the document follows: "1.0" (1.0.x) or "1.1" (1.1.x); ``version`` is info.version
    arazzo_version: str = "1.0"
    # declared source descriptions that could not be loaded (their problems are reported): references
    # into them are not checked, rather than reported as unknown
    unloaded: tuple[str, ...] = ()
    # Arazzo 1.1 ``$self`` as declared, resolved against the retrieval URI (RFC 3986 section 5.1); None
    # when the document declares none
    self_uri: str | None = None

    def arazzo_sources(self) -> list[tuple[str, Document]]:
        """The documents this one's 'arazzo' source descriptions name, by that name, in document order."""
        by_file = {doc.file: doc for doc in self.imported}
        return [
            (source.name, by_file[source.target])
            for source in self.sources
            if source.type == "arazzo" and source.target in by_file
        ]

    def find_workflow(
        self, workflow_id: str, source: str | None = None
    ) -> tuple[Document, Workflow] | None:
        """Where a workflow reference of this document leads, as the runtime resolves it: the named
        'arazzo' source's workflow, else this document's own, else the first in the documents it
        imports (each searched the same way)."""
        if source is not None:
            child = dict(self.arazzo_sources()).get(source)
            found = None if child is None else child.own_workflow(workflow_id)
            return None if child is None or found is None else (child, found)
        own = self.own_workflow(workflow_id)
        if own is not None:
            return self, own
        for _, child in self.arazzo_sources():
            reached = child.find_workflow(workflow_id)
            if reached is not None:
                return reached
        return None

    def own_workflow(self, workflow_id: str) -> Workflow | None:
        return next((wf for wf in self.workflows if wf.workflow_id == workflow_id), None)
