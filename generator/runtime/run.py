"""The entry points generated workflow functions call, and the one place a result object is built."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

from .client import AsyncClient, Client
from .errors import ArazzoError
from .spec import Registry, Workflow
from .trace import StepRecord
from .values import MISSING

InputsT = TypeVar("InputsT")
R = TypeVar("R")


class WrongClientError(ArazzoError, TypeError):
    """A sync Client given to an ``_async`` function, or an AsyncClient to a sync one."""


def _wrong_client(workflow_id: str, client: object, wanted: str, twin: str) -> ArazzoError:
    return WrongClientError(
        f"workflow {workflow_id!r}: client must be a {wanted}, not {type(client).__name__} "
        f"({twin}); nothing was sent"
    )


def _values(workflow: Workflow[InputsT, Any], inputs: InputsT) -> Mapping[str, Any]:
    """The input values of a typed inputs object, by input name (none for a workflow without inputs)."""
    return {} if workflow.input_values is None else workflow.input_values(inputs)


def result(
    workflow: Workflow[Any, R], outputs: Mapping[str, Any], trace: tuple[StepRecord, ...]
) -> R:
    """The workflow's result object: its outputs in declaration order (absent ones None), then ``trace``."""
    build = workflow.result
    assert build is not None, f"workflow {workflow.workflow_id!r} has no result class"
    if dataclasses.is_dataclass(build):
        fields = [f.name for f in dataclasses.fields(build)]
        assert len(fields) == len(outputs) + 1 and fields[-1] == "trace", (
            f"workflow {workflow.workflow_id!r}: {len(outputs)} outputs ({', '.join(outputs)}) "
            f"for result fields {fields}"
        )
    return build(*(None if value is MISSING else value for value in outputs.values()), trace=trace)


def run(
    registry: Registry, workflow: Workflow[InputsT, R], inputs: InputsT, client: Client | None
) -> R:
    if client is not None:
        if not isinstance(client, Client):
            raise _wrong_client(
                workflow.workflow_id, client, "Client", "an AsyncClient goes to the _async function"
            )
        outputs, trace = client.run(registry, workflow.workflow_id, _values(workflow, inputs))
    else:
        with Client() as default:
            outputs, trace = default.run(registry, workflow.workflow_id, _values(workflow, inputs))
    return result(workflow, outputs, trace)


async def run_async(
    registry: Registry, workflow: Workflow[InputsT, R], inputs: InputsT, client: AsyncClient | None
) -> R:
    if client is not None:
        if not isinstance(client, AsyncClient):
            raise _wrong_client(
                workflow.workflow_id,
                client,
                "AsyncClient",
                "a Client goes to the function without _async",
            )
        outputs, trace = await client.run(registry, workflow.workflow_id, _values(workflow, inputs))
    else:
        async with AsyncClient() as default:
            outputs, trace = await default.run(
                registry, workflow.workflow_id, _values(workflow, inputs)
            )
    return result(workflow, outputs, trace)
