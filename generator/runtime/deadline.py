"""The sync client's attempt deadline, enforced at every socket operation.

httpcore gives each socket read its own timeout, so a server that trickles its status line or headers one byte
at a time is never idle long enough to time out. The async client bounds a whole attempt with one
``asyncio.timeout``; threads have no such scope, so the sync client's transports open their connections
through :class:`DeadlineBackend`, whose streams cut every connect, TLS handshake, read and write to what is
left of the current attempt and fail with a timeout once nothing is left.

The current attempt lives in a context variable that :func:`attempt` sets around one attempt; each thread has
its own context, and outside an attempt the backend passes every timeout through unchanged, so an
``httpx.Client`` shared with other code behaves as before there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import httpx

# Seconds left in the current attempt (negative once it is over), or None outside an attempt.
Left = Callable[[], float]
_LEFT: ContextVar[Left | None] = ContextVar("arazzo_attempt_left", default=None)


@contextmanager
def attempt(left: Left) -> Iterator[None]:
    """Bound every socket operation of this thread's requests by ``left()`` while the block runs."""
    token = _LEFT.set(left)
    try:
        yield
    finally:
        _LEFT.reset(token)


def _bounded(timeout: float | None, expired: type[httpx.TimeoutException]) -> float | None:
    left = _LEFT.get()
    if left is None:
        return timeout
    remaining = left()
    if remaining <= 0:
        raise expired("the attempt's timeout elapsed")
    return remaining if timeout is None else min(timeout, remaining)


class _Stream:
    """An httpcore network stream whose operations end by the attempt's deadline."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        data: bytes = self._inner.read(max_bytes, _bounded(timeout, httpx.ReadTimeout))
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpx.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> _Stream:
        bounded = _bounded(timeout, httpx.ConnectTimeout)
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend:
    """An httpcore network backend whose connections and streams end by the attempt's deadline."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> _Stream:
        bounded = _bounded(timeout, httpx.ConnectTimeout)
        return _Stream(self._inner.connect_tcp(host, port, bounded, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> _Stream:
        bounded = _bounded(timeout, httpx.ConnectTimeout)
        return _Stream(self._inner.connect_unix_socket(path, bounded, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def install(http: httpx.Client) -> bool:
    """Make the connections ``http`` opens from now on honour the attempt's deadline.

    Works for ``httpx.HTTPTransport`` transports (the default one and mounted or proxy ones); returns
    whether every transport of ``http`` is one. Connections already open keep per-operation timeouts.
    """
    transports = [getattr(http, "_transport", None), *getattr(http, "_mounts", {}).values()]
    complete = True
    for transport in transports:
        if transport is None:
            continue
        pool = (
            getattr(transport, "_pool", None)
            if isinstance(transport, httpx.HTTPTransport)
            else None
        )
        backend = getattr(pool, "_network_backend", None)
        if backend is None:
            complete = False
        elif not isinstance(backend, DeadlineBackend):
            setattr(pool, "_network_backend", DeadlineBackend(backend))  # noqa: B010
    return complete
