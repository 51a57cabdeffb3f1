"""What compiled expressions read at run time: inputs, step outputs, the current request and response."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

import httpx

from .spec import Registry
from .values import MISSING, pointer
from .vault import Secret


@dataclass
class Exchange:
    """One HTTP request as sent and the response to it (None for a transport error)."""

    method: str
    url: str
    path: dict[str, Any]
    query: list[tuple[str, str]]
    headers: httpx.Headers
    body: Any
    status_code: int | None = None
    response_headers: httpx.Headers | None = None
    response_body: Any = MISSING
    body_error: str | None = (
        None  # a JSON response that does not parse: reading its body fails the step
    )
    sent_url: Secret | None = None  # the URL as sent when it holds a credential (``$url``)


class MalformedBody(Exception):
    """An expression read a response body that its JSON content type promised but that does not parse."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Frame:
    """One workflow run: its inputs, the outputs of the steps that ran, and the registry of the document
    that defines the workflow (where its ``$workflows`` and ``$sourceDescriptions`` names resolve).
    """

    workflow_id: str
    inputs: dict[str, Any]
    scope: Registry
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    typed: Any = (
        None  # the workflow's typed inputs object, built from ``inputs`` (None without a class)
    )


@dataclass
class RunState:
    registry: Registry
    # inputs and outputs of the workflows run in this call, by (defining document's registry, workflowId)
    workflows: dict[tuple[Registry, str], dict[str, dict[str, Any]]] = field(default_factory=dict)


def parse_body(content: bytes, content_type: str) -> tuple[Any, str | None]:
    """JSON bodies become JSON values; everything else is text (XML stays text for XPath).

    A body whose JSON content type is not valid JSON is kept as text, with the reason it does not parse.
    """
    if not content:
        return MISSING, None
    media = content_type.split(";")[0].strip().lower()
    problem = None
    if media == "application/json" or media.endswith("+json"):
        try:
            return json.loads(content), None
        except (ValueError, RecursionError) as error:
            problem = f"the {media} response body is not valid JSON ({error})"
    try:
        return content.decode("utf-8"), problem
    except UnicodeDecodeError:
        return content.decode("latin-1"), problem


InputsT = TypeVar("InputsT")


class Context(Generic[InputsT]):
    """The evaluation context of compiled expressions (the generated code calls it ``c``).

    ``InputsT`` is the workflow's typed inputs class (``None`` for a workflow without declared inputs).
    """

    def __init__(
        self,
        run: RunState,
        frame: Frame,
        exchange: Exchange | None = None,
        outputs: dict[str, Any] | None = None,
    ) -> None:
        self._run = run
        self._frame = frame
        self._exchange = exchange
        self._outputs = outputs if outputs is not None else {}

    @property
    def inputs(self) -> InputsT:
        """The workflow's inputs as its typed inputs object (validated, defaults filled)."""
        return cast(InputsT, self._frame.typed)

    def input(self, name: str, path: str = "") -> Any:
        """An input by name, for one the inputs schema does not declare (MISSING when absent)."""
        return pointer(self._frame.inputs.get(name, MISSING), path)

    def outputs(self, name: str, path: str = "") -> Any:
        return pointer(self._outputs.get(name, MISSING), path)

    def step(self, step_id: str, name: str, path: str = "") -> Any:
        return pointer(self._frame.steps.get(step_id, {}).get(name, MISSING), path)

    def workflow(self, workflow_id: str, kind: str, name: str, path: str = "") -> Any:
        try:
            owner, _ = self._frame.scope.find(workflow_id)
        except KeyError:
            return MISSING
        values = self._run.workflows.get((owner, workflow_id), {}).get(kind, {})
        return pointer(values.get(name, MISSING), path)

    def source_url(self, name: str) -> Any:
        source = self._frame.scope.source(name)
        return MISSING if source is None else source.url

    def url(self) -> Any:
        if self._exchange is None:
            return MISSING
        if self._exchange.sent_url is not None:
            return self._exchange.sent_url.reveal()
        return self._exchange.url

    def method(self) -> Any:
        return MISSING if self._exchange is None else self._exchange.method

    def status_code(self) -> Any:
        if self._exchange is None or self._exchange.status_code is None:
            return MISSING
        return self._exchange.status_code

    def request_header(self, name: str) -> Any:
        if self._exchange is None:
            return MISSING
        return self._exchange.headers.get(name, MISSING)

    def request_query(self, name: str) -> Any:
        if self._exchange is None:
            return MISSING
        return next((value for key, value in self._exchange.query if key == name), MISSING)

    def request_path(self, name: str) -> Any:
        if self._exchange is None:
            return MISSING
        return self._exchange.path.get(name, MISSING)

    def request_body(self, path: str = "") -> Any:
        return MISSING if self._exchange is None else pointer(self._exchange.body, path)

    def response_header(self, name: str) -> Any:
        if self._exchange is None or self._exchange.response_headers is None:
            return MISSING
        return self._exchange.response_headers.get(name, MISSING)

    def response_body(self, path: str = "") -> Any:
        if self._exchange is None:
            return MISSING
        if self._exchange.body_error is not None:
            raise MalformedBody(self._exchange.body_error)
        return pointer(self._exchange.response_body, path)
