"""The entry points generated workflow functions call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .client import AsyncClient, Client
from .errors import ArazzoError
from .spec import Registry
from .trace import StepRecord

Outcome = tuple[dict[str, Any], tuple[StepRecord, ...]]


class WrongClientError(ArazzoError, TypeError):
    """A sync Client given to an ``_async`` function, or an AsyncClient to a sync one."""


def _wrong_client(workflow_id: str, client: object, wanted: str, twin: str) -> ArazzoError:
    return WrongClientError(
        f"workflow {workflow_id!r}: client must be a {wanted}, not {type(client).__name__} "
        f"({twin}); nothing was sent"
    )


def run(
    registry: Registry, workflow_id: str, inputs: Mapping[str, Any], client: Client | None
) -> Outcome:
    if client is not None:
        if not isinstance(client, Client):
            raise _wrong_client(
                workflow_id, client, "Client", "an AsyncClient goes to the _async function"
            )
        return client.run(registry, workflow_id, inputs)
    with Client() as default:
        return default.run(registry, workflow_id, inputs)


async def run_async(
    registry: Registry, workflow_id: str, inputs: Mapping[str, Any], client: AsyncClient | None
) -> Outcome:
    if client is not None:
        if not isinstance(client, AsyncClient):
            raise _wrong_client(
                workflow_id, client, "AsyncClient", "a Client goes to the function without _async"
            )
        return await client.run(registry, workflow_id, inputs)
    async with AsyncClient() as default:
        return await default.run(registry, workflow_id, inputs)
