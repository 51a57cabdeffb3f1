"""The entry points generated workflow functions call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .client import AsyncClient, Client
from .spec import Registry
from .trace import StepRecord

Outcome = tuple[dict[str, Any], tuple[StepRecord, ...]]


def run(
    registry: Registry, workflow_id: str, inputs: Mapping[str, Any], client: Client | None
) -> Outcome:
    if client is not None:
        return client.run(registry, workflow_id, inputs)
    with Client() as default:
        return default.run(registry, workflow_id, inputs)


async def run_async(
    registry: Registry, workflow_id: str, inputs: Mapping[str, Any], client: AsyncClient | None
) -> Outcome:
    if client is not None:
        return await client.run(registry, workflow_id, inputs)
    async with AsyncClient() as default:
        return await default.run(registry, workflow_id, inputs)
