"""Client and AsyncClient: configuration plus the pumps that execute the driver over httpx."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import httpx

from .driver import Driver, Reply, Run, Send, Sleep, T
from .logs import REDACTOR
from .spec import Registry
from .trace import StepRecord
from .wire import Settings


def _settings(
    base_url: str | None,
    servers: Mapping[str, str] | None,
    credentials: Mapping[str, str] | None,
    headers: Mapping[str, str] | None,
    timeout: float,
    max_steps: int,
    validate_requests: bool,
) -> Settings:
    settings = Settings(
        base_url=base_url,
        servers=dict(servers or {}),
        credentials=dict(credentials or {}),
        headers=dict(headers or {}),
        timeout=timeout,
        max_steps=max_steps,
        validate_requests=validate_requests,
    )
    REDACTOR.protect(settings)
    return settings


def _describe(settings: Settings, kind: str) -> str:
    schemes = ", ".join(sorted(settings.credentials))
    return (
        f"{kind}(base_url={settings.base_url!r}, servers={dict(settings.servers)!r}, "
        f"credentials=[{schemes}] (secrets hidden), timeout={settings.timeout!r})"
    )


def _transport_error(error: httpx.HTTPError) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


class Client:
    """Runs generated workflows synchronously. Reusable, thread-safe, a context manager."""

    def __init__(
        self,
        base_url: str | None = None,
        *,
        servers: Mapping[str, str] | None = None,
        credentials: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
        http: httpx.Client | None = None,
        max_steps: int = 1000,
        validate_requests: bool = False,
    ) -> None:
        self._settings = _settings(
            base_url, servers, credentials, headers, timeout, max_steps, validate_requests
        )
        self._owns_http = http is None
        self._http = http if http is not None else httpx.Client(timeout=timeout)

    def __repr__(self) -> str:
        return _describe(self._settings, "Client")

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def run(
        self, registry: Registry, workflow_id: str, inputs: Mapping[str, Any]
    ) -> tuple[dict[str, Any], tuple[StepRecord, ...]]:
        """Execute one workflow; the generated functions call this."""
        run = Run(registry, self._settings, workflow_id)
        outputs = self._pump(run.workflow(workflow_id, inputs))
        return outputs, tuple(run.trace)

    def _pump(self, driver: Driver[T]) -> T:
        reply: Reply | None = None
        while True:
            try:
                instruction = driver.send(reply)
            except StopIteration as stop:
                result: T = stop.value
                return result
            if isinstance(instruction, Sleep):
                time.sleep(instruction.seconds)
                reply = None
                continue
            reply = self._send(instruction)

    def _send(self, instruction: Send) -> Reply:
        started = time.perf_counter()
        try:
            response = self._http.send(instruction.request)
            content = response.read()
        except httpx.HTTPError as error:
            return Reply(time.perf_counter() - started, error=_transport_error(error))
        return Reply(time.perf_counter() - started, response.status_code, response.headers, content)


class AsyncClient:
    """Runs generated workflows as coroutines. Reusable, safe for concurrent calls, an async context manager."""

    def __init__(
        self,
        base_url: str | None = None,
        *,
        servers: Mapping[str, str] | None = None,
        credentials: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
        http: httpx.AsyncClient | None = None,
        max_steps: int = 1000,
        validate_requests: bool = False,
    ) -> None:
        self._settings = _settings(
            base_url, servers, credentials, headers, timeout, max_steps, validate_requests
        )
        self._owns_http = http is None
        self._http = http if http is not None else httpx.AsyncClient(timeout=timeout)

    def __repr__(self) -> str:
        return _describe(self._settings, "AsyncClient")

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def run(
        self, registry: Registry, workflow_id: str, inputs: Mapping[str, Any]
    ) -> tuple[dict[str, Any], tuple[StepRecord, ...]]:
        run = Run(registry, self._settings, workflow_id)
        outputs = await self._pump(run.workflow(workflow_id, inputs))
        return outputs, tuple(run.trace)

    async def _pump(self, driver: Driver[T]) -> T:
        reply: Reply | None = None
        while True:
            try:
                instruction = driver.send(reply)
            except StopIteration as stop:
                result: T = stop.value
                return result
            if isinstance(instruction, Sleep):
                await asyncio.sleep(instruction.seconds)
                reply = None
                continue
            reply = await self._send(instruction)

    async def _send(self, instruction: Send) -> Reply:
        started = time.perf_counter()
        try:
            response = await self._http.send(instruction.request)
            content = await response.aread()
        except httpx.HTTPError as error:
            return Reply(time.perf_counter() - started, error=_transport_error(error))
        return Reply(time.perf_counter() - started, response.status_code, response.headers, content)
