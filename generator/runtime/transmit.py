"""Sending one step attempt over httpx: credentials applied at the last moment, the whole attempt bounded.

The functions here are the only frames that ever hold a request with its credentials in clear; they return
a :class:`Reply` whose headers, body and error text are already masked, and keep nothing else.

The attempt's clock starts when a connection is taken from the pool (httpcore's first trace event), so
waiting for a pooled connection does not count against ``timeout``; that wait has its own bound
(``pool_timeout``). The async attempt runs inside one ``asyncio.timeout``; the sync attempt's deadline reaches
every socket operation through :mod:`.deadline`.
"""

from __future__ import annotations

import asyncio
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import httpx

from .deadline import attempt
from .vault import Secret, mask_bytes, mask_text
from .wire import Prepared, authorize

TIMEOUT = "timeout"


@dataclass(frozen=True)
class Limits:
    timeout: float
    pool_timeout: float
    max_body_size: int


@dataclass(frozen=True)
class Reply:
    """A response (status, headers, content) or a failure, with the time it took; secrets masked.

    ``error`` is a transport error's text (the request could not be sent or answered); ``reason`` a
    complete failure reason (``"timeout"``, an oversized body) that fails the step as it is.
    """

    elapsed: float
    status_code: int | None = None
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    content: bytes = b""
    error: str | None = None
    reason: str | None = None


class _TooLarge(Exception):
    def __init__(self, status_code: int) -> None:
        super().__init__(status_code)
        self.status_code = status_code


def _declared_size(headers: httpx.Headers) -> int:
    try:
        return int(headers.get("content-length") or 0)
    except ValueError:
        return 0


def _timeouts(limits: Limits, left: float) -> dict[str, float | None]:
    left = max(left, 0.001)
    return {"connect": left, "read": left, "write": left, "pool": limits.pool_timeout}


def _too_large(limits: Limits) -> str:
    return f"response body larger than max_body_size ({limits.max_body_size} bytes)"


def _transport_error(error: BaseException, vault: tuple[Secret, ...]) -> str:
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return mask_text(text, vault)


def _masked_headers(headers: httpx.Headers, vault: tuple[Secret, ...]) -> httpx.Headers:
    if not vault:
        return headers
    return httpx.Headers(
        [(mask_text(k, vault), mask_text(v, vault)) for k, v in headers.multi_items()]
    )


def _forget(error: BaseException) -> None:
    """Clear the locals of the finished frames an escaping exception carries (they may hold the request)."""
    if error.__traceback__ is not None:
        traceback.clear_frames(error.__traceback__.tb_next or error.__traceback__)


def _collect(response: httpx.Response, limits: Limits, check: Any) -> bytes:
    if _declared_size(response.headers) > limits.max_body_size:
        raise _TooLarge(response.status_code)
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > limits.max_body_size:
            raise _TooLarge(response.status_code)
        check()
    return bytes(body)


class _SyncClock:
    """The attempt's deadline: ``pool_timeout + timeout`` until a connection is in hand, then ``timeout``."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.pool_timeout + limits.timeout
        self.started = False

    def trace(self, name: str, info: dict[str, Any]) -> None:
        if not self.started:
            self.started = True
            self.deadline = time.monotonic() + self.limits.timeout

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def check(self) -> None:
        if self.left() <= 0:
            raise httpx.TimeoutException("the attempt's timeout elapsed")


def _exchange_sync(
    http: httpx.Client, prepared: Prepared, limits: Limits, clock: _SyncClock
) -> tuple[int, httpx.Headers, bytes]:
    request = authorize(prepared)
    timeouts = _timeouts(limits, limits.timeout)
    request.extensions["timeout"] = timeouts
    request.extensions["trace"] = clock.trace
    response = http.send(request, stream=True)
    del request
    try:
        clock.started = True
        clock.check()
        timeouts.update(_timeouts(limits, clock.left()))
        content = _collect(response, limits, clock.check)
        return response.status_code, response.headers, content
    finally:
        response.close()


def send_sync(
    http: httpx.Client, prepared: Prepared, limits: Limits, vault: tuple[Secret, ...]
) -> Reply:
    """One attempt with the sync client; every wait bounded by the attempt's deadline."""
    started = time.perf_counter()
    clock = _SyncClock(limits)
    try:
        with attempt(clock.left):
            status, headers, content = _exchange_sync(http, prepared, limits, clock)
    except _TooLarge as error:
        return Reply(time.perf_counter() - started, error.status_code, reason=_too_large(limits))
    except httpx.TimeoutException as error:
        reason = TIMEOUT if not isinstance(error, httpx.PoolTimeout) else None
        return Reply(
            time.perf_counter() - started,
            error=None if reason else _transport_error(error, vault),
            reason=reason,
        )
    except httpx.HTTPError as error:
        return Reply(time.perf_counter() - started, error=_transport_error(error, vault))
    except BaseException as error:
        _forget(error)
        raise
    return Reply(
        time.perf_counter() - started,
        status,
        _masked_headers(headers, vault),
        mask_bytes(content, vault),
    )


async def _collect_async(response: httpx.Response, limits: Limits) -> bytes:
    if _declared_size(response.headers) > limits.max_body_size:
        raise _TooLarge(response.status_code)
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > limits.max_body_size:
            raise _TooLarge(response.status_code)
    return bytes(body)


async def _exchange_async(
    http: httpx.AsyncClient, prepared: Prepared, limits: Limits
) -> tuple[int, httpx.Headers, bytes]:
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(loop.time() + limits.pool_timeout + limits.timeout) as scope:
        started = False

        async def trace(name: str, info: dict[str, Any]) -> None:
            nonlocal started
            if not started:
                started = True
                scope.reschedule(loop.time() + limits.timeout)

        request = authorize(prepared)
        request.extensions["timeout"] = _timeouts(limits, limits.timeout)
        request.extensions["trace"] = trace
        response = await http.send(request, stream=True)
        del request
        try:
            return (
                response.status_code,
                response.headers,
                await _collect_async(response, limits),
            )
        finally:
            await response.aclose()


async def send_async(
    http: httpx.AsyncClient, prepared: Prepared, limits: Limits, vault: tuple[Secret, ...]
) -> Reply:
    """One attempt with the async client, the whole of it inside one ``asyncio.timeout``."""
    started = time.perf_counter()
    try:
        status, headers, content = await _exchange_async(http, prepared, limits)
    except _TooLarge as error:
        return Reply(time.perf_counter() - started, error.status_code, reason=_too_large(limits))
    except (TimeoutError, httpx.TimeoutException) as error:
        reason = TIMEOUT if not isinstance(error, httpx.PoolTimeout) else None
        return Reply(
            time.perf_counter() - started,
            error=None if reason else _transport_error(error, vault),
            reason=reason,
        )
    except httpx.HTTPError as error:
        return Reply(time.perf_counter() - started, error=_transport_error(error, vault))
    except BaseException as error:
        _forget(error)
        raise
    return Reply(
        time.perf_counter() - started,
        status,
        _masked_headers(headers, vault),
        mask_bytes(content, vault),
    )
