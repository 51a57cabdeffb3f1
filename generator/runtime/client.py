"""Client and AsyncClient: configuration plus the pumps that execute the driver over httpx."""

from __future__ import annotations

import asyncio
import dataclasses
import importlib.util
import sys
import threading
import time
import weakref
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any

import httpx

from .deadline import install
from .driver import Driver, Run, Send, Sleep, T
from .logs import REDACTOR
from .spec import Registry
from .trace import StepRecord
from .transmit import Limits, Reply, send_async, send_sync
from .vault import Secret
from .wire import Settings

# Requests in flight per client by default (urllib3's per-host pool size). httpcore's pool does work in
# proportion to its connections on every request, so a larger pool slows a client that a fast server keeps
# busy; a slow server (high latency) is better served by raising max_connections.
MAX_CONNECTIONS = 10


def _pool(max_connections: int) -> httpx.Limits:
    """As many idle connections kept as in use, so a busy client does not reconnect for every request."""
    return httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)


def _checked(max_connections: int) -> int:
    if (
        isinstance(max_connections, bool)
        or not isinstance(max_connections, int)
        or max_connections < 1
    ):
        raise ValueError(f"max_connections must be a positive int, not {max_connections!r}")
    return max_connections


def _remember_missing_sniffio() -> None:
    """httpcore imports ``sniffio`` on every lock and event it sets up and falls back to asyncio when it is
    missing (anyio no longer installs it); Python does not remember a failed import, so each of those calls
    searches ``sys.path`` again (encode/httpcore#1103). Recording the absence once makes them fail at once.
    """
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


def _no_connection(limits: Limits) -> Reply:
    return Reply(
        limits.pool_timeout,
        error=f"PoolTimeout: no connection was free within pool_timeout ({limits.pool_timeout:g} s)",
    )


def _settings(
    base_url: str | None,
    servers: Mapping[str, str] | None,
    credentials: Mapping[str, str] | None,
    headers: Mapping[str, str] | None,
    options: dict[str, Any],
) -> Settings:
    settings = Settings(
        base_url=base_url,
        servers=dict(servers or {}),
        credentials={name: Secret(str(value)) for name, value in (credentials or {}).items()},
        headers=dict(headers or {}),
        timeout=float(options["timeout"]),
        max_steps=int(options["max_steps"]),
        validate_requests=bool(options["validate_requests"]),
        max_retry_after=float(options["max_retry_after"]),
        max_body_size=int(options["max_body_size"]),
    )
    REDACTOR.protect(settings)
    return settings


def _limits(settings: Settings, pool_timeout: float) -> Limits:
    return Limits(settings.timeout, float(pool_timeout), settings.max_body_size)


def _bound(limits: Limits, instruction: Send) -> Limits:
    """The attempt's limits: the step's own timeout, when it has one, instead of the client's."""
    if instruction.timeout is None:
        return limits
    return dataclasses.replace(limits, timeout=instruction.timeout)


def pump(driver: Driver[T], send: Callable[[Send], Reply], sleep: Callable[[float], None]) -> T:
    """Run ``driver`` to its end: each ``Send`` answered by ``send``, each ``Sleep`` passed to ``sleep``."""
    reply: Reply | None = None
    while True:
        try:
            instruction = driver.send(reply)
        except StopIteration as stop:
            result: T = stop.value
            return result
        if isinstance(instruction, Sleep):
            sleep(instruction.seconds)
            reply = None
        else:
            reply = send(instruction)


async def apump(
    driver: Driver[T],
    send: Callable[[Send], Awaitable[Reply]],
    sleep: Callable[[float], Awaitable[None]],
) -> T:
    """:func:`pump` for coroutines: ``send`` and ``sleep`` are awaited."""
    reply: Reply | None = None
    while True:
        try:
            instruction = driver.send(reply)
        except StopIteration as stop:
            result: T = stop.value
            return result
        if isinstance(instruction, Sleep):
            await sleep(instruction.seconds)
            reply = None
        else:
            reply = await send(instruction)


def _describe(settings: Settings, kind: str) -> str:
    schemes = ", ".join(sorted(settings.credentials))
    return (
        f"{kind}(base_url={settings.base_url!r}, servers={dict(settings.servers)!r}, "
        f"credentials=[{schemes}] (secrets hidden), timeout={settings.timeout!r})"
    )


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
        max_retry_after: float = 120.0,
        max_body_size: int = 100 * 1024 * 1024,
        pool_timeout: float = 60.0,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        if http is not None and not isinstance(http, httpx.Client):
            raise TypeError(
                f"Client(http=...) takes an httpx.Client, not {type(http).__name__} "
                "(use AsyncClient for an httpx.AsyncClient)"
            )
        options = dict(
            timeout=timeout,
            max_steps=max_steps,
            validate_requests=validate_requests,
            max_retry_after=max_retry_after,
            max_body_size=max_body_size,
        )
        self._settings = _settings(base_url, servers, credentials, headers, options)
        self._limits = _limits(self._settings, pool_timeout)
        self._owns_http = http is None
        in_flight = _checked(max_connections)
        self._http = (
            http if http is not None else httpx.Client(timeout=timeout, limits=_pool(in_flight))
        )
        # Connections opened for this client end every read and write by the attempt's deadline.
        install(self._http)
        # At most max_connections requests in flight: the others wait here, in order, rather than in
        # the pool's queue (whose bookkeeping grows with its length).
        self._gate = threading.BoundedSemaphore(in_flight)

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
        return pump(driver, self._send, time.sleep)

    def _send(self, instruction: Send) -> Reply:
        if not self._gate.acquire(timeout=self._limits.pool_timeout):
            return _no_connection(self._limits)
        try:
            limits = _bound(self._limits, instruction)
            return send_sync(self._http, instruction.prepared, limits, self._settings.vault)
        finally:
            self._gate.release()


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
        max_retry_after: float = 120.0,
        max_body_size: int = 100 * 1024 * 1024,
        pool_timeout: float = 60.0,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        if http is not None and not isinstance(http, httpx.AsyncClient):
            raise TypeError(
                f"AsyncClient(http=...) takes an httpx.AsyncClient, not {type(http).__name__} "
                "(use Client for an httpx.Client)"
            )
        options = dict(
            timeout=timeout,
            max_steps=max_steps,
            validate_requests=validate_requests,
            max_retry_after=max_retry_after,
            max_body_size=max_body_size,
        )
        self._settings = _settings(base_url, servers, credentials, headers, options)
        self._limits = _limits(self._settings, pool_timeout)
        self._owns_http = http is None
        self._in_flight = _checked(max_connections)
        _remember_missing_sniffio()
        self._http = (
            http
            if http is not None
            else httpx.AsyncClient(timeout=timeout, limits=_pool(self._in_flight))
        )
        self._gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

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
        return await apump(driver, self._send, asyncio.sleep)

    def _gate(self) -> asyncio.Semaphore:
        """This event loop's gate: at most max_connections requests in flight."""
        loop = asyncio.get_running_loop()
        gate = self._gates.get(loop)
        if gate is None:
            gate = self._gates[loop] = asyncio.Semaphore(self._in_flight)
        return gate

    async def _send(self, instruction: Send) -> Reply:
        gate = self._gate()
        try:
            async with asyncio.timeout(self._limits.pool_timeout):
                await gate.acquire()
        except TimeoutError:
            return _no_connection(self._limits)
        try:
            return await send_async(
                self._http,
                instruction.prepared,
                _bound(self._limits, instruction),
                self._settings.vault,
            )
        finally:
            gate.release()
