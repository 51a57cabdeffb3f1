"""Loopback emulators of the seed systems' HTTP APIs, for tests.

Each emulator is a real HTTP server on 127.0.0.1 that validates every request
against the project's own OpenAPI description (see :mod:`tests.emulators.base`)::

    with HighlightEmulator() as emu:
        httpx.post(emu.url + "/", json={...})
        assert emu.sessions
"""

from .base import Emulator, RecordedRequest, Reply, Request, SpecViolationError
from .highlight import HighlightEmulator

__all__ = [
    "Emulator",
    "HighlightEmulator",
    "RecordedRequest",
    "Reply",
    "Request",
    "SpecViolationError",
]
